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
    server::begin_session(&state, account.id, account.locale.as_deref(), false).await
}

/// Signs in with email and password. The answer to a failure never says
/// whether the email exists. Failures are throttled per account and per
/// address. With two-step verification on, the browser goes on to the code
/// step; a provider identity waiting to be linked is linked here.
#[server(endpoint = "accounts/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use super::{pending, throttle};
    let state = crate::state::app_state()?;
    let client = server::client_meta();
    let ip = client.ip.clone().unwrap_or_default();
    throttle::check(&state.db, &email, &ip)
        .await
        .map_err(AppError::respond)?;
    let account = match super::service::authenticate(&state.db, &email, &password).await {
        Ok(account) => account,
        Err(err) => {
            throttle::failed(&state.db, &email, &ip, None).await?;
            server::audit_sign_in(&state, None, "password", "refused").await?;
            return Err(err.respond());
        }
    };
    throttle::succeeded(&state.db, &email).await?;
    if let Some((id, pending::Pending::Link { provider, subject })) =
        server::pending_sign_in(&state).await?
    {
        super::oidc::link(&state.db, account.id, &provider, &subject).await?;
        pending::remove(&state.db, id).await?;
    }
    if account.mfa_enabled_at.is_some() {
        let token = pending::create(
            &state.db,
            pending::Pending::Mfa {
                account_id: account.id,
            },
        )
        .await?;
        server::set_cookie(&pending::cookie(Some(&token), state.sessions.secure_cookie));
        leptos_axum::redirect("/sign-in/verify");
        return Ok(());
    }
    server::audit_sign_in(&state, Some(account.id), "password", "allowed").await?;
    server::begin_session(&state, account.id, account.locale.as_deref(), false).await
}

/// The second step of a sign-in: a code from the authenticator app or an
/// unused recovery code.
#[server(endpoint = "accounts/verify_code")]
pub async fn verify_code(code: String) -> Result<(), AppError> {
    use super::{mfa, pending, throttle};
    let state = crate::state::app_state()?;
    let Some((id, pending::Pending::Mfa { account_id })) = server::pending_sign_in(&state).await?
    else {
        return Err(AppError::SignInExpired.respond());
    };
    let account = super::service::find_by_id(&state.db, account_id).await?;
    let ip = server::client_meta().ip.unwrap_or_default();
    throttle::check(&state.db, &account.email, &ip)
        .await
        .map_err(AppError::respond)?;
    if !mfa::check_second_factor(&state.db, &account, &code).await? {
        throttle::failed(&state.db, &account.email, &ip, Some(account.id)).await?;
        server::audit_sign_in(&state, Some(account.id), "second_factor", "refused").await?;
        return Err(AppError::BadMfaCode.respond());
    }
    throttle::succeeded(&state.db, &account.email).await?;
    pending::remove(&state.db, id).await?;
    server::set_cookie(&pending::cookie(None, state.sessions.secure_cookie));
    server::audit_sign_in(&state, Some(account.id), "second_factor", "allowed").await?;
    server::begin_session(&state, account.id, account.locale.as_deref(), true).await
}

/// Whether the browser holds a provider identity waiting to be linked.
#[server(endpoint = "accounts/link_pending")]
pub async fn link_pending() -> Result<bool, AppError> {
    let state = crate::state::app_state()?;
    Ok(matches!(
        server::pending_sign_in(&state).await?,
        Some((_, super::pending::Pending::Link { .. }))
    ))
}

/// The sign-in providers configured for this site.
#[server(endpoint = "accounts/providers")]
pub async fn sign_in_providers() -> Result<Vec<super::ProviderLink>, AppError> {
    Ok(crate::state::app_state()?.oidc.links())
}

/// Creates an invited staff account and signs it in.
#[server(endpoint = "accounts/join_staff")]
pub async fn join_staff(code: String, name: String, password: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let account = super::staff::join(&state.db, &code, &name, &password)
        .await
        .map_err(AppError::respond)?;
    server::begin_session(&state, account.id, None, false).await
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
pub(crate) mod server {
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

    /// The signed-in user, or `NotSignedIn` (401).
    pub fn require_signed_in() -> Result<SignedIn, AppError> {
        signed_in().ok_or_else(|| AppError::NotSignedIn.respond())
    }

    /// The pending sign-in that the browser's cookie names, if live.
    pub async fn pending_sign_in(
        state: &AppState,
    ) -> Result<Option<(i64, crate::accounts::pending::Pending)>, AppError> {
        let Some(parts) = use_context::<Parts>() else {
            return Ok(None);
        };
        let token = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| sessions::cookie_value(h, crate::accounts::pending::COOKIE))
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        match token {
            Some(token) => Ok(crate::accounts::pending::find(&state.db, &token).await?),
            None => Ok(None),
        }
    }

    /// Writes a sign-in decision to the audit log.
    pub async fn audit_sign_in(
        state: &AppState,
        account_id: Option<i64>,
        action: &str,
        outcome: &str,
    ) -> Result<(), AppError> {
        let client = client_meta();
        crate::access::audit::record(
            &state.db,
            crate::access::audit::AuditEvent {
                actor_id: account_id,
                patient_id: None,
                category: "sign_in",
                record_id: None,
                action,
                outcome,
                client: &client,
            },
        )
        .await?;
        Ok(())
    }

    pub fn client_meta() -> ClientMeta {
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
        mfa: bool,
    ) -> Result<(), AppError> {
        if let Some(old) = session_token(state) {
            sessions::end(&state.db, &old).await?;
        }
        let token =
            sessions::start(&state.db, &state.sessions, account_id, client_meta(), mfa).await?;
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
