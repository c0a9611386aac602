//! Imports of Apple Health exports and CSV files. The upload is streamed to
//! the blob store (never held in memory), its format decided by its first
//! bytes, and an import job queued. The job streams the blob through the
//! parser on a blocking thread (bounded channels both ways), stores readings
//! in batches tagged with the import, and keeps progress and counts on the
//! import row. Cancelling removes every reading the import added; a retried
//! job starts from a clean slate, so counts stay exact.

use super::reading::{NewReading, Problem, Reading};
use super::{ImportView, ItemError, store};
use crate::access::gate::{self, Actor, Proof, Read, Write, kinds::Vitals};
use crate::db::{now_ms, statement};
use crate::error::AppError;
use crate::jobs::queue::{self, NewJob};
use crate::state::AppState;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

pub const JOB: &str = "import";
/// Readings per batch handed from the parser to the database.
pub const BATCH: usize = 2000;
/// Refused items kept on the import for the summary.
const PROBLEMS_KEPT: usize = 100;
const READ_CHUNK: u64 = 256 * 1024;

/// One parsed item and its line (CSV) or record (XML) number.
pub struct Parsed {
    pub index: usize,
    pub item: Result<NewReading, Problem>,
}

/// How a parser stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseEnd {
    Complete,
    Truncated {
        after: usize,
    },
    Malformed {
        at: u64,
    },
    NotThisFormat,
    /// The receiving side went away (the import was cancelled).
    Stopped,
}

/// Where a parser puts its items: batches over a bounded channel.
pub struct Sink<'a> {
    batch: Vec<Parsed>,
    send: &'a mut dyn FnMut(Vec<Parsed>) -> bool,
    pub skipped: u64,
}

impl<'a> Sink<'a> {
    pub fn new(send: &'a mut dyn FnMut(Vec<Parsed>) -> bool) -> Self {
        Sink {
            batch: Vec::with_capacity(BATCH),
            send,
            skipped: 0,
        }
    }

    /// Adds an item; false when the receiver is gone.
    pub fn push(&mut self, parsed: Parsed) -> bool {
        self.batch.push(parsed);
        self.batch.len() < BATCH || self.flush()
    }

    pub fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        (self.send)(std::mem::replace(
            &mut self.batch,
            Vec::with_capacity(BATCH),
        ))
    }
}

/// The two formats, decided by content.
pub fn detect_format(head: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("<?xml") || text.starts_with("<!DOCTYPE") || text.starts_with("<HealthData")
    {
        return Some("apple");
    }
    let header = text.lines().next().unwrap_or_default().to_ascii_lowercase();
    (header.contains("time") && header.contains("kind") && header.contains("value"))
        .then_some("csv")
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
    tracing::error!(error = %err, "import storage failed");
    AppError::Internal
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
        let Some(format) = detect_format(&self.head).filter(|_| self.bytes > 0) else {
            let error = self.too_big();
            self.abort(state).await;
            return Err(error);
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
            tx.commit().await?;
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

struct ImportRow {
    patient_id: i64,
    format: String,
    blob_key: String,
    state: String,
}

async fn row(db: &impl ConnectionTrait, id: i64) -> Result<Option<ImportRow>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT patient_id, format, blob_key, state FROM imports WHERE id = ?",
            [id.into()],
        ))
        .await?;
    row.map(|row| {
        Ok(ImportRow {
            patient_id: row.try_get("", "patient_id")?,
            format: row.try_get("", "format")?,
            blob_key: row.try_get("", "blob_key")?,
            state: row.try_get("", "state")?,
        })
    })
    .transpose()
}

/// Totals of a run, written to the import row as it goes.
#[derive(Default)]
struct Totals {
    imported: u64,
    duplicates: u64,
    rejected: u64,
    problems: Vec<ItemError>,
}

fn err_text(err: impl std::fmt::Display) -> String {
    err.to_string()
}

