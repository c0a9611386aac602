use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hale_app::accounts::sessions;
use hale_app::is_protected;
use hale_app::request::{client_meta_of, cookie_in};
use hale_app::state::AppState;
use http::{Method, StatusCode};

/// Finds the signed-in user of the request (if any) and puts it in the
/// request's extensions for server functions and pages. Sends anyone who is
/// not signed in from a protected page to the sign-in page, and anyone who is
/// from the sign-in pages home.
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/pkg/") || path.starts_with("/icons/") {
        return next.run(request).await;
    }
    let token = cookie_in(request.headers(), state.sessions.cookie_name());
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
        signed_in.client = client_meta_of(request.headers(), request.extensions());
        tracing::Span::current().record("account_id", signed_in.user.id);
        request.extensions_mut().insert(signed_in);
    }
    next.run(request).await
}
