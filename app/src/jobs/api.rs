//! Server functions of the job queue for administrators.

use super::QueueOverview;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn administrator() -> Result<crate::state::AppState, AppError> {
    let (state, me) = crate::request::signed_in_actor()?;
    me.require_administrator().map_err(AppError::respond)?;
    Ok(state)
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
    Ok(QueueOverview {
        counts: super::queue::counts(db).await?,
        troubled: super::queue::troubled(db).await?,
    })
}
