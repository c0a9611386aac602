//! Every HTTP door of `hale`, one file each, and the one router that joins
//! them with the middleware every request passes through:
//!
//! - `probes`: `/healthz`, `/readyz`
//! - `assets`: `/sw.js` and the pre-compressed site
//! - the Leptos pages and server functions (`/api/{endpoint}`)
//! - `api`: `/api/v1/…` for apps and devices (personal access tokens)
//! - `oidc`: `/auth/oidc/{provider}/start|callback`
//! - `imports`: `/dashboard/import/upload` (own body limit, no timeout)
//! - `files`: `/files/uploads…` and signed file links (streamed, no timeout)
//!
//! Doors name their asker with an extractor (`extract`) and answer errors
//! as `AppError`, which is its own JSON response.

mod api;
pub mod assets;
mod extract;
mod files;
mod imports;
mod oidc;
mod probes;

use crate::config::Config;
use crate::middleware;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::HandlerWithoutStateExt as _;
use axum::routing::{any, get};
use hale_app::state::AppState;
use hale_app::{App, shell};
use http::HeaderName;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use std::time::Duration;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the whole application router over `state`.
pub fn router(state: AppState, config: &Config) -> Router {
    middleware::abandon::install();
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);

    // Anything that is not a page or a file renders the app's 404 page.
    let not_found = leptos_axum::render_app_to_stream_with_context(
        {
            let state = state.clone();
            move || leptos::prelude::provide_context(state.clone())
        },
        {
            let options = options.clone();
            move || shell(options.clone())
        },
    );
    let site = ServeDir::new(&config.site.root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(not_found.into_service());

    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, || {}, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .layer(axum::middleware::from_fn(middleware::abandon::track))
        .merge(api::routes())
        .route(
            "/auth/oidc/{provider}/start",
            axum::routing::post(oidc::start),
        )
        .route("/auth/oidc/{provider}/callback", get(oidc::callback))
        .route("/api/{*endpoint}", any(api_not_found))
        .fallback_service(site)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::session::resolve,
        ));

    // Imports are large and slow: their own body limit, no request timeout.
    let origin = middleware::origin::Expected::new(config.site.public_url.as_deref());
    let uploads = streamed(
        imports::routes(config.import_limit_bytes),
        &state,
        &origin,
        usize::try_from(config.import_limit_bytes).unwrap_or(usize::MAX),
    );
    // Files: parts of uploads and streamed downloads; no request timeout, a
    // body limit of one part.
    let files = streamed(
        files::routes(),
        &state,
        &origin,
        hale_app::files::sealed::PART_BYTES as usize + (1 << 20),
    );

    let security = middleware::security::Headers::new(config.site.served_over_tls());
    Router::new()
        .route("/healthz", get(probes::alive))
        .route("/readyz", get(probes::ready))
        .with_state(state.clone())
        .route(
            "/sw.js",
            get(assets::service_worker).with_state(assets::ServiceWorker::load(
                &config.site.root,
                &config.site.pkg_dir,
            )),
        )
        .merge(pages.with_state(state))
        // Layers run outermost last-added: the request id is set first.
        .layer(axum::middleware::from_fn_with_state(
            origin.clone(),
            middleware::origin::check,
        ))
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes))
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .merge(uploads)
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        // Files are not compressed on the way out: photos and most scans
        // already are, and a large study would cost CPU for little.
        .merge(files)
        .layer(axum::middleware::from_fn(middleware::errors::json_errors))
        .layer(axum::middleware::from_fn(middleware::cache::apply))
        .layer(axum::middleware::from_fn_with_state(
            security,
            middleware::security::apply,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::trace::span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// A door for large bodies, outside the request timeout and the general
/// body limit: the session, the same-origin check and its own limit.
fn streamed(
    routes: Router<AppState>,
    state: &AppState,
    origin: &middleware::origin::Expected,
    body_limit: usize,
) -> Router {
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::session::resolve,
        ))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            origin.clone(),
            middleware::origin::check,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
}

/// An API path that names no endpoint.
async fn api_not_found() -> (http::StatusCode, axum::Json<serde_json::Value>) {
    (
        http::StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({ "error": "There is no such endpoint." })),
    )
}
