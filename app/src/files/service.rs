//! The rules of files: the list and search, one file, its title and tags,
//! deleting, a study for the viewer, and opening a signed link (view,
//! download, thumbnail, a rendered frame). Every function passes the access
//! check (audited) before it touches a row or a blob.

use super::links::{self, Purpose};
use super::sealed;
use super::store::{self, FileRow};
use super::{
    CATEGORIES, FileDetail, FileList, FileMeta, FileView, InstanceView, SeriesView, StudyDetail,
    StudyView, dicom, parse_tags,
};
use crate::access::gate::{self, Proof, Read, Write, kinds::Documents};
use crate::error::AppError;
use crate::identity::Actor;
use crate::refusals::FileProblem;
use crate::state::AppState;
use std::sync::{Arc, Mutex, OnceLock};

fn record(id: i64) -> String {
    format!("file:{id}")
}

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Links made for `actor` now.
struct Signer {
    key: [u8; 32],
    account_id: i64,
    expires: i64,
}

impl Signer {
    fn new(state: &AppState, actor: &Actor) -> Self {
        Self {
            key: state.files.keys.link_key(),
            account_id: actor.account_id,
            expires: now_s() + i64::from(state.files.link_seconds),
        }
    }

    fn link(&self, id: i64, purpose: Purpose) -> String {
        links::sign(&self.key, self.account_id, id, purpose, self.expires)
    }
}

fn view(row: &FileRow, signer: &Signer) -> FileView {
    FileView {
        id: row.id,
        kind: row.kind.clone(),
        media_type: row.media_type.clone(),
        title: row.title.clone(),
        category: row.category.clone(),
        tags: row.tags.clone(),
        date: row.doc_date.clone(),
        size: row.size,
        created_ms: row.created_ms,
        width: row.width,
        height: row.height,
        thumb: row
            .thumb
            .as_ref()
            .map(|_| signer.link(row.id, Purpose::Thumb)),
    }
}

fn study_view(rows: &[&FileRow], signer: &Signer) -> StudyView {
    let first = rows[0];
    let info = first.dicom.clone().unwrap_or_default();
    let mut modalities: Vec<String> = Vec::new();
    for row in rows {
        if let Some(m) = row.dicom.as_ref().map(|d| d.modality.clone())
            && !m.is_empty()
            && !modalities.contains(&m)
        {
            modalities.push(m);
        }
    }
    StudyView {
        study_uid: first.study_uid.clone().unwrap_or_default(),
        description: first.title.clone(),
        date: first.doc_date.clone().unwrap_or_default(),
        modalities,
        patient_name: info.patient_name,
        instances: rows.len() as u32,
        size: rows.iter().map(|r| r.size).sum(),
        thumb: rows
            .iter()
            .find(|r| r.thumb.is_some())
            .map(|r| signer.link(r.id, Purpose::Thumb)),
    }
}

/// May `actor` change this patient's files? (Asked without an audit event:
/// it only decides whether the page shows the edit buttons; every change is checked.)
async fn can_write(state: &AppState, actor: &Actor, patient_id: i64) -> bool {
    gate::would_allow::<Documents, Write>(&state.db, actor, patient_id)
        .await
        .unwrap_or(false)
}

/// The patient's photos, documents and studies; `query` searches titles, tags
/// and study descriptions.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    patient_id: Option<i64>,
    query: &str,
) -> Result<FileList, AppError> {
    let patient_id = crate::request::patient_of(actor, patient_id)?;
    let proof = gate::check::<Documents, Read>(&state.db, actor, patient_id, None).await?;
    let rows = store::list(&state.reads, &proof, query).await?;
    let signer = Signer::new(state, actor);
    let mut list = FileList {
        used_bytes: store::used_bytes(&state.reads, patient_id).await?,
        quota_bytes: state.files.quota_bytes,
        can_write: can_write(state, actor, patient_id).await,
        ..FileList::default()
    };
    let mut studies: Vec<(String, Vec<&FileRow>)> = Vec::new();
    for row in &rows {
        match &row.study_uid {
            Some(uid) => match studies.iter_mut().find(|(u, _)| u == uid) {
                Some((_, members)) => members.push(row),
                None => studies.push((uid.clone(), vec![row])),
            },
            None => list.files.push(view(row, &signer)),
        }
    }
    list.studies = studies
        .iter()
        .map(|(_, rows)| study_view(rows, &signer))
        .collect();
    Ok(list)
}

