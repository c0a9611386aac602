//! Background jobs (the counterpart of the reference architecture's
//! Functions): a durable queue in the database, a worker per process, and
//! what administrators see of it.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod worker;

mod api;
mod panel;
pub use api::*;
pub use panel::JobsPanel;

/// The queue at a glance, for administrators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueOverview {
    /// Jobs per state: queued, running, done, dead.
    pub counts: Vec<(String, i64)>,
    /// The latest dead and retrying jobs, newest first.
    pub troubled: Vec<JobView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::FromQueryResult))]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub run_at_ms: i64,
}
