//! What a file is, from its first bytes (never from its name).

/// The kinds of file Hale keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    Webp,
    Pdf,
    /// DICOM Part 10: a 128-byte preamble, then `DICM`.
    Dicom,
    /// A ZIP archive (a DICOM study).
    Zip,
    /// HEIC/HEIF: recognised, but not accepted (see `refusal`).
    Heic,
}

/// Bytes needed to decide.
pub const NEEDED: usize = 132;

/// Whether `head` starts like a DICOM data set without its Part 10 header:
/// an element of group 0008 with a small element number, then either an
/// explicit VR or an implicit length that fits.
fn is_bare_data_set(head: &[u8]) -> bool {
    head.len() >= 8
        && head[0] == 0x08
        && head[1] == 0x00
        && head[3] == 0x00
        && head[2] <= 0x20
        && ((head[4].is_ascii_uppercase() && head[5].is_ascii_uppercase())
            || (u32::from_le_bytes([head[4], head[5], head[6], head[7]]) < 1024))
}

pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(Sniffed::Webp)
    } else if starts(b"%PDF-") {
        Some(Sniffed::Pdf)
    } else if head.len() >= 132 && &head[128..132] == b"DICM" || starts(b"DICM\x02\x00") {
        Some(Sniffed::Dicom)
    } else if is_bare_data_set(head) {
        // A data set written without preamble and meta group (old modalities).
        Some(Sniffed::Dicom)
    } else if starts(b"PK\x03\x04") {
        Some(Sniffed::Zip)
    } else if head.len() >= 12
        && &head[4..8] == b"ftyp"
        && [
            b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis",
        ]
        .iter()
        .any(|brand| &head[8..12] == *brand)
    {
        Some(Sniffed::Heic)
    } else {
        None
    }
}

impl Sniffed {
    /// The stored kind: photo, dicom or document.
    pub fn kind(self) -> &'static str {
        match self {
            Sniffed::Jpeg | Sniffed::Png | Sniffed::Webp | Sniffed::Heic => "photo",
            Sniffed::Dicom | Sniffed::Zip => "dicom",
            Sniffed::Pdf => "document",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sniffed::Jpeg => "jpeg",
            Sniffed::Png => "png",
            Sniffed::Webp => "webp",
            Sniffed::Pdf => "pdf",
            Sniffed::Dicom => "dicom",
            Sniffed::Zip => "zip",
            Sniffed::Heic => "heic",
        }
    }

    pub fn parse(name: &str) -> Option<Sniffed> {
        [
            Sniffed::Jpeg,
            Sniffed::Png,
            Sniffed::Webp,
            Sniffed::Pdf,
            Sniffed::Dicom,
            Sniffed::Zip,
            Sniffed::Heic,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some(Sniffed::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Sniffed::Png));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Sniffed::Webp));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Sniffed::Pdf));
        let mut dicom = vec![0u8; 128];
        dicom.extend_from_slice(b"DICM\x02\x00");
        assert_eq!(sniff(&dicom), Some(Sniffed::Dicom));
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), Some(Sniffed::Zip));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0"), Some(Sniffed::Heic));
        assert_eq!(sniff(b"MZ\x90\0 an exe"), None);
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(&[0u8; 200]), None);
        assert_eq!(sniff(b""), None);
    }
}