async fn row_for<M: gate::AccessMode>(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<(Proof<Documents, M>, FileRow), AppError> {
    let patient_id = store::patient_of(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // A file the actor may not even see answers as a missing one does, so
    // that ids cannot be probed; one they may see but not change is a 403.
    let proof =
        match gate::check::<Documents, M>(&state.db, actor, patient_id, Some(&record(id))).await {
            Ok(proof) => proof,
            Err(AppError::NoAccess)
                if !gate::would_allow::<Documents, Read>(&state.db, actor, patient_id).await? =>
            {
                return Err(AppError::NotFound);
            }
            Err(err) => return Err(err),
        };
    let row = store::get(&state.db, &proof, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((proof, row))
}

/// One file with fresh signed links.
pub async fn detail(state: &AppState, actor: &Actor, id: i64) -> Result<FileDetail, AppError> {
    let (_, row) = row_for::<Read>(state, actor, id).await?;
    let signer = Signer::new(state, actor);
    Ok(FileDetail {
        file: view(&row, &signer),
        view_link: signer.link(row.id, Purpose::View),
        download_link: signer.link(row.id, Purpose::Download),
        dicom: row.dicom.clone(),
        study_uid: row.study_uid.clone(),
        can_write: can_write(state, actor, row.patient_id).await,
    })
}

/// Checks what the form sent: (title, category, date, tags).
pub fn checked_meta(
    meta: &FileMeta,
) -> Result<(String, String, Option<String>, Vec<String>), AppError> {
    let invalid = |reason: FileProblem| AppError::FileRefused { reason };
    let title = meta.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(invalid(FileProblem::TitleLength { max: 200 }));
    }
    if !CATEGORIES.contains(&meta.category.as_str()) {
        return Err(invalid(FileProblem::CategoryUnknown));
    }
    let date = match meta.date.trim() {
        "" => None,
        text => {
            let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| invalid(FileProblem::DateFormat))?;
            if date > chrono::Utc::now().date_naive() + chrono::Duration::days(1) {
                return Err(invalid(FileProblem::DateInFuture));
            }
            Some(text.to_owned())
        }
    };
    let tags = parse_tags(&meta.tags);
    if tags.len() > 20 || tags.iter().any(|t| t.chars().count() > 40) {
        return Err(invalid(FileProblem::Tags {
            max: 20,
            max_chars: 40,
        }));
    }
    Ok((title, meta.category.clone(), date, tags))
}

/// Saves a file's title, category, date and tags.
pub async fn save_meta(
    state: &AppState,
    actor: &Actor,
    id: i64,
    meta: FileMeta,
) -> Result<(), AppError> {
    let (title, category, date, tags) = checked_meta(&meta)?;
    let (proof, _) = row_for::<Write>(state, actor, id).await?;
    store::update_meta(
        &state.db,
        &proof,
        id,
        &title,
        &category,
        date.as_deref(),
        &tags,
    )
    .await?;
    Ok(())
}

/// Deletes a file: its row, then its blob and thumbnail (a blob left by a
/// failure here is collected by the sweep; a row never points at nothing).
pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let (proof, row) = row_for::<Write>(state, actor, id).await?;
    if store::delete(&state.db, &proof, id).await? {
        forget(&row.blob_key);
        for key in std::iter::once(&row.blob_key).chain(row.thumb.as_ref().map(|(k, _)| k)) {
            if let Err(err) = sealed::delete(&state.blobs, key).await {
                tracing::warn!(error = %err, "cannot delete a file's blob; the sweep will");
            }
        }
    }
    Ok(())
}

/// A study, its series and instances, with signed frame links.
pub async fn study(
    state: &AppState,
    actor: &Actor,
    patient_id: Option<i64>,
    study_uid: &str,
) -> Result<StudyDetail, AppError> {
    let patient_id = crate::request::patient_of(actor, patient_id)?;
    let proof = gate::check::<Documents, Read>(&state.db, actor, patient_id, Some("study")).await?;
    let rows = store::study(&state.db, &proof, study_uid).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let signer = Signer::new(state, actor);
    let refs: Vec<&FileRow> = rows.iter().collect();
    let mut series: Vec<SeriesView> = Vec::new();
    for row in &rows {
        let info = row.dicom.clone().unwrap_or_default();
        let uid = row.series_uid.clone().unwrap_or_default();
        let instance = InstanceView {
            file_id: row.id,
            number: row.instance_number,
            frame_link: signer.link(row.id, Purpose::Frame),
            info: info.clone(),
        };
        match series.iter_mut().find(|s| s.series_uid == uid) {
            Some(s) => s.instances.push(instance),
            None => series.push(SeriesView {
                series_uid: uid,
                number: info.series_number,
                description: info.series_description.clone(),
                modality: info.modality.clone(),
                instances: vec![instance],
            }),
        }
    }
    series.sort_by_key(|s| s.number.unwrap_or(i32::MAX));
    for s in &mut series {
        s.instances
            .sort_by_key(|i| (i.number.unwrap_or(i32::MAX), i.file_id));
    }
    Ok(StudyDetail {
        study: study_view(&refs, &signer),
        series,
        links_expire_s: state.files.link_seconds,
        can_write: can_write(state, actor, patient_id).await,
    })
}