/// The import job.
pub async fn run_job(state: &AppState, payload: &str) -> Result<(), String> {
    let id = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v.get("import_id")?.as_i64())
        .ok_or("payload without import_id")?;
    let db = &state.db;
    let Some(import) = row(db, id).await.map_err(err_text)? else {
        return Ok(());
    };
    if matches!(import.state.as_str(), "done" | "failed") {
        return Ok(());
    }
    let proof = gate::for_job::<Vitals, Write>(db, import.patient_id, &format!("import:{id}"))
        .await
        .map_err(err_text)?;
    // A retry starts from a clean slate.
    store::delete_import(db, &proof, id)
        .await
        .map_err(err_text)?;
    if import.state == "cancelled" {
        let _ = state.blobs.delete(&import.blob_key).await;
        return Ok(());
    }
    set_state(db, id, "running", &["queued", "running"]).await?;
    let size = match state.blobs.size(&import.blob_key).await {
        Ok(size) => size,
        Err(err) if err.kind() == opendal::ErrorKind::NotFound => {
            // Retrying cannot bring the file back: the import fails, visibly.
            let problem = ItemError {
                index: 0,
                reason: "the uploaded file is no longer available; please upload it again".into(),
            };
            let totals = Totals {
                problems: vec![problem],
                ..Totals::default()
            };
            write_progress(db, id, 0, &totals, 0).await?;
            db.execute_raw(statement(
                db.get_database_backend(),
                "UPDATE imports SET state = 'failed', finished_ms = ? WHERE id = ? AND state = 'running'",
                [now_ms().into(), id.into()],
            ))
            .await
            .map_err(err_text)?;
            return Ok(());
        }
        Err(err) => return Err(err_text(err)),
    };

    let consumed = Arc::new(AtomicU64::new(0));
    let (bytes_tx, bytes_rx) = mpsc::channel::<Vec<u8>>(4);
    let (batch_tx, mut batch_rx) = mpsc::channel::<Vec<Parsed>>(2);
    let blobs = state.blobs.clone();
    let key = import.blob_key.clone();
    let feeder = tokio::spawn(async move {
        let mut offset = 0;
        while offset < size {
            let to = (offset + READ_CHUNK).min(size);
            let chunk = blobs.read_range(&key, offset, to).await.map_err(err_text)?;
            if bytes_tx.send(chunk).await.is_err() {
                break;
            }
            offset = to;
        }
        Ok::<(), String>(())
    });
    let format = import.format.clone();
    let parser_consumed = consumed.clone();
    let parser = tokio::task::spawn_blocking(move || {
        let reader = std::io::BufReader::with_capacity(
            64 * 1024,
            ChannelReader {
                rx: bytes_rx,
                current: Vec::new(),
                at: 0,
                consumed: parser_consumed,
            },
        );
        let mut send = |batch: Vec<Parsed>| batch_tx.blocking_send(batch).is_ok();
        let mut sink = Sink::new(&mut send);
        let end = if format == "apple" {
            super::apple::parse(reader, &mut sink)
        } else {
            super::csv::parse(reader, &mut sink)
        };
        let flushed = sink.flush();
        let skipped = sink.skipped;
        (if flushed { end } else { ParseEnd::Stopped }, skipped)
    });

    let mut totals = Totals::default();
    let default_source = if import.format == "apple" {
        "Apple Health"
    } else {
        "CSV import"
    };
    let mut cancelled = false;
    while let Some(batch) = batch_rx.recv().await {
        store_batch(db, &proof, id, batch, default_source, &mut totals).await?;
        let bytes = consumed.load(Ordering::Relaxed);
        if !write_progress(db, id, bytes, &totals, 0).await? {
            cancelled = true;
            break;
        }
    }
    drop(batch_rx);
    let (end, skipped) = parser.await.map_err(err_text)?;
    let _ = feeder.await;
    if cancelled {
        store::delete_import(db, &proof, id)
            .await
            .map_err(err_text)?;
        let _ = state.blobs.delete(&import.blob_key).await;
        return Ok(());
    }
    let final_state = match &end {
        ParseEnd::Complete => "done",
        ParseEnd::Truncated { after } => {
            totals.problems.push(ItemError {
                index: *after,
                reason:
                    "the file ends early (truncated); the readings before this point were imported"
                        .into(),
            });
            "done"
        }
        ParseEnd::Malformed { at } => {
            totals.problems.push(ItemError {
                index: *at as usize,
                reason: "the file is malformed here; the readings before this point were imported"
                    .into(),
            });
            if totals.imported + totals.duplicates == 0 {
                "failed"
            } else {
                "done"
            }
        }
        ParseEnd::NotThisFormat => {
            totals.problems.push(ItemError {
                index: 0,
                reason: "not an Apple Health export, nor a CSV file with the columns time, kind, value, unit".into(),
            });
            "failed"
        }
        ParseEnd::Stopped => "cancelled",
    };
    write_progress(db, id, size, &totals, skipped).await?;
    let finished = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE imports SET state = ?, finished_ms = ? WHERE id = ? AND state = 'running'",
            [final_state.into(), now_ms().into(), id.into()],
        ))
        .await
        .map_err(err_text)?;
    if finished.rows_affected() == 0 || final_state == "cancelled" {
        // Cancelled while finishing: nothing of it stays.
        store::delete_import(db, &proof, id)
            .await
            .map_err(err_text)?;
    }
    let _ = state.blobs.delete(&import.blob_key).await;
    Ok(())
}

async fn set_state(
    db: &DatabaseConnection,
    id: i64,
    to: &str,
    from: &[&str],
) -> Result<(), String> {
    let placeholders = vec!["?"; from.len()].join(",");
    let mut values: Vec<sea_orm::Value> = vec![to.into(), id.into()];
    values.extend(from.iter().map(|s| (*s).into()));
    db.execute_raw(statement(
        db.get_database_backend(),
        &format!("UPDATE imports SET state = ?, imported = 0, duplicates = 0, rejected = 0, skipped = 0, bytes_done = 0, problems = '[]' WHERE id = ? AND state IN ({placeholders})"),
        values,
    ))
    .await
    .map_err(err_text)?;
    Ok(())
}

