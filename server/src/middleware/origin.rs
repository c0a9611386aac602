use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{HOST, ORIGIN};
use http::{Method, StatusCode};

/// Refuses state-changing requests that a browser sent from another site
/// (CSRF). Together with `SameSite=Lax` cookies this protects every form,
/// server function and REST endpoint; GET never changes state.
pub async fn check(request: Request, next: Next) -> Response {
    if is_safe(request.method()) || same_origin(&request) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Cross-site request refused.",
        )
            .into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(origin) = headers.get(ORIGIN) {
        let host = headers.get(HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest.trim_end_matches('/'));
        return matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h));
    }
    // Without an Origin header, a browser still says where the request came from.
    !matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site")
    )
}
