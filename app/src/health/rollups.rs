//! Hourly and daily rollups per patient and kind: count, min, max, sum (mean
//! is sum / count), the diastolic sum for blood pressure, and readings in the
//! target range for glucose. Days are UTC days. A reading counts in the hour
//! it started, except a session (a night's sleep), which counts in the hour
//! it ended: a whole night written as one record falls in the hour its
//! sleeper woke, as stage segments do (`nights` gathers those hours).
//!
//! Writes mark the hours they touch (`rollup_marks`) and queue one rollup
//! job per patient; the job recomputes the marked hours from the raw
//! readings and their days from the hours, then deletes the marks it saw.
//! Recomputing is idempotent, so a job that runs twice does no harm, and
//! [`rebuild`] recomputes everything from scratch.

use super::kind::{GLUCOSE_TARGET, Kind};
use crate::access::gate::{Proof, Read, kinds::Vitals};
use crate::db::statement;
use crate::jobs::queue::{self, NewJob};
use crate::state::AppState;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult, TransactionTrait, Value,
};
use std::collections::{BTreeMap, BTreeSet};

pub const JOB: &str = "rollup";
pub const SWEEP_JOB: &str = "rollup_sweep";

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The time column a kind's readings are counted by.
fn at_column(kind: Kind) -> &'static str {
    if kind.is_session() {
        "end_s"
    } else {
        "start_s"
    }
}

/// The hour a reading is counted in (see the module's note on sessions).
pub fn hour_of(kind: Kind, start_s: i64, end_s: i64) -> i64 {
    let at = if kind.is_session() { end_s } else { start_s };
    at.div_euclid(HOUR) * HOUR
}

/// The same as [`hour_of`], as SQL over `observations`.
pub fn hour_of_sql() -> String {
    let sessions: Vec<String> = Kind::ALL
        .into_iter()
        .filter(|k| k.is_session())
        .map(|k| format!("'{}'", k.as_str()))
        .collect();
    format!(
        "((CASE WHEN kind IN ({}) THEN end_s ELSE start_s END) / 3600) * 3600",
        sessions.join(",")
    )
}

/// Marks `hours` of a patient stale and queues the patient's rollup job.
pub async fn mark(
    tx: &impl ConnectionTrait,
    patient_id: i64,
    hours: BTreeSet<(Kind, i64)>,
) -> Result<(), DbErr> {
    let backend = tx.get_database_backend();
    let token: i64 = rand::random::<i64>() & i64::MAX;
    // The same lock and row order as the rollup job: no deadlock between them.
    lock_patient(tx, patient_id).await?;
    let mut hours: Vec<_> = hours.into_iter().collect();
    hours.sort_by_key(|(kind, hour)| (kind.as_str(), *hour));
    for chunk in hours.chunks(200) {
        let mut sql =
            String::from("INSERT INTO rollup_marks (patient_id, kind, hour_s, token) VALUES ");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (i, (kind, hour)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?)");
            values.extend([
                patient_id.into(),
                kind.as_str().into(),
                (*hour).into(),
                token.into(),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (patient_id, kind, hour_s) DO UPDATE SET token = excluded.token",
        );
        tx.execute_raw(statement(backend, &sql, values)).await?;
    }
    enqueue(tx, patient_id).await
}

async fn enqueue(db: &impl ConnectionTrait, patient_id: i64) -> Result<(), DbErr> {
    queue::enqueue(
        db,
        NewJob::new(JOB, format!("{{\"patient_id\":{patient_id}}}"))
            .dedup(format!("rollup:{patient_id}")),
    )
    .await
    .map(|_| ())
}

/// The rollup job: recomputes the patient's marked hours and their days.
pub async fn run_job(state: &AppState, payload: &str) -> Result<(), String> {
    let patient_id = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v.get("patient_id")?.as_i64())
        .ok_or("payload without patient_id")?;
    refresh(&state.db, patient_id)
        .await
        .map_err(|err| err.to_string())?;
    super::goals::evaluate(&state.db, patient_id)
        .await
        .map_err(|err| err.to_string())
}

