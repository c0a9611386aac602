//! The worker every `hale serve` process runs: it enqueues due schedules,
//! claims one job at a time, keeps its lease alive while the handler runs,
//! and records the outcome. Handlers are looked up by the job's kind.

use super::queue::{self, Claimed, Schedule};
use crate::state::AppState;
use std::time::Duration;
use tokio::sync::watch;
use tracing::Instrument as _;

/// How long a claim holds before another worker may take the job over.
pub const LEASE_MS: i64 = 60_000;
/// How often an idle worker looks for work (enqueues in this process wake it at once).
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The periodic jobs.
pub const SCHEDULES: &[Schedule] = &[
    Schedule {
        name: "rollup_sweep",
        kind: crate::health::rollups::SWEEP_JOB,
        every_s: 15 * 60,
    },
    Schedule {
        name: "reminders",
        kind: crate::meds::reminders::JOB,
        every_s: 60,
    },
    Schedule {
        name: "files_sweep",
        kind: crate::files::jobs::SWEEP_JOB,
        every_s: 3600,
    },
    Schedule {
        name: "jobs_prune",
        kind: PRUNE_JOB,
        every_s: 24 * 3600,
    },
];

pub const PRUNE_JOB: &str = "jobs_prune";

/// A name for this worker: host, process and a random part.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "hale".into());
    format!(
        "{host}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Runs the worker until `stop` turns true.
pub async fn run(state: AppState, name: String, mut stop: watch::Receiver<bool>) {
    if let Err(err) = queue::ensure_schedules(&state.db, SCHEDULES).await {
        tracing::error!(error = %err, "cannot register job schedules");
    }
    tracing::info!(worker = %name, "job worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        if let Err(err) = queue::run_due_schedules(&state.db).await {
            tracing::warn!(error = %err, "cannot enqueue scheduled jobs");
        }
        match queue::claim(&state.db, &name, LEASE_MS).await {
            Ok(Some(job)) => {
                let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempt);
                run_claimed(&state, &name, job).instrument(span).await;
            }
            Ok(None) => {
                tokio::select! {
                    () = queue::woken() => {}
                    () = tokio::time::sleep(IDLE_POLL) => {}
                    _ = stop.changed() => {}
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot claim a job");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
    tracing::info!(worker = %name, "job worker stopped");
}

async fn run_claimed(state: &AppState, name: &str, job: Claimed) {
    let handler = handle(state, &job);
    tokio::pin!(handler);
    let mut renew = tokio::time::interval(Duration::from_millis((LEASE_MS / 3) as u64));
    renew.tick().await;
    let outcome = loop {
        tokio::select! {
            outcome = &mut handler => break outcome,
            _ = renew.tick() => {
                match queue::renew(&state.db, &job, name, LEASE_MS).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!("job lease lost; another worker may run it"),
                    Err(err) => tracing::warn!(error = %err, "cannot renew job lease"),
                }
            }
        }
    };
    if let Err(error) = &outcome {
        tracing::warn!(error = %error, "job failed");
    }
    if let Err(err) = queue::finish(&state.db, &job, name, outcome).await {
        tracing::error!(error = %err, "cannot record the job's outcome");
    }
}

/// The handler of each kind of job. Errors are kept on the job (they must
/// hold no personal data) and retried with backoff.
async fn handle(state: &AppState, job: &Claimed) -> Result<(), String> {
    match job.kind.as_str() {
        crate::health::rollups::JOB => crate::health::rollups::run_job(state, &job.payload).await,
        crate::health::rollups::SWEEP_JOB => crate::health::rollups::sweep(state).await,
        crate::health::imports::JOB => {
            crate::health::import_job::run_job(state, &job.payload).await
        }
        crate::meds::reminders::JOB => crate::meds::reminders::run(state).await,
        crate::notify::deliver::JOB => crate::notify::deliver::run_job(state, &job.payload).await,
        crate::files::jobs::THUMB_JOB => crate::files::jobs::thumbnail(state, &job.payload).await,
        crate::files::jobs::SWEEP_JOB => crate::files::jobs::sweep(state).await,
        PRUNE_JOB => prune(state).await,
        other => Err(format!("no handler for job kind {other}")),
    }
}

/// Deletes finished jobs and their runs after 14 days (dead ones stay for review).
async fn prune(state: &AppState) -> Result<(), String> {
    use sea_orm::ConnectionTrait as _;
    let cutoff = crate::db::now_ms() - 14 * 24 * 3600 * 1000;
    let backend = state.db.get_database_backend();
    for sql in [
        "DELETE FROM job_runs WHERE job_id IN (SELECT id FROM jobs WHERE state = 'done' AND finished_ms < ?)",
        "DELETE FROM jobs WHERE state = 'done' AND finished_ms < ?",
    ] {
        state
            .db
            .execute_raw(crate::db::statement(backend, sql, [cutoff.into()]))
            .await
            .map_err(|err| err.to_string())?;
    }
    Ok(())
}
