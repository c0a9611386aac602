//! Who is asking, as axum extractors, so that each door names its asker in
//! its signature and never builds a refusal by hand:
//!
//! - [`SignedInActor`]: the browser session the session middleware found
//!   (401 when there is none; `Option<SignedInActor>` to decide yourself);
//! - [`TokenActor`]: a personal access token, `Authorization: Bearer
//!   hale_pat_…` (401 when missing, unknown, expired or revoked — audited).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use hale_app::accounts::tokens;
use hale_app::audit::{self, AuditEvent};
use hale_app::error::AppError;
use hale_app::identity::Actor;
use hale_app::request::{SignedIn, client_meta_of};
use hale_app::state::AppState;
use http::header::AUTHORIZATION;
use http::request::Parts;

/// The signed-in person of a browser request.
pub struct SignedInActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for SignedInActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<SignedIn>()
            .map(|me| SignedInActor(me.actor()))
            .ok_or(AppError::NotSignedIn)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for SignedInActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &S,
    ) -> Result<Option<Self>, std::convert::Infallible> {
        Ok(parts
            .extensions
            .get::<SignedIn>()
            .map(|me| SignedInActor(me.actor())))
    }
}

/// The holder of the API token a request carries.
pub struct TokenActor(pub Actor);

impl FromRequestParts<AppState> for TokenActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let client = client_meta_of(&parts.headers, &parts.extensions);
        let presented = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let holder = match presented {
            Some(token) => tokens::resolve(&state.db, token).await?,
            None => None,
        };
        let Some(holder) = holder else {
            let written = audit::record(
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
            if let Err(err) = written {
                tracing::error!(error = %err, "cannot write the audit log");
            }
            return Err(AppError::TokenInvalid);
        };
        Ok(TokenActor(Actor {
            account_id: holder.account.id,
            role: holder.role,
            mfa: holder.account.mfa_enabled_at.is_some(),
            scopes: Some(holder.scopes),
            client,
        }))
    }
}
