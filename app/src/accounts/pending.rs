//! Sign-ins waiting for a second step, carried by a short-lived HttpOnly
//! cookie: a TOTP code after the password (`mfa`), or a password that proves
//! the local account a provider identity is to be linked to (`link`).

use super::entity::pending_signin;
use super::secrets::{new_token, sha256_hex};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

pub const COOKIE: &str = "hale_pending";
pub const LIFETIME_MINUTES: i64 = 10;

/// What the second step completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Mfa { account_id: i64 },
    Link { provider: String, subject: String },
}

/// Records a pending sign-in; returns the token for its cookie.
pub async fn create(db: &DatabaseConnection, pending: Pending) -> Result<String, DbErr> {
    let token = new_token();
    let (account_id, purpose, provider, subject) = match pending {
        Pending::Mfa { account_id } => (Some(account_id), "mfa", None, None),
        Pending::Link { provider, subject } => (None, "link", Some(provider), Some(subject)),
    };
    // Expired ones are cleared on the way in.
    pending_signin::Entity::delete_many()
        .filter(pending_signin::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?;
    pending_signin::ActiveModel {
        token_hash: Set(sha256_hex(&token)),
        account_id: Set(account_id),
        purpose: Set(purpose.to_owned()),
        provider: Set(provider),
        subject: Set(subject),
        expires_at: Set(Utc::now() + Duration::minutes(LIFETIME_MINUTES)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The live pending sign-in of a cookie's token, with its row id.
pub async fn find(db: &DatabaseConnection, token: &str) -> Result<Option<(i64, Pending)>, DbErr> {
    let row = pending_signin::Entity::find()
        .filter(pending_signin::Column::TokenHash.eq(sha256_hex(token)))
        .filter(pending_signin::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?;
    Ok(row.and_then(|row| {
        let pending = match (
            row.purpose.as_str(),
            row.account_id,
            row.provider,
            row.subject,
        ) {
            ("mfa", Some(account_id), _, _) => Pending::Mfa { account_id },
            ("link", _, Some(provider), Some(subject)) => Pending::Link { provider, subject },
            _ => return None,
        };
        Some((row.id, pending))
    }))
}

/// Removes a pending sign-in once its step is done.
pub async fn remove(db: &DatabaseConnection, id: i64) -> Result<(), DbErr> {
    pending_signin::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The `Set-Cookie` value carrying a pending sign-in (`None` clears it).
pub fn cookie(token: Option<&str>, secure: bool) -> String {
    let (value, age) = match token {
        Some(token) => (token, LIFETIME_MINUTES * 60),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={age}{secure}")
}
