//! `POST /dashboard/import/upload`: the import form's file, streamed from the
//! multipart body to the blob store chunk by chunk, then queued as an
//! import job. Works without JavaScript; answers with a redirect to the
//! import's progress page (or back to the form with an error code).

use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use hale_app::accounts::sessions::SignedIn;
use hale_app::error::AppError;
use hale_app::health::{imports, service};
use hale_app::state::AppState;

/// The largest import, from the configuration (set on the router).
#[derive(Clone, Copy)]
pub struct ImportLimit(pub u64);

fn back_with(error: &AppError) -> Response {
    let code = match error {
        AppError::ImportInvalid { .. } => "invalid",
        AppError::NoAccess | AppError::WrongRole | AppError::MfaRequired => "access",
        _ => "failed",
    };
    Redirect::to(&format!("/dashboard/import?error={code}")).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    axum::Extension(limit): axum::Extension<ImportLimit>,
    signed_in: Option<axum::Extension<SignedIn>>,
    mut multipart: Multipart,
) -> Response {
    let Some(axum::Extension(me)) = signed_in else {
        return Redirect::to("/sign-in").into_response();
    };
    let actor = me.actor();
    let patient_id = match service::patient_of(&actor, None) {
        Ok(id) => id,
        Err(err) => return back_with(&err),
    };
    let invalid = AppError::ImportInvalid {
        max_mb: limit.0 / (1024 * 1024),
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return back_with(&invalid),
            Err(_) => return back_with(&invalid),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_owned();
        let mut upload = match imports::begin(&state, &actor, patient_id, &name, limit.0).await {
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
                Err(_) => {
                    // The browser went away or the body was cut off.
                    upload.abort(&state).await;
                    return back_with(&invalid);
                }
            }
        }
        return match upload.finish(&state).await {
            Ok(id) => Redirect::to(&format!("/dashboard/import?id={id}")).into_response(),
            Err(err) => back_with(&err),
        };
    }
}
