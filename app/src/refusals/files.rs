//! Why a file is not kept, a ZIP entry is skipped, or an image cannot be shown.

use crate::i18n::{Locale, td_string, text_in};
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileProblem {
    // An upload.
    Empty,
    TypeUnknown,
    NotAccepted,
    Heic,
    // A file's title, category, date and tags.
    TitleLength {
        max: u32,
    },
    CategoryUnknown,
    DateFormat,
    DateInFuture,
    Tags {
        max: u32,
        max_chars: u32,
    },
    // A ZIP of a study, and its entries.
    ZipBomb,
    ZipTooManyEntries {
        max: u32,
    },
    ZipDamaged,
    ZipNoDicom,
    Folder,
    PasswordProtected,
    InstanceTooLarge,
    EntryDamaged,
    EntryCut,
    EntryNotDicom,
    // A DICOM file.
    DicomUnreadable,
    DicomDamaged,
    NotDicom,
    NoUids,
    PixelDataMissing,
    NoImage,
    TransferSyntaxUnknown {
        uid: String,
    },
    /// An encoding (named as the DICOM standard names it) Hale cannot decode.
    EncodingUnsupported {
        name: String,
    },
    NoRowsOrColumns,
    PixelDataUnreadable,
    PixelDataShort,
    FramesIncomplete,
    // One frame of it.
    FrameUndecodable,
    FrameColours,
    FrameValues,
    FrameNotEncoded,
    NoSuchFrame,
    FrameCut,
    PaletteMissing,
    BitsUnsupported {
        bits: u16,
    },
    LayoutUnsupported {
        photometric: String,
        samples: u16,
    },
    // A photo.
    NotPhoto,
    PhotoDamaged,
    PhotoCut,
    PhotoNotSaved,
    /// A reason an earlier Hale stored as English text.
    Earlier(String),
}

impl FileProblem {
    /// The reason in `locale`'s words.
    pub fn worded(&self, locale: Locale) -> String {
        use FileProblem::*;
        match self {
            Empty => text_in!(locale, errors.file_empty).to_string(),
            TypeUnknown => text_in!(locale, errors.file_type_unknown).to_string(),
            NotAccepted => text_in!(locale, errors.file_not_accepted).to_string(),
            Heic => text_in!(locale, errors.file_heic).to_string(),
            TitleLength { max } => td_string!(locale, errors.file_title_length, max).to_string(),
            CategoryUnknown => text_in!(locale, errors.file_category_unknown).to_string(),
            DateFormat => text_in!(locale, errors.file_date_format).to_string(),
            DateInFuture => text_in!(locale, errors.file_date_in_future).to_string(),
            Tags { max, max_chars } => {
                td_string!(locale, errors.file_tags, max, max_chars).to_string()
            }
            ZipBomb => text_in!(locale, errors.file_zip_bomb).to_string(),
            ZipTooManyEntries { max } => {
                td_string!(locale, errors.file_zip_too_many_entries, max).to_string()
            }
            ZipDamaged => text_in!(locale, errors.file_zip_damaged).to_string(),
            ZipNoDicom => text_in!(locale, errors.file_zip_no_dicom).to_string(),
            Folder => text_in!(locale, errors.file_folder).to_string(),
            PasswordProtected => text_in!(locale, errors.file_password_protected).to_string(),
            InstanceTooLarge => text_in!(locale, errors.file_instance_too_large).to_string(),
            EntryDamaged => text_in!(locale, errors.file_entry_damaged).to_string(),
            EntryCut => text_in!(locale, errors.file_entry_cut).to_string(),
            EntryNotDicom => text_in!(locale, errors.file_entry_not_dicom).to_string(),
            DicomUnreadable => text_in!(locale, errors.file_dicom_unreadable).to_string(),
            DicomDamaged => text_in!(locale, errors.file_dicom_damaged).to_string(),
            NotDicom => text_in!(locale, errors.file_not_dicom).to_string(),
            NoUids => text_in!(locale, errors.file_no_uids).to_string(),
            PixelDataMissing => text_in!(locale, errors.file_pixel_data_missing).to_string(),
            NoImage => text_in!(locale, errors.file_no_image).to_string(),
            TransferSyntaxUnknown { uid } => td_string!(
                locale,
                errors.file_transfer_syntax_unknown,
                uid = uid.clone()
            )
            .to_string(),
            EncodingUnsupported { name } => td_string!(
                locale,
                errors.file_encoding_unsupported,
                name = name.clone()
            )
            .to_string(),
            NoRowsOrColumns => text_in!(locale, errors.file_no_rows_or_columns).to_string(),
            PixelDataUnreadable => text_in!(locale, errors.file_pixel_data_unreadable).to_string(),
            PixelDataShort => text_in!(locale, errors.file_pixel_data_short).to_string(),
            FramesIncomplete => text_in!(locale, errors.file_frames_incomplete).to_string(),
            FrameUndecodable => text_in!(locale, errors.file_frame_undecodable).to_string(),
            FrameColours => text_in!(locale, errors.file_frame_colours).to_string(),
            FrameValues => text_in!(locale, errors.file_frame_values).to_string(),
            FrameNotEncoded => text_in!(locale, errors.file_frame_not_encoded).to_string(),
            NoSuchFrame => text_in!(locale, errors.file_no_such_frame).to_string(),
            FrameCut => text_in!(locale, errors.file_frame_cut).to_string(),
            PaletteMissing => text_in!(locale, errors.file_palette_missing).to_string(),
            BitsUnsupported { bits } => {
                td_string!(locale, errors.file_bits_unsupported, bits).to_string()
            }
            LayoutUnsupported {
                photometric,
                samples,
            } => td_string!(
                locale,
                errors.file_layout_unsupported,
                photometric = photometric.clone(),
                samples
            )
            .to_string(),
            NotPhoto => text_in!(locale, errors.file_not_photo).to_string(),
            PhotoDamaged => text_in!(locale, errors.file_photo_damaged).to_string(),
            PhotoCut => text_in!(locale, errors.file_photo_cut).to_string(),
            PhotoNotSaved => text_in!(locale, errors.file_photo_not_saved).to_string(),
            Earlier(text) => text.clone(),
        }
    }

