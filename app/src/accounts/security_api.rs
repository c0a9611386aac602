//! Server functions of the security page: password, two-step verification,
//! sessions and API tokens. Changes to the password or the second factor ask
//! for the current password again.

use super::{MfaEnrolment, SecuritySummary};
use crate::error::AppError;
use leptos::prelude::*;

/// Everything the security page shows.
#[server(endpoint = "security/overview")]
pub async fn security_overview() -> Result<SecuritySummary, AppError> {
    use super::{oidc, service, sessions, tokens};
    let (state, me) = crate::request::signed_in_state()?;
    let account = service::find_by_id(&state.db, me.user.id).await?;
    Ok(SecuritySummary {
        has_password: account.password_hash.is_some(),
        mfa_on: account.mfa_enabled_at.is_some(),
        mfa_required: me.actor().is_staff(),
        sessions: sessions::list(&state.db, &state.sessions, me.user.id, me.session_id).await?,
        tokens: tokens::list(&state.db, me.user.id).await?,
        all_scopes: tokens::all_scopes(),
        linked_providers: oidc::linked_providers(&state.db, me.user.id).await?,
    })
}

/// Changes the password; other sessions end.
#[server(endpoint = "security/change_password")]
pub async fn change_password(current: String, password: String) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    super::service::change_password(&state.db, me.user.id, me.session_id, &current, &password)
        .await
        .map_err(AppError::respond)
}

/// Starts enrolment in two-step verification.
#[server(endpoint = "security/mfa_begin")]
pub async fn mfa_begin(password: String) -> Result<MfaEnrolment, AppError> {
    use super::mfa;
    let (state, me) = crate::request::signed_in_state()?;
    let account = super::service::reauthenticate(&state.db, me.user.id, &password)
        .await
        .map_err(AppError::respond)?;
    let email = account.email.clone();
    let secret = mfa::begin(&state.db, account)
        .await
        .map_err(AppError::respond)?;
    let qr_svg = mfa::qr_svg(&mfa::provisioning_uri(&secret, &email))?;
    Ok(MfaEnrolment { secret, qr_svg })
}

/// Confirms enrolment with a first code; returns the recovery codes.
#[server(endpoint = "security/mfa_confirm")]
pub async fn mfa_confirm(code: String) -> Result<Vec<String>, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    let account = super::service::find_by_id(&state.db, me.user.id).await?;
    let codes = super::mfa::confirm(&state.db, account, &code)
        .await
        .map_err(AppError::respond)?;
    super::sessions::mark_mfa(&state.db, me.session_id).await?;
    Ok(codes)
}

/// Turns two-step verification off (password and a current code).
#[server(endpoint = "security/mfa_disable")]
pub async fn mfa_disable(password: String, code: String) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    let account = super::service::reauthenticate(&state.db, me.user.id, &password)
        .await
        .map_err(AppError::respond)?;
    if !super::mfa::check_second_factor(&state.db, &account, &code).await? {
        return Err(AppError::BadMfaCode.respond());
    }
    super::mfa::disable(&state.db, account)
        .await
        .map_err(AppError::respond)
}

/// Ends one of my sessions (another device, say).
#[server(endpoint = "security/end_session")]
pub async fn end_session(session_id: i64) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    if super::sessions::end_one(&state.db, me.user.id, session_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound.respond())
    }
}

/// Ends every session but this one.
#[server(endpoint = "security/end_other_sessions")]
pub async fn end_other_sessions() -> Result<u64, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    Ok(super::sessions::end_others(&state.db, me.user.id, me.session_id).await?)
}

/// Creates an API token; `scopes` are space-separated. Returns the token,
/// which is shown this once.
#[server(endpoint = "security/create_token")]
pub async fn create_token(
    name: String,
    scopes: String,
    valid_days: Option<u32>,
) -> Result<String, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    let scopes: Vec<String> = scopes.split_whitespace().map(str::to_owned).collect();
    let (_, token) = super::tokens::create(&state.db, me.user.id, &name, &scopes, valid_days)
        .await
        .map_err(AppError::respond)?;
    Ok(token)
}

/// Revokes one of my API tokens.
#[server(endpoint = "security/revoke_token")]
pub async fn revoke_token(token_id: i64) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    super::tokens::revoke(&state.db, me.user.id, token_id)
        .await
        .map_err(AppError::respond)
}