/// Checks and stores one batch.
async fn store_batch(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    id: i64,
    batch: Vec<Parsed>,
    default_source: &str,
    totals: &mut Totals,
) -> Result<(), String> {
    let now = Utc::now();
    let mut by_source: BTreeMap<String, Vec<Reading>> = BTreeMap::new();
    for parsed in batch {
        match parsed
            .item
            .and_then(|new| Ok((new.check(now)?, new.source)))
        {
            Ok((reading, source)) => by_source
                .entry(source.unwrap_or_else(|| default_source.to_owned()))
                .or_default()
                .push(reading),
            Err(problem) => {
                totals.rejected += 1;
                if totals.problems.len() < PROBLEMS_KEPT {
                    totals.problems.push(ItemError {
                        index: parsed.index,
                        reason: problem.to_string(),
                    });
                }
            }
        }
    }
    for (source, readings) in by_source {
        let written = store::insert(db, proof, &readings, &source, Some(id))
            .await
            .map_err(err_text)?;
        totals.imported += written.stored;
        totals.duplicates += written.duplicates;
    }
    Ok(())
}

/// Writes progress; false when the import was cancelled meanwhile.
async fn write_progress(
    db: &DatabaseConnection,
    id: i64,
    bytes: u64,
    totals: &Totals,
    skipped: u64,
) -> Result<bool, String> {
    let problems = serde_json::to_string(&totals.problems).map_err(err_text)?;
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE imports SET bytes_done = ?, imported = ?, duplicates = ?, rejected = ?, \
             skipped = ?, problems = ? WHERE id = ? AND state = 'running'",
            [
                (bytes as i64).into(),
                (totals.imported as i64).into(),
                (totals.duplicates as i64).into(),
                (totals.rejected as i64).into(),
                (skipped as i64).into(),
                problems.into(),
                id.into(),
            ],
        ))
        .await
        .map_err(err_text)?;
    Ok(result.rows_affected() == 1)
}

/// A blocking `Read` over chunks sent by an async task.
struct ChannelReader {
    rx: mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
    consumed: Arc<AtomicU64>,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.current.len() {
            match self.rx.blocking_recv() {
                Some(chunk) => {
                    self.current = chunk;
                    self.at = 0;
                }
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len() - self.at);
        out[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads a whole file through a parser (benches and tests): the readings
/// and how the parser ended.
pub fn parse_file(
    format: &str,
    file: impl std::io::Read,
    mut each: impl FnMut(Parsed),
) -> (ParseEnd, u64) {
    let reader = std::io::BufReader::with_capacity(64 * 1024, file);
    let mut send = |batch: Vec<Parsed>| {
        batch.into_iter().for_each(&mut each);
        true
    };
    let mut sink = Sink::new(&mut send);
    let end = if format == "apple" {
        super::apple::parse(reader, &mut sink)
    } else {
        super::csv::parse(reader, &mut sink)
    };
    sink.flush();
    (end, sink.skipped)
}

fn view(row: &sea_orm::QueryResult) -> Result<ImportView, DbErr> {
    let problems: Option<String> = row.try_get("", "problems")?;
    Ok(ImportView {
        id: row.try_get("", "id")?,
        format: row.try_get("", "format")?,
        file_name: row.try_get("", "file_name")?,
        state: row.try_get("", "state")?,
        bytes_total: row.try_get("", "bytes_total")?,
        bytes_done: row.try_get("", "bytes_done")?,
        imported: row.try_get("", "imported")?,
        duplicates: row.try_get("", "duplicates")?,
        rejected: row.try_get("", "rejected")?,
        skipped: row.try_get("", "skipped")?,
        problems: problems
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default(),
        created_ms: row.try_get("", "created_ms")?,
        finished_ms: row.try_get("", "finished_ms")?,
    })
}

const COLUMNS: &str = "id, format, file_name, state, bytes_total, bytes_done, imported, \
    duplicates, rejected, skipped, problems, created_ms, finished_ms";

/// The patient's imports, newest first.
pub async fn list(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
) -> Result<Vec<ImportView>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM imports WHERE patient_id = ? ORDER BY id DESC LIMIT 20"
            ),
            [proof.patient_id().into()],
        ))
        .await?;
    rows.iter().map(view).collect()
}

/// One import of the patient.
pub async fn one(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
    id: i64,
) -> Result<ImportView, AppError> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            &format!("SELECT {COLUMNS} FROM imports WHERE id = ? AND patient_id = ?"),
            [id.into(), proof.patient_id().into()],
        ))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view(&row)?)
}

/// Cancels an import that has not finished; its job removes what it added.
pub async fn cancel(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    id: i64,
) -> Result<(), AppError> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE imports SET state = 'cancelled', finished_ms = ? WHERE id = ? \
             AND patient_id = ? AND state IN ('queued', 'running')",
            [now_ms().into(), id.into(), proof.patient_id().into()],
        ))
        .await?;
    if result.rows_affected() == 1 {
        return Ok(());
    }
    let exists = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT id FROM imports WHERE id = ? AND patient_id = ?",
            [id.into(), proof.patient_id().into()],
        ))
        .await?
        .is_some();
    Err(if exists {
        AppError::ImportFinished
    } else {
        AppError::NotFound
    })
}
