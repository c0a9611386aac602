//! Account rules: who may sign up, how passwords are checked, what is stored.
//! Every door (server functions, the CLI, tests) goes through these functions.

use super::entity::account;
use super::validate::{check_new_password, normalize_email, normalize_name};
use crate::error::AppError;
use crate::identity::Role;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set, SqlErr,
};

/// What a person types to sign up.
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
}

/// Creates a patient account. Patients sign up themselves; staff are invited.
#[tracing::instrument(skip_all)]
pub async fn sign_up(
    db: &DatabaseConnection,
    new: NewAccount<'_>,
) -> Result<account::Model, AppError> {
    create_account(db, new, Role::Patient).await
}

/// Creates an account with a role after checking every field.
pub async fn create_account(
    db: &impl ConnectionTrait,
    new: NewAccount<'_>,
    role: Role,
) -> Result<account::Model, AppError> {
    let email = normalize_email(new.email)?;
    let display_name = normalize_name(new.display_name)?;
    check_new_password(new.password, &[&email, &display_name])?;
    let password_hash = hash_password(new.password.to_owned()).await?;
    insert_account(db, email, display_name, Some(password_hash), role).await
}

/// Inserts an account row; a taken email is `EmailTaken`.
pub async fn insert_account(
    db: &impl ConnectionTrait,
    email: String,
    display_name: String,
    password_hash: Option<String>,
    role: Role,
) -> Result<account::Model, AppError> {
    let inserted = account::ActiveModel {
        email: Set(email),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        role: Set(role.as_str().to_owned()),
        locale: Set(None),
        created_at: Set(Utc::now()),
        disabled_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(model) => {
            tracing::info!(
                account_id = model.id,
                role = role.as_str(),
                "account created"
            );
            Ok(model)
        }
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::EmailTaken)
        }
        Err(err) => Err(err.into()),
    }
}

/// Checks an email and password. Every failure is the same `BadCredentials`,
/// and costs the same time, whether or not the email exists.
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<account::Model, AppError> {
    let Ok(email) = normalize_email(email) else {
        return Err(AppError::BadCredentials);
    };
    let found = account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(db)
        .await?;
    let stored_hash = found.as_ref().and_then(|a| a.password_hash.clone());
    let password_ok = verify_password(password.to_owned(), stored_hash).await?;
    match found {
        Some(account) if password_ok && account.disabled_at.is_none() => Ok(account),
        _ => Err(AppError::BadCredentials),
    }
}

/// Checks the password of a signed-in account again (before a sensitive
/// change). Accounts without a password (provider sign-in only) pass.
pub async fn reauthenticate(
    db: &DatabaseConnection,
    account_id: i64,
    password: &str,
) -> Result<account::Model, AppError> {
    let found = find_by_id(db, account_id).await?;
    if found.password_hash.is_none() {
        return Ok(found);
    }
    if verify_password(password.to_owned(), found.password_hash.clone()).await? {
        Ok(found)
    } else {
        Err(AppError::BadCredentials)
    }
}

/// Changes the password after checking the current one; every other session
/// of the account ends.
pub async fn change_password(
    db: &DatabaseConnection,
    account_id: i64,
    keep_session: i64,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let found = reauthenticate(db, account_id, current).await?;
    check_new_password(new, &[&found.email, &found.display_name])?;
    let hash = hash_password(new.to_owned()).await?;
    let mut active = found.into_active_model();
    active.password_hash = Set(Some(hash));
    active.update(db).await?;
    super::sessions::end_others(db, account_id, keep_session).await?;
    Ok(())
}

/// An account by id; `NotSignedIn` if it has gone.
pub async fn find_by_id(
    db: &DatabaseConnection,
    account_id: i64,
) -> Result<account::Model, AppError> {
    account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(AppError::NotSignedIn)
}

/// The accounts with these ids, by id, in one query.
pub async fn by_ids(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, account::Model>, sea_orm::DbErr> {
    let ids: Vec<i64> = ids.into_iter().collect();
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// Remembers the language an account chose.
pub async fn set_locale(
    db: &DatabaseConnection,
    account_id: i64,
    tag: &str,
) -> Result<(), AppError> {
    if crate::i18n::locale_from_tag(tag).is_none() {
        return Err(AppError::UnsupportedLocale);
    }
    account::Entity::update_many()
        .col_expr(account::Column::Locale, Some(tag.to_owned()).into())
        .filter(account::Column::Id.eq(account_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Finds an account by email (already normalised or not).
pub async fn find_by_email(
    db: &DatabaseConnection,
    email: &str,
) -> Result<Option<account::Model>, AppError> {
    let email = normalize_email(email)?;
    Ok(account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// Argon2id, on the bounded hashing threads (`hashing`).
/// The password is hashed in its composed Unicode form (NFC).
async fn hash_password(password: String) -> Result<String, AppError> {
    super::hashing::hash(super::validate::password_for_hashing(&password)).await
}

/// Verifies against the stored hash, or a dummy one when there is none.
/// The composed form is tried first; a password set before Hale composed
/// them (and typed in another form) is tried as typed.
async fn verify_password(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let composed = super::validate::password_for_hashing(&password);
    if composed == password {
        return super::hashing::verify(password, stored).await;
    }
    if super::hashing::verify(composed, stored.clone()).await? {
        return Ok(true);
    }
    super::hashing::verify(password, stored).await
}
