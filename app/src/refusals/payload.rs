//! Why a request's body cannot be read: an upload cut off or not the size it
//! said, a REST body that is not JSON or not what the endpoint takes.

use crate::i18n::{Locale, td_string, text_in};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayloadProblem {
    /// The browser (or the network) stopped sending an upload.
    UploadCutOff,
    /// A REST body ended before its length.
    BodyCutOff,
    PartTooLong,
    PartTooShort,
    /// An upload's start is not `{"name": …, "size": …}`.
    UploadStart,
    NotJson {
        line: u32,
        column: u32,
    },
    NotReadingsOrBundle,
    BundleEntriesNotList,
}

impl PayloadProblem {
    /// One of each kind, for the check that every one is worded in both
    /// languages.
    #[cfg(test)]
    pub const EXAMPLES: &[PayloadProblem] = &[
        PayloadProblem::UploadCutOff,
        PayloadProblem::BodyCutOff,
        PayloadProblem::PartTooLong,
        PayloadProblem::PartTooShort,
        PayloadProblem::UploadStart,
        PayloadProblem::NotJson {
            line: 3,
            column: 14,
        },
        PayloadProblem::NotReadingsOrBundle,
        PayloadProblem::BundleEntriesNotList,
    ];

    /// The reason in `locale`'s words.
    pub fn worded(self, locale: Locale) -> String {
        match self {
            PayloadProblem::UploadCutOff => text_in!(locale, errors.payload_upload_cut_off),
            PayloadProblem::BodyCutOff => text_in!(locale, errors.payload_body_cut_off),
            PayloadProblem::PartTooLong => text_in!(locale, errors.payload_part_too_long),
            PayloadProblem::PartTooShort => text_in!(locale, errors.payload_part_too_short),
            PayloadProblem::UploadStart => text_in!(locale, errors.payload_upload_start),
            PayloadProblem::NotJson { line, column } => {
                return td_string!(locale, errors.payload_not_json, line, column).to_string();
            }
            PayloadProblem::NotReadingsOrBundle => {
                text_in!(locale, errors.payload_not_readings)
            }
            PayloadProblem::BundleEntriesNotList => {
                text_in!(locale, errors.payload_bundle_entries)
            }
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_payload_refusal_is_worded_in_traditional_chinese() {
        for &problem in PayloadProblem::EXAMPLES {
            super::super::tests::assert_worded_in_chinese(
                &problem.worded(Locale::zh_TW),
                &["JSON", "FHIR", "Bundle.entry", "Bundle", "name", "size"],
                &format!("{problem:?}"),
            );
        }
        assert_eq!(
            PayloadProblem::NotJson {
                line: 3,
                column: 14
            }
            .to_string(),
            "not valid JSON (line 3, column 14)"
        );
    }
}
