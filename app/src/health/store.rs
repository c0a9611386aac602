//! The observations repository. Every function takes the access check's
//! proof and touches only `proof.patient_id()`'s rows.
//!
//! Writing is one transaction per batch: multi-row inserts that skip
//! duplicates (the unique key is patient, kind and start time), the hours
//! they touch marked for rollup, and one rollup job queued per patient.

use super::kind::Kind;
use super::reading::{Reading, Status};
use crate::access::gate::{Proof, Read, Write, kinds::Vitals};
use crate::db::{now_ms, statement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult, TransactionTrait, Value,
};
use std::collections::BTreeSet;

/// Rows per INSERT statement (11 values each, well under SQLite's limit).
const ROWS_PER_STATEMENT: usize = 400;

/// What a batch write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub stored: u64,
    pub duplicates: u64,
    /// Readings removed by an `entered-in-error` retraction.
    pub removed: u64,
}

/// Stores `readings` from one source for the proof's patient, skipping duplicates.
pub async fn insert(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    readings: &[Reading],
    source: &str,
    import_id: Option<i64>,
) -> Result<Written, DbErr> {
    insert_sources(db, proof, &[(source, readings)], import_id).await
}

/// Stores a batch of readings from several sources — all of it or none of
/// it, in one transaction — skipping duplicates. An `amended` or
/// `corrected` reading replaces the one stored at its time; an
/// `entered-in-error` one removes it.
pub async fn insert_sources(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    batch: &[(&str, &[Reading])],
    import_id: Option<i64>,
) -> Result<Written, DbErr> {
    let total: usize = batch.iter().map(|(_, readings)| readings.len()).sum();
    if total == 0 {
        return Ok(Written::default());
    }
    let mut removed = 0;
    let patient_id = proof.patient_id();
    let tx = db.begin().await?;
    let backend = tx.get_database_backend();
    let recorded = now_ms();
    let mut stored = 0;
    let mut hours: BTreeSet<(Kind, i64)> = BTreeSet::new();
    for (source, readings) in batch {
        let source: String = source.chars().take(120).collect();
        let mut stored_here = 0;
        let retracted: Vec<&Reading> = readings
            .iter()
            .filter(|r| r.status == Status::EnteredInError)
            .collect();
        for r in &retracted {
            let gone = tx
                .execute_raw(statement(
                    backend,
                    "DELETE FROM observations WHERE patient_id = ? AND kind = ? AND start_s = ?",
                    [patient_id.into(), r.kind.as_str().into(), r.start_s.into()],
                ))
                .await?
                .rows_affected();
            if gone > 0 {
                hours.insert((r.kind, r.start_s.div_euclid(3600) * 3600));
                hours.insert((r.kind, super::rollups::hour_of(r.kind, r.start_s, r.end_s)));
            }
            removed += gone;
        }
        // Plain readings first, so that a correction in the same batch wins.
        let (replacing, plain): (Vec<Reading>, Vec<Reading>) = readings
            .iter()
            .copied()
            .filter(|r| r.status != Status::EnteredInError)
            .partition(|r| r.status.replaces());
        for (replaces, chunk) in plain
            .chunks(ROWS_PER_STATEMENT)
            .map(|c| (false, c))
            .chain(replacing.chunks(ROWS_PER_STATEMENT).map(|c| (true, c)))
        {
            let mut sql = String::with_capacity(320 + chunk.len() * 26);
            sql.push_str(
                "INSERT INTO observations (patient_id, kind, start_s, end_s, value, value2, \
                 source, import_id, recorded_ms, status, comparator) VALUES ",
            );
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 11);
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str("(?,?,?,?,?,?,?,?,?,?,?)");
                values.extend([
                    patient_id.into(),
                    r.kind.as_str().into(),
                    r.start_s.into(),
                    r.end_s.into(),
                    r.value.into(),
                    r.value2.into(),
                    source.clone().into(),
                    import_id.into(),
                    recorded.into(),
                    r.status.as_str().into(),
                    r.comparator.map(|c| c.as_str()).into(),
                ]);
            }
            sql.push_str(if replaces {
                " ON CONFLICT (patient_id, kind, start_s) DO UPDATE SET end_s = excluded.end_s, \
                 value = excluded.value, value2 = excluded.value2, source = excluded.source, \
                 import_id = excluded.import_id, recorded_ms = excluded.recorded_ms, \
                 status = excluded.status, comparator = excluded.comparator"
            } else {
                " ON CONFLICT DO NOTHING"
            });
            stored_here += tx
                .execute_raw(statement(backend, &sql, values))
                .await?
                .rows_affected();
        }
        if stored_here > 0 {
            hours.extend(plain.iter().chain(&replacing).flat_map(|r| {
                [
                    (r.kind, r.start_s.div_euclid(3600) * 3600),
                    (r.kind, super::rollups::hour_of(r.kind, r.start_s, r.end_s)),
                ]
            }));
        }
        stored += stored_here;
    }
    if !hours.is_empty() {
        super::rollups::mark(&tx, patient_id, hours).await?;
    }
    crate::jobs::queue::commit_and_wake(tx).await?;
    let retractions = batch
        .iter()
        .flat_map(|(_, readings)| readings.iter())
        .filter(|r| r.status == Status::EnteredInError)
        .count() as u64;
    Ok(Written {
        stored,
        duplicates: (total as u64 - retractions).saturating_sub(stored),
        removed,
    })
}

