use axum::extract::MatchedPath;
use http::Request;
use tracing::Span;

/// One span per request: its id, method and route (never the query string,
/// which could carry personal data).
pub fn span<B>(request: &Request<B>) -> Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or_else(|| request.uri().path());
    tracing::info_span!(
        "request",
        request_id,
        method = %request.method(),
        route,
        account_id = tracing::field::Empty
    )
}