/// Recomputes what is marked for one patient.
pub async fn refresh(db: &DatabaseConnection, patient_id: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(statement(
            backend,
            "SELECT kind, hour_s, token FROM rollup_marks WHERE patient_id = ? ORDER BY kind, hour_s",
            [patient_id.into()],
        ))
        .await?;
    let mut marks: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for row in rows {
        marks
            .entry(row.try_get("", "kind")?)
            .or_default()
            .push((row.try_get("", "hour_s")?, row.try_get("", "token")?));
    }
    let tx = db.begin().await?;
    lock_patient(&tx, patient_id).await?;
    for (kind, hours) in &marks {
        let Some(kind) = Kind::parse(kind) else {
            continue;
        };
        for (from, to) in ranges(hours.iter().map(|(h, _)| *h), HOUR) {
            recompute_hours(&tx, patient_id, kind, from, to).await?;
        }
        let days = hours.iter().map(|(h, _)| h.div_euclid(DAY) * DAY);
        for (from, to) in ranges(days, DAY) {
            recompute_days(&tx, patient_id, kind, from, to).await?;
        }
        for chunk in hours.chunks(300) {
            let placeholders = vec!["(?,?)"; chunk.len()].join(",");
            let mut values: Vec<Value> = vec![patient_id.into(), kind.as_str().into()];
            for (hour, token) in chunk {
                values.push((*hour).into());
                values.push((*token).into());
            }
            tx.execute_raw(statement(
                backend,
                &format!(
                    "DELETE FROM rollup_marks WHERE patient_id = ? AND kind = ? \
                     AND (hour_s, token) IN (VALUES {placeholders})"
                ),
                values,
            ))
            .await?;
        }
    }
    tx.commit().await
}

/// One rollup computation per patient at a time. SQLite's single writer
/// serialises transactions already; PostgreSQL takes a transaction-scoped
/// advisory lock, so two workers never rebuild the same buckets at once.
async fn lock_patient(tx: &impl ConnectionTrait, patient_id: i64) -> Result<(), DbErr> {
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        const ROLLUPS: i64 = 0x524f_4c4c << 32;
        tx.execute_raw(statement(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(?)",
            [(ROLLUPS ^ patient_id).into()],
        ))
        .await?;
    }
    Ok(())
}

/// Sorted, merged `[from, to)` ranges covering each start (of width `step`).
fn ranges(starts: impl Iterator<Item = i64>, step: i64) -> Vec<(i64, i64)> {
    let starts: BTreeSet<i64> = starts.collect();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for start in starts {
        match out.last_mut() {
            Some((_, to)) if *to == start => *to = start + step,
            _ => out.push((start, start + step)),
        }
    }
    out
}

fn in_range_bounds(kind: Kind) -> (f64, f64) {
    if kind == Kind::Glucose {
        GLUCOSE_TARGET
    } else {
        // An empty range: only glucose counts readings in range.
        (1.0, 0.0)
    }
}

