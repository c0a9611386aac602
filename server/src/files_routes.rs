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

use crate::rest::error_response;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use hale_app::accounts::sessions::SignedIn;
use hale_app::error::AppError;
use hale_app::files::links::Purpose;
use hale_app::files::{UploadStart, service, upload};
use hale_app::state::AppState;
use http::{HeaderValue, StatusCode, header};

type Me = Option<axum::Extension<SignedIn>>;

fn actor(me: Me) -> Option<hale_app::access::gate::Actor> {
    me.map(|axum::Extension(me)| me.actor())
}

fn not_signed_in() -> Response {
    error_response(&AppError::NotSignedIn)
}

fn answer<T: serde::Serialize>(result: Result<T, AppError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(err) => error_response(&err),
    }
}

pub async fn begin(State(state): State<AppState>, me: Me, body: axum::body::Bytes) -> Response {
    let Some(actor) = actor(me) else {
        return not_signed_in();
    };
    let start: UploadStart = match serde_json::from_slice(&body) {
        Ok(start) => start,
        Err(_) => {
            return error_response(&AppError::BadPayload {
                reason: "send {\"name\": …, \"size\": …}".into(),
            });
        }
    };
    match upload::begin(&state, &actor, start).await {
        Ok(state) => (StatusCode::CREATED, Json(state)).into_response(),
        Err(err) => error_response(&err),
    }
}

pub async fn status(State(state): State<AppState>, me: Me, Path(token): Path<String>) -> Response {
    match actor(me) {
        Some(actor) => answer(upload::status(&state, &actor, &token).await),
        None => not_signed_in(),
    }
}

pub async fn part(
    State(state): State<AppState>,
    me: Me,
    Path((token, index)): Path<(String, u64)>,
    request: Request,
) -> Response {
    let Some(actor) = actor(me) else {
        return not_signed_in();
    };
    let stream = request.into_body().into_data_stream();
    answer(upload::put_part(&state, &actor, &token, index, stream).await)
}

pub async fn finish(State(state): State<AppState>, me: Me, Path(token): Path<String>) -> Response {
    match actor(me) {
        Some(actor) => answer(upload::finish(&state, &actor, &token).await),
        None => not_signed_in(),
    }
}

pub async fn abort(State(state): State<AppState>, me: Me, Path(token): Path<String>) -> Response {
    match actor(me) {
        Some(actor) => match upload::abort(&state, &actor, &token).await {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(err) => error_response(&err),
        },
        None => not_signed_in(),
    }
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

pub async fn open(
    State(state): State<AppState>,
    me: Me,
    Path((id, purpose)): Path<(i64, String)>,
    Query(link): Query<LinkQuery>,
) -> Response {
    let Some(actor) = actor(me) else {
        return not_signed_in();
    };
    let Some(purpose) = Purpose::parse(&purpose) else {
        return error_response(&AppError::NotFound);
    };
    let row = match service::open_link(&state, &actor, id, purpose, link.e, &link.s).await {
        Ok(row) => row,
        Err(err) => return error_response(&err),
    };
    let mut response = match purpose {
        Purpose::View | Purpose::Download => {
            let stream = match service::content(&state, &row) {
                Ok(stream) => stream,
                Err(err) => return error_response(&err),
            };
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
        Purpose::Thumb => match service::thumbnail(&state, &row).await {
            Ok(bytes) => bytes_response("image/jpeg", bytes),
            Err(err) => return error_response(&err),
        },
        Purpose::Frame => {
            let window = match (link.wc, link.ww) {
                (Some(c), Some(w)) if c.is_finite() && w.is_finite() && w >= 1.0 => Some((c, w)),
                _ => None,
            };
            match service::frame(&state, &row, link.n.unwrap_or(0), window).await {
                Ok(png) => bytes_response("image/png", png),
                Err(err) => return error_response(&err),
            }
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
    response
}
