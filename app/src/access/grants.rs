//! Care-team rules: a patient invites a clinician, coach or caregiver with a
//! code (optionally for one email), chooses the categories they may read or
//! write and until when, and can change or revoke every grant. Administrators
//! may open a patient's data only through time-limited, audited break-glass.

use super::entity::{break_glass, care_grant, care_invitation};
use super::gate;
use super::{GrantView, InvitationView, PatientLink, Permissions};
use crate::accounts::entity::account;
use crate::accounts::secrets::{code_hash, new_code};
use crate::accounts::service::by_ids;
use crate::accounts::validate::normalize_email;
use crate::audit::security_events::{self, kind};
use crate::audit::{self, AuditEvent};
use crate::error::AppError;
use crate::identity::Actor;
use crate::identity::Role;
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

/// How long an invitation code can be redeemed.
pub const INVITATION_DAYS: i64 = 14;
/// How long break-glass access lasts.
pub const BREAK_GLASS_MINUTES: i64 = 60;
/// The shortest reason accepted for break-glass access.
pub const BREAK_GLASS_REASON_MIN: usize = 20;

fn require_patient(actor: &Actor) -> Result<(), AppError> {
    // A token cannot manage who sees the data; only the patient in a browser.
    if actor.role == Role::Patient && actor.scopes.is_none() {
        Ok(())
    } else {
        Err(AppError::WrongRole)
    }
}

fn check_terms(permissions: &Permissions, until: Option<NaiveDate>) -> Result<(), AppError> {
    if permissions.is_empty() {
        return Err(AppError::NoPermissionsChosen);
    }
    if until.is_some_and(|day| day < Utc::now().date_naive()) {
        return Err(AppError::DateInPast);
    }
    Ok(())
}

async fn audit_care_team(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    record_id: i64,
    action: &str,
) -> Result<(), AppError> {
    audit::record(
        db,
        AuditEvent {
            actor_id: Some(actor.account_id),
            patient_id: Some(patient_id),
            category: "care_team",
            record_id: Some(&record_id.to_string()),
            action,
            outcome: "done",
            client: &actor.client,
        },
    )
    .await?;
    Ok(())
}

/// Creates an invitation and returns its code (shown once).
pub async fn invite(
    db: &DatabaseConnection,
    patient: &Actor,
    email: Option<&str>,
    permissions: &Permissions,
    grant_until: Option<NaiveDate>,
) -> Result<String, AppError> {
    require_patient(patient)?;
    check_terms(permissions, grant_until)?;
    let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
        Some(email) => Some(normalize_email(email)?),
        None => None,
    };
    let code = new_code(3);
    let now = Utc::now();
    let row = care_invitation::ActiveModel {
        patient_id: Set(patient.account_id),
        code_hash: Set(code_hash(&code)),
        email: Set(email),
        permissions: Set(permissions.encode()),
        grant_until: Set(grant_until),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_DAYS)),
        redeemed_at: Set(None),
        redeemed_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_care_team(db, patient, patient.account_id, row.id, "invite").await?;
    Ok(code)
}

/// A clinician, coach or caregiver redeems a code: the grant it describes
/// starts (replacing the terms of an earlier grant from the same patient).
pub async fn redeem(db: &DatabaseConnection, member: &Actor, code: &str) -> Result<i64, AppError> {
    if !matches!(member.role, Role::Clinician | Role::Coach | Role::Caregiver)
        || member.scopes.is_some()
    {
        return Err(AppError::WrongRole);
    }
    let now = Utc::now();
    let member_email = account::Entity::find_by_id(member.account_id)
        .one(db)
        .await?
        .map(|a| a.email)
        .unwrap_or_default();
    let tx = db.begin().await?;
    let invitation = care_invitation::Entity::find()
        .filter(care_invitation::Column::CodeHash.eq(code_hash(code)))
        .filter(care_invitation::Column::RedeemedAt.is_null())
        .filter(care_invitation::Column::ExpiresAt.gt(now))
        .one(&tx)
        .await?
        .filter(|inv| inv.email.as_ref().is_none_or(|e| *e == member_email))
        .filter(|inv| inv.patient_id != member.account_id)
        .ok_or(AppError::InvitationInvalid)?;
    let existing = care_grant::Entity::find()
        .filter(care_grant::Column::PatientId.eq(invitation.patient_id))
        .filter(care_grant::Column::GranteeId.eq(member.account_id))
        .filter(care_grant::Column::RevokedAt.is_null())
        .one(&tx)
        .await?;
    let grant = match existing {
        Some(grant) => {
            let mut active = grant.into_active_model();
            active.permissions = Set(invitation.permissions.clone());
            active.until = Set(invitation.grant_until);
            active.updated_at = Set(now);
            active.update(&tx).await?
        }
        None => {
            care_grant::ActiveModel {
                patient_id: Set(invitation.patient_id),
                grantee_id: Set(member.account_id),
                permissions: Set(invitation.permissions.clone()),
                until: Set(invitation.grant_until),
                created_at: Set(now),
                updated_at: Set(now),
                revoked_at: Set(None),
                ..Default::default()
            }
            .insert(&tx)
            .await?
        }
    };
    let patient_id = invitation.patient_id;
    let mut used = invitation.into_active_model();
    used.redeemed_at = Set(Some(now));
    used.redeemed_by = Set(Some(member.account_id));
    used.update(&tx).await?;
    tx.commit().await?;
    audit_care_team(db, member, patient_id, grant.id, "join").await?;
    Ok(grant.id)
}

