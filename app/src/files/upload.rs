//! Uploads in parts. `begin` checks access, size and quota and makes the
//! blob's key and data key; each part is sealed as it streams in (never held
//! whole) and the first part decides the file's type by its bytes; `finish`
//! turns the parts into a file (or, for a ZIP, one file per DICOM instance).
//! A stopped upload resumes from `next_part`. Anything refused or abandoned
//! leaves neither rows nor blobs behind (the sweep job collects what a crash
//! left).

use super::sealed::{self, PART_BYTES, PartWriter, SealedReader, part_count};
use super::sniff::{self, Sniffed};
use super::store::{self, NewFile};
use super::{UploadResult, UploadStart, UploadState, dicom, photos, study_zip};
use crate::access::gate::{self, Actor, Proof, Write, kinds::Documents};
use crate::db::{now_ms, statement};
use crate::error::AppError;
use crate::state::AppState;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, TransactionTrait};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// An upload as stored.
#[derive(Debug, Clone)]
pub struct UploadRow {
    pub token: String,
    pub patient_id: i64,
    pub account_id: i64,
    pub name: String,
    pub size: u64,
    pub parts: u64,
    pub kind: Option<Sniffed>,
    pub blob_key: String,
    pub wrapped_key: String,
}

impl UploadRow {
    /// This upload's data key.
    pub fn key(&self, state: &AppState) -> Result<crate::files::crypt::DataKey, AppError> {
        state
            .files
            .keys
            .unwrap(&self.wrapped_key, &self.blob_key)
            .map_err(|_| AppError::Internal)
    }

    /// A blocking `Read + Seek` view of what was sent (inside `spawn_blocking`).
    pub fn reader(&self, state: &AppState) -> Result<SealedReader, AppError> {
        Ok(SealedReader::new(
            state.blobs.clone(),
            self.key(state)?,
            self.blob_key.clone(),
            self.size,
        ))
    }

    fn state(&self) -> UploadState {
        UploadState {
            token: self.token.clone(),
            part_bytes: PART_BYTES,
            next_part: self.parts,
            parts: part_count(self.size),
        }
    }
}

fn upload_row(row: &QueryResult) -> Result<UploadRow, DbErr> {
    Ok(UploadRow {
        token: row.try_get("", "token")?,
        patient_id: row.try_get("", "patient_id")?,
        account_id: row.try_get("", "account_id")?,
        name: row.try_get("", "name")?,
        size: row.try_get::<i64>("", "size")?.max(0) as u64,
        parts: row.try_get::<i64>("", "parts")?.max(0) as u64,
        kind: row
            .try_get::<Option<String>>("", "kind")?
            .and_then(|k| Sniffed::parse(&k)),
        blob_key: row.try_get("", "blob_key")?,
        wrapped_key: row.try_get("", "wrapped_key")?,
    })
}

/// The running SHA-256 of each upload this process is receiving, with the
/// next part it expects. A resumed upload that another process started has
/// none here; `finish` then reads the stored parts once to hash them.
fn hashers() -> &'static Mutex<HashMap<String, (u64, Sha256)>> {
    static HASHERS: OnceLock<Mutex<HashMap<String, (u64, Sha256)>>> = OnceLock::new();
    HASHERS.get_or_init(Default::default)
}

fn refused(reason: impl Into<String>) -> AppError {
    AppError::FileRefused {
        reason: reason.into(),
    }
}

fn mb(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

/// A random storage key under the patient's prefix.
pub fn new_blob_key(patient_id: i64) -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("p/{patient_id}/{hex}")
}

/// The name as a default title: no folders, no extension, at most 120 characters.
fn title_from(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => base,
    };
    let title: String = stem
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if title.is_empty() {
        "Untitled".into()
    } else {
        title
    }
}