/// Opens a signed link: checks the signature and expiry for this account,
/// then the access check (audited). Answers the file's row.
pub async fn open_link(
    state: &AppState,
    actor: &Actor,
    id: i64,
    purpose: Purpose,
    expires: i64,
    signature: &str,
) -> Result<FileRow, AppError> {
    links::verify(
        &state.files.keys.link_key(),
        actor.account_id,
        id,
        purpose,
        expires,
        signature,
        now_s(),
    )
    .map_err(|err| match err {
        links::LinkError::Expired => AppError::LinkExpired,
        links::LinkError::BadSignature => AppError::LinkInvalid,
    })?;
    let (_, row) = row_for::<Read>(state, actor, id).await?;
    Ok(row)
}

fn storage(err: sealed::SealedError) -> AppError {
    crate::blobs::failure(&err)
}

/// The file's bytes, part by part (8 MiB at a time), decrypted as they are read.
pub fn content(
    state: &AppState,
    row: &FileRow,
) -> Result<impl futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> + use<>, AppError> {
    let key = Arc::new(
        state
            .files
            .keys
            .unwrap(&row.wrapped_key, &row.blob_key)
            .map_err(|_| AppError::Internal)?,
    );
    let (blobs, blob_key, size) = (state.blobs.clone(), row.blob_key.clone(), row.size);
    let parts = sealed::part_count(size);
    use futures::StreamExt as _;
    Ok(futures::stream::unfold(0u64, move |index| {
        let (blobs, blob_key, key) = (blobs.clone(), blob_key.clone(), key.clone());
        async move {
            if index >= parts {
                return None;
            }
            let part = sealed::read_part(&blobs, &key, &blob_key, size, index)
                .await
                .map(bytes::Bytes::from)
                .map_err(std::io::Error::other);
            Some((part, index + 1))
        }
    })
    // A body may be polled again after its end (compression layers do).
    .fuse())
}

/// The thumbnail's JPEG bytes.
pub async fn thumbnail(state: &AppState, row: &FileRow) -> Result<Vec<u8>, AppError> {
    let (key, wrapped) = row.thumb.as_ref().ok_or(AppError::NotFound)?;
    let data_key = state
        .files
        .keys
        .unwrap(wrapped, key)
        .map_err(|_| AppError::Internal)?;
    let size = state
        .blobs
        .size(&sealed::part_key(key, 0))
        .await
        .map_err(|_| AppError::NotFound)?;
    // A thumbnail is one part: its plaintext size is the sealed size less the tags.
    let plain = size - sealed_tags(size);
    sealed::read_all(&state.blobs, &data_key, key, plain)
        .await
        .map_err(storage)
}

fn sealed_tags(sealed: u64) -> u64 {
    use super::crypt::{SEGMENT, TAG};
    sealed.div_ceil((SEGMENT + TAG) as u64).max(1) * TAG as u64
}

type Parsed = Arc<dicom_object::DefaultDicomObject>;

/// The last few instances opened, parsed: scrolling through a multi-frame
/// instance must not read and parse it again for every frame.
/// Keyed by the blob's key (random, never reused), not the row id.
fn parsed_cache() -> &'static Mutex<Vec<(String, Parsed)>> {
    static CACHE: OnceLock<Mutex<Vec<(String, Parsed)>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

const CACHED_INSTANCES: usize = 4;

fn forget(blob_key: &str) {
    parsed_cache()
        .lock()
        .expect("cache")
        .retain(|(k, _)| k != blob_key);
}

async fn parsed(state: &AppState, row: &FileRow) -> Result<Parsed, AppError> {
    if let Some((_, obj)) = parsed_cache()
        .lock()
        .expect("cache")
        .iter()
        .find(|(k, _)| *k == row.blob_key)
    {
        return Ok(obj.clone());
    }
    let key = state
        .files
        .keys
        .unwrap(&row.wrapped_key, &row.blob_key)
        .map_err(|_| AppError::Internal)?;
    let bytes = sealed::read_all(&state.blobs, &key, &row.blob_key, row.size)
        .await
        .map_err(storage)?;
    let obj = tokio::task::spawn_blocking(move || dicom::read(&bytes[..]))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|reason| AppError::FileRefused { reason })?;
    let obj = Arc::new(obj);
    let mut cache = parsed_cache().lock().expect("cache");
    cache.retain(|(k, _)| *k != row.blob_key);
    cache.insert(0, (row.blob_key.clone(), obj.clone()));
    cache.truncate(CACHED_INSTANCES);
    Ok(obj)
}

/// Frame `frame` of a DICOM file as PNG, through the window asked for (or the file's).
pub async fn frame(
    state: &AppState,
    row: &FileRow,
    frame: u32,
    window: Option<(f64, f64)>,
) -> Result<Vec<u8>, AppError> {
    let info = row.dicom.clone().ok_or(AppError::NotFound)?;
    if let Some(reason) = &info.unsupported {
        return Err(AppError::FrameUnavailable {
            reason: reason.clone(),
        });
    }
    let obj = parsed(state, row).await?;
    tokio::task::spawn_blocking(move || dicom::render(&obj, &info, frame, window).map(|r| r.png))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|reason| AppError::FrameUnavailable { reason })
}
