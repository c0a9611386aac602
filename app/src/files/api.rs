//! Server functions of files. Each reads the request, calls the service
//! (which runs the access check), answers. `patient_id` empty: one's own.
//! Uploads and downloads are plain HTTP routes (server/src/files_routes.rs).

use super::{FileDetail, FileList, StudyDetail};
use crate::error::AppError;
use leptos::prelude::*;

/// The photos, documents and studies (filtered by `query`).
#[server(endpoint = "files/list")]
pub async fn list_files(
    patient_id: Option<i64>,
    query: Option<String>,
) -> Result<FileList, AppError> {
    let (state, actor) = crate::request::signed_in_actor()?;
    super::service::list(&state, &actor, patient_id, query.as_deref().unwrap_or(""))
        .await
        .map_err(AppError::respond)
}

/// One file with fresh links.
#[server(endpoint = "files/get")]
pub async fn get_file(id: i64) -> Result<FileDetail, AppError> {
    let (state, actor) = crate::request::signed_in_actor()?;
    super::service::detail(&state, &actor, id)
        .await
        .map_err(AppError::respond)
}

/// Saves a file's title, category, date and tags.
#[server(endpoint = "files/save")]
pub async fn save_file(
    id: i64,
    title: String,
    category: String,
    date: String,
    tags: String,
) -> Result<(), AppError> {
    let (state, actor) = crate::request::signed_in_actor()?;
    let meta = super::FileMeta {
        title,
        category,
        date,
        tags,
    };
    super::service::save_meta(&state, &actor, id, meta)
        .await
        .map_err(AppError::respond)
}

/// Deletes a file and its blob.
#[server(endpoint = "files/delete")]
pub async fn delete_file(id: i64) -> Result<(), AppError> {
    let (state, actor) = crate::request::signed_in_actor()?;
    super::service::delete(&state, &actor, id)
        .await
        .map_err(AppError::respond)
}

/// A study for the viewer.
#[server(endpoint = "files/study")]
pub async fn get_study(
    patient_id: Option<i64>,
    study_uid: String,
) -> Result<StudyDetail, AppError> {
    let (state, actor) = crate::request::signed_in_actor()?;
    super::service::study(&state, &actor, patient_id, &study_uid)
        .await
        .map_err(AppError::respond)
}