async fn find(db: &impl ConnectionTrait, token: &str) -> Result<Option<UploadRow>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT token, patient_id, account_id, name, size, parts, kind, blob_key, wrapped_key \
             FROM uploads WHERE token = ?",
            [token.into()],
        ))
        .await?;
    row.as_ref().map(upload_row).transpose()
}

/// The upload `token` of this account (another account's token is "not found").
async fn own(state: &AppState, actor: &Actor, token: &str) -> Result<UploadRow, AppError> {
    match find(&state.db, token).await? {
        Some(row) if row.account_id == actor.account_id => Ok(row),
        _ => Err(AppError::NotFound),
    }
}

/// Removes an upload's row and its parts — unless a file already holds those
/// parts (the same upload finished twice at once: the first one kept them).
async fn discard(state: &AppState, upload: &UploadRow) {
    hashers().lock().expect("hashers").remove(&upload.token);
    let kept = state
        .db
        .query_one_raw(statement(
            state.db.get_database_backend(),
            "SELECT id FROM files WHERE blob_key = ?",
            [upload.blob_key.clone().into()],
        ))
        .await
        .map(|row| row.is_some())
        .unwrap_or(true);
    if !kept && let Err(err) = sealed::delete(&state.blobs, &upload.blob_key).await {
        tracing::warn!(error = %err, "cannot delete an upload's parts; the sweep will");
    }
    let _ = state
        .db
        .execute_raw(statement(
            state.db.get_database_backend(),
            "DELETE FROM uploads WHERE token = ?",
            [upload.token.clone().into()],
        ))
        .await;
}

