//! The `hale` process: configuration, the HTTP doors and their middleware,
//! start-up and shutdown. `router` is shared by `main`, the tests and the
//! benches.
//!
//! - `config/`: the layered configuration (one table of keys)
//! - `routes/`: every HTTP door (probes, assets, OpenID Connect, imports,
//!   files, `/api/v1`) and the one router
//! - `middleware/`: what every request passes through
//! - `demo/`: `hale demo` and the synthetic DICOM studies

pub mod config;
pub mod demo;
mod middleware;
pub mod routes;
pub mod telemetry;

pub use routes::router;

use config::Config;
use hale_app::blobs::BlobStore;
use hale_app::files::settings::FilesSettings;
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
    #[error("master key: {0}")]
    MasterKey(String),
}

/// The master keys and limits of files. With no key configured, the key is
/// read from (or made at first start in) `files.key_path`, never the
/// database. `stored` is one sealed file's (wrapped data key, blob key),
/// when there is one: then a missing key file is not made anew (it would
/// leave every stored file unreadable) and the key must open that file.
pub fn files_settings(
    config: &Config,
    stored: Option<(String, String)>,
) -> Result<FilesSettings, StartError> {
    use hale_app::files::crypt::MasterKeys;
    let files = &config.files;
    let text = match &files.master_key {
        Some(secret) => secret.expose().to_owned(),
        None => match std::fs::read_to_string(&files.key_path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && stored.is_some() => {
                return Err(StartError::MasterKey(format!(
                    "the key file {} is missing, but sealed files are stored: restore the key \
                     file (or give the key as HALE_MASTER_KEY or HALE_MASTER_KEY_FILE); \
                     a new key would open none of them",
                    files.key_path.display()
                )));
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let text = MasterKeys::generate_text();
                match write_key_file(&files.key_path, &text) {
                    Ok(()) => {
                        tracing::warn!(
                            path = %files.key_path.display(),
                            "made a master key for files; keep a copy apart from the data, or set HALE_MASTER_KEY_FILE"
                        );
                        text
                    }
                    // Another instance started at the same moment made it first.
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                        read_written_key(&files.key_path)?
                    }
                    Err(err) => {
                        return Err(StartError::MasterKey(format!(
                            "cannot create {}: {err}",
                            files.key_path.display()
                        )));
                    }
                }
            }
            Err(err) => {
                return Err(StartError::MasterKey(format!(
                    "cannot read {}: {err}",
                    files.key_path.display()
                )));
            }
        },
    };
    let current = MasterKeys::parse(&text)
        .ok_or_else(|| StartError::MasterKey("it is not base64 of 32 bytes".into()))?;
    let mut previous = Vec::new();
    if let Some(list) = &files.previous_master_keys {
        for item in list.expose().split(',').filter(|s| !s.trim().is_empty()) {
            previous.push(MasterKeys::parse(item).ok_or_else(|| {
                StartError::MasterKey("a previous key is not base64 of 32 bytes".into())
            })?);
        }
    }
    let mut settings = FilesSettings::with_key(current);
    settings.keys = MasterKeys::new(current, previous);
    settings.max_upload_bytes = files.max_upload_bytes;
    settings.quota_bytes = files.quota_bytes;
    settings.link_seconds = files.link_seconds;
    if let Some((wrapped, blob_key)) = stored
        && settings.keys.unwrap(&wrapped, &blob_key).is_err()
    {
        return Err(StartError::MasterKey(
            "the master key does not open the files already stored; give the key they were \
             sealed with (HALE_MASTER_KEY, HALE_MASTER_KEY_FILE or the key file), or the old \
             one as HALE_MASTER_KEY_PREVIOUS while rotating"
                .into(),
        ));
    }
    Ok(settings)
}

