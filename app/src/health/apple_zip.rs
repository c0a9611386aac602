//! The `export.zip` the iPhone's Health app shares (Profile → Export All
//! Health Data): `apple_health_export/export.xml` is what Hale imports,
//! streamed out of the archive into the Apple Health parser. Beside it,
//! `export_cda.xml` (the same readings as a CDA document),
//! `electrocardiograms/`, `workout-routes/` and `clinical-records/` (FHIR
//! records, which the export's own records view holds) are left alone. The
//! archive is checked for a decompression bomb before anything is inflated,
//! and the entry may not inflate past what its header says.

use super::import_job::{ParseEnd, Sink};
use crate::refusals::ImportProblem;
use std::io::{BufReader, Read, Seek};

/// The largest `export.xml` inflated (a decade of a watch is a few GB).
pub const MAX_EXPORT_BYTES: u64 = 16 << 30;
/// An entry may inflate at most this many times over (XML compresses well,
/// but not this well).
pub const MAX_RATIO: u64 = 200;
const MAX_ENTRIES: usize = 500_000;

fn refused(reason: ImportProblem) -> ParseEnd {
    ParseEnd::Refused(reason)
}

/// Whether an entry's path names the export itself (not `export_cda.xml`).
fn is_export(name: &str) -> bool {
    name.rsplit('/').next() == Some("export.xml")
}

/// Reads the export inside an archive, handing readings to `sink`.
pub fn parse(archive: impl Read + Seek, sink: &mut Sink<'_>) -> ParseEnd {
    let Ok(mut archive) = zip::ZipArchive::new(BufReader::with_capacity(64 * 1024, archive)) else {
        return refused(ImportProblem::ZipDamaged);
    };
    if archive.len() > MAX_ENTRIES {
        return refused(ImportProblem::ZipTooManyEntries);
    }
    let found = (0..archive.len())
        .filter_map(|i| {
            let entry = archive.by_index_raw(i).ok()?;
            is_export(entry.name()).then(|| (entry.name().len(), i))
        })
        .min();
    let Some((_, index)) = found else {
        return refused(ImportProblem::ZipNoExport);
    };
    let Ok(entry) = archive.by_index(index) else {
        return refused(ImportProblem::ZipDamaged);
    };
    if entry.encrypted() {
        return refused(ImportProblem::ZipEncrypted);
    }
    let declared = entry.size();
    let compressed = entry.compressed_size().max(1);
    if declared > MAX_EXPORT_BYTES || (declared > 1 << 20 && declared / compressed > MAX_RATIO) {
        return refused(ImportProblem::ZipBomb);
    }
    let bounded = AtMost {
        inner: entry,
        left: declared,
    };
    super::apple::parse(BufReader::with_capacity(64 * 1024, bounded), sink)
}

/// An entry that fails rather than inflate past the size its header gave.
struct AtMost<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for AtMost<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the entry inflates past its declared size",
            )
        })?;
        Ok(n)
    }
}
