//! Server functions of the account area: the browser's door to `service` and
//! `sessions`. They stay thin: read the request, call the service, answer.

use super::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(endpoint = "accounts/current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(server::signed_in().map(|s| s.user))
}

/// Creates a patient account and signs it in.
#[server(endpoint = "accounts/sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let account = super::service::sign_up(
        &state.db,
        super::service::NewAccount {
            email: &email,
            display_name: &name,
            password: &password,
        },
    )
    .await
    .map_err(AppError::respond)?;
    server::begin_session(&state, account.id, account.locale.as_deref()).await
}

/// Signs in with email and password. The answer to a failure never says
/// whether the email exists.
#[server(endpoint = "accounts/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let account = super::service::authenticate(&state.db, &email, &password)
        .await
        .map_err(AppError::respond)?;
    server::begin_session(&state, account.id, account.locale.as_deref()).await
}

/// Ends the current session.
#[server(endpoint = "accounts/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    if let Some(token) = server::session_token(&state) {
        super::sessions::end(&state.db, &token).await?;
    }
    server::set_cookie(&state.sessions.clearing_cookie());
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// Remembers the chosen language on the signed-in account.
#[server(endpoint = "accounts/save_locale")]
pub async fn save_locale(locale: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let signed_in = server::signed_in().ok_or_else(|| AppError::NotSignedIn.respond())?;
    super::service::set_locale(&state.db, signed_in.user.id, &locale)
        .await
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::accounts::sessions::{self, ClientMeta, SignedIn};
    use crate::error::AppError;
    use crate::state::AppState;
    use http::header::{COOKIE, SET_COOKIE, USER_AGENT};
    use http::request::Parts;
    use leptos::prelude::*;

    pub fn signed_in() -> Option<SignedIn> {
        use_context::<Parts>()?
            .extensions
            .get::<SignedIn>()
            .cloned()
    }

    pub fn session_token(state: &AppState) -> Option<String> {
        let parts = use_context::<Parts>()?;
        let header = parts.headers.get(COOKIE)?.to_str().ok()?;
        state
            .sessions
            .token_from_cookie_header(header)
            .map(str::to_owned)
    }

    pub fn set_cookie(value: &str) {
        if let (Some(options), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(value),
        ) {
            options.append_header(SET_COOKIE, value);
        }
    }

    fn client_meta() -> ClientMeta {
        let Some(parts) = use_context::<Parts>() else {
            return ClientMeta::default();
        };
        ClientMeta {
            user_agent: parts
                .headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            ip: parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string()),
        }
    }

    /// Starts a fresh session (ending any the browser already had: the
    /// session id rotates at sign-in), sets its cookie and the account's
    /// language, and sends the browser home.
    pub async fn begin_session(
        state: &AppState,
        account_id: i64,
        locale: Option<&str>,
    ) -> Result<(), AppError> {
        if let Some(old) = session_token(state) {
            sessions::end(&state.db, &old).await?;
        }
        let token = sessions::start(&state.db, &state.sessions, account_id, client_meta()).await?;
        set_cookie(&state.sessions.cookie(&token));
        if let Some(tag) = locale {
            set_cookie(&format!(
                "{}={tag}; Path=/; SameSite=Lax; Max-Age=31536000",
                crate::i18n::LOCALE_COOKIE
            ));
        }
        leptos_axum::redirect("/");
        Ok(())
    }
}
