//! Background work on files: thumbnails (queued by an upload), the hourly
//! sweep of abandoned uploads and orphaned blobs, and master-key rotation.

use super::sealed;
use super::store;
use super::{dicom, photos};
use crate::access::gate::{self, Write, kinds::Documents};
use crate::db::{now_ms, statement};
use crate::jobs::queue::{NewJob, enqueue};
use crate::state::AppState;
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::HashSet;

pub const THUMB_JOB: &str = "file_thumbnail";
pub const SWEEP_JOB: &str = "files_sweep";

/// An upload untouched this long is abandoned.
pub const ABANDONED_MS: i64 = 24 * 3600 * 1000;
/// A blob no row names is an orphan once it is this old (younger ones may be
/// an upload or a study being stored right now).
pub const ORPHAN_AFTER_MS: i64 = 3600 * 1000;

/// Queues a file's thumbnail, inside the transaction that stores the file.
pub async fn queue_thumbnail(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    let mut job = NewJob::new(THUMB_JOB, id.to_string());
    job.dedup_key = Some(format!("thumb:{id}"));
    enqueue(db, job).await?;
    Ok(())
}

/// Makes a file's thumbnail (a photo, or a DICOM instance's first frame).
pub async fn thumbnail(state: &AppState, payload: &str) -> Result<(), String> {
    let id: i64 = payload.parse().map_err(|_| "bad payload".to_owned())?;
    let Some(row) = store::for_job(&state.db, id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(()); // deleted since
    };
    let _proof =
        gate::for_job::<Documents, Write>(&state.db, row.patient_id, &format!("file:{id}"))
            .await
            .map_err(|e| e.to_string())?;
    let key = state
        .files
        .keys
        .unwrap(&row.wrapped_key, &row.blob_key)
        .map_err(|e| e.to_string())?;
    let thumb = match row.kind.as_str() {
        "photo" => {
            let bytes = sealed::read_all(&state.blobs, &key, &row.blob_key, row.size)
                .await
                .map_err(|e| e.to_string())?;
            let media_type = row.media_type.clone();
            tokio::task::spawn_blocking(move || photos::thumbnail(&bytes, &media_type))
                .await
                .map_err(|e| e.to_string())?
        }
        "dicom" => match row.dicom.clone() {
            Some(info) if info.unsupported.is_none() => {
                let bytes = sealed::read_all(&state.blobs, &key, &row.blob_key, row.size)
                    .await
                    .map_err(|e| e.to_string())?;
                tokio::task::spawn_blocking(move || {
                    let obj = dicom::read(&bytes[..])?;
                    let rendered = dicom::render(&obj, &info, 0, None)?;
                    photos::thumbnail_of_png(&rendered.png)
                })
                .await
                .map_err(|e| e.to_string())?
            }
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    // A frame or photo that cannot be drawn has no thumbnail; that is not a failure.
    let Ok(thumb) = thumb else { return Ok(()) };
    let thumb_key = super::intake::new_blob_key(row.patient_id);
    let (data_key, wrapped) = state.files.keys.new_data_key(&thumb_key);
    sealed::write_all(&state.blobs, &data_key, &thumb_key, &thumb)
        .await
        .map_err(|e| e.to_string())?;
    store::set_thumb(&state.db, id, &thumb_key, &wrapped)
        .await
        .map_err(|e| e.to_string())?;
    if store::for_job(&state.db, id)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        // Deleted while the thumbnail was being made.
        let _ = sealed::delete(&state.blobs, &thumb_key).await;
    }
    Ok(())
}

/// What a sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub uploads: usize,
    pub orphans: usize,
}

async fn referenced(db: &impl ConnectionTrait) -> Result<HashSet<String>, DbErr> {
    let backend = db.get_database_backend();
    let mut keys = HashSet::new();
    for sql in [
        "SELECT blob_key AS k FROM files",
        "SELECT thumb_key AS k FROM files WHERE thumb_key IS NOT NULL",
        "SELECT blob_key AS k FROM uploads",
    ] {
        for row in db.query_all_raw(statement(backend, sql, [])).await? {
            keys.insert(row.try_get::<String>("", "k")?);
        }
    }
    Ok(keys)
}

