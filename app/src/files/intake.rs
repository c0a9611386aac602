//! Intake: received bytes become a stored file. An upload's parts (a photo,
//! a PDF, one DICOM instance) and each instance of a ZIP study pass through
//! here: the photo is cleaned, the DICOM instance read and described, and
//! the row is inserted with its thumbnail job in one transaction. The same
//! bytes twice for one patient are kept once; a row that is not stored
//! leaves no blob of its own behind.

use super::sealed;
use super::sniff::Sniffed;
use super::store::{self, NewFile};
use super::uploads::{self, UploadRow};
use super::{UploadResult, dicom, photos};
use crate::access::gate::{Proof, Write, kinds::Documents};
use crate::db::statement;
use crate::error::AppError;
use crate::refusals::FileProblem;
use crate::state::AppState;
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

pub(super) fn refused(reason: FileProblem) -> AppError {
    AppError::FileRefused { reason }
}

pub(super) fn storage(err: sealed::SealedError) -> AppError {
    crate::blobs::failure(&err)
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

/// DICOM's `YYYYMMDD` as `YYYY-MM-DD`.
pub fn iso_date(dicom_date: &str) -> Option<String> {
    let d = dicom_date.trim();
    (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
        .filter(|iso| chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").is_ok())
}

/// Where a new file's bytes are stored.
struct Blob {
    key: String,
    wrapped_key: String,
    size: u64,
    /// Written for this file alone (a cleaned photo, a ZIP entry), rather
    /// than the upload's own parts: removed when the row is not stored.
    own: bool,
}

impl Blob {
    /// A new file stored in this blob, with no dates, tags, size in pixels or DICOM place yet.
    fn file(
        &self,
        kind: &'static str,
        media_type: &str,
        title: String,
        category: &str,
        sha256: String,
    ) -> NewFile {
        NewFile {
            kind,
            media_type: media_type.to_owned(),
            title,
            category: category.to_owned(),
            tags: Vec::new(),
            doc_date: None,
            size: self.size,
            sha256,
            blob_key: self.key.clone(),
            wrapped_key: self.wrapped_key.clone(),
            width: None,
            height: None,
            dicom: None,
        }
    }
}

/// Reads and describes one DICOM instance (off the async runtime); the
/// inner error is the user-safe reason it cannot be kept.
async fn read_dicom(
    source: impl std::io::Read + Send + 'static,
) -> Result<Result<dicom::Instance, FileProblem>, AppError> {
    tokio::task::spawn_blocking(move || {
        dicom::read(std::io::BufReader::new(source)).and_then(|obj| dicom::inspect(&obj))
    })
    .await
    .map_err(|_| AppError::Internal)
}

/// The row of a DICOM instance: its study description as the title (else
/// `fallback_title`), its study date, its place in the study.
fn dicom_file(
    instance: dicom::Instance,
    fallback_title: String,
    sha256: String,
    blob: &Blob,
) -> NewFile {
    let title = if instance.info.study_description.is_empty() {
        fallback_title
    } else {
        instance.info.study_description.chars().take(120).collect()
    };
    NewFile {
        doc_date: iso_date(&instance.info.study_date),
        dicom: Some((
            instance.study_uid,
            instance.series_uid,
            instance.sop_uid,
            instance.number,
            instance.info,
        )),
        ..blob.file("dicom", "application/dicom", title, "imaging", sha256)
    }
}

/// How keeping a file ended.
pub enum Kept {
    New(i64),
    /// The patient already has these bytes (this file's own blob is gone).
    Duplicate(i64),
}

/// Inserts the row and queues its thumbnail in one transaction (ending the
/// upload it came from, if any), then wakes the worker. A duplicate found at
/// insert (the same bytes arrived twice at once) answers the file that won.
async fn keep(
    state: &AppState,
    proof: &Proof<Documents, Write>,
    file: NewFile,
    blob: &Blob,
    ends_upload: Option<&str>,
) -> Result<Kept, AppError> {
    let sha256 = file.sha256.clone();
    let inserted = async {
        let tx = state.db.begin().await?;
        let id = store::insert(&tx, proof, file).await?;
        if let Some(id) = id {
            super::jobs::queue_thumbnail(&tx, id).await?;
            if let Some(token) = ends_upload {
                tx.execute_raw(statement(
                    tx.get_database_backend(),
                    "DELETE FROM uploads WHERE token = ?",
                    [token.into()],
                ))
                .await?;
            }
        }
        crate::jobs::queue::commit_and_wake(tx).await?;
        Ok::<_, DbErr>(id)
    }
    .await;
    let forget_blob = || async {
        if blob.own {
            let _ = sealed::delete(&state.blobs, &blob.key).await;
        }
    };
    match inserted {
        Ok(Some(id)) => Ok(Kept::New(id)),
        Ok(None) => {
            forget_blob().await;
            let id = store::by_sha(&state.db, proof, &sha256)
                .await?
                .unwrap_or_default();
            Ok(Kept::Duplicate(id))
        }
        Err(err) => {
            forget_blob().await;
            Err(err.into())
        }
    }
}

fn one(id: i64, duplicate: bool, open: bool) -> UploadResult {
    UploadResult {
        file_ids: if duplicate { vec![] } else { vec![id] },
        duplicates: if duplicate { vec![id] } else { vec![] },
        skipped: vec![],
        open: open.then(|| format!("/documents/{id}")),
    }
}

/// A complete upload of a photo, a PDF or one DICOM instance becomes a file.
pub async fn upload(
    state: &AppState,
    proof: &Proof<Documents, Write>,
    upload: &UploadRow,
    kind: Sniffed,
    sha256: String,
) -> Result<UploadResult, AppError> {
    if let Some(id) = store::by_sha(&state.db, proof, &sha256).await? {
        uploads::discard(state, upload).await;
        return Ok(one(id, true, true));
    }
    let mut blob = Blob {
        key: upload.blob_key.clone(),
        wrapped_key: upload.wrapped_key.clone(),
        size: upload.size,
        own: false,
    };
    let title = title_from(&upload.name);
    let file = match kind {
        Sniffed::Pdf => blob.file(kind.kind(), "application/pdf", title, "other", sha256),
        Sniffed::Dicom => {
            let instance = read_dicom(upload.reader(state)?).await?.map_err(refused)?;
            dicom_file(instance, title, sha256, &blob)
        }
        _ => {
            let bytes = uploads::bytes_of(state, upload).await?;
            let cleaned = tokio::task::spawn_blocking(move || photos::clean(&bytes, kind))
                .await
                .map_err(|_| AppError::Internal)?
                .map_err(refused)?;
            let key = new_blob_key(proof.patient_id());
            let (data_key, wrapped) = state.files.keys.new_data_key(&key);
            sealed::write_all(&state.blobs, &data_key, &key, &cleaned.bytes)
                .await
                .map_err(storage)?;
            blob = Blob {
                key,
                wrapped_key: wrapped,
                size: cleaned.bytes.len() as u64,
                own: true,
            };
            NewFile {
                width: Some(cleaned.width),
                height: Some(cleaned.height),
                ..blob.file(kind.kind(), cleaned.media_type, title, "photo", sha256)
            }
        }
    };
    match keep(state, proof, file, &blob, Some(&upload.token)).await? {
        Kept::New(id) => {
            if blob.own {
                // The cleaned photo replaced what was sent.
                let _ = sealed::delete(&state.blobs, &upload.blob_key).await;
            }
            Ok(one(id, false, true))
        }
        Kept::Duplicate(id) => {
            uploads::discard(state, upload).await;
            Ok(one(id, true, false))
        }
    }
}

/// How one instance of a ZIP study ended.
pub enum Instance {
    Kept(Kept),
    /// Not a DICOM instance Hale can keep: the user-safe reason.
    Refused(FileProblem),
}

/// One DICOM instance read from a ZIP study becomes a file of its own.
pub async fn zip_instance(
    state: &AppState,
    proof: &Proof<Documents, Write>,
    bytes: Vec<u8>,
) -> Result<Instance, AppError> {
    use sha2::{Digest, Sha256};
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Some(id) = store::by_sha(&state.db, proof, &sha256).await? {
        return Ok(Instance::Kept(Kept::Duplicate(id)));
    }
    let bytes = std::sync::Arc::new(bytes);
    let instance = match read_dicom(std::io::Cursor::new(ArcBytes(bytes.clone()))).await? {
        Ok(instance) => instance,
        Err(reason) => return Ok(Instance::Refused(reason)),
    };
    let key = new_blob_key(proof.patient_id());
    let (data_key, wrapped) = state.files.keys.new_data_key(&key);
    sealed::write_all(&state.blobs, &data_key, &key, &bytes)
        .await
        .map_err(storage)?;
    let blob = Blob {
        key,
        wrapped_key: wrapped,
        size: bytes.len() as u64,
        own: true,
    };
    let file = dicom_file(instance, "DICOM study".to_owned(), sha256, &blob);
    Ok(Instance::Kept(keep(state, proof, file, &blob, None).await?))
}

/// Shared bytes as a `Cursor`'s buffer (the reader moves to a blocking thread).
struct ArcBytes(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
