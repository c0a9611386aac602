use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hale_app::accounts::sessions;
use hale_app::accounts::sessions::ClientMeta;
use hale_app::is_protected;
use hale_app::state::AppState;
use http::header::COOKIE;
use http::header::USER_AGENT;
use http::{Method, StatusCode};
use std::net::SocketAddr;

/// Where a request came from, for the audit log.
pub fn client_meta(request: &Request) -> ClientMeta {
    client_meta_of(request.headers(), request.extensions())
}

/// Where a request came from, from its headers and extensions.
pub fn client_meta_of(headers: &http::HeaderMap, extensions: &http::Extensions) -> ClientMeta {
    ClientMeta {
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_string()),
    }
}

/// Finds the signed-in user of the request (if any) and puts it in the
/// request's extensions for server functions and pages. Sends anyone who is
/// not signed in from a protected page to the sign-in page, and anyone who is
/// from the sign-in pages home.
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/pkg/") || path.starts_with("/icons/") {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| state.sessions.token_from_cookie_header(header))
        .map(str::to_owned);
    let signed_in = match token {
        Some(token) => match sessions::resolve(&state.db, &state.sessions, &token).await {
            Ok(found) => found,
            Err(err) => {
                tracing::error!(error = %err, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Hale cannot reach its database.",
                )
                    .into_response();
            }
        },
        None => None,
    };
    let is_page_view = request.method() == Method::GET;
    let path = request.uri().path();
    match &signed_in {
        None if is_page_view && is_protected(path) => {
            return Redirect::to("/sign-in").into_response();
        }
        Some(_) if is_page_view && (path == "/sign-in" || path == "/sign-up") => {
            return Redirect::to("/").into_response();
        }
        _ => {}
    }
    if let Some(mut signed_in) = signed_in {
        signed_in.client = client_meta(&request);
        tracing::Span::current().record("account_id", signed_in.user.id);
        request.extensions_mut().insert(signed_in);
    }
    next.run(request).await
}
