//! The durable job queue in the database. A job is claimed by one worker
//! with a lease (one atomic UPDATE; `FOR UPDATE SKIP LOCKED` on PostgreSQL,
//! the single writer on SQLite), finished only by the worker that holds the
//! lease, retried with exponential backoff, and moved to `dead` after its
//! last attempt. A lease that runs out (a crashed process) makes the job
//! claimable again, so handlers must be idempotent. Every run is logged in
//! `job_runs`.
//!
//! The one rule for areas: **enqueue inside the transaction that makes the
//! work, wake after it commits** ([`enqueue`], then [`commit_and_wake`], or
//! [`wake`] after an enqueue outside a transaction).

use crate::db::{now_ms, statement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Value};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const DEAD: &str = "dead";

/// A job to add.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: String,
    /// At most one queued job per key: a second enqueue is a no-op.
    pub dedup_key: Option<String>,
    pub max_attempts: i32,
    pub delay_ms: i64,
}

impl<'a> NewJob<'a> {
    pub fn new(kind: &'a str, payload: String) -> Self {
        NewJob {
            kind,
            payload,
            dedup_key: None,
            max_attempts: 5,
            delay_ms: 0,
        }
    }

    pub fn dedup(mut self, key: String) -> Self {
        self.dedup_key = Some(key);
        self
    }
}

/// Adds a job (inside the caller's transaction, if any). Answers whether a
/// job was added (false: one with the same key was already queued).
pub async fn enqueue(db: &impl ConnectionTrait, job: NewJob<'_>) -> Result<bool, DbErr> {
    let now = now_ms();
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at_ms, \
             dedup_key, created_ms) VALUES (?, ?, 'queued', 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                job.kind.into(),
                job.payload.into(),
                job.max_attempts.into(),
                (now + job.delay_ms).into(),
                job.dedup_key.into(),
                now.into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

fn wake_signal() -> &'static tokio::sync::Notify {
    static WAKE: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    WAKE.get_or_init(tokio::sync::Notify::new)
}

/// Tells this process's worker that jobs were committed. Call it after the
/// transaction that enqueued them commits (a worker woken earlier would not
/// see them yet); workers of other processes find them by polling.
pub fn wake() {
    wake_signal().notify_one();
}

/// Resolves when [`wake`] is called (the worker waits on it while idle).
pub async fn woken() {
    wake_signal().notified().await;
}

/// Commits a transaction that enqueued jobs, then wakes the worker: the
/// rule is *enqueue inside the transaction, wake after commit*.
pub async fn commit_and_wake(tx: sea_orm::DatabaseTransaction) -> Result<(), DbErr> {
    tx.commit().await?;
    wake();
    Ok(())
}

/// A claimed job.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempt: i32,
    pub max_attempts: i32,
}