/// Removes a kind's hourly (`'h'`) or daily (`'d'`) buckets in `[from, to)`.
async fn delete_buckets(
    tx: &impl ConnectionTrait,
    patient_id: i64,
    kind: Kind,
    period: char,
    from: i64,
    to: i64,
) -> Result<(), DbErr> {
    tx.execute_raw(statement(
        tx.get_database_backend(),
        "DELETE FROM observation_rollups WHERE patient_id = ? AND kind = ? AND period = ? \
         AND bucket_s >= ? AND bucket_s < ?",
        [
            patient_id.into(),
            kind.as_str().into(),
            period.to_string().into(),
            from.into(),
            to.into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn recompute_hours(
    tx: &impl ConnectionTrait,
    patient_id: i64,
    kind: Kind,
    from: i64,
    to: i64,
) -> Result<(), DbErr> {
    let backend = tx.get_database_backend();
    delete_buckets(tx, patient_id, kind, 'h', from, to).await?;
    let (low, high) = in_range_bounds(kind);
    let at = at_column(kind);
    tx.execute_raw(statement(
        backend,
        &format!(
            "INSERT INTO observation_rollups \
             (patient_id, kind, period, bucket_s, count, min, max, sum, sum2, in_range) \
             SELECT patient_id, kind, 'h', ({at} / 3600) * 3600, COUNT(*), MIN(value), \
             MAX(value), SUM(value), COALESCE(SUM(value2), 0), \
             SUM(CASE WHEN value >= ? AND value <= ? THEN 1 ELSE 0 END) \
             FROM observations WHERE patient_id = ? AND kind = ? AND {at} >= ? AND {at} < ? \
             GROUP BY patient_id, kind, ({at} / 3600) * 3600"
        ),
        [
            low.into(),
            high.into(),
            patient_id.into(),
            kind.as_str().into(),
            from.into(),
            to.into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn recompute_days(
    tx: &impl ConnectionTrait,
    patient_id: i64,
    kind: Kind,
    from: i64,
    to: i64,
) -> Result<(), DbErr> {
    let backend = tx.get_database_backend();
    delete_buckets(tx, patient_id, kind, 'd', from, to).await?;
    let key: [Value; 4] = [
        patient_id.into(),
        kind.as_str().into(),
        from.into(),
        to.into(),
    ];
    tx.execute_raw(statement(
        backend,
        "INSERT INTO observation_rollups \
         (patient_id, kind, period, bucket_s, count, min, max, sum, sum2, in_range) \
         SELECT patient_id, kind, 'd', (bucket_s / 86400) * 86400, SUM(count), MIN(min), \
         MAX(max), SUM(sum), SUM(sum2), SUM(in_range) \
         FROM observation_rollups WHERE patient_id = ? AND kind = ? AND period = 'h' \
         AND bucket_s >= ? AND bucket_s < ? \
         GROUP BY patient_id, kind, (bucket_s / 86400) * 86400",
        key,
    ))
    .await?;
    Ok(())
}

/// Recomputes every rollup of a patient from the raw readings.
pub async fn rebuild(db: &DatabaseConnection, patient_id: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let spans = db
        .query_all_raw(statement(
            backend,
            "SELECT kind, MIN(start_s) AS first, MAX(end_s) AS last FROM observations \
             WHERE patient_id = ? GROUP BY kind",
            [patient_id.into()],
        ))
        .await?;
    let tx = db.begin().await?;
    lock_patient(&tx, patient_id).await?;
    tx.execute_raw(statement(
        backend,
        "DELETE FROM observation_rollups WHERE patient_id = ?",
        [patient_id.into()],
    ))
    .await?;
    for row in spans {
        let kind: String = row.try_get("", "kind")?;
        let Some(kind) = Kind::parse(&kind) else {
            continue;
        };
        let first: i64 = row.try_get("", "first")?;
        let last: i64 = row.try_get("", "last")?;
        let from = first.div_euclid(DAY) * DAY;
        let to = last.div_euclid(DAY) * DAY + DAY;
        recompute_hours(&tx, patient_id, kind, from, to).await?;
        recompute_days(&tx, patient_id, kind, from, to).await?;
    }
    tx.execute_raw(statement(
        backend,
        "DELETE FROM rollup_marks WHERE patient_id = ?",
        [patient_id.into()],
    ))
    .await?;
    tx.commit().await
}

/// The periodic sweep: queues a rollup job for every patient with marks
/// (a job lost to a crash between commit and run is picked up here).
pub async fn sweep(state: &AppState) -> Result<(), String> {
    let rows = state
        .db
        .query_all_raw(statement(
            state.db.get_database_backend(),
            "SELECT DISTINCT patient_id FROM rollup_marks",
            Vec::<Value>::new(),
        ))
        .await
        .map_err(|err| err.to_string())?;
    for row in rows {
        let patient_id: i64 = row.try_get("", "patient_id").map_err(|e| e.to_string())?;
        enqueue(&state.db, patient_id)
            .await
            .map_err(|err| err.to_string())?;
    }
    queue::wake();
    Ok(())
}

/// The figures of one bucket.
#[derive(Debug, Clone, Copy, PartialEq, FromQueryResult)]
pub struct Bucket {
    pub start_s: i64,
    pub count: i64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub sum2: f64,
    pub in_range: i64,
}

/// Hourly (`'h'`) or daily (`'d'`) rollups of one kind in `[from_s, to_s)`.
pub async fn buckets(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
    kind: Kind,
    period: char,
    from_s: i64,
    to_s: i64,
) -> Result<Vec<Bucket>, DbErr> {
    Bucket::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT bucket_s AS start_s, count, min, max, sum, sum2, in_range FROM observation_rollups \
         WHERE patient_id = ? AND kind = ? AND period = ? AND bucket_s >= ? AND bucket_s < ? \
         ORDER BY bucket_s",
        [
            proof.patient_id().into(),
            kind.as_str().into(),
            period.to_string().into(),
            from_s.into(),
            to_s.into(),
        ],
    ))
    .all(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn marked_hours_merge_into_ranges() {
        let hours = [7200, 0, 3600, 36000].into_iter();
        assert_eq!(ranges(hours, 3600), vec![(0, 10800), (36000, 39600)]);
    }
}