/// The key another instance is writing right now: read once it is whole.
fn read_written_key(path: &std::path::Path) -> Result<String, StartError> {
    for _ in 0..50 {
        if let Ok(text) = std::fs::read_to_string(path)
            && hale_app::files::crypt::MasterKeys::parse(&text).is_some()
        {
            return Ok(text);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(StartError::MasterKey(format!(
        "{} is being written by another instance and did not become whole",
        path.display()
    )))
}

fn write_key_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}

/// One stored file's wrapped data key and blob key, if any file is stored.
async fn one_sealed_file(
    db: &sea_orm::DatabaseConnection,
) -> Result<Option<(String, String)>, StartError> {
    use sea_orm::ConnectionTrait as _;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT wrapped_key, blob_key FROM files ORDER BY id LIMIT 1",
        ))
        .await?;
    Ok(match row {
        Some(row) => Some((
            row.try_get("", "wrapped_key")?,
            row.try_get("", "blob_key")?,
        )),
        None => None,
    })
}

/// Connects to the database (running pending migrations) and the blob store.
pub async fn build_state(config: &Config) -> Result<AppState, StartError> {
    let db = hale_app::db::connect(config.database_url.expose()).await?;
    let ran = hale_app::db::migrate(&db).await?;
    for name in ran {
        tracing::info!(migration = name, "migration applied");
    }
    let reads =
        hale_app::db::connect_readers(config.database_url.expose(), &db, config.read_connections)
            .await?;
    // The VAPID key pair for Web Push is made at the first start and kept.
    hale_app::notify::push::vapid_pkcs8(&db).await?;
    let files = files_settings(config, one_sealed_file(&db).await?)?;
    let blobs = BlobStore::new(&config.blobs)?;
    tracing::info!(backend = config.blobs.kind(), "blob store opened");
    let local_folders = hale_app::db::local_folder(config.database_url.expose())
        .into_iter()
        .chain(config.blobs.local_root())
        .collect();
    Ok(AppState {
        leptos_options: leptos_options(config),
        db,
        reads,
        blobs,
        local_folders: std::sync::Arc::new(local_folders),
        sessions: config.sessions.clone(),
        oidc: std::sync::Arc::new(hale_app::accounts::oidc::Oidc::new(
            config.oidc.clone(),
            &config.site.public_origin(),
        )),
        notify: std::sync::Arc::new(config.notify.clone()),
        files: std::sync::Arc::new(files),
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
    routes::assets::precompress_in_background(config.site.root.clone());
    let state_for_worker = state.clone();
    let app = router(state, &config);
    tracing::info!(addr = %listener.local_addr().map_err(StartError::Serve)?, "serving");
    let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(hale_app::jobs::worker::run(
        state_for_worker,
        hale_app::jobs::worker::worker_name(),
        worker_stop,
    ));
    let served = connections(listener, app, config.header_read_timeout).await;
    let _ = stop_worker.send(true);
    // A long job left unfinished is taken over by another worker after its lease.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), worker).await;
    served.map_err(StartError::Serve)?;
    tracing::info!("stopped");
    Ok(())
}

/// Accepts connections until the shutdown signal, then waits for the
/// requests in flight. Each connection: TCP_NODELAY (pages stream in several
/// writes; without it Nagle's algorithm and the client's delayed ACK add
/// ~40 ms to every page), the client's address for the request, HTTP/1.1,
/// and a bound on reading a request's headers (also while idle
/// between requests: a silent or trickling connection is closed).
async fn connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    header_read_timeout: std::time::Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    // HTTP/1.1: telling HTTP/2 apart would read the first bytes with no
    // bound on how long they take. (Hale serves plain HTTP; HTTP/2 comes with
    // TLS, at a proxy in front.)
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Too many open files and the like pass; keep accepting.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "cannot set TCP_NODELAY");
        }
        let service = app
            .clone()
            .layer(axum::Extension(axum::extract::ConnectInfo(remote)));
        let service =
            hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let service = service.clone();
                async move {
                    use tower::ServiceExt as _;
                    service.oneshot(request.map(axum::body::Body::new)).await
                }
            });
        let connection = builder.serve_connection(TokioIo::new(tcp), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
    graceful.shutdown().await;
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
