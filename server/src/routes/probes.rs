//! `/healthz` (the process is alive) and `/readyz` (it can serve: the
//! database and the blob store answer, and the local disks they write to
//! have room).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hale_app::state::AppState;
use http::StatusCode;
use serde_json::json;
use std::time::Duration;

const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn alive() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn ready(State(state): State<AppState>) -> Response {
    let (database, blobs) = tokio::join!(
        tokio::time::timeout(CHECK_TIMEOUT, hale_app::db::ping(&state.db)),
        tokio::time::timeout(CHECK_TIMEOUT, state.blobs.check()),
    );
    let database_ok = matches!(database, Ok(Ok(())));
    let blobs_ok = matches!(blobs, Ok(Ok(())));
    let disk_ok = hale_app::db::health::disks_have_room(&state.local_folders);
    if !disk_ok {
        tracing::warn!("readiness: a local disk has less than the reserve free");
    }
    if let Ok(Err(err)) = &database {
        tracing::warn!(error = %err, "readiness: database check failed");
    }
    if let Ok(Err(err)) = &blobs {
        tracing::warn!(error = %err, "readiness: blob store check failed");
    }
    let failing: Vec<&str> = [
        ("database", database_ok),
        ("blobs", blobs_ok),
        ("disk", disk_ok),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(part, _)| part)
    .collect();
    let status = if failing.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok| if ok { "ok" } else { "failing" };
    let body = json!({
        "status": if failing.is_empty() { "ready" } else { "unavailable" },
        "database": word(database_ok),
        "blobs": word(blobs_ok),
        "disk": word(disk_ok),
        "failing": failing,
    });
    (status, Json(body)).into_response()
}