/// One stored reading, for charts and tables.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct StoredReading {
    pub start_s: i64,
    pub end_s: i64,
    pub value: f64,
    pub value2: Option<f64>,
}

/// The newest reading of a kind, with its comparator when its value is a
/// bound (`<`, `<=`, `>=`, `>`).
#[derive(Debug, Clone, FromQueryResult)]
pub struct LatestReading {
    pub start_s: i64,
    pub end_s: i64,
    pub value: f64,
    pub value2: Option<f64>,
    pub comparator: Option<String>,
}

/// Raw readings of one kind in `[from_s, to_s)`, oldest first, at most `limit`.
pub async fn readings(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
    kind: Kind,
    from_s: i64,
    to_s: i64,
    limit: u64,
) -> Result<Vec<StoredReading>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT start_s, end_s, value, value2 FROM observations \
             WHERE patient_id = ? AND kind = ? AND start_s >= ? AND start_s < ? \
             ORDER BY start_s LIMIT ?",
            [
                proof.patient_id().into(),
                kind.as_str().into(),
                from_s.into(),
                to_s.into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    rows.iter()
        .map(|row| StoredReading::from_query_result(row, ""))
        .collect()
}

/// The latest reading of each kind the patient has: one index seek per kind
/// on `(patient_id, kind, start_s)` (a `GROUP BY kind` over the patient's
/// rows reads every one of them: a year of per-minute data is half a million).
pub async fn latest(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
) -> Result<Vec<(Kind, LatestReading)>, DbErr> {
    let backend = db.get_database_backend();
    let mut latest = Vec::new();
    for kind in Kind::ALL {
        let row = db
            .query_one_raw(statement(
                backend,
                "SELECT start_s, end_s, value, value2, comparator FROM observations \
                 WHERE patient_id = ? AND kind = ? ORDER BY start_s DESC LIMIT 1",
                [proof.patient_id().into(), kind.as_str().into()],
            ))
            .await?;
        if let Some(row) = row {
            latest.push((kind, LatestReading::from_query_result(&row, "")?));
        }
    }
    Ok(latest)
}

/// Removes every reading an import added (cancelling it, or a retried job's
/// clean slate); their hours are marked for rollup.
pub async fn delete_import(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    import_id: i64,
) -> Result<u64, DbErr> {
    let tx = db.begin().await?;
    let backend = tx.get_database_backend();
    let rows = tx
        .query_all_raw(statement(
            backend,
            &format!(
                "SELECT DISTINCT kind, {} AS hour_s FROM observations \
                 WHERE patient_id = ? AND import_id = ?",
                super::rollups::hour_of_sql()
            ),
            [proof.patient_id().into(), import_id.into()],
        ))
        .await?;
    let mut hours = BTreeSet::new();
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        if let Some(kind) = Kind::parse(&kind) {
            hours.insert((kind, row.try_get::<i64>("", "hour_s")?));
        }
    }
    let deleted = tx
        .execute_raw(statement(
            backend,
            "DELETE FROM observations WHERE patient_id = ? AND import_id = ?",
            [proof.patient_id().into(), import_id.into()],
        ))
        .await?
        .rows_affected();
    if !hours.is_empty() {
        super::rollups::mark(&tx, proof.patient_id(), hours).await?;
    }
    crate::jobs::queue::commit_and_wake(tx).await?;
    Ok(deleted)
}
