//! Two-step verification with time-based one-time passwords (RFC 6238:
//! HMAC-SHA1, 30-second steps, 6 digits) and one-time recovery codes.

use super::entity::{account, recovery_code};
use super::secrets::{code_hash, new_code};
use crate::error::AppError;
use chrono::Utc;
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set, TransactionTrait,
};

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
pub const RECOVERY_CODES: usize = 10;

/// A new random 160-bit secret, base32 as authenticator apps expect.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

/// The code of a secret for one time step (RFC 4226 dynamic truncation).
fn code_at(secret: &[u8], step: u64) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    value % 10u32.pow(DIGITS)
}

/// The current code of a base32 secret (for tests and tools).
pub fn current_code(secret_base32: &str, unix_seconds: i64) -> Option<String> {
    let secret = BASE32_NOPAD.decode(secret_base32.as_bytes()).ok()?;
    let step = (unix_seconds / STEP_SECONDS) as u64;
    Some(format!("{:06}", code_at(&secret, step)))
}

/// The time step whose code `typed` is: this step or the one before or after
/// (clocks drift). Compared in constant time.
pub fn matching_step(secret_base32: &str, typed: &str, unix_seconds: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secret = BASE32_NOPAD.decode(secret_base32.as_bytes()).ok()?;
    let step = unix_seconds / STEP_SECONDS;
    let mut matched = None;
    for candidate in [step - 1, step, step + 1] {
        let expected = format!("{:06}", code_at(&secret, candidate as u64));
        if constant_time_eq(expected.as_bytes(), typed.as_bytes()) {
            matched = Some(candidate);
        }
    }
    matched
}

/// Whether `typed` is a current code of the secret.
pub fn verify_code(secret_base32: &str, typed: &str, unix_seconds: i64) -> bool {
    matching_step(secret_base32, typed, unix_seconds).is_some()
}

/// Accepts a code's time step once: only a step later than the last accepted
/// one is taken (atomically, so two requests cannot both use one code).
async fn use_step(
    db: &impl sea_orm::ConnectionTrait,
    account_id: i64,
    step: i64,
) -> Result<bool, AppError> {
    let taken = account::Entity::update_many()
        .col_expr(account::Column::MfaLastStep, Some(step).into())
        .filter(account::Column::Id.eq(account_id))
        .filter(
            sea_orm::Condition::any()
                .add(account::Column::MfaLastStep.is_null())
                .add(account::Column::MfaLastStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn provisioning_uri(secret: &str, email: &str) -> String {
    let label = url::form_urlencoded::byte_serialize(format!("Hale:{email}").as_bytes())
        .collect::<String>();
    format!("otpauth://totp/{label}?secret={secret}&issuer=Hale&algorithm=SHA1&digits=6&period=30")
}

/// The QR code of an address as an SVG document.
pub fn qr_svg(data: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(data.as_bytes()).map_err(|_| AppError::Internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build())
}

/// Starts enrolment: a new secret waits on the account until confirmed.
pub async fn begin(db: &DatabaseConnection, account: account::Model) -> Result<String, AppError> {
    if account.mfa_enabled_at.is_some() {
        return Err(AppError::MfaAlreadyOn);
    }
    let secret = new_secret();
    let mut active = account.into_active_model();
    active.mfa_secret = Set(Some(secret.clone()));
    active.update(db).await?;
    Ok(secret)
}

/// Confirms enrolment with a first code; returns the recovery codes (shown once).
pub async fn confirm(
    db: &DatabaseConnection,
    account: account::Model,
    code: &str,
) -> Result<Vec<String>, AppError> {
    if account.mfa_enabled_at.is_some() {
        return Err(AppError::MfaAlreadyOn);
    }
    let secret = account.mfa_secret.clone().ok_or(AppError::MfaNotOn)?;
    let step = matching_step(&secret, code, Utc::now().timestamp()).ok_or(AppError::BadMfaCode)?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_code(3)).collect();
    let tx = db.begin().await?;
    if !use_step(&tx, account.id, step).await? {
        return Err(AppError::BadMfaCode);
    }
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::AccountId.eq(account.id))
        .exec(&tx)
        .await?;
    for code in &codes {
        recovery_code::ActiveModel {
            account_id: Set(account.id),
            code_hash: Set(code_hash(code)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    let mut active = account.into_active_model();
    active.mfa_enabled_at = Set(Some(Utc::now()));
    active.update(&tx).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Checks a second factor: a current code not used before, or an unused
/// recovery code (which is then used up).
pub async fn check_second_factor(
    db: &DatabaseConnection,
    account: &account::Model,
    typed: &str,
) -> Result<bool, AppError> {
    let (Some(secret), Some(_)) = (&account.mfa_secret, account.mfa_enabled_at) else {
        return Ok(false);
    };
    if let Some(step) = matching_step(secret, typed, Utc::now().timestamp()) {
        return use_step(db, account.id, step).await;
    }
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Some(Utc::now()).into())
        .filter(recovery_code::Column::AccountId.eq(account.id))
        .filter(recovery_code::Column::CodeHash.eq(code_hash(typed)))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// Turns two-step verification off (the caller has re-authenticated).
pub async fn disable(db: &DatabaseConnection, account: account::Model) -> Result<(), AppError> {
    if account.mfa_enabled_at.is_none() {
        return Err(AppError::MfaNotOn);
    }
    let tx = db.begin().await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::AccountId.eq(account.id))
        .exec(&tx)
        .await?;
    let mut active = account.into_active_model();
    active.mfa_secret = Set(None);
    active.mfa_enabled_at = Set(None);
    active.mfa_last_step = Set(None);
    active.update(&tx).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (8 digits there; the last 6 here).
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = BASE32_NOPAD.encode(b"12345678901234567890");
        for (time, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(current_code(&secret, time).as_deref(), Some(expected));
        }
    }

    #[test]
    fn a_code_holds_for_one_step_either_side_only() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = current_code(&secret, now).expect("code");
        assert!(verify_code(&secret, &code, now));
        assert!(verify_code(&secret, &code, now + 30));
        assert!(!verify_code(&secret, &code, now + 90));
        assert!(!verify_code(&secret, "12345", now));
        assert!(!verify_code(&secret, "abcdef", now));
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg(&provisioning_uri(&new_secret(), "a@b.example")).expect("qr");
        assert!(svg.contains("<svg"));
    }
}
