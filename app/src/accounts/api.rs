//! Server functions of the account area: the browser's door to `service` and
//! `sessions`. They stay thin: read the request, call the service, answer.

use crate::error::AppError;
use crate::identity::CurrentUser;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::signin::Factor;

/// The signed-in user, or `None`.
#[server(endpoint = "accounts/current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(crate::request::signed_in().map(|s| s.user))
}

/// Creates a patient account and signs it in.
#[server(endpoint = "accounts/sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<(), AppError> {
    use crate::throttle;
    let state = crate::state::app_state()?;
    let ip = crate::request::client_meta().ip.unwrap_or_default();
    // Taken emails are counted per address: no enumeration at speed.
    let account = throttle::guard(
        &state.db,
        throttle::SIGN_UPS,
        &format!("ip:{ip}"),
        |err| *err == AppError::EmailTaken,
        super::service::sign_up(
            &state.db,
            super::service::NewAccount {
                email: &email,
                display_name: &name,
                password: &password,
            },
        ),
    )
    .await
    .map_err(AppError::respond)?;
    server::finish(&state, &account, Factor::First).await?;
    Ok(())
}

/// Signs in with email and password. The answer to a failure never says
/// whether the email exists. Failures are throttled per account and per
/// address. With two-step verification on, the browser goes on to the code
/// step; a provider identity waiting to be linked is linked here.
#[server(endpoint = "accounts/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use super::{pending, throttle};
    let state = crate::state::app_state()?;
    let ip = crate::request::client_meta().ip.unwrap_or_default();
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
    // With two-step verification on, the code step is audited instead.
    if server::finish(&state, &account, Factor::First).await? {
        server::audit_sign_in(&state, Some(account.id), "password", "allowed").await?;
    }
    Ok(())
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
    let ip = crate::request::client_meta().ip.unwrap_or_default();
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
    server::audit_sign_in(&state, Some(account.id), "second_factor", "allowed").await?;
    server::finish(&state, &account, Factor::Second).await?;
    Ok(())
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
    use crate::throttle;
    let state = crate::state::app_state()?;
    let ip = crate::request::client_meta().ip.unwrap_or_default();
    let account = throttle::guard(
        &state.db,
        throttle::INVITATION_CODES,
        &format!("ip:{ip}"),
        |err| *err == AppError::InvitationInvalid,
        super::staff::join(&state.db, &code, &name, &password),
    )
    .await
    .map_err(AppError::respond)?;
    server::finish(&state, &account, Factor::First).await?;
    Ok(())
}

/// Ends the current session.
#[server(endpoint = "accounts/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    if let Some(token) = crate::request::session_token(&state) {
        super::sessions::end(&state.db, &token).await?;
    }
    crate::request::set_cookie(&state.sessions.clearing_cookie());
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// Remembers the chosen language on the signed-in account.
#[server(endpoint = "accounts/save_locale")]
pub async fn save_locale(locale: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let signed_in = crate::request::require_signed_in()?;
    super::service::set_locale(&state.db, signed_in.user.id, &locale)
        .await
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
mod server {
    use crate::accounts::entity::account;
    use crate::accounts::pending::{self, Pending};
    use crate::accounts::signin::{self, Factor};
    use crate::error::AppError;
    use crate::request::{client_meta, cookie, session_token, set_cookie};
    use crate::state::AppState;

    /// The pending sign-in that the browser's cookie names, if live.
    pub async fn pending_sign_in(state: &AppState) -> Result<Option<(i64, Pending)>, AppError> {
        match cookie(pending::COOKIE) {
            Some(token) => Ok(pending::find(&state.db, &token).await?),
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
        crate::audit::record(
            &state.db,
            crate::audit::AuditEvent {
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

    /// Finishes the sign-in step (see [`signin::finish`]) and answers with
    /// its cookies and address; true when a session started.
    pub async fn finish(
        state: &AppState,
        account: &account::Model,
        factor: Factor,
    ) -> Result<bool, AppError> {
        let old = session_token(state);
        let finished =
            signin::finish(state, account, factor, client_meta(), old.as_deref()).await?;
        for value in &finished.cookies {
            set_cookie(value);
        }
        leptos_axum::redirect(finished.go_to);
        Ok(finished.signed_in)
    }
}
