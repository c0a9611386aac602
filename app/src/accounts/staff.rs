//! Staff accounts: an administrator invites clinicians, coaches and other
//! administrators by email; the invitee sets a name and password with the
//! code. Administrators can also disable any account (its sessions end).

use super::AccountSummary;
use super::entity::{account, session, staff_invitation};
use super::secrets::{code_hash, new_code};
use super::service::{NewAccount, create_account};
use super::validate::normalize_email;
use crate::error::AppError;
use crate::identity::Actor;
use crate::identity::Role;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set, TransactionTrait,
};

pub const INVITATION_DAYS: i64 = 7;
/// The shortest search an administrator may run over accounts.
pub const SEARCH_MIN: usize = 3;
pub const SEARCH_MAX: usize = 254;

fn require_admin(actor: &Actor) -> Result<(), AppError> {
    actor.require_administrator()
}

/// Creates a staff invitation; returns the code (shown once). `created_by`
/// is `None` when an operator runs `hale invite-staff`.
pub async fn invite(
    db: &DatabaseConnection,
    created_by: Option<&Actor>,
    email: &str,
    role: Role,
) -> Result<String, AppError> {
    if let Some(actor) = created_by {
        require_admin(actor)?;
    }
    if !matches!(role, Role::Clinician | Role::Coach | Role::Administrator) {
        return Err(AppError::WrongRole);
    }
    let email = normalize_email(email)?;
    let code = new_code(4);
    let now = Utc::now();
    staff_invitation::ActiveModel {
        code_hash: Set(code_hash(&code)),
        email: Set(email),
        role: Set(role.as_str().to_owned()),
        created_by: Set(created_by.map(|a| a.account_id).unwrap_or(0)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_DAYS)),
        redeemed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(code)
}

/// Creates the invited staff account from a code, a name and a password.
pub async fn join(
    db: &DatabaseConnection,
    code: &str,
    display_name: &str,
    password: &str,
) -> Result<account::Model, AppError> {
    let now = Utc::now();
    let invitation = staff_invitation::Entity::find()
        .filter(staff_invitation::Column::CodeHash.eq(code_hash(code)))
        .filter(staff_invitation::Column::RedeemedAt.is_null())
        .filter(staff_invitation::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or(AppError::InvitationInvalid)?;
    let role = Role::parse(&invitation.role).ok_or(AppError::InvitationInvalid)?;
    let tx = db.begin().await?;
    let account = create_account(
        &tx,
        NewAccount {
            email: &invitation.email,
            display_name,
            password,
        },
        role,
    )
    .await?;
    let mut used = invitation.into_active_model();
    used.redeemed_at = Set(Some(now));
    used.update(&tx).await?;
    tx.commit().await?;
    Ok(account)
}

/// Disables an account: it can no longer sign in and all its sessions end.
pub async fn disable(
    db: &DatabaseConnection,
    admin: &Actor,
    account_id: i64,
) -> Result<(), AppError> {
    require_admin(admin)?;
    if account_id == admin.account_id {
        return Err(AppError::WrongRole);
    }
    let found = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let tx = db.begin().await?;
    let mut active = found.into_active_model();
    active.disabled_at = Set(Some(Utc::now()));
    active.update(&tx).await?;
    session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account_id))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    tracing::info!(account_id, by = admin.account_id, "account disabled");
    Ok(())
}

/// Accounts whose email or name contains `query` (administrators only; at
/// most 20). Account data, not health data: no access check, but audited.
pub async fn find_accounts(
    db: &DatabaseConnection,
    admin: &Actor,
    query: &str,
) -> Result<Vec<AccountSummary>, AppError> {
    use sea_orm::{Condition, QueryOrder, QuerySelect};
    require_admin(admin)?;
    let query = query.trim().to_lowercase();
    if query.chars().count() < SEARCH_MIN {
        return Err(AppError::SearchTooShort { min: SEARCH_MIN });
    }
    // An email is at most 254 characters: a longer query finds nothing.
    if query.chars().count() > SEARCH_MAX {
        return Err(AppError::SearchTooLong { max: SEARCH_MAX });
    }
    let pattern = format!("%{}%", query.replace(['%', '_'], ""));
    let found = account::Entity::find()
        .filter(
            Condition::any()
                .add(account::Column::Email.like(pattern.clone()))
                .add(account::Column::DisplayName.like(pattern)),
        )
        .order_by_asc(account::Column::Email)
        .limit(20)
        .all(db)
        .await?;
    crate::audit::record(
        db,
        crate::audit::AuditEvent {
            actor_id: Some(admin.account_id),
            patient_id: None,
            category: "accounts",
            record_id: None,
            action: "search",
            outcome: "done",
            client: &admin.client,
        },
    )
    .await?;
    Ok(found
        .into_iter()
        .map(|a| AccountSummary {
            id: a.id,
            email: a.email,
            name: a.display_name,
            role: Role::parse(&a.role).unwrap_or(Role::Patient),
            disabled: a.disabled_at.is_some(),
            mfa_on: a.mfa_enabled_at.is_some(),
        })
        .collect())
}
