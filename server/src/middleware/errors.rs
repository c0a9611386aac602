//! One error shape for every door: an error answer that is not a page
//! (HTML) or already JSON — the body limit's plain-text 413, an extractor's
//! rejection, a timeout's 408 — becomes `{"error": "<a plain message>"}`
//! with the same status. Framework wording never reaches people, and
//! clients parse one shape.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::CONTENT_TYPE;

/// The plain message of an error status.
fn message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "The request cannot be read.",
        StatusCode::UNAUTHORIZED => "Sign in to continue.",
        StatusCode::FORBIDDEN => "This request is not allowed.",
        StatusCode::NOT_FOUND => "There is no such endpoint.",
        StatusCode::METHOD_NOT_ALLOWED => "That method is not allowed here.",
        StatusCode::REQUEST_TIMEOUT => "The request took too long; please send it again.",
        StatusCode::PAYLOAD_TOO_LARGE => "The request is larger than this server accepts.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "The request's content type is not accepted here.",
        StatusCode::UNPROCESSABLE_ENTITY => "The request's content is not valid.",
        StatusCode::TOO_MANY_REQUESTS => "Too many requests; please wait and try again.",
        StatusCode::SERVICE_UNAVAILABLE => "Hale is busy or unavailable; please try again shortly.",
        StatusCode::INSUFFICIENT_STORAGE => {
            "Hale's storage is full, so nothing was saved. Please try again later."
        }
        s if s.is_server_error() => "Something went wrong on our side. Please try again.",
        _ => "The request cannot be completed.",
    }
}

pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let kind = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if kind.starts_with("text/html") || kind.contains("json") {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_TYPE);
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let body = axum::Json(serde_json::json!({ "error": message(status) }));
    let mut rewritten = (status, body).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE {
            rewritten.headers_mut().append(name, value.clone());
        }
    }
    rewritten
}
