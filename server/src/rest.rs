//! The REST API for apps and devices (`/api/v1`), authenticated with personal
//! access tokens (`Authorization: Bearer hale_pat_...`). Each handler turns
//! the token into an `Actor` and goes through the same access check as the
//! browser; health-data endpoints join this module as they arrive.

use crate::middleware::session::client_meta_of;
use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use hale_app::access::audit::{self, AuditEvent};
use hale_app::access::gate::Actor;
use hale_app::accounts::tokens;
use hale_app::error::AppError;
use hale_app::state::AppState;
use http::StatusCode;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::request::Parts;
use serde_json::json;

/// An error as JSON with its status.
pub fn error_response(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, Json(json!({ "error": err.to_string() }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer realm=\"hale\""),
        );
    }
    response
}

/// The actor of a token request, or a 401 answer (audited).
pub async fn token_actor(state: &AppState, request: &Parts) -> Result<Actor, Response> {
    let client = client_meta_of(&request.headers, &request.extensions);
    let presented = request
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let holder = match presented {
        Some(token) => tokens::resolve(&state.db, token)
            .await
            .map_err(|err| error_response(&err))?,
        None => None,
    };
    let Some(holder) = holder else {
        let _ = audit::record(
            &state.db,
            AuditEvent {
                actor_id: None,
                patient_id: None,
                category: "api",
                record_id: None,
                action: "token",
                outcome: "refused",
                client: &client,
            },
        )
        .await;
        return Err(error_response(&AppError::TokenInvalid));
    };
    Ok(Actor {
        account_id: holder.account.id,
        role: holder.role,
        mfa: holder.account.mfa_enabled_at.is_some(),
        scopes: Some(holder.scopes),
        client,
    })
}

/// `GET /api/v1/me`: who the token belongs to and what it may do.
pub async fn me(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    match token_actor(&state, &parts).await {
        Ok(actor) => Json(json!({
            "account_id": actor.account_id,
            "role": actor.role,
            "scopes": actor.scopes,
        }))
        .into_response(),
        Err(response) => response,
    }
}
