//! The upload that starts an import: the file is streamed to the blob
//! store (never held in memory), its format decided by its first bytes, and
//! the import row and its job are written in one transaction.

use super::imports::JOB;
use crate::access::gate::{self, Write, kinds::Vitals};
use crate::db::{now_ms, statement};
use crate::error::AppError;
use crate::identity::Actor;
use crate::jobs::queue::{self, NewJob};
use crate::state::AppState;
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

/// The formats, decided by content: an Apple Health export (`export.xml`,
/// or the `export.zip` the Health app shares, holding it), or a CSV file
/// (UTF-8 or UTF-16) whose header names time, kind and value. Anything else
/// is refused saying what it is.
pub fn detect_format(head: &[u8]) -> Result<&'static str, AppError> {
    let not = |what: &str| AppError::ImportNotAccepted { what: what.into() };
    if head.is_empty() {
        return Err(not("empty"));
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok("apple_zip");
    }
    if head.starts_with(b"%PDF") {
        return Err(not("pdf"));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"\x89PNG")
        || head.get(4..8) == Some(b"ftyp")
    {
        return Err(not("photo"));
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(not("spreadsheet"));
    }
    let text = super::text::head_text(head);
    let text = text.trim_start();
    if text.starts_with("<?xml") || text.starts_with("<!DOCTYPE") || text.starts_with("<HealthData")
    {
        return Ok("apple");
    }
    let header = text.lines().next().unwrap_or_default().to_ascii_lowercase();
    if header.contains("time") && header.contains("kind") && header.contains("value") {
        Ok("csv")
    } else {
        Err(not("unknown"))
    }
}

/// An upload in progress: chunks go straight to the blob store.
pub struct Upload {
    writer: opendal::Writer,
    key: String,
    bytes: u64,
    max_bytes: u64,
    head: Vec<u8>,
    patient_id: i64,
    uploaded_by: i64,
    file_name: String,
}

/// Starts an upload for a patient (the access check for writing vitals).
pub async fn begin(
    state: &AppState,
    actor: &Actor,
    patient_id: i64,
    file_name: &str,
    max_bytes: u64,
) -> Result<Upload, AppError> {
    let proof = gate::check::<Vitals, Write>(&state.db, actor, patient_id, None).await?;
    let key = format!(
        "imports/{}/{}",
        proof.patient_id(),
        crate::accounts::secrets::new_token()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(32)
            .collect::<String>()
    );
    let writer = state.blobs.writer(&key).await.map_err(internal)?;
    Ok(Upload {
        writer,
        key,
        bytes: 0,
        max_bytes,
        head: Vec::new(),
        patient_id: proof.patient_id(),
        uploaded_by: actor.account_id,
        file_name: file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect(),
    })
}

fn internal(err: impl std::fmt::Display) -> AppError {
    crate::blobs::failure(&err)
}

impl Upload {
    fn too_big(&self) -> AppError {
        AppError::ImportInvalid {
            max_mb: self.max_bytes / (1024 * 1024),
        }
    }

    pub async fn write(&mut self, chunk: Vec<u8>) -> Result<(), AppError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.max_bytes {
            return Err(self.too_big());
        }
        if self.head.len() < 512 {
            let take = (512 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.writer.write(chunk).await.map_err(internal)
    }

    /// Throws the partial upload away.
    pub async fn abort(mut self, state: &AppState) {
        let _ = self.writer.abort().await;
        let _ = state.blobs.delete(&self.key).await;
    }

    /// Stores the upload and queues its import job; answers the import id.
    pub async fn finish(mut self, state: &AppState) -> Result<i64, AppError> {
        let format = match detect_format(&self.head) {
            Ok(format) => format,
            Err(error) => {
                self.abort(state).await;
                return Err(error);
            }
        };
        if let Err(err) = self.writer.close().await {
            let _ = state.blobs.delete(&self.key).await;
            return Err(internal(err));
        }
        let created = async {
            let tx = state.db.begin().await?;
            let row = tx
                .query_one_raw(statement(
                    tx.get_database_backend(),
                    "INSERT INTO imports (patient_id, uploaded_by, format, file_name, blob_key, \
                     bytes_total, bytes_done, state, imported, duplicates, rejected, skipped, \
                     problems, created_ms) VALUES (?, ?, ?, ?, ?, ?, 0, 'queued', 0, 0, 0, 0, '[]', ?) \
                     RETURNING id",
                    [
                        self.patient_id.into(),
                        self.uploaded_by.into(),
                        format.into(),
                        self.file_name.clone().into(),
                        self.key.clone().into(),
                        (self.bytes as i64).into(),
                        now_ms().into(),
                    ],
                ))
                .await?
                .ok_or_else(|| DbErr::Custom("no id returned".into()))?;
            let id: i64 = row.try_get("", "id")?;
            queue::enqueue(
                &tx,
                NewJob::new(JOB, format!("{{\"import_id\":{id}}}")).dedup(format!("import:{id}")),
            )
            .await?;
            queue::commit_and_wake(tx).await?;
            Ok::<i64, DbErr>(id)
        }
        .await;
        match created {
            Ok(id) => Ok(id),
            Err(err) => {
                let _ = state.blobs.delete(&self.key).await;
                Err(internal(err))
            }
        }
    }
}
