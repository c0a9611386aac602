//! Personal access tokens for apps and devices (a wearable uploader, say):
//! scoped, shown once, stored as a SHA-256, revocable, last use recorded.

use super::TokenView;
use super::entity::{account, api_token};
use super::secrets::{new_token, sha256_hex};
use crate::error::AppError;
use crate::identity::Category;
use crate::identity::Role;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

/// Every token starts with this, so that a leaked one is easy to recognise.
pub const PREFIX: &str = "hale_pat_";
pub const NAME_MAX: usize = 100;

/// Every scope a token may carry: `<category>:read` and `<category>:write`.
pub fn all_scopes() -> Vec<String> {
    Category::ALL
        .into_iter()
        .flat_map(|c| ["read", "write"].map(|a| format!("{}:{a}", c.scope_name())))
        .collect()
}

/// Creates a token; returns its id and the token itself (shown once).
pub async fn create(
    db: &DatabaseConnection,
    account_id: i64,
    name: &str,
    scopes: &[String],
    valid_days: Option<u32>,
) -> Result<(i64, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(AppError::InvalidTokenName { max: NAME_MAX });
    }
    let known = all_scopes();
    if scopes.is_empty() || scopes.iter().any(|s| !known.contains(s)) {
        return Err(AppError::InvalidScopes);
    }
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    let token = format!("{PREFIX}{}", new_token());
    let now = Utc::now();
    let row = api_token::ActiveModel {
        account_id: Set(account_id),
        name: Set(name.to_owned()),
        token_hash: Set(sha256_hex(&token)),
        scopes: Set(scopes.join(" ")),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(valid_days.map(|d| now + Duration::days(i64::from(d.clamp(1, 366))))),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row.id, token))
}

/// The account's tokens that are not revoked.
pub async fn list(db: &DatabaseConnection, account_id: i64) -> Result<Vec<TokenView>, AppError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::AccountId.eq(account_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            scopes: t.scopes.split_whitespace().map(str::to_owned).collect(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        })
        .collect())
}

/// Revokes one of the account's tokens.
pub async fn revoke(
    db: &DatabaseConnection,
    account_id: i64,
    token_id: i64,
) -> Result<(), AppError> {
    let done = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Some(Utc::now()).into())
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::AccountId.eq(account_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The account and scopes of a live token.
pub struct TokenHolder {
    pub token_id: i64,
    pub account: account::Model,
    pub role: Role,
    pub scopes: Vec<String>,
}

/// Finds the holder of a presented token; `None` for an unknown, revoked or
/// expired token or a disabled account. Records the time of use.
pub async fn resolve(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<TokenHolder>, AppError> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let now = Utc::now();
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let Some(account) = account::Entity::find_by_id(row.account_id).one(db).await? else {
        return Ok(None);
    };
    let Some(role) = Role::parse(&account.role).filter(|_| account.disabled_at.is_none()) else {
        return Ok(None);
    };
    if row
        .last_used_at
        .is_none_or(|t| now - t >= Duration::seconds(60))
    {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Some(now).into())
            .filter(api_token::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Some(TokenHolder {
        token_id: row.id,
        account,
        role,
        scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
    }))
}
