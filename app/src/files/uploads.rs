//! The uploads table: an upload in progress (whose, how big, how many parts
//! are stored, the type its first bytes showed, its blob and data key), read
//! by token and owner, and removed with its parts when it is abandoned,
//! refused or finished. Beside each row this process keeps the running
//! SHA-256 of the parts it received.

use super::UploadState;
use super::intake::storage;
use super::sealed::{self, PART_BYTES, SealedReader, part_count};
use super::sniff::Sniffed;
use crate::db::{now_ms, statement};
use crate::error::AppError;
use crate::identity::Actor;
use crate::state::AppState;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// An upload as stored.
#[derive(Debug, Clone)]
pub struct UploadRow {
    pub token: String,
    pub patient_id: i64,
    pub account_id: i64,
    pub name: String,
    pub size: u64,
    pub parts: u64,
    pub kind: Option<Sniffed>,
    pub blob_key: String,
    pub wrapped_key: String,
}

/// The row as the database holds it.
#[derive(FromQueryResult)]
struct Stored {
    token: String,
    patient_id: i64,
    account_id: i64,
    name: String,
    size: i64,
    parts: i64,
    kind: Option<String>,
    blob_key: String,
    wrapped_key: String,
}

impl From<Stored> for UploadRow {
    fn from(row: Stored) -> Self {
        UploadRow {
            token: row.token,
            patient_id: row.patient_id,
            account_id: row.account_id,
            name: row.name,
            size: row.size.max(0) as u64,
            parts: row.parts.max(0) as u64,
            kind: row.kind.as_deref().and_then(Sniffed::parse),
            blob_key: row.blob_key,
            wrapped_key: row.wrapped_key,
        }
    }
}

const COLUMNS: &str =
    "token, patient_id, account_id, name, size, parts, kind, blob_key, wrapped_key";

impl UploadRow {
    /// This upload's data key.
    pub fn key(&self, state: &AppState) -> Result<crate::files::crypt::DataKey, AppError> {
        state
            .files
            .keys
            .unwrap(&self.wrapped_key, &self.blob_key)
            .map_err(|_| AppError::Internal)
    }

    /// A blocking `Read + Seek` view of what was sent (inside `spawn_blocking`).
    pub fn reader(&self, state: &AppState) -> Result<SealedReader, AppError> {
        Ok(SealedReader::new(
            state.blobs.clone(),
            self.key(state)?,
            self.blob_key.clone(),
            self.size,
        ))
    }

    /// Where it stands, as the browser resumes it.
    pub fn state(&self) -> UploadState {
        UploadState {
            token: self.token.clone(),
            part_bytes: PART_BYTES,
            next_part: self.parts,
            parts: part_count(self.size),
        }
    }
}

/// The running SHA-256 of each upload this process is receiving, with the
/// next part it expects. A resumed upload that another process started has
/// none here; `finish` then reads the stored parts once to hash them.
pub fn hashers() -> &'static Mutex<HashMap<String, (u64, Sha256)>> {
    static HASHERS: OnceLock<Mutex<HashMap<String, (u64, Sha256)>>> = OnceLock::new();
    HASHERS.get_or_init(Default::default)
}

/// Records a new upload (no part stored yet).
pub async fn insert(db: &impl ConnectionTrait, row: &UploadRow) -> Result<(), DbErr> {
    let now = now_ms();
    db.execute_raw(statement(
        db.get_database_backend(),
        "INSERT INTO uploads (token, patient_id, account_id, name, size, parts, kind, blob_key, \
         wrapped_key, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?)",
        [
            row.token.clone().into(),
            row.patient_id.into(),
            row.account_id.into(),
            row.name.clone().into(),
            (row.size as i64).into(),
            row.blob_key.clone().into(),
            row.wrapped_key.clone().into(),
            now.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Counts part `index` as stored (with the type the first part showed);
/// false when another request stored it first.
pub async fn advance(
    db: &impl ConnectionTrait,
    token: &str,
    index: u64,
    kind: Option<Sniffed>,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE uploads SET parts = parts + 1, kind = ?, updated_ms = ? WHERE token = ? AND parts = ?",
            [
                kind.map(Sniffed::name).into(),
                now_ms().into(),
                token.into(),
                (index as i64).into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

async fn find(db: &impl ConnectionTrait, token: &str) -> Result<Option<UploadRow>, DbErr> {
    Ok(Stored::find_by_statement(statement(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM uploads WHERE token = ?"),
        [token.into()],
    ))
    .one(db)
    .await?
    .map(UploadRow::from))
}

/// The upload `token` of this account (another account's token is "not found").
pub async fn own(state: &AppState, actor: &Actor, token: &str) -> Result<UploadRow, AppError> {
    match find(&state.db, token).await? {
        Some(row) if row.account_id == actor.account_id => Ok(row),
        _ => Err(AppError::NotFound),
    }
}

/// Removes an upload's row and its parts — unless a file already holds those
/// parts (the same upload finished twice at once: the first one kept them).
pub async fn discard(state: &AppState, upload: &UploadRow) {
    hashers().lock().expect("hashers").remove(&upload.token);
    let kept = state
        .db
        .query_one_raw(statement(
            state.db.get_database_backend(),
            "SELECT id FROM files WHERE blob_key = ?",
            [upload.blob_key.clone().into()],
        ))
        .await
        .map(|row| row.is_some())
        .unwrap_or(true);
    if !kept && let Err(err) = sealed::delete(&state.blobs, &upload.blob_key).await {
        tracing::warn!(error = %err, "cannot delete an upload's parts; the sweep will");
    }
    let _ = state
        .db
        .execute_raw(statement(
            state.db.get_database_backend(),
            "DELETE FROM uploads WHERE token = ?",
            [upload.token.clone().into()],
        ))
        .await;
}

/// Reads the whole upload (a photo: bounded by the photo limit).
pub async fn bytes_of(state: &AppState, upload: &UploadRow) -> Result<Vec<u8>, AppError> {
    let key = upload.key(state)?;
    sealed::read_all(&state.blobs, &key, &upload.blob_key, upload.size)
        .await
        .map_err(storage)
}

/// Uploads nobody touched since `before_ms`, for the sweep.
pub async fn stale(db: &impl ConnectionTrait, before_ms: i64) -> Result<Vec<UploadRow>, DbErr> {
    Ok(Stored::find_by_statement(statement(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM uploads WHERE updated_ms < ?"),
        [before_ms.into()],
    ))
    .all(db)
    .await?
    .into_iter()
    .map(UploadRow::from)
    .collect())
}