/// Removes uploads abandoned for a day and blobs that no row names.
pub async fn sweep_now(state: &AppState, now: i64) -> Result<Swept, String> {
    let mut swept = Swept::default();
    for upload in super::uploads::stale(&state.db, now - ABANDONED_MS)
        .await
        .map_err(|e| e.to_string())?
    {
        super::uploads::discard(state, &upload).await;
        swept.uploads += 1;
    }
    let objects = state.blobs.list("p/").await.map_err(|e| e.to_string())?;
    // Read the names after listing: a blob written after the list is not in it.
    let keep = referenced(&state.db).await.map_err(|e| e.to_string())?;
    let mut orphans: Vec<String> = Vec::new();
    for (path, modified) in objects {
        let Some((blob_key, _part)) = path.rsplit_once('/') else {
            continue;
        };
        if keep.contains(blob_key) || orphans.iter().any(|k| k == blob_key) {
            continue;
        }
        let modified = match modified {
            Some(ms) => ms,
            None => match state.blobs.modified_ms(&path).await {
                Ok(Some(ms)) => ms,
                _ => continue,
            },
        };
        if modified < now - ORPHAN_AFTER_MS {
            orphans.push(blob_key.to_owned());
        }
    }
    for key in orphans {
        if sealed::delete(&state.blobs, &key).await.is_ok() {
            swept.orphans += 1;
        }
    }
    swept.orphans += sweep_imports(state, now).await?;
    if swept != Swept::default() {
        tracing::info!(
            uploads = swept.uploads,
            orphans = swept.orphans,
            "files sweep"
        );
    }
    Ok(swept)
}

/// Import uploads (`imports/…`, plain blobs) that no queued or running
/// import names — left by a process killed during the upload, or by an
/// import whose blob could not be removed — once a day old.
async fn sweep_imports(state: &AppState, now: i64) -> Result<usize, String> {
    let objects = state
        .blobs
        .list("imports/")
        .await
        .map_err(|e| e.to_string())?;
    let db = &state.db;
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT blob_key AS k FROM imports WHERE state IN ('queued', 'running')",
            [],
        ))
        .await
        .map_err(|e| e.to_string())?;
    let mut live = HashSet::new();
    for row in rows {
        live.insert(row.try_get::<String>("", "k").map_err(|e| e.to_string())?);
    }
    let mut removed = 0;
    for (path, modified) in objects {
        if live.contains(&path) {
            continue;
        }
        let modified = match modified {
            Some(ms) => Some(ms),
            None => state.blobs.modified_ms(&path).await.ok().flatten(),
        };
        if modified.is_some_and(|ms| ms < now - ABANDONED_MS)
            && state.blobs.delete(&path).await.is_ok()
        {
            removed += 1;
        }
    }
    Ok(removed)
}

pub async fn sweep(state: &AppState) -> Result<(), String> {
    sweep_now(state, now_ms()).await.map(|_| ())
}

/// Re-wraps every data key with the current master key (the blobs are not
/// touched). Answers how many keys were re-wrapped.
pub async fn rotate(state: &AppState) -> Result<usize, String> {
    let db = &state.db;
    let backend = db.get_database_backend();
    let keys = &state.files.keys;
    let mut count = 0;
    for (table, key_col, wrapped_col) in [
        ("files", "blob_key", "wrapped_key"),
        ("files", "thumb_key", "thumb_wrapped_key"),
        ("uploads", "blob_key", "wrapped_key"),
    ] {
        let rows = db
            .query_all_raw(statement(
                backend,
                &format!("SELECT id, {key_col} AS k, {wrapped_col} AS w FROM {table} WHERE {wrapped_col} IS NOT NULL"),
                [],
            ))
            .await
            .map_err(|e| e.to_string())?;
        for row in rows {
            let id: i64 = row.try_get("", "id").map_err(|e| e.to_string())?;
            let key: String = row.try_get("", "k").map_err(|e| e.to_string())?;
            let wrapped: String = row.try_get("", "w").map_err(|e| e.to_string())?;
            if let Some(new) = keys
                .rewrap(&wrapped, &key)
                .map_err(|e| format!("{table} {id}: {e}"))?
            {
                db.execute_raw(statement(
                    backend,
                    &format!(
                        "UPDATE {table} SET {wrapped_col} = ? WHERE id = ? AND {wrapped_col} = ?"
                    ),
                    [new.into(), id.into(), wrapped.into()],
                ))
                .await
                .map_err(|e| e.to_string())?;
                count += 1;
            }
        }
    }
    Ok(count)
}
