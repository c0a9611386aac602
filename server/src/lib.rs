//! The `hale` process: configuration, the HTTP router and its middleware,
//! start-up and shutdown. `router` is shared by `main` and the tests.

pub mod assets;
pub mod config;
mod config_oidc;
pub mod demo;
pub mod demo_health;
mod demo_meds;
mod health;
mod import_upload;
mod middleware;
mod observations_api;
mod oidc_routes;
mod rest;
mod router;
pub mod telemetry;

pub use router::router;

use axum::serve::ListenerExt as _;
use config::Config;
use hale_app::blobs::BlobStore;
use hale_app::state::AppState;
use leptos::config::{Env, LeptosOptions};
use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot open the blob store: {0}")]
    Blobs(#[from] opendal::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("the command was not given what it needs")]
    Usage,
    #[error("the audit log's hash chain is broken")]
    AuditBroken,
}

/// Connects to the database (running pending migrations) and the blob store.
pub async fn build_state(config: &Config) -> Result<AppState, StartError> {
    let db = hale_app::db::connect(config.database_url.expose()).await?;
    let ran = hale_app::db::migrate(&db).await?;
    for name in ran {
        tracing::info!(migration = name, "migration applied");
    }
    // The VAPID key pair for Web Push is made at the first start and kept.
    hale_app::notify::push::vapid_pkcs8(&db).await?;
    let blobs = BlobStore::new(&config.blobs)?;
    tracing::info!(backend = config.blobs.kind(), "blob store opened");
    Ok(AppState {
        leptos_options: leptos_options(config),
        db,
        blobs,
        sessions: config.sessions.clone(),
        oidc: std::sync::Arc::new(hale_app::accounts::oidc::Oidc::new(
            config.oidc.clone(),
            &config.site.public_origin(),
        )),
        notify: std::sync::Arc::new(config.notify.clone()),
    })
}

fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(config.site.output_name.as_str())
        .site_root(config.site.root.to_string_lossy().as_ref())
        .site_pkg_dir(config.site.pkg_dir.as_str())
        .site_addr(config.site.addr)
        .reload_port(config.site.reload_port)
        .hash_files(config.site.hash_files)
        .env(if config.site.dev { Env::DEV } else { Env::PROD })
        .build()
}

/// Serves until SIGTERM or Ctrl-C, letting requests in flight finish.
pub async fn serve(config: Config, listener: tokio::net::TcpListener) -> Result<(), StartError> {
    let state = build_state(&config).await?;
    assets::precompress_in_background(config.site.root.clone());
    let state_for_worker = state.clone();
    let app = router(state, &config);
    tracing::info!(addr = %listener.local_addr().map_err(StartError::Serve)?, "serving");
    // Pages stream in several writes: without TCP_NODELAY, Nagle's algorithm
    // and the client's delayed ACK add ~40 ms to every page.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "cannot set TCP_NODELAY");
        }
    });
    let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(hale_app::jobs::worker::run(
        state_for_worker,
        hale_app::jobs::worker::worker_name(),
        worker_stop,
    ));
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    let _ = stop_worker.send(true);
    // A long job left unfinished is taken over by another worker after its lease.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), worker).await;
    served.map_err(StartError::Serve)?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}
