//! Uploads in parts, the flow: `begin` checks access, size and quota and
//! makes the blob's key and data key; each part is sealed as it streams in
//! (never held whole) and the first part decides the file's type by its
//! bytes; `finish` hands the parts to `intake` (or, for a ZIP, to
//! `study_zip`: one file per DICOM instance). A stopped upload resumes from
//! `next_part`. Anything refused or abandoned leaves neither rows nor blobs
//! behind (the sweep job collects what a crash left).

use super::intake::{self, new_blob_key, refused, storage};
use super::sealed::{self, PartWriter, part_count};
use super::sniff::{self, Sniffed};
use super::store;
use super::uploads::{self, UploadRow, hashers, own};
use super::{UploadResult, UploadStart, UploadState, study_zip};
use crate::access::gate::{self, Write, kinds::Documents};
use crate::error::AppError;
use crate::identity::Actor;
use crate::refusals::{FileProblem, PayloadProblem};
use crate::state::AppState;
use sha2::{Digest, Sha256};

fn mb(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

/// Starts an upload of `start.size` bytes for the actor or the patient named.
pub async fn begin(
    state: &AppState,
    actor: &Actor,
    start: UploadStart,
) -> Result<UploadState, AppError> {
    let patient_id = crate::request::patient_of(actor, start.patient_id)?;
    let proof =
        gate::check::<Documents, Write>(&state.db, actor, patient_id, Some("upload")).await?;
    let limits = &state.files;
    if start.size == 0 {
        return Err(refused(FileProblem::Empty));
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
    uploads::insert(&state.db, &row).await?;
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
        None => Err(refused(FileProblem::NotAccepted)),
        Some(Sniffed::Heic) => Err(refused(FileProblem::Heic)),
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
                reason: PayloadProblem::UploadCutOff,
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
                    reason: PayloadProblem::PartTooLong,
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
            uploads::discard(state, &upload).await;
        }
        return Err(err);
    }
    if let Err(err) = writer.close().await {
        return Err(match err {
            sealed::SealedError::TooShort => AppError::BadPayload {
                reason: PayloadProblem::PartTooShort,
            },
            other => storage(other),
        });
    }
    let advanced = uploads::advance(&state.db, token, index, kind).await?;
    if advanced && let Some(hasher) = hasher {
        hashers()
            .lock()
            .expect("hashers")
            .insert(token.to_owned(), (index + 1, hasher));
    }
    Ok(own(state, actor, token).await?.state())
}

/// Stops an upload and removes what it stored.
pub async fn abort(state: &AppState, actor: &Actor, token: &str) -> Result<(), AppError> {
    let upload = own(state, actor, token).await?;
    uploads::discard(state, &upload).await;
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
    let kind = upload
        .kind
        .ok_or_else(|| refused(FileProblem::TypeUnknown))?;
    let proof =
        gate::check::<Documents, Write>(&state.db, actor, upload.patient_id, Some("upload"))
            .await?;
    let sha256 = digest_of(state, &upload).await?;
    let outcome = match kind {
        Sniffed::Zip => study_zip::expand(state, &proof, &upload).await,
        _ => intake::upload(state, &proof, &upload, kind, sha256).await,
    };
    if outcome.is_err() {
        uploads::discard(state, &upload).await;
    }
    outcome
}