/// The patient's grants (active ones) and open invitations.
pub async fn of_patient(
    db: &DatabaseConnection,
    patient: &Actor,
) -> Result<(Vec<GrantView>, Vec<InvitationView>), AppError> {
    require_patient(patient)?;
    let grants = care_grant::Entity::find()
        .filter(care_grant::Column::PatientId.eq(patient.account_id))
        .filter(care_grant::Column::RevokedAt.is_null())
        .order_by_asc(care_grant::Column::Id)
        .all(db)
        .await?;
    let grantees = by_ids(db, grants.iter().map(|g| g.grantee_id)).await?;
    let invitations = care_invitation::Entity::find()
        .filter(care_invitation::Column::PatientId.eq(patient.account_id))
        .filter(care_invitation::Column::RedeemedAt.is_null())
        .filter(care_invitation::Column::ExpiresAt.gt(Utc::now()))
        .order_by_asc(care_invitation::Column::Id)
        .all(db)
        .await?;
    Ok((
        grants
            .into_iter()
            .filter_map(|grant| {
                let grantee = grantees.get(&grant.grantee_id)?;
                Some((grant, grantee))
            })
            .map(|(grant, grantee)| GrantView {
                id: grant.id,
                grantee_name: grantee.display_name.clone(),
                grantee_role: Role::parse(&grantee.role).unwrap_or(Role::Caregiver),
                permissions: Permissions::decode(&grant.permissions).unwrap_or_default(),
                until: grant.until,
                created_at: grant.created_at,
            })
            .collect(),
        invitations
            .into_iter()
            .map(|inv| InvitationView {
                id: inv.id,
                email: inv.email,
                permissions: Permissions::decode(&inv.permissions).unwrap_or_default(),
                grant_until: inv.grant_until,
                expires_at: inv.expires_at,
            })
            .collect(),
    ))
}

