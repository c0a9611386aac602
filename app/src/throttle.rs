//! Throttles kept in the database (so that they hold across instances):
//! attempts of one kind are counted per key (an account, an address) in a
//! sliding window, and beyond the limit the answer is `429` with
//! `Retry-After` ([`AppError::TooManyRequests`]). Keys are stored hashed.
//!
//! Sign-in failures have their own throttle with security events
//! (`accounts::throttle`); this one serves every other door that can be
//! used to probe: refused patient look-ups, sign-ups, invitation codes.

use crate::db::{now_ms, statement};
use crate::error::AppError;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sha2::{Digest, Sha256};

/// A kind of attempt and how many are allowed in its window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: u64,
    pub window_minutes: u32,
}

/// Look-ups of another patient's data refused by the access check, per
/// account: a care-team member's honest mistakes stay far below it.
pub const REFUSED_LOOKUPS: Limit = Limit {
    bucket: "refused_lookup",
    max: 30,
    window_minutes: 10,
};

/// Sign-up attempts (taken emails included) per address.
pub const SIGN_UPS: Limit = Limit {
    bucket: "sign_up",
    max: 10,
    window_minutes: 60,
};

/// Wrong invitation codes per account and per address.
pub const INVITATION_CODES: Limit = Limit {
    bucket: "invitation_code",
    max: 10,
    window_minutes: 15,
};

fn key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn window_start_ms(limit: Limit) -> i64 {
    now_ms() - i64::from(limit.window_minutes) * 60_000
}

fn refused(limit: Limit) -> AppError {
    AppError::TooManyRequests {
        minutes: limit.window_minutes,
    }
}

/// Attempts of `limit`'s kind counted for `key` in its window.
pub async fn count(db: &DatabaseConnection, limit: Limit, key: &str) -> Result<u64, AppError> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM throttle_hits WHERE bucket = ? AND key_hash = ? AND at_ms > ?",
            [
                limit.bucket.into(),
                key_hash(key).into(),
                window_start_ms(limit).into(),
            ],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0)
        .max(0) as u64)
}

/// Refuses when `key` has used up `limit` (without counting this attempt).
pub async fn check(db: &DatabaseConnection, limit: Limit, key: &str) -> Result<(), AppError> {
    if count(db, limit, key).await? >= limit.max {
        return Err(refused(limit));
    }
    Ok(())
}

/// Counts one attempt for `key` (and forgets this bucket's attempts older
/// than its window); refuses when this one goes over the limit.
pub async fn record(db: &DatabaseConnection, limit: Limit, key: &str) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    db.execute_raw(statement(
        backend,
        "DELETE FROM throttle_hits WHERE bucket = ? AND at_ms <= ?",
        [limit.bucket.into(), window_start_ms(limit).into()],
    ))
    .await?;
    db.execute_raw(statement(
        backend,
        "INSERT INTO throttle_hits (bucket, key_hash, at_ms) VALUES (?, ?, ?)",
        [limit.bucket.into(), key_hash(key).into(), now_ms().into()],
    ))
    .await?;
    if count(db, limit, key).await? > limit.max {
        return Err(refused(limit));
    }
    Ok(())
}

/// Runs `attempt` unless `key` has used up `limit`; a failure for which
/// `counts` holds is counted (so that only probing, not honest use, is
/// throttled).
pub async fn guard<T>(
    db: &DatabaseConnection,
    limit: Limit,
    key: &str,
    counts: impl Fn(&AppError) -> bool,
    attempt: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    check(db, limit, key).await?;
    let result = attempt.await;
    if let Err(err) = &result
        && counts(err)
    {
        record(db, limit, key).await?;
    }
    result
}
