//! Reading a DICOM file as it arrives: a Part 10 file, a bare data set
//! without preamble and meta group, or a meta group that is intact but not
//! conformant (read leniently, as other viewers read it). What the file
//! says is described by `dicom`.

use super::dicom::text_of;
use crate::refusals::FileProblem;
use dicom_dictionary_std::tags;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, InMemDicomObject, OpenFileOptions};
use dicom_transfer_syntax_registry::{TransferSyntaxIndex, TransferSyntaxRegistry};
use std::io::Read;

/// Reads a whole Part 10 file (with its 128-byte preamble), or — as common
/// viewers do — a bare data set without preamble and meta group, whose
/// transfer syntax is then inferred (implicit or explicit VR little endian).
/// A meta group that is intact but not conformant — no group length, no
/// transfer syntax, or an explicit-VR label on an implicit-VR data set — is
/// read leniently, as other viewers read it.
pub fn read(mut reader: impl Read) -> Result<DefaultDicomObject, FileProblem> {
    // Only the head is looked at first; the rest streams into the parser
    // behind it (a file is held once, as its parsed object).
    let mut head = Vec::with_capacity(132);
    (&mut reader)
        .take(132)
        .read_to_end(&mut head)
        .map_err(|_| FileProblem::DicomUnreadable)?;
    let part10 = head.len() >= 132 && &head[128..132] == b"DICM";
    let meta_first = head.len() >= 4 && &head[..4] == b"DICM";
    if !part10 && !meta_first {
        let whole = std::io::Cursor::new(head.clone()).chain(reader);
        return bare_data_set(&head, whole).ok_or(FileProblem::NotDicom);
    }
    let mut after_meta = if part10 {
        head.split_off(132)
    } else {
        head.split_off(4)
    };
    let meta = MetaGroup::read(&mut after_meta, &mut reader).ok_or(FileProblem::DicomDamaged)?;
    let data_set = std::io::Cursor::new(meta.data_start.clone()).chain(reader);
    match meta.lenient_syntax().map(str::to_owned) {
        None => OpenFileOptions::new()
            .read_preamble(if part10 {
                ReadPreamble::Always
            } else {
                ReadPreamble::Never
            })
            .from_reader(std::io::Cursor::new([head, meta.bytes].concat()).chain(data_set))
            .map_err(|_| FileProblem::DicomDamaged),
        Some(uid) => {
            let ts = TransferSyntaxRegistry
                .get(&uid)
                .ok_or(FileProblem::DicomDamaged)?;
            let obj = InMemDicomObject::read_dataset_with_ts(data_set, ts)
                .map_err(|_| FileProblem::DicomDamaged)?;
            with_meta(obj, &uid, meta.sop_class, meta.sop_instance).ok_or(FileProblem::DicomDamaged)
        }
    }
}

/// The Part 10 meta group as written (always explicit VR little endian),
/// and the first bytes of the data set after it.
struct MetaGroup {
    bytes: Vec<u8>,
    has_group_length: bool,
    transfer_syntax: Option<String>,
    sop_class: Option<String>,
    sop_instance: Option<String>,
    /// The data set's first element header (up to 8 bytes).
    data_start: Vec<u8>,
}

/// The most a meta group may hold (its elements are a few UIDs).
const MAX_META_BYTES: usize = 64 * 1024;

