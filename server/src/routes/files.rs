//! Files over plain HTTP (large bodies, streamed both ways), for a signed-in
//! session. Handlers stay thin: `hale_app::files::{upload, service}` hold the rules.
//!
//! - `POST   /files/uploads` (JSON `UploadStart`) → `UploadState`
//! - `GET    /files/uploads/{token}` → `UploadState` (to resume)
//! - `PUT    /files/uploads/{token}/parts/{index}` (the part's bytes) → `UploadState`
//! - `POST   /files/uploads/{token}/finish` → `UploadResult`
//! - `DELETE /files/uploads/{token}` → 204
//! - `GET    /files/{id}/{view|download|thumb|frame}?e=…&s=…` (a signed link;
//!   frames take `&n=<frame>&wc=<centre>&ww=<width>`)

use super::extract::SignedInActor;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use hale_app::error::AppError;
use hale_app::files::links::Purpose;
use hale_app::files::{UploadResult, UploadStart, UploadState, service, upload};
use hale_app::refusals::PayloadProblem;
use hale_app::state::AppState;
use http::{HeaderValue, StatusCode, header};

/// The routes of files (the router gives them their body limit).
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post, put};
    axum::Router::new()
        .route(hale_app::files::UPLOADS_PATH, post(begin))
        .route("/files/uploads/{token}", get(status).delete(abort))
        .route("/files/uploads/{token}/parts/{index}", put(part))
        .route("/files/uploads/{token}/finish", post(finish))
        .route("/files/{id}/{purpose}", get(open))
}

async fn begin(
    State(state): State<AppState>,
    SignedInActor(actor): SignedInActor,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<UploadState>), AppError> {
    let start: UploadStart = serde_json::from_slice(&body).map_err(|_| AppError::BadPayload {
        reason: PayloadProblem::UploadStart,
    })?;
    let state = upload::begin(&state, &actor, start).await?;
    Ok((StatusCode::CREATED, Json(state)))
}

async fn status(
    State(state): State<AppState>,
    SignedInActor(actor): SignedInActor,
    Path(token): Path<String>,
) -> Result<Json<UploadState>, AppError> {
    Ok(Json(upload::status(&state, &actor, &token).await?))
}

async fn part(
    State(state): State<AppState>,
    SignedInActor(actor): SignedInActor,
    Path((token, index)): Path<(String, u64)>,
    request: Request,
) -> Result<Json<UploadState>, AppError> {
    let stream = request.into_body().into_data_stream();
    Ok(Json(
        upload::put_part(&state, &actor, &token, index, stream).await?,
    ))
}

async fn finish(
    State(state): State<AppState>,
    SignedInActor(actor): SignedInActor,
    Path(token): Path<String>,
) -> Result<Json<UploadResult>, AppError> {
    Ok(Json(upload::finish(&state, &actor, &token).await?))
}

async fn abort(
    State(state): State<AppState>,
    SignedInActor(actor): SignedInActor,
    Path(token): Path<String>,
) -> Result<StatusCode, AppError> {
    upload::abort(&state, &actor, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize)]
pub struct LinkQuery {
    e: i64,
    s: String,
    n: Option<u32>,
    wc: Option<f64>,
    ww: Option<f64>,
}

/// A file name for `Content-Disposition`: the title in ASCII, and in full (RFC 5987).
fn disposition(kind: &str, title: &str, media_type: &str) -> HeaderValue {
    let extension = match media_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/dicom" => "dcm",
        _ => "bin",
    };
    let ascii: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " -_.()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let encoded: String = title
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{}.{extension}\"; filename*=UTF-8''{encoded}.{extension}",
        ascii.trim()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn bytes_response(media_type: &'static str, bytes: Vec<u8>) -> Response {
    let mut response = Body::from(bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    response
}

async fn open(
    State(state): State<AppState>,
    SignedInActor(actor): SignedInActor,
    Path((id, purpose)): Path<(i64, String)>,
    Query(link): Query<LinkQuery>,
) -> Result<Response, AppError> {
    let purpose = Purpose::parse(&purpose).ok_or(AppError::NotFound)?;
    let row = service::open_link(&state, &actor, id, purpose, link.e, &link.s).await?;
    let mut response = match purpose {
        Purpose::View | Purpose::Download => {
            let stream = service::content(&state, &row)?;
            let mut response = Body::from_stream(stream).into_response();
            let headers = response.headers_mut();
            let media_type = if row.kind == "dicom" && purpose == Purpose::View {
                "application/octet-stream".to_owned()
            } else {
                row.media_type.clone()
            };
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&media_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(row.size));
            let kind = if purpose == Purpose::View && row.kind != "dicom" {
                "inline"
            } else {
                "attachment"
            };
            headers.insert(
                header::CONTENT_DISPOSITION,
                disposition(kind, &row.title, &row.media_type),
            );
            response
        }
        Purpose::Thumb => bytes_response("image/jpeg", service::thumbnail(&state, &row).await?),
        Purpose::Frame => {
            let window = match (link.wc, link.ww) {
                (Some(c), Some(w)) if c.is_finite() && w.is_finite() && w >= 1.0 => Some((c, w)),
                _ => None,
            };
            let png = service::frame(&state, &row, link.n.unwrap_or(0), window).await?;
            bytes_response("image/png", png)
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
