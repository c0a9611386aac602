//! `POST /dashboard/import/upload`: the import form's file, streamed from the
//! multipart body to the blob store chunk by chunk, then queued as an
//! import job. Works without JavaScript; answers with a redirect to the
//! import's progress page (or back to the form with an error code).

use super::extract::SignedInActor;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use hale_app::error::AppError;
use hale_app::health::import_upload;
use hale_app::refusals::PayloadProblem;
use hale_app::request::patient_of;
use hale_app::state::AppState;

/// The largest import, from the configuration.
#[derive(Clone, Copy)]
struct ImportLimit(u64);

/// The import upload route, with the largest import accepted.
pub fn routes(limit_bytes: u64) -> axum::Router<AppState> {
    axum::Router::new()
        .route(hale_app::health::UPLOAD_PATH, axum::routing::post(upload))
        .layer(axum::Extension(ImportLimit(limit_bytes)))
}

/// Back to the form with a code the page turns into words (never a file's
/// name or content: codes only).
fn back_with(error: &AppError) -> Response {
    let code = match error {
        AppError::ImportInvalid { .. } => "too_large",
        AppError::ImportNotAccepted { what } => match what.as_str() {
            "empty" | "pdf" | "photo" | "spreadsheet" => what.as_str(),
            _ => "invalid",
        },
        AppError::StorageFull => "storage_full",
        AppError::NoAccess | AppError::WrongRole | AppError::MfaRequired => "access",
        _ => "failed",
    };
    Redirect::to(&format!("/dashboard/import?error={code}")).into_response()
}

async fn upload(
    State(state): State<AppState>,
    axum::Extension(limit): axum::Extension<ImportLimit>,
    signed_in: Option<SignedInActor>,
    mut multipart: Multipart,
) -> Response {
    let Some(SignedInActor(actor)) = signed_in else {
        return Redirect::to("/sign-in").into_response();
    };
    let patient_id = match patient_of(&actor, None) {
        Ok(id) => id,
        Err(err) => return back_with(&err),
    };
    let invalid = AppError::ImportInvalid {
        max_mb: limit.0 / (1024 * 1024),
    };
    // A body cut off by the import limit is "too large"; one cut off by the
    // browser going away is a failed upload.
    let cut = |err: &axum::extract::multipart::MultipartError| {
        if err.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
            invalid.clone()
        } else {
            AppError::BadPayload {
                reason: PayloadProblem::UploadCutOff,
            }
        }
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => {
                return back_with(&AppError::ImportNotAccepted {
                    what: "empty".into(),
                });
            }
            Err(err) => return back_with(&cut(&err)),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_owned();
        let mut upload =
            match import_upload::begin(&state, &actor, patient_id, &name, limit.0).await {
                Ok(upload) => upload,
                Err(err) => return back_with(&err),
            };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(err) = upload.write(chunk.to_vec()).await {
                        upload.abort(&state).await;
                        return back_with(&err);
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    upload.abort(&state).await;
                    return back_with(&cut(&err));
                }
            }
        }
        return match upload.finish(&state).await {
            Ok(id) => Redirect::to(&format!("/dashboard/import?id={id}")).into_response(),
            Err(err) => back_with(&err),
        };
    }
}