impl MetaGroup {
    /// Reads group 0002 element by element: `pending` holds bytes already
    /// read, `reader` the rest. None when the group is not readable.
    fn read(pending: &mut Vec<u8>, reader: &mut impl Read) -> Option<MetaGroup> {
        let mut take = |n: usize| -> Option<Vec<u8>> {
            let mut out: Vec<u8> = pending.drain(..n.min(pending.len())).collect();
            if out.len() < n {
                (&mut *reader)
                    .take((n - out.len()) as u64)
                    .read_to_end(&mut out)
                    .ok()?;
            }
            Some(out)
        };
        let mut meta = MetaGroup {
            bytes: Vec::new(),
            has_group_length: false,
            transfer_syntax: None,
            sop_class: None,
            sop_instance: None,
            data_start: Vec::new(),
        };
        loop {
            let header = take(8)?;
            if header.len() < 8 || header[..2] != [0x02, 0x00] {
                meta.data_start = header;
                return Some(meta);
            }
            let element = u16::from_le_bytes([header[2], header[3]]);
            let long = matches!(
                &header[4..6],
                b"OB"
                    | b"OD"
                    | b"OF"
                    | b"OL"
                    | b"OV"
                    | b"OW"
                    | b"SQ"
                    | b"SV"
                    | b"UC"
                    | b"UN"
                    | b"UR"
                    | b"UT"
                    | b"UV"
            );
            let mut whole = header.clone();
            let length = if long {
                let more = take(4)?;
                whole.extend_from_slice(&more);
                u32::from_le_bytes(more.try_into().ok()?) as usize
            } else {
                usize::from(u16::from_le_bytes([header[6], header[7]]))
            };
            if meta.bytes.len() + length > MAX_META_BYTES {
                return None;
            }
            let value = take(length)?;
            if value.len() < length {
                return None;
            }
            let text = || {
                let text = String::from_utf8_lossy(&value);
                Some(text.trim_matches(['\0', ' ']).to_owned()).filter(|t| !t.is_empty())
            };
            match element {
                0x0000 => meta.has_group_length = true,
                0x0002 => meta.sop_class = text(),
                0x0003 => meta.sop_instance = text(),
                0x0010 => meta.transfer_syntax = text(),
                _ => {}
            }
            whole.extend_from_slice(&value);
            meta.bytes.extend_from_slice(&whole);
        }
    }

    /// The transfer syntax to read the data set with when the meta group
    /// cannot be trusted as it is (None: it can). A data set's first
    /// element tells explicit VR (two letters after the tag) from implicit.
    fn lenient_syntax(&self) -> Option<&str> {
        const IMPLICIT: &str = "1.2.840.10008.1.2";
        const EXPLICIT: &str = "1.2.840.10008.1.2.1";
        let looks_explicit = self.data_start.len() >= 6
            && self.data_start[4].is_ascii_uppercase()
            && self.data_start[5].is_ascii_uppercase();
        let seen = if looks_explicit { EXPLICIT } else { IMPLICIT };
        match self.transfer_syntax.as_deref() {
            None => Some(seen),
            Some(declared @ (IMPLICIT | EXPLICIT)) if declared != seen => Some(seen),
            Some(declared) if !self.has_group_length => Some(declared),
            Some(_) => None,
        }
    }
}

/// A data set wrapped with the meta group it should have had.
fn with_meta(
    obj: InMemDicomObject,
    uid: &str,
    sop_class: Option<String>,
    sop_instance: Option<String>,
) -> Option<DefaultDicomObject> {
    use dicom_object::FileMetaTableBuilder;
    let sop_class = sop_class.unwrap_or_else(|| text_of(&obj, tags::SOP_CLASS_UID));
    let sop_instance = sop_instance.unwrap_or_else(|| text_of(&obj, tags::SOP_INSTANCE_UID));
    if sop_class.is_empty() || sop_instance.is_empty() {
        return None;
    }
    obj.with_meta(
        FileMetaTableBuilder::new()
            .transfer_syntax(uid)
            .media_storage_sop_class_uid(sop_class)
            .media_storage_sop_instance_uid(sop_instance),
    )
    .ok()
}

/// A data set without preamble or meta group (`head` its first bytes,
/// `whole` all of it), wrapped with the meta group it would have had.
/// Explicit VR is told by the first element's VR bytes.
fn bare_data_set(head: &[u8], whole: impl Read) -> Option<DefaultDicomObject> {
    let bytes = head;
    if bytes.len() < 8 || bytes[0] != 0x08 || bytes[1] != 0x00 {
        return None;
    }
    let explicit = bytes[4].is_ascii_uppercase() && bytes[5].is_ascii_uppercase();
    let uid = if explicit {
        "1.2.840.10008.1.2.1"
    } else {
        "1.2.840.10008.1.2"
    };
    let ts = TransferSyntaxRegistry.get(uid)?;
    let obj = InMemDicomObject::read_dataset_with_ts(whole, ts).ok()?;
    with_meta(obj, uid, None, None)
}
