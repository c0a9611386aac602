//! The state every request handler and server function reaches.

use crate::accounts::oidc::Oidc;
use crate::accounts::sessions::SessionSettings;
use crate::blobs::BlobStore;
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::prelude::*;
use sea_orm::DatabaseConnection;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The database: on SQLite the one writer connection (writes and the
    /// access check's audit appends go here).
    pub db: DatabaseConnection,
    /// Readers for the hot read paths (the dashboard, charts): on SQLite a
    /// pool of read-only connections, on PostgreSQL the same pool as `db`.
    pub reads: DatabaseConnection,
    pub blobs: BlobStore,
    /// The local folders Hale writes to (a SQLite file's, an `fs` blob
    /// root): `/readyz` asks for room on their disks.
    pub local_folders: std::sync::Arc<Vec<std::path::PathBuf>>,
    pub sessions: SessionSettings,
    /// The OpenID Connect providers people can sign in with.
    pub oidc: std::sync::Arc<Oidc>,
    /// How notifications leave the server (SMTP, SMS provider, Web Push).
    pub notify: std::sync::Arc<crate::notify::settings::NotifySettings>,
    /// Master keys and limits for images, photos and documents.
    pub files: std::sync::Arc<crate::files::settings::FilesSettings>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, inside a server function or a render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState is missing from the Leptos context");
        AppError::Internal
    })
}
