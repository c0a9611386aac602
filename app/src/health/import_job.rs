//! The import job: it streams the uploaded blob through the parser on a
//! blocking thread (bounded channels both ways), stores readings in batches
//! tagged with the import, and keeps progress and counts on the import row.

use super::ItemError;
use super::imports::row;
use super::reading::{NewReading, Reading, ReadingProblem};
use super::store;
use crate::access::gate::{self, Proof, Write, kinds::Vitals};
use crate::db::{now_ms, statement};
use crate::refusals::ImportProblem;
use crate::state::AppState;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;

/// Readings per batch handed from the parser to the database.
pub const BATCH: usize = 2000;
/// Refused items kept on the import for the summary.
const PROBLEMS_KEPT: usize = 100;
const READ_CHUNK: u64 = 256 * 1024;

/// One parsed item and its line (CSV) or record (XML) number.
pub struct Parsed {
    pub index: usize,
    pub item: Result<NewReading, ReadingProblem>,
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
    /// The container is not one Hale reads (a ZIP without an export, a
    /// decompression bomb): the user-safe reason.
    Refused(ImportProblem),
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
            let problem = ItemError::import(0, ImportProblem::FileGone);
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
    let (batch_tx, mut batch_rx) = mpsc::channel::<Vec<Parsed>>(2);
    let (parser, feeder) = start_parser(state, &import, size, consumed.clone(), batch_tx);

    let mut totals = Totals::default();
    let default_source = if import.format.starts_with("apple") {
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
    if let Some(feeder) = feeder {
        let _ = feeder.await;
    }
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
            totals
                .problems
                .push(ItemError::import(*after, ImportProblem::Truncated));
            "done"
        }
        ParseEnd::Malformed { at } => {
            totals.problems.push(ItemError::import(
                *at as usize,
                ImportProblem::MalformedHere,
            ));
            if totals.imported + totals.duplicates == 0 {
                "failed"
            } else {
                "done"
            }
        }
        ParseEnd::NotThisFormat => {
            totals
                .problems
                .push(ItemError::import(0, ImportProblem::NotAnExport));
            "failed"
        }
        ParseEnd::Stopped => "cancelled",
        ParseEnd::Refused(reason) => {
            totals.problems.push(ItemError::import(0, reason.clone()));
            "failed"
        }
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

type Parser = tokio::task::JoinHandle<(ParseEnd, u64)>;
type Feeder = tokio::task::JoinHandle<Result<(), String>>;

/// Starts the parser of the import's format on a blocking thread, batches
/// going out over `batches`. A ZIP is read by ranges where its directory
/// says; a plain file streams through a bounded channel fed by a task.
fn start_parser(
    state: &AppState,
    import: &super::imports::ImportRow,
    size: u64,
    consumed: Arc<AtomicU64>,
    batches: mpsc::Sender<Vec<Parsed>>,
) -> (Parser, Option<Feeder>) {
    let format = import.format.clone();
    let run = move |parse: &mut dyn FnMut(&mut Sink<'_>) -> ParseEnd| {
        let mut send = |batch: Vec<Parsed>| batches.blocking_send(batch).is_ok();
        let mut sink = Sink::new(&mut send);
        let end = parse(&mut sink);
        let flushed = sink.flush();
        let skipped = sink.skipped;
        (if flushed { end } else { ParseEnd::Stopped }, skipped)
    };
    if format == "apple_zip" {
        let archive = crate::blobs::RangeReader::new(
            state.blobs.clone(),
            import.blob_key.clone(),
            size,
            consumed,
        );
        let parser = tokio::task::spawn_blocking(move || {
            let mut archive = Some(archive);
            run(&mut |sink| match archive.take() {
                Some(archive) => super::apple_zip::parse(archive, sink),
                None => ParseEnd::Stopped,
            })
        });
        return (parser, None);
    }
    let (bytes_tx, bytes_rx) = mpsc::channel::<Vec<u8>>(4);
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
    let parser = tokio::task::spawn_blocking(move || {
        let mut reader = Some(std::io::BufReader::with_capacity(
            64 * 1024,
            ChannelReader {
                rx: bytes_rx,
                current: Vec::new(),
                at: 0,
                consumed,
            },
        ));
        run(&mut |sink| match reader.take() {
            Some(reader) if format == "apple" => super::apple::parse(reader, sink),
            Some(reader) => super::csv::parse(reader, sink),
            None => ParseEnd::Stopped,
        })
    });
    (parser, Some(feeder))
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
                    totals
                        .problems
                        .push(ItemError::reading(parsed.index, problem));
                }
            }
        }
    }
    let batch: Vec<(&str, &[Reading])> = by_source
        .iter()
        .map(|(source, readings)| (source.as_str(), readings.as_slice()))
        .collect();
    let written = store::insert_sources(db, proof, &batch, Some(id))
        .await
        .map_err(err_text)?;
    totals.imported += written.stored;
    totals.duplicates += written.duplicates;
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
