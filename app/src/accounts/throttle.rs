//! Sign-in throttling: after too many failures for one email, or from one
//! address, sign-in is refused for a while; reaching either limit raises a
//! security event for the administrators.

use super::entity::sign_in_failure;
use super::secrets::sha256_hex;
use crate::audit::security_events::{self, kind};
use crate::error::AppError;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

/// Failures for one account within [`WINDOW_MINUTES`] before it is locked.
pub const PER_ACCOUNT: u64 = 5;
/// Failures from one address within [`WINDOW_MINUTES`] before it is locked.
pub const PER_ADDRESS: u64 = 20;
pub const WINDOW_MINUTES: i64 = 15;

/// Who was tried, without keeping the email itself in the table.
fn subject(email: &str) -> String {
    sha256_hex(&email.trim().to_lowercase())
}

async fn counts(db: &DatabaseConnection, email: &str, ip: &str) -> Result<(u64, u64), AppError> {
    let since = Utc::now() - Duration::minutes(WINDOW_MINUTES);
    let account = sign_in_failure::Entity::find()
        .filter(sign_in_failure::Column::SubjectHash.eq(subject(email)))
        .filter(sign_in_failure::Column::At.gt(since))
        .count(db)
        .await?;
    let address = sign_in_failure::Entity::find()
        .filter(sign_in_failure::Column::Ip.eq(ip))
        .filter(sign_in_failure::Column::At.gt(since))
        .count(db)
        .await?;
    Ok((account, address))
}

/// Refuses a sign-in attempt (before any password is checked) when either
/// limit has been reached.
pub async fn check(db: &DatabaseConnection, email: &str, ip: &str) -> Result<(), AppError> {
    let (account, address) = counts(db, email, ip).await?;
    if account >= PER_ACCOUNT || address >= PER_ADDRESS {
        return Err(AppError::TooManyAttempts);
    }
    Ok(())
}

/// Records a failure; the one that reaches a limit raises a security event.
pub async fn failed(
    db: &DatabaseConnection,
    email: &str,
    ip: &str,
    account_id: Option<i64>,
) -> Result<(), AppError> {
    sign_in_failure::ActiveModel {
        subject_hash: Set(subject(email)),
        ip: Set(ip.to_owned()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let (account, address) = counts(db, email, ip).await?;
    if account == PER_ACCOUNT || address == PER_ADDRESS {
        let detail = format!(
            "{account} failed sign-ins for one account and {address} from one address \
             within {WINDOW_MINUTES} minutes; sign-in is paused"
        );
        security_events::raise(db, kind::SIGN_IN_BURST, account_id, None, &detail).await?;
    }
    Ok(())
}

/// A successful sign-in clears the account's failures.
pub async fn succeeded(db: &DatabaseConnection, email: &str) -> Result<(), AppError> {
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::SubjectHash.eq(subject(email)))
        .exec(db)
        .await?;
    Ok(())
}
