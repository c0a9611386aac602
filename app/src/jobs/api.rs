//! Server functions of the job queue for administrators.

use super::QueueOverview;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn administrator() -> Result<crate::state::AppState, AppError> {
    let me = crate::request::require_signed_in()?;
    if me.actor().role != crate::identity::Role::Administrator {
        return Err(AppError::WrongRole.respond());
    }
    crate::state::app_state()
}

/// Job counts per state and the jobs that failed.
#[server(endpoint = "admin/jobs")]
pub async fn job_queue() -> Result<QueueOverview, AppError> {
    let state = administrator()?;
    overview(&state.db).await.map_err(|err| {
        tracing::error!(error = %err, "cannot read the job queue");
        AppError::Internal.respond()
    })
}

/// Puts a dead job back in the queue.
#[server(endpoint = "admin/retry_job")]
pub async fn retry_job(job_id: i64) -> Result<(), AppError> {
    let state = administrator()?;
    match super::queue::retry_dead(&state.db, job_id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound.respond()),
        Err(err) => {
            tracing::error!(error = %err, "cannot retry a job");
            Err(AppError::Internal.respond())
        }
    }
}

#[cfg(feature = "ssr")]
async fn overview(db: &sea_orm::DatabaseConnection) -> Result<QueueOverview, sea_orm::DbErr> {
    use sea_orm::ConnectionTrait as _;
    let counts = super::queue::counts(db).await?;
    let rows = db
        .query_all_raw(crate::db::statement(
            db.get_database_backend(),
            "SELECT id, kind, state, attempts, max_attempts, last_error, run_at_ms FROM jobs \
             WHERE state = 'dead' OR (state = 'queued' AND attempts > 0) \
             ORDER BY id DESC LIMIT 50",
            Vec::<sea_orm::Value>::new(),
        ))
        .await?;
    let troubled = rows
        .into_iter()
        .map(|row| {
            Ok(super::JobView {
                id: row.try_get("", "id")?,
                kind: row.try_get("", "kind")?,
                state: row.try_get("", "state")?,
                attempts: row.try_get("", "attempts")?,
                max_attempts: row.try_get("", "max_attempts")?,
                last_error: row.try_get("", "last_error")?,
                run_at_ms: row.try_get("", "run_at_ms")?,
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()?;
    Ok(QueueOverview { counts, troubled })
}
