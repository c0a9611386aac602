//! `POST /api/v1/observations`: a batch of readings from a device or an app,
//! as a JSON array of readings or a FHIR R4 Bundle of Observations, with a
//! token allowed `observations:write`. Optional `?patient_id=` writes for a
//! patient who granted the token's owner vitals (write).
//!
//! Answers 200 with `{received, stored, duplicates, removed, rejected:
//! [{index, reason}], skipped: [{index, reason}]}` when at least one item
//! was good (or a duplicate, or a retraction); 422 with the same report when
//! every reading was refused; 400 for a body that is not JSON or not an
//! array or Bundle (also a Bundle whose `entry` is not a list); 413 above
//! `MAX_BATCH` items. Entries of a Bundle that are not Observations are
//! `skipped`, not refused. See [`hale_app::health::fhir`] for the forms of
//! Observation accepted.

use crate::routes::extract::TokenActor;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use hale_app::error::AppError;
use hale_app::health::{self, MAX_BATCH, NewReading, ReadingProblem, fhir, service};
use hale_app::refusals::PayloadProblem;
use hale_app::request::patient_of;
use hale_app::state::AppState;
use http::StatusCode;
use serde_json::Value;

#[derive(serde::Deserialize)]
pub struct Target {
    patient_id: Option<i64>,
}

/// The items of a body: each a reading or the reason it cannot be one.
fn items(body: &[u8]) -> Result<Vec<Result<NewReading, ReadingProblem>>, AppError> {
    let value: Value = serde_json::from_slice(body).map_err(|err| AppError::BadPayload {
        reason: PayloadProblem::NotJson {
            line: err.line().try_into().unwrap_or(u32::MAX),
            column: err.column().try_into().unwrap_or(u32::MAX),
        },
    })?;
    let items = if fhir::is_bundle(&value) {
        fhir::entries(&value).map_err(|reason| AppError::BadPayload { reason })?
    } else if let Value::Array(items) = value {
        if items.len() > MAX_BATCH {
            return Err(AppError::BatchTooLarge { max: MAX_BATCH });
        }
        items
            .into_iter()
            .map(|item| {
                serde_json::from_value::<NewReading>(item).map_err(|err| {
                    ReadingProblem::Malformed {
                        what: hale_app::refusals::Malformation::NotJson {
                            detail: err.to_string(),
                        },
                    }
                })
            })
            .collect()
    } else {
        return Err(AppError::BadPayload {
            reason: PayloadProblem::NotReadingsOrBundle,
        });
    };
    if items.len() > MAX_BATCH {
        return Err(AppError::BatchTooLarge { max: MAX_BATCH });
    }
    Ok(items)
}

pub async fn post(
    State(state): State<AppState>,
    Query(target): Query<Target>,
    TokenActor(actor): TokenActor,
    body: Body,
) -> Result<Response, AppError> {
    // The router's body limit stops a body that is too large, also one
    // sent in chunks without a length: that is a 413, a cut-off one a 400.
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|err| {
            // The limit's error (`LengthLimitError`) arrives wrapped twice.
            if format!("{err:?}").contains("LengthLimitError") {
                AppError::TooLarge
            } else {
                AppError::BadPayload {
                    reason: PayloadProblem::BodyCutOff,
                }
            }
        })?;
    let items = items(&body)?;
    let patient_id = patient_of(&actor, target.patient_id)?;
    let report = service::ingest(&state.db, &actor, patient_id, items, "api").await?;
    let status = if !report.rejected.is_empty()
        && report.rejected.len() + report.skipped.len() == report.received
    {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json::<health::IngestReport>(report)).into_response())
}