/// Claims the next due job (or one whose lease ran out) for `worker`.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    lease_ms: i64,
) -> Result<Option<Claimed>, DbErr> {
    let backend = db.get_database_backend();
    let now = now_ms();
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    // The outer WHERE repeats the state test: on PostgreSQL a second UPDATE
    // that waited for the row re-checks it and then finds the job taken.
    let sql = format!(
        "UPDATE jobs SET state = 'running', lease_owner = ?, lease_until_ms = ?, \
         attempts = attempts + 1 \
         WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at_ms <= ?) \
           OR (state = 'running' AND lease_until_ms < ?) ORDER BY run_at_ms, id LIMIT 1{lock}) \
         AND ((state = 'queued' AND run_at_ms <= ?) OR (state = 'running' AND lease_until_ms < ?)) \
         RETURNING id, kind, payload, attempts AS attempt, max_attempts"
    );
    let claimed = Claimed::find_by_statement(statement(
        backend,
        &sql,
        [
            worker.into(),
            (now + lease_ms).into(),
            now.into(),
            now.into(),
            now.into(),
            now.into(),
        ],
    ))
    .one(db)
    .await?;
    let Some(claimed) = claimed else {
        return Ok(None);
    };
    db.execute_raw(statement(
        backend,
        "INSERT INTO job_runs (job_id, worker, attempt, started_ms) VALUES (?, ?, ?, ?)",
        [
            claimed.id.into(),
            worker.into(),
            claimed.attempt.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(Some(claimed))
}

/// Extends the lease of a long job; false when the lease was lost.
pub async fn renew(
    db: &impl ConnectionTrait,
    job: &Claimed,
    worker: &str,
    lease_ms: i64,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE jobs SET lease_until_ms = ? WHERE id = ? AND state = 'running' \
             AND lease_owner = ? AND attempts = ?",
            [
                (now_ms() + lease_ms).into(),
                job.id.into(),
                worker.into(),
                job.attempt.into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The delay before attempt `attempt + 1`: 2 s, 4 s, 8 s, ... at most an hour.
pub fn backoff_ms(attempt: i32) -> i64 {
    let exponent = attempt.clamp(1, 12) as u32;
    (1000_i64 << exponent).min(3_600_000)
}

/// Records how a run ended: done, retried later, or dead.
pub async fn finish(
    db: &impl ConnectionTrait,
    job: &Claimed,
    worker: &str,
    outcome: Result<(), String>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let now = now_ms();
    let (state, run_at, error): (&str, Option<i64>, Option<String>) = match &outcome {
        Ok(()) => (DONE, None, None),
        Err(error) if job.attempt < job.max_attempts => (
            QUEUED,
            Some(now + backoff_ms(job.attempt)),
            Some(error.clone()),
        ),
        Err(error) => (DEAD, None, Some(error.clone())),
    };
    let finished: Option<i64> = (state != QUEUED).then_some(now);
    let result = db
        .execute_raw(statement(
            backend,
            "UPDATE jobs SET state = ?, run_at_ms = COALESCE(?, run_at_ms), last_error = ?, \
             lease_owner = NULL, lease_until_ms = NULL, finished_ms = ? \
             WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?",
            [
                state.into(),
                run_at.into(),
                error.clone().into(),
                finished.into(),
                job.id.into(),
                worker.into(),
                job.attempt.into(),
            ],
        ))
        .await;
    // A queued twin with the same key (enqueued while this one ran) blocks
    // requeueing; the twin will do the work, so this one is done.
    if let Err(err) = &result
        && state == QUEUED
    {
        tracing::info!(job = job.id, error = %err, "requeue blocked by a queued twin");
        let outcome: Result<(), String> = Ok(());
        return Box::pin(finish(db, job, worker, outcome)).await;
    }
    let lost = result?.rows_affected() == 0;
    let outcome_name = if lost {
        "lease_lost"
    } else if state == QUEUED {
        "retry"
    } else {
        state
    };
    db.execute_raw(statement(
        backend,
        "UPDATE job_runs SET finished_ms = ?, outcome = ?, error = ? \
         WHERE job_id = ? AND worker = ? AND attempt = ?",
        [
            now.into(),
            outcome_name.into(),
            error.into(),
            job.id.into(),
            worker.into(),
            job.attempt.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Puts a dead job back in the queue with fresh attempts (administrators).
pub async fn retry_dead(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at_ms = ?, finished_ms = NULL \
             WHERE id = ? AND state = 'dead'",
            [now_ms().into(), id.into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// A periodic job: its name, kind, and interval.
pub struct Schedule {
    pub name: &'static str,
    pub kind: &'static str,
    pub every_s: i64,
}

/// Makes sure each schedule exists (first run after one interval).
pub async fn ensure_schedules(
    db: &impl ConnectionTrait,
    schedules: &[Schedule],
) -> Result<(), DbErr> {
    for schedule in schedules {
        db.execute_raw(statement(
            db.get_database_backend(),
            "INSERT INTO job_schedules (name, kind, every_s, next_run_ms) VALUES (?, ?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, every_s = excluded.every_s",
            [
                schedule.name.into(),
                schedule.kind.into(),
                schedule.every_s.into(),
                (now_ms() + schedule.every_s * 1000).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// Enqueues the jobs of schedules that are due. Each due schedule is moved
/// on with a compare-and-set, so one process enqueues it however many run.
pub async fn run_due_schedules(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    let backend = db.get_database_backend();
    let now = now_ms();
    #[derive(FromQueryResult)]
    struct Due {
        name: String,
        kind: String,
        every_s: i64,
        next_run_ms: i64,
    }
    let due = Due::find_by_statement(statement(
        backend,
        "SELECT name, kind, every_s, next_run_ms FROM job_schedules WHERE next_run_ms <= ?",
        [now.into()],
    ))
    .all(db)
    .await?;
    let mut enqueued = 0;
    for Due {
        name,
        kind,
        every_s,
        next_run_ms: next,
    } in due
    {
        let moved = db
            .execute_raw(statement(
                backend,
                "UPDATE job_schedules SET next_run_ms = ? WHERE name = ? AND next_run_ms = ?",
                [
                    (now + every_s * 1000).into(),
                    name.clone().into(),
                    next.into(),
                ],
            ))
            .await?;
        if moved.rows_affected() == 1
            && enqueue(
                db,
                NewJob::new(&kind, "{}".into()).dedup(format!("schedule:{name}")),
            )
            .await?
        {
            enqueued += 1;
        }
    }
    Ok(enqueued)
}

/// Counts per state, for administrators.
pub async fn counts(db: &impl ConnectionTrait) -> Result<Vec<(String, i64)>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state",
            Vec::<Value>::new(),
        ))
        .await?;
    rows.into_iter()
        .map(|row| Ok((row.try_get("", "state")?, row.try_get("", "n")?)))
        .collect()
}

/// The latest dead and retrying jobs, newest first, for administrators.
pub async fn troubled(db: &impl ConnectionTrait) -> Result<Vec<super::JobView>, DbErr> {
    super::JobView::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT id, kind, state, attempts, max_attempts, last_error, run_at_ms FROM jobs \
         WHERE state = 'dead' OR (state = 'queued' AND attempts > 0) \
         ORDER BY id DESC LIMIT 50",
        Vec::<Value>::new(),
    ))
    .all(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_doubles_and_stops_at_an_hour() {
        assert_eq!(backoff_ms(1), 2_000);
        assert_eq!(backoff_ms(2), 4_000);
        assert_eq!(backoff_ms(3), 8_000);
        assert_eq!(backoff_ms(40), 3_600_000);
    }
}