/// Loads a grant only if it is this patient's and still active.
async fn own_grant(
    db: &DatabaseConnection,
    patient: &Actor,
    grant_id: i64,
) -> Result<care_grant::Model, AppError> {
    require_patient(patient)?;
    care_grant::Entity::find_by_id(grant_id)
        .filter(care_grant::Column::PatientId.eq(patient.account_id))
        .filter(care_grant::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes what a grant covers and until when.
pub async fn change(
    db: &DatabaseConnection,
    patient: &Actor,
    grant_id: i64,
    permissions: &Permissions,
    until: Option<NaiveDate>,
) -> Result<(), AppError> {
    let grant = own_grant(db, patient, grant_id).await?;
    check_terms(permissions, until)?;
    let mut active = grant.into_active_model();
    active.permissions = Set(permissions.encode());
    active.until = Set(until);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    audit_care_team(db, patient, patient.account_id, grant_id, "change").await
}

/// Ends a grant at once.
pub async fn revoke(
    db: &DatabaseConnection,
    patient: &Actor,
    grant_id: i64,
) -> Result<(), AppError> {
    let grant = own_grant(db, patient, grant_id).await?;
    let mut active = grant.into_active_model();
    active.revoked_at = Set(Some(Utc::now()));
    active.update(db).await?;
    audit_care_team(db, patient, patient.account_id, grant_id, "revoke").await
}

/// Withdraws an invitation that has not been redeemed.
pub async fn cancel_invitation(
    db: &DatabaseConnection,
    patient: &Actor,
    invitation_id: i64,
) -> Result<(), AppError> {
    require_patient(patient)?;
    let deleted = care_invitation::Entity::delete_many()
        .filter(care_invitation::Column::Id.eq(invitation_id))
        .filter(care_invitation::Column::PatientId.eq(patient.account_id))
        .filter(care_invitation::Column::RedeemedAt.is_null())
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    audit_care_team(
        db,
        patient,
        patient.account_id,
        invitation_id,
        "cancel_invitation",
    )
    .await
}

/// The patients who granted this care-team member access (and whose grant
/// has not ended). Staff need their second factor to see the list.
pub async fn patients_of(
    db: &DatabaseConnection,
    member: &Actor,
) -> Result<Vec<PatientLink>, AppError> {
    if !matches!(member.role, Role::Clinician | Role::Coach | Role::Caregiver) {
        return Err(AppError::WrongRole);
    }
    if member.is_staff() && !member.mfa {
        audit::record(
            db,
            AuditEvent {
                actor_id: Some(member.account_id),
                patient_id: None,
                category: "care_team",
                record_id: None,
                action: "list",
                outcome: "refused_mfa",
                client: &member.client,
            },
        )
        .await?;
        return Err(AppError::MfaRequired);
    }
    let today = Utc::now().date_naive();
    let rows = care_grant::Entity::find()
        .filter(care_grant::Column::GranteeId.eq(member.account_id))
        .filter(care_grant::Column::RevokedAt.is_null())
        .order_by_asc(care_grant::Column::Id)
        .all(db)
        .await?;
    let patients = by_ids(db, rows.iter().map(|g| g.patient_id)).await?;
    let mut out: Vec<PatientLink> = rows
        .into_iter()
        .filter(|g| g.until.is_none_or(|d| d >= today))
        .filter_map(|grant| {
            let patient = patients
                .get(&grant.patient_id)
                .filter(|p| p.disabled_at.is_none())?;
            Some(PatientLink {
                patient_id: patient.id,
                name: patient.display_name.clone(),
                permissions: Permissions::decode(&grant.permissions).unwrap_or_default(),
                until: grant.until,
            })
        })
        .collect();
    out.sort_by_key(|a| a.name.to_lowercase());
    Ok(out)
}

/// One patient as their care-team member sees them (through the gate).
pub async fn patient_for(
    db: &DatabaseConnection,
    member: &Actor,
    patient_id: i64,
) -> Result<PatientLink, AppError> {
    let (permissions, until) = gate::care_link(db, member, patient_id).await?;
    let patient = account::Entity::find_by_id(patient_id)
        .one(db)
        .await?
        .ok_or(AppError::NoAccess)?;
    Ok(PatientLink {
        patient_id,
        name: patient.display_name,
        permissions,
        until,
    })
}

/// An administrator opens one patient's data for an hour, with a written
/// reason; an alert is raised for the other administrators.
pub async fn break_glass(
    db: &DatabaseConnection,
    admin: &Actor,
    patient_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    admin.require_administrator()?;
    let reason = reason.trim();
    if reason.chars().count() < BREAK_GLASS_REASON_MIN || reason.chars().count() > 500 {
        return Err(AppError::ReasonRequired {
            min: BREAK_GLASS_REASON_MIN,
        });
    }
    let is_patient = account::Entity::find_by_id(patient_id)
        .one(db)
        .await?
        .is_some_and(|a| a.role == Role::Patient.as_str());
    if !is_patient {
        return Err(AppError::NotFound);
    }
    let now = Utc::now();
    let row = break_glass::ActiveModel {
        admin_id: Set(admin.account_id),
        patient_id: Set(patient_id),
        reason: Set(reason.to_owned()),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(BREAK_GLASS_MINUTES)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    security_events::raise(
        db,
        kind::BREAK_GLASS,
        Some(admin.account_id),
        Some(patient_id),
        &format!(
            "break-glass access #{} for {BREAK_GLASS_MINUTES} minutes",
            row.id
        ),
    )
    .await?;
    audit::record(
        db,
        AuditEvent {
            actor_id: Some(admin.account_id),
            patient_id: Some(patient_id),
            category: "break_glass",
            record_id: Some(&row.id.to_string()),
            action: "open",
            outcome: "done",
            client: &admin.client,
        },
    )
    .await?;
    Ok(())
}
