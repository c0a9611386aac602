//! A ZIP of a DICOM study: every entry that is a DICOM instance becomes a file
//! of its own; other entries (DICOMDIR, a viewer, a read-me) are listed as
//! skipped with the reason. The archive is read straight from its sealed parts
//! (seeking, one decrypted part in memory). Before anything is extracted the
//! central directory is checked for a decompression bomb (too many entries,
//! too much in all, a ratio no scan has); an entry that inflates past what its
//! header said stops the whole archive, and what it had stored is removed.

use super::intake::{self, Instance, Kept};
use super::sealed::{self, SealedReader};
use super::store;
use super::uploads::{self, UploadRow};
use super::{Skipped, UploadResult};
use crate::access::gate::{Proof, Write, kinds::Documents};
use crate::error::AppError;
use crate::refusals::FileProblem;
use crate::state::AppState;
use std::io::Read;

/// The most entries one archive may hold.
pub const MAX_ENTRIES: usize = 20_000;
/// An entry may inflate at most this many times over (beyond a small size).
pub const MAX_RATIO: u64 = 200;

type Archive = zip::ZipArchive<std::io::BufReader<SealedReader>>;

fn bomb() -> AppError {
    AppError::FileRefused {
        reason: FileProblem::ZipBomb,
    }
}

/// Checks the central directory; answers the number of entries.
fn check_directory(archive: &mut Archive, total_limit: u64) -> Result<usize, AppError> {
    if archive.len() > MAX_ENTRIES {
        return Err(AppError::FileRefused {
            reason: FileProblem::ZipTooManyEntries {
                max: MAX_ENTRIES as u32,
            },
        });
    }
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|_| damaged())?;
        let size = entry.size();
        total = total.saturating_add(size);
        if size > 1 << 20 && size / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(bomb());
        }
    }
    if total > total_limit {
        return Err(bomb());
    }
    Ok(archive.len())
}

fn damaged() -> AppError {
    AppError::FileRefused {
        reason: FileProblem::ZipDamaged,
    }
}

/// What reading one entry gave.
enum Entry {
    Skip(Skipped),
    Dicom(String, Vec<u8>),
}

fn read_entry(archive: &mut Archive, index: usize, instance_limit: u64) -> Result<Entry, AppError> {
    let mut entry = archive.by_index(index).map_err(|_| damaged())?;
    let name: String = entry.name().chars().take(200).collect();
    let skip = |reason: FileProblem| {
        Ok(Entry::Skip(Skipped {
            name: name.clone(),
            reason,
        }))
    };
    if entry.is_dir() {
        return Ok(Entry::Skip(Skipped {
            name,
            reason: FileProblem::Folder,
        }));
    }
    if entry.encrypted() {
        return skip(FileProblem::PasswordProtected);
    }
    let declared = entry.size();
    if declared > instance_limit {
        return skip(FileProblem::InstanceTooLarge);
    }
    let mut bytes = Vec::with_capacity(declared.min(instance_limit) as usize);
    let read = (&mut entry).take(declared + 1).read_to_end(&mut bytes);
    match read {
        Err(_) => return skip(FileProblem::EntryDamaged),
        Ok(n) if n as u64 > declared => return Err(bomb()),
        Ok(n) if (n as u64) < declared => return skip(FileProblem::EntryCut),
        Ok(_) => {}
    }
    if bytes.len() < 132 || &bytes[128..132] != b"DICM" {
        return skip(FileProblem::EntryNotDicom);
    }
    Ok(Entry::Dicom(name, bytes))
}

/// Expands the archive `upload` into one file per DICOM instance.
pub async fn expand(
    state: &AppState,
    proof: &Proof<Documents, Write>,
    upload: &UploadRow,
) -> Result<UploadResult, AppError> {
    let reader = upload.reader(state)?;
    let used = store::used_bytes(&state.db, proof.patient_id()).await?;
    // Everything inside must fit in what the patient has left (this archive's own size freed).
    let total_limit = state.files.quota_bytes.saturating_sub(used) + upload.size;
    let instance_limit = state.files.max_instance_bytes;
    let (mut archive, entries) = tokio::task::spawn_blocking(move || {
        let mut archive =
            zip::ZipArchive::new(std::io::BufReader::with_capacity(256 << 10, reader))
                .map_err(|_| damaged())?;
        let entries = check_directory(&mut archive, total_limit)?;
        Ok::<_, AppError>((archive, entries))
    })
    .await
    .map_err(|_| AppError::Internal)??;

    let mut result = UploadResult {
        file_ids: vec![],
        duplicates: vec![],
        skipped: vec![],
        open: None,
    };
    for index in 0..entries {
        let (back, entry) = tokio::task::spawn_blocking(move || {
            let entry = read_entry(&mut archive, index, instance_limit);
            (archive, entry)
        })
        .await
        .map_err(|_| AppError::Internal)?;
        archive = back;
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                remove_stored(state, proof, &result.file_ids).await;
                return Err(err);
            }
        };
        match entry {
            Entry::Skip(skipped) => result.skipped.push(skipped),
            Entry::Dicom(name, bytes) => match intake::zip_instance(state, proof, bytes).await {
                Ok(Instance::Kept(Kept::New(id))) => result.file_ids.push(id),
                Ok(Instance::Kept(Kept::Duplicate(id))) => result.duplicates.push(id),
                Ok(Instance::Refused(reason)) => result.skipped.push(Skipped { name, reason }),
                Err(err) => {
                    remove_stored(state, proof, &result.file_ids).await;
                    return Err(err);
                }
            },
        }
    }
    if result.file_ids.is_empty() && result.duplicates.is_empty() {
        remove_stored(state, proof, &result.file_ids).await;
        return Err(AppError::FileRefused {
            reason: FileProblem::ZipNoDicom,
        });
    }
    // The archive itself is not kept: its instances are.
    uploads::discard(state, upload).await;
    if let Some(id) = result.file_ids.first().or(result.duplicates.first()) {
        result.open = Some(format!("/documents/{id}"));
    }
    Ok(result)
}

/// Removes what an archive had stored before it was refused.
async fn remove_stored(state: &AppState, proof: &Proof<Documents, Write>, ids: &[i64]) {
    for id in ids {
        if let Ok(Some(row)) = store::get(&state.db, proof, *id).await {
            let _ = store::delete(&state.db, proof, *id).await;
            let _ = sealed::delete(&state.blobs, &row.blob_key).await;
        }
    }
}
