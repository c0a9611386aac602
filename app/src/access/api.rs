//! Server functions of care-team access, access history and administration.
//! Each reads the request, calls the domain service, answers.

use super::{GrantView, HistoryPage, InvitationView, PatientLink, SecurityEventView};
use crate::error::AppError;
use leptos::prelude::*;

/// Reads the `until` field of a form: empty means no end date.
#[cfg(feature = "ssr")]
fn parse_until(until: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
    let until = until.trim();
    if until.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::DateInPast.respond())
}

#[cfg(feature = "ssr")]
fn parse_permissions(permissions: &str) -> Result<super::Permissions, AppError> {
    super::Permissions::decode(permissions).ok_or_else(|| AppError::NoPermissionsChosen.respond())
}

/// The patient's care team: active grants and open invitations.
#[server(endpoint = "care_team/list")]
pub async fn care_team() -> Result<(Vec<GrantView>, Vec<InvitationView>), AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    super::grants::of_patient(&state.db, &me)
        .await
        .map_err(AppError::respond)
}

/// Invites a care-team member; `permissions` as `vitals:rw medications:r`,
/// `until` as `YYYY-MM-DD` or empty. Returns the code (shown once).
#[server(endpoint = "care_team/invite")]
pub async fn invite_care_team(
    email: String,
    permissions: String,
    until: String,
) -> Result<String, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    let permissions = parse_permissions(&permissions)?;
    let until = parse_until(&until)?;
    super::grants::invite(&state.db, &me, Some(&email), &permissions, until)
        .await
        .map_err(AppError::respond)
}

/// A clinician, coach or caregiver joins a care team with a code.
#[server(endpoint = "care_team/join")]
pub async fn join_care_team(code: String) -> Result<(), AppError> {
    use crate::throttle;
    let (state, me) = crate::request::signed_in_actor()?;
    throttle::guard(
        &state.db,
        throttle::INVITATION_CODES,
        &format!("account:{}", me.account_id),
        |err| *err == AppError::InvitationInvalid,
        super::grants::redeem(&state.db, &me, &code),
    )
    .await
    .map_err(AppError::respond)?;
    leptos_axum::redirect("/patients");
    Ok(())
}

/// Changes a grant's categories and end date.
#[server(endpoint = "care_team/change")]
pub async fn change_grant(
    grant_id: i64,
    permissions: String,
    until: String,
) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    let permissions = parse_permissions(&permissions)?;
    let until = parse_until(&until)?;
    super::grants::change(&state.db, &me, grant_id, &permissions, until)
        .await
        .map_err(AppError::respond)
}

/// Ends a grant at once.
#[server(endpoint = "care_team/revoke")]
pub async fn revoke_grant(grant_id: i64) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    super::grants::revoke(&state.db, &me, grant_id)
        .await
        .map_err(AppError::respond)
}

/// Withdraws an invitation.
#[server(endpoint = "care_team/cancel_invitation")]
pub async fn cancel_invitation(invitation_id: i64) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    super::grants::cancel_invitation(&state.db, &me, invitation_id)
        .await
        .map_err(AppError::respond)
}

/// The patients who granted me access.
#[server(endpoint = "patients/list")]
pub async fn my_patients() -> Result<Vec<PatientLink>, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    super::grants::patients_of(&state.db, &me)
        .await
        .map_err(AppError::respond)
}

/// One of my patients (through the access check).
#[server(endpoint = "patients/one")]
pub async fn patient(patient_id: i64) -> Result<PatientLink, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    super::grants::patient_for(&state.db, &me, patient_id)
        .await
        .map_err(AppError::respond)
}

/// Who else opened my data, newest first, a page at a time: the accesses,
/// or with `refused` the refused attempts.
#[server(endpoint = "access/history")]
pub async fn access_history(
    refused: Option<bool>,
    before: Option<i64>,
) -> Result<HistoryPage, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    if me.role != crate::identity::Role::Patient {
        return Err(AppError::WrongRole.respond());
    }
    Ok(
        super::history::history_of(&state.db, me.account_id, refused.unwrap_or(false), before)
            .await?,
    )
}

/// An administrator invites a clinician, coach or administrator; returns the code.
#[server(endpoint = "admin/invite_staff")]
pub async fn invite_staff(email: String, role: String) -> Result<String, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    let role = crate::identity::Role::parse(&role).ok_or_else(|| AppError::WrongRole.respond())?;
    crate::accounts::staff::invite(&state.db, Some(&me), &email, role)
        .await
        .map_err(AppError::respond)
}

/// Accounts by part of their email or name (administrators only).
#[server(endpoint = "admin/find_accounts")]
pub async fn find_accounts(
    query: String,
) -> Result<Vec<crate::accounts::AccountSummary>, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    crate::accounts::staff::find_accounts(&state.db, &me, &query)
        .await
        .map_err(AppError::respond)
}

/// The latest security events (administrators only).
#[server(endpoint = "admin/security_events")]
pub async fn security_events() -> Result<Vec<SecurityEventView>, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    me.require_administrator().map_err(AppError::respond)?;
    Ok(super::history::security_events(&state.db, 100).await?)
}

/// Emergency read access to one patient for an hour, with a reason.
#[server(endpoint = "admin/break_glass")]
pub async fn break_glass(patient_id: i64, reason: String) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    super::grants::break_glass(&state.db, &me, patient_id, &reason)
        .await
        .map_err(AppError::respond)
}

/// Disables an account; its sessions end.
#[server(endpoint = "admin/disable_account")]
pub async fn disable_account(account_id: i64) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    crate::accounts::staff::disable(&state.db, &me, account_id)
        .await
        .map_err(AppError::respond)
}