/// Starts an upload of `start.size` bytes for the actor or the patient named.
pub async fn begin(
    state: &AppState,
    actor: &Actor,
    start: UploadStart,
) -> Result<UploadState, AppError> {
    let patient_id = crate::health::service::patient_of(actor, start.patient_id)?;
    let proof =
        gate::check::<Documents, Write>(&state.db, actor, patient_id, Some("upload")).await?;
    let limits = &state.files;
    if start.size == 0 {
        return Err(refused("it is empty"));
    }
    if start.size > limits.max_upload_bytes {
        return Err(AppError::FileTooLarge {
            max_mb: mb(limits.max_upload_bytes),
        });
    }
    let used = store::used_bytes(&state.db, proof.patient_id()).await?;
    if used + start.size > limits.quota_bytes {
        return Err(AppError::QuotaExceeded {
            free_mb: mb(limits.quota_bytes.saturating_sub(used)),
        });
    }
    let blob_key = new_blob_key(proof.patient_id());
    let (_, wrapped) = limits.keys.new_data_key(&blob_key);
    let row = UploadRow {
        token: crate::accounts::secrets::new_token(),
        patient_id: proof.patient_id(),
        account_id: actor.account_id,
        name: start
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect(),
        size: start.size,
        parts: 0,
        kind: None,
        blob_key,
        wrapped_key: wrapped,
    };
    let now = now_ms();
    state
        .db
        .execute_raw(statement(
            state.db.get_database_backend(),
            "INSERT INTO uploads (token, patient_id, account_id, name, size, parts, kind, blob_key, \
             wrapped_key, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, ?)",
            [
                row.token.clone().into(),
                row.patient_id.into(),
                row.account_id.into(),
                row.name.clone().into(),
                (row.size as i64).into(),
                row.blob_key.clone().into(),
                row.wrapped_key.clone().into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?;
    hashers()
        .lock()
        .expect("hashers")
        .insert(row.token.clone(), (0, Sha256::new()));
    Ok(row.state())
}

/// Where an upload stands (to resume it).
pub async fn status(state: &AppState, actor: &Actor, token: &str) -> Result<UploadState, AppError> {
    Ok(own(state, actor, token).await?.state())
}

/// The largest file of a kind.
fn limit_for(state: &AppState, kind: Sniffed) -> u64 {
    let limits = &state.files;
    match kind {
        Sniffed::Jpeg | Sniffed::Png | Sniffed::Webp | Sniffed::Heic => limits.max_photo_bytes,
        Sniffed::Dicom => limits.max_instance_bytes,
        Sniffed::Pdf | Sniffed::Zip => limits.max_upload_bytes,
    }
}

/// Decides the type from the first bytes; refuses what Hale does not keep.
fn decide(state: &AppState, head: &[u8], size: u64) -> Result<Sniffed, AppError> {
    match sniff::sniff(head) {
        None => Err(refused(
            "its content is not a JPEG, PNG or WebP photo, a PDF, a DICOM file or a ZIP of a DICOM study",
        )),
        Some(Sniffed::Heic) => Err(refused(
            "HEIC photos are not accepted yet; choose “Most compatible” (JPEG) in the camera settings or share the photo as JPEG",
        )),
        Some(kind) if size > limit_for(state, kind) => Err(AppError::FileTooLarge {
            max_mb: mb(limit_for(state, kind)),
        }),
        Some(kind) => Ok(kind),
    }
}

/// Receives part `index`, streaming: `chunks` yields the body's pieces.
pub async fn put_part<S, E>(
    state: &AppState,
    actor: &Actor,
    token: &str,
    index: u64,
    mut chunks: S,
) -> Result<UploadState, AppError>
where
    S: futures::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
{
    use futures::StreamExt as _;
    let upload = own(state, actor, token).await?;
    if index < upload.parts {
        // Already stored (a retry after a lost answer): nothing to do.
        return Ok(upload.state());
    }
    if index > upload.parts || index >= part_count(upload.size) {
        return Err(AppError::UploadIncomplete { next: upload.parts });
    }
    let key = upload.key(state)?;
    let mut writer = PartWriter::open(&state.blobs, key, &upload.blob_key, upload.size, index)
        .await
        .map_err(storage)?;
    let mut hasher = {
        let mut map = hashers().lock().expect("hashers");
        match map.remove(token) {
            Some((next, hasher)) if next == index => Some(hasher),
            _ => None,
        }
    };
    let mut head: Vec<u8> = Vec::new();
    let mut kind = upload.kind;
    let result: Result<(), AppError> = async {
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|_| AppError::BadPayload {
                reason: "the upload was cut off".into(),
            })?;
            if kind.is_none() {
                head.extend_from_slice(&chunk[..chunk.len().min(sniff::NEEDED - head.len())]);
                if head.len() >= sniff::NEEDED {
                    kind = Some(decide(state, &head, upload.size)?);
                }
            }
            if let Some(hasher) = hasher.as_mut() {
                hasher.update(&chunk);
            }
            writer.write(&chunk).await.map_err(|err| match err {
                sealed::SealedError::TooLong => AppError::BadPayload {
                    reason: "a part is longer than the upload's size allows".into(),
                },
                other => storage(other),
            })?;
        }
        if kind.is_none() {
            kind = Some(decide(state, &head, upload.size)?);
        }
        Ok(())
    }
    .await;
    if let Err(err) = result {
        writer.abort().await;
        if matches!(
            err,
            AppError::FileRefused { .. } | AppError::FileTooLarge { .. }
        ) {
            discard(state, &upload).await;
        }
        return Err(err);
    }
    if let Err(err) = writer.close().await {
        return Err(match err {
            sealed::SealedError::TooShort => AppError::BadPayload {
                reason: "a part is shorter than the upload's size says".into(),
            },
            other => storage(other),
        });
    }
    let advanced = state
        .db
        .execute_raw(statement(
            state.db.get_database_backend(),
            "UPDATE uploads SET parts = parts + 1, kind = ?, updated_ms = ? WHERE token = ? AND parts = ?",
            [
                kind.map(Sniffed::name).into(),
                now_ms().into(),
                token.into(),
                (index as i64).into(),
            ],
        ))
        .await?
        .rows_affected()
        == 1;
    if advanced && let Some(hasher) = hasher {
        hashers()
            .lock()
            .expect("hashers")
            .insert(token.to_owned(), (index + 1, hasher));
    }
    Ok(own(state, actor, token).await?.state())
}

fn storage(err: sealed::SealedError) -> AppError {
    tracing::error!(error = %err, "blob store error");
    AppError::Internal
}

/// Stops an upload and removes what it stored.
pub async fn abort(state: &AppState, actor: &Actor, token: &str) -> Result<(), AppError> {
    let upload = own(state, actor, token).await?;
    discard(state, &upload).await;
    Ok(())
}

/// The SHA-256 of the whole upload: the running one, or read back once.
async fn digest_of(state: &AppState, upload: &UploadRow) -> Result<String, AppError> {
    let running = {
        let mut map = hashers().lock().expect("hashers");
        match map.remove(&upload.token) {
            Some((next, hasher)) if next == upload.parts => Some(hasher),
            _ => None,
        }
    };
    let hasher = match running {
        Some(hasher) => hasher,
        None => {
            let mut hasher = Sha256::new();
            let key = upload.key(state)?;
            for index in 0..part_count(upload.size) {
                let part =
                    sealed::read_part(&state.blobs, &key, &upload.blob_key, upload.size, index)
                        .await
                        .map_err(storage)?;
                hasher.update(&part);
            }
            hasher
        }
    };
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Turns a complete upload into files.
pub async fn finish(
    state: &AppState,
    actor: &Actor,
    token: &str,
) -> Result<UploadResult, AppError> {
    let upload = own(state, actor, token).await?;
    if upload.parts < part_count(upload.size) {
        return Err(AppError::UploadIncomplete { next: upload.parts });
    }
    let kind = upload.kind.ok_or_else(|| refused("its type is unknown"))?;
    let proof =
        gate::check::<Documents, Write>(&state.db, actor, upload.patient_id, Some("upload"))
            .await?;
    let sha256 = digest_of(state, &upload).await?;
    let outcome = match kind {
        Sniffed::Zip => study_zip::expand(state, &proof, &upload).await,
        _ => single(state, &proof, &upload, kind, sha256).await,
    };
    match outcome {
        Ok(result) => {
            for id in &result.file_ids {
                super::jobs::queue_thumbnail(&state.db, *id).await?;
            }
            Ok(result)
        }
        Err(err) => {
            discard(state, &upload).await;
            Err(err)
        }
    }
}

/// Reads the whole upload (a photo: bounded by the photo limit).
async fn bytes_of(state: &AppState, upload: &UploadRow) -> Result<Vec<u8>, AppError> {
    let key = upload.key(state)?;
    sealed::read_all(&state.blobs, &key, &upload.blob_key, upload.size)
        .await
        .map_err(storage)
}

/// A photo, PDF or DICOM file.
async fn single(
    state: &AppState,
    proof: &Proof<Documents, Write>,
    upload: &UploadRow,
    kind: Sniffed,
    sha256: String,
) -> Result<UploadResult, AppError> {
    if let Some(id) = store::by_sha(&state.db, proof, &sha256).await? {
        discard(state, upload).await;
        return Ok(UploadResult {
            file_ids: vec![],
            duplicates: vec![id],
            skipped: vec![],
            open: Some(format!("/documents/{id}")),
        });
    }
    let title = title_from(&upload.name);
    let mut file = NewFile {
        kind: kind.kind(),
        media_type: String::new(),
        title,
        category: String::new(),
        tags: Vec::new(),
        doc_date: None,
        size: upload.size,
        sha256,
        blob_key: upload.blob_key.clone(),
        wrapped_key: upload.wrapped_key.clone(),
        width: None,
        height: None,
        dicom: None,
    };
    // Set when the stored blob is a new one (a cleaned photo) rather than the upload's parts.
    let mut new_blob: Option<String> = None;
    match kind {
        Sniffed::Pdf => {
            file.media_type = "application/pdf".into();
            file.category = "other".into();
        }
        Sniffed::Dicom => {
            let reader = upload.reader(state)?;
            let instance = tokio::task::spawn_blocking(move || {
                dicom::read(std::io::BufReader::new(reader)).and_then(|obj| dicom::inspect(&obj))
            })
            .await
            .map_err(|_| AppError::Internal)?
            .map_err(refused)?;
            file.media_type = "application/dicom".into();
            file.category = "imaging".into();
            if !instance.info.study_description.is_empty() {
                file.title = instance.info.study_description.chars().take(120).collect();
            }
            file.doc_date = iso_date(&instance.info.study_date);
            file.dicom = Some((
                instance.study_uid,
                instance.series_uid,
                instance.sop_uid,
                instance.number,
                instance.info,
            ));
        }
        _ => {
            let bytes = bytes_of(state, upload).await?;
            let cleaned = tokio::task::spawn_blocking(move || photos::clean(&bytes, kind))
                .await
                .map_err(|_| AppError::Internal)?
                .map_err(refused)?;
            let blob_key = new_blob_key(proof.patient_id());
            let (key, wrapped) = state.files.keys.new_data_key(&blob_key);
            sealed::write_all(&state.blobs, &key, &blob_key, &cleaned.bytes)
                .await
                .map_err(storage)?;
            file.media_type = cleaned.media_type.into();
            file.category = "photo".into();
            file.size = cleaned.bytes.len() as u64;
            file.width = Some(cleaned.width);
            file.height = Some(cleaned.height);
            file.blob_key = blob_key.clone();
            file.wrapped_key = wrapped;
            new_blob = Some(blob_key);
        }
    }
    let sha256 = file.sha256.clone();
    let inserted = async {
        let tx = state.db.begin().await?;
        let id = store::insert(&tx, proof, file).await?;
        tx.execute_raw(statement(
            tx.get_database_backend(),
            "DELETE FROM uploads WHERE token = ?",
            [upload.token.clone().into()],
        ))
        .await?;
        tx.commit().await?;
        Ok::<_, DbErr>(id)
    }
    .await;
    let cleanup = |state: &AppState, key: Option<String>| {
        let blobs = state.blobs.clone();
        async move {
            if let Some(key) = key {
                let _ = sealed::delete(&blobs, &key).await;
            }
        }
    };
    match inserted {
        Ok(Some(id)) => {
            if new_blob.is_some() {
                let _ = sealed::delete(&state.blobs, &upload.blob_key).await;
            }
            Ok(UploadResult {
                file_ids: vec![id],
                duplicates: vec![],
                skipped: vec![],
                open: Some(format!("/documents/{id}")),
            })
        }
        Ok(None) => {
            // The same bytes arrived twice at once: the other upload won.
            cleanup(state, new_blob).await;
            let id = store::by_sha(&state.db, proof, &sha256)
                .await?
                .unwrap_or_default();
            discard(state, upload).await;
            Ok(UploadResult {
                file_ids: vec![],
                duplicates: vec![id],
                skipped: vec![],
                open: None,
            })
        }
        Err(err) => {
            cleanup(state, new_blob).await;
            Err(err.into())
        }
    }
}

/// DICOM's `YYYYMMDD` as `YYYY-MM-DD`.
pub fn iso_date(dicom_date: &str) -> Option<String> {
    let d = dicom_date.trim();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
        .filter(|iso| chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").is_ok())
}

/// Uploads nobody touched since `before_ms`, for the sweep.
pub async fn stale(db: &impl ConnectionTrait, before_ms: i64) -> Result<Vec<UploadRow>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT token, patient_id, account_id, name, size, parts, kind, blob_key, wrapped_key \
             FROM uploads WHERE updated_ms < ?",
            [before_ms.into()],
        ))
        .await?;
    rows.iter().map(upload_row).collect()
}

/// Removes an abandoned upload (the sweep).
pub async fn remove(state: &AppState, upload: &UploadRow) {
    discard(state, upload).await;
}
