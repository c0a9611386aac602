//! Who is asking, as axum extractors, so that each door names its asker in
//! its signature and never builds a refusal by hand:
//!
//! - [`SignedInActor`]: the browser session the session middleware found
//!   (401 when there is none; `Option<SignedInActor>` to decide yourself);
//! - [`TokenActor`]: a personal access token, `Authorization: Bearer
//!   hale_pat_…` (401 when missing, unknown, expired or revoked — audited;
//!   429 after too many wrong tokens from one address, or beyond
//!   [`TOKEN_REQUESTS_PER_MINUTE`] requests of one token).

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

/// Requests one token may make in a minute (a device sends a batch a few
/// times a minute; this bounds a runaway client).
pub const TOKEN_REQUESTS_PER_MINUTE: u32 = 1200;

/// Wrong or missing tokens from one address before it must wait.
const API_REFUSALS_PER_ADDRESS: hale_app::throttle::Limit = hale_app::throttle::Limit {
    bucket: "api_token",
    max: 30,
    window_minutes: 10,
};

/// Counts a request of `token_id` in the current minute; refuses beyond
/// the limit. Kept in this process's memory: a shared, per-client quota is
/// the API management's (several instances each allow this much).
fn within_rate(token_id: i64) -> Result<(), AppError> {
    within_rate_at(token_id, chrono::Utc::now().timestamp() / 60)
}

fn within_rate_at(token_id: i64, minute: i64) -> Result<(), AppError> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static MINUTES: OnceLock<Mutex<HashMap<i64, (i64, u32)>>> = OnceLock::new();
    let mut counts = MINUTES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if counts.len() > 10_000 {
        counts.retain(|_, (m, _)| *m == minute);
    }
    let entry = counts.entry(token_id).or_insert((minute, 0));
    if entry.0 != minute {
        *entry = (minute, 0);
    }
    entry.1 += 1;
    if entry.1 > TOKEN_REQUESTS_PER_MINUTE {
        return Err(AppError::TooManyRequests { minutes: 1 });
    }
    Ok(())
}

impl FromRequestParts<AppState> for TokenActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let client = client_meta_of(&parts.headers, &parts.extensions);
        let address = format!("ip:{}", client.ip.clone().unwrap_or_default());
        hale_app::throttle::check(&state.db, API_REFUSALS_PER_ADDRESS, &address).await?;
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
            hale_app::throttle::record(&state.db, API_REFUSALS_PER_ADDRESS, &address).await?;
            return Err(AppError::TokenInvalid);
        };
        within_rate(holder.token_id)?;
        Ok(TokenActor(Actor {
            account_id: holder.account.id,
            role: holder.role,
            mfa: holder.account.mfa_enabled_at.is_some(),
            scopes: Some(holder.scopes),
            client,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_refused_beyond_its_requests_a_minute() {
        let (token, minute) = (-7, 1_000);
        for _ in 0..TOKEN_REQUESTS_PER_MINUTE {
            within_rate_at(token, minute).unwrap();
        }
        assert_eq!(
            within_rate_at(token, minute),
            Err(AppError::TooManyRequests { minutes: 1 })
        );
        assert!(
            within_rate_at(-8, minute).is_ok(),
            "other tokens are not counted"
        );
        assert!(
            within_rate_at(token, minute + 1).is_ok(),
            "a new minute starts afresh"
        );
    }
}
