//! The database's health as requests see it. A full disk is not an
//! internal error: every write fails until space returns, so it is named
//! (`AppError::StorageFull`, 507), remembered here for `/readyz`, and
//! cleared by the first write that succeeds again.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use std::sync::atomic::{AtomicI64, Ordering};

/// When a write last failed for want of space (Unix ms; 0: not since start).
static FULL_SINCE_MS: AtomicI64 = AtomicI64::new(0);

/// Whether an error says the disk (or the database's size limit) is full:
/// SQLite's SQLITE_FULL, PostgreSQL's `disk_full` (53100), an OS ENOSPC.
pub fn is_storage_full(err: &DbErr) -> bool {
    says_full(&err.to_string())
}

/// Whether an error's text says the disk is full (databases and blob stores).
pub fn says_full(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    [
        "database or disk is full",
        "no space left on device",
        "could not extend file",
        "53100",
        "disk full",
    ]
    .iter()
    .any(|sign| text.contains(sign))
}

/// The least free space `/readyz` asks of a disk Hale writes to: below it
/// SQLite cannot grow its write-ahead log and uploads fail, even where a
/// one-row probe still fits into pages the database already holds.
pub const DISK_RESERVE_BYTES: u64 = 8 << 20;

/// Bytes free to Hale on the file system holding `folder` (None where the
/// system cannot tell, e.g. the folder is gone).
pub fn room_on(folder: &std::path::Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(folder).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

/// Whether every local folder's disk has at least the reserve free.
pub fn disks_have_room(folders: &[std::path::PathBuf]) -> bool {
    folders
        .iter()
        .all(|folder| room_on(folder).is_none_or(|free| free >= DISK_RESERVE_BYTES))
}

/// Remembers that a write failed for want of space.
pub fn note_full() {
    let _ = FULL_SINCE_MS.compare_exchange(
        0,
        super::now_ms().max(1),
        Ordering::AcqRel,
        Ordering::Acquire,
    );
}

/// Since when writes fail for want of space, if they do.
pub fn full_since() -> Option<i64> {
    match FULL_SINCE_MS.load(Ordering::Acquire) {
        0 => None,
        ms => Some(ms),
    }
}

/// What `/readyz` asks of the database: it answers, and — after a write
/// failed for want of space — it can write again (a one-row update of
/// `hale_probe`), which ends the full state.
pub async fn check(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await?;
    if full_since().is_none() {
        return Ok(());
    }
    let written = db
        .execute_raw(super::statement(
            db.get_database_backend(),
            "UPDATE hale_probe SET at_ms = ? WHERE id = 1",
            [super::now_ms().into()],
        ))
        .await;
    match written {
        Ok(_) => {
            FULL_SINCE_MS.store(0, Ordering::Release);
            tracing::info!("the database can write again");
            Ok(())
        }
        Err(err) => Err(err),
    }
}
