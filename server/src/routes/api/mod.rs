//! The REST API for apps and devices (`/api/v1`), authenticated with personal
//! access tokens ([`TokenActor`]). Each endpoint goes through the same domain
//! services and access check as the browser; an area adds its endpoints as a
//! module here and a line in [`routes`].

mod observations;

use super::extract::TokenActor;
use axum::Json;
use axum::Router;
use axum::routing::{get, post};
use hale_app::state::AppState;
use serde_json::{Value, json};

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/observations", post(observations::post))
}

/// `GET /api/v1/me`: who the token belongs to and what it may do.
async fn me(TokenActor(actor): TokenActor) -> Json<Value> {
    Json(json!({
        "account_id": actor.account_id,
        "role": actor.role,
        "scopes": actor.scopes,
    }))
}