    /// Whether the file was cut short (some of it is missing).
    #[cfg(test)]
    pub fn is_cut_short(&self) -> bool {
        use FileProblem::*;
        matches!(
            self,
            PixelDataMissing | PixelDataShort | FramesIncomplete | FrameCut | EntryCut
        )
    }

    /// One of each kind, for the check that every one is worded in both
    /// languages: add one with each new kind.
    #[cfg(test)]
    pub fn examples() -> Vec<FileProblem> {
        use FileProblem::*;
        vec![
            Empty,
            TypeUnknown,
            NotAccepted,
            Heic,
            TitleLength { max: 200 },
            CategoryUnknown,
            DateFormat,
            DateInFuture,
            Tags {
                max: 20,
                max_chars: 40,
            },
            ZipBomb,
            ZipTooManyEntries { max: 20_000 },
            ZipDamaged,
            ZipNoDicom,
            Folder,
            PasswordProtected,
            InstanceTooLarge,
            EntryDamaged,
            EntryCut,
            EntryNotDicom,
            DicomUnreadable,
            DicomDamaged,
            NotDicom,
            NoUids,
            PixelDataMissing,
            NoImage,
            TransferSyntaxUnknown {
                uid: "1.2.3.4".into(),
            },
            EncodingUnsupported {
                name: "1.2.840.10008.1.2.4.100".into(),
            },
            NoRowsOrColumns,
            PixelDataUnreadable,
            PixelDataShort,
            FramesIncomplete,
            FrameUndecodable,
            FrameColours,
            FrameValues,
            FrameNotEncoded,
            NoSuchFrame,
            FrameCut,
            PaletteMissing,
            BitsUnsupported { bits: 12 },
            LayoutUnsupported {
                photometric: "CMYK".into(),
                samples: 4,
            },
            NotPhoto,
            PhotoDamaged,
            PhotoCut,
            PhotoNotSaved,
        ]
    }
}

/// Reads a stored reason: a [`FileProblem`], or the English text an earlier
/// Hale stored in its place.
pub fn stored<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FileProblem>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Problem(FileProblem),
        Earlier(String),
    }
    Ok(
        Option::<Stored>::deserialize(d)?.map(|stored| match stored {
            Stored::Problem(problem) => problem,
            Stored::Earlier(text) => FileProblem::Earlier(text),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_refusal_is_worded_in_traditional_chinese() {
        // Formats and codes that stay as they are, and what the examples bring.
        let codes = [
            "JPEG", "PNG", "WebP", "PDF", "DICOM", "ZIP", "HEIC", "DICM", "UID", "CMYK",
        ];
        for problem in FileProblem::examples() {
            let english = problem.worded(Locale::en);
            assert_eq!(english, problem.to_string());
            assert!(english.chars().any(|c| c.is_ascii_alphabetic()));
            super::super::tests::assert_worded_in_chinese(
                &problem.worded(Locale::zh_TW),
                &codes,
                &format!("{problem:?}"),
            );
        }
        assert_eq!(
            FileProblem::Heic.to_string(),
            "HEIC photos are not accepted yet; choose “Most compatible” (JPEG) in the camera settings or share the photo as JPEG"
        );
    }

    #[test]
    fn a_reason_stored_as_text_by_an_earlier_version_still_reads() {
        #[derive(Deserialize)]
        struct Info {
            #[serde(deserialize_with = "stored", default)]
            unsupported: Option<FileProblem>,
        }
        let read = |json: &str| serde_json::from_str::<Info>(json).unwrap().unsupported;
        assert_eq!(
            read(r#"{"unsupported":"it holds no image"}"#),
            Some(FileProblem::Earlier("it holds no image".into()))
        );
        assert_eq!(
            read(r#"{"unsupported":"NoImage"}"#),
            Some(FileProblem::NoImage)
        );
        assert_eq!(
            read(r#"{"unsupported":{"BitsUnsupported":{"bits":12}}}"#),
            Some(FileProblem::BitsUnsupported { bits: 12 })
        );
        assert_eq!(read(r#"{"unsupported":null}"#), None);
        assert_eq!(read("{}"), None);
    }
}
