//! Why a reading, an import's item or a whole import is refused.
//!
//! Unlike the other refusals, a reading's `Display` is not the page's English:
//! it is the REST API's, naming the codes API clients send. The page words
//! each kind for people, in the reader's language, with the kind's name.

use crate::i18n::{Locale, td_string, text_in};
use serde::{Deserialize, Serialize};

/// Why one reading was refused. `Display` is the REST API's English, which
/// names the codes an API client sends (`heart_rate`, LOINC codes); people
/// read [`ReadingProblem::worded`]. Neither names a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ReadingProblem {
    #[error("unknown kind; use one of {known}")]
    UnknownKind { known: String },
    #[error("unit not accepted for {kind}; use one of {accepted}")]
    UnknownUnit { kind: String, accepted: String },
    #[error("value outside the plausible range for {kind} ({min} to {max} {unit})")]
    OutOfRange {
        kind: String,
        min: f64,
        max: f64,
        unit: String,
    },
    #[error(
        "time is not a date and time (RFC 3339 such as 2026-11-28T08:00:00Z, or a date such as 2026-11-28)"
    )]
    BadTime,
    #[error(
        "the time is missing (give effectiveDateTime, effectiveInstant, effectivePeriod or issued)"
    )]
    NoTime,
    #[error("time is in the future")]
    FutureTime,
    #[error("time is before 1970")]
    TooOld,
    #[error("blood pressure needs both systolic (value) and diastolic (value2), systolic higher")]
    BloodPressurePair,
    #[error(
        "blood pressure needs a systolic (LOINC 8480-6) and a diastolic (LOINC 8462-4) component, systolic higher"
    )]
    BloodPressureComponents,
    #[error("code {received} is not a kind Hale keeps; accepted LOINC codes: {accepted}")]
    UnknownCode { received: String, accepted: String },
    #[error("status {status}: there is no result to store")]
    NoResult { status: String },
    #[error("no value ({reason})")]
    NoValue { reason: String },
    #[error("not a reading: {what}")]
    NotAReading { what: String },
    #[error("a sleep session needs an end after its start, at most 24 hours later")]
    BadSession,
    #[error("value is not a number")]
    NotANumber,
    /// A choice of display units Hale does not offer.
    #[error("unknown unit")]
    UnitChoice,
    /// A chart asked for more than five years at once.
    #[error("choose a range of up to five years")]
    RangeTooLong,
    #[error("{what}")]
    Malformed { what: Malformation },
}

/// The bounds are the rules' constants, never NaN, so equality is total
/// (`AppError`, which carries a refusal, is `Eq`).
impl Eq for ReadingProblem {}

/// What is wrong with the shape of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum Malformation {
    #[error("status must be final, preliminary, amended, corrected or entered-in-error")]
    Status,
    #[error("comparator must be <, <=, >= or >")]
    Comparator,
    #[error("valueQuantity is missing")]
    NoQuantity,
    #[error("valueQuantity has no unit")]
    NoUnit,
    #[error("entry.resource has no resourceType")]
    NoResourceType,
    #[error("code is missing")]
    NoCode,
    #[error("the line is longer than {kb} KB")]
    LineTooLong { kb: usize },
    /// The JSON parser's own words (API clients only).
    #[error("not a reading: {detail}")]
    NotJson { detail: String },
}

impl ReadingProblem {
    /// The reason in `locale`'s words, with the kind's name for people.
    pub fn worded(&self, locale: Locale) -> String {
        use ReadingProblem as P;
        let kind_name = |kind: &str| kind_name(kind, locale).unwrap_or_else(|| kind.to_owned());
        match self {
            P::OutOfRange {
                kind,
                min,
                max,
                unit,
            } => {
                let unit = if unit == "count" {
                    text_in!(locale, health.unit_steps).to_string()
                } else {
                    unit.clone()
                };
                td_string!(
                    locale,
                    health.problem_out_of_range,
                    kind = kind_name(kind),
                    min = number(*min),
                    max = number(*max),
                    unit = unit
                )
                .to_string()
            }
            P::UnknownKind { .. } => text_in!(locale, health.problem_kind).to_string(),
            P::UnknownUnit { kind, accepted } => td_string!(
                locale,
                health.problem_unit_of,
                kind = kind_name(kind),
                accepted = accepted.clone()
            )
            .to_string(),
            P::BadTime => text_in!(locale, health.problem_time).to_string(),
            P::NoTime => text_in!(locale, health.problem_no_time).to_string(),
            P::FutureTime => text_in!(locale, health.problem_future).to_string(),
            P::TooOld => text_in!(locale, health.problem_too_old).to_string(),
            P::BloodPressurePair | P::BloodPressureComponents => {
                text_in!(locale, health.problem_blood_pressure).to_string()
            }
            P::UnknownCode { received, .. } => {
                td_string!(locale, health.problem_code, code = received.clone()).to_string()
            }
            P::NoResult { .. } => text_in!(locale, health.problem_no_result).to_string(),
            P::NoValue { .. } => text_in!(locale, health.problem_no_value).to_string(),
            P::NotAReading { .. } => text_in!(locale, health.problem_not_reading).to_string(),
            P::BadSession => text_in!(locale, health.problem_session).to_string(),
            P::NotANumber => text_in!(locale, health.problem_number).to_string(),
            P::UnitChoice => text_in!(locale, health.problem_unit).to_string(),
            P::RangeTooLong => text_in!(locale, health.problem_range).to_string(),
            P::Malformed { what } => what.worded(locale),
        }
    }
}

impl Malformation {
    pub fn worded(&self, locale: Locale) -> String {
        match self {
            Malformation::Status => text_in!(locale, health.malformed_status).to_string(),
            Malformation::Comparator => text_in!(locale, health.malformed_comparator).to_string(),
            Malformation::NoQuantity | Malformation::NoUnit => {
                text_in!(locale, health.malformed_quantity).to_string()
            }
            Malformation::NoResourceType | Malformation::NoCode | Malformation::NotJson { .. } => {
                text_in!(locale, health.malformed_item).to_string()
            }
            Malformation::LineTooLong { kb } => {
                td_string!(locale, health.malformed_long_line, kb = *kb).to_string()
            }
        }
    }
}

/// Why a whole import stopped or was refused (the item-level reasons are
/// [`ReadingProblem`]s). `Display` is the English the REST API gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ImportProblem {
    #[error("the uploaded file is no longer available; please upload it again")]
    FileGone,
    #[error("the file ends early (truncated); the readings before this point were imported")]
    Truncated,
    #[error("the file is malformed here; the readings before this point were imported")]
    MalformedHere,
    #[error("not an Apple Health export, nor a CSV file with the columns time, kind, value, unit")]
    NotAnExport,
    #[error("the ZIP is damaged or cut short")]
    ZipDamaged,
    #[error("the ZIP holds too many entries to be a Health export")]
    ZipTooManyEntries,
    #[error(
        "this ZIP holds no export.xml: choose the export.zip the Health app shares (Profile, then Export All Health Data)"
    )]
    ZipNoExport,
    #[error("the export in the ZIP is password-protected")]
    ZipEncrypted,
    #[error("the ZIP inflates far beyond its size (a decompression bomb)")]
    ZipBomb,
}

impl ImportProblem {
    pub fn worded(&self, locale: Locale) -> String {
        match self {
            ImportProblem::FileGone => text_in!(locale, health.import_file_gone),
            ImportProblem::Truncated => text_in!(locale, health.import_truncated),
            ImportProblem::MalformedHere => text_in!(locale, health.import_malformed_here),
            ImportProblem::NotAnExport => text_in!(locale, health.import_not_export),
            ImportProblem::ZipDamaged => text_in!(locale, health.import_zip_damaged),
            ImportProblem::ZipTooManyEntries => text_in!(locale, health.import_zip_entries),
            ImportProblem::ZipNoExport => text_in!(locale, health.import_zip_no_export),
            ImportProblem::ZipEncrypted => text_in!(locale, health.import_zip_encrypted),
            ImportProblem::ZipBomb => text_in!(locale, health.import_zip_bomb),
        }
        .to_string()
    }
}

/// A refused item's reason as data, beside its English `reason`: a reading's
/// problem, or the import's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemRefusal {
    Reading(ReadingProblem),
    Import(ImportProblem),
}

impl ItemRefusal {
    pub fn worded(&self, locale: Locale) -> String {
        match self {
            ItemRefusal::Reading(problem) => problem.worded(locale),
            ItemRefusal::Import(problem) => problem.worded(locale),
        }
    }
}

impl std::fmt::Display for ItemRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ItemRefusal::Reading(problem) => problem.fmt(f),
            ItemRefusal::Import(problem) => problem.fmt(f),
        }
    }
}

/// A kind of reading's name in `locale`, from its code (`heart_rate`); the
/// readings area names its kinds through this too.
pub fn kind_name(code: &str, locale: Locale) -> Option<String> {
    Some(
        match code {
            "heart_rate" => text_in!(locale, health.kind_heart_rate),
            "steps" => text_in!(locale, health.kind_steps),
            "active_energy" => text_in!(locale, health.kind_active_energy),
            "distance" => text_in!(locale, health.kind_distance),
            "weight" => text_in!(locale, health.kind_weight),
            "body_fat" => text_in!(locale, health.kind_body_fat),
            "glucose" => text_in!(locale, health.kind_glucose),
            "blood_pressure" => text_in!(locale, health.kind_blood_pressure),
            "spo2" => text_in!(locale, health.kind_spo2),
            "body_temperature" => text_in!(locale, health.kind_body_temperature),
            "sleep" => text_in!(locale, health.kind_sleep),
            _ => return None,
        }
        .to_string(),
    )
}

/// A bound as people read it: at most one decimal, no trailing `.0`.
fn number(value: f64) -> String {
    let text = format!("{value:.1}");
    text.trim_end_matches(".0").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<ItemRefusal> {
        let text = |t: &str| t.to_owned();
        let readings = [
            ReadingProblem::UnknownKind {
                known: text("steps"),
            },
            ReadingProblem::UnknownUnit {
                kind: text("weight"),
                accepted: text("kg, lb"),
            },
            ReadingProblem::OutOfRange {
                kind: text("steps"),
                min: 0.0,
                max: 200000.0,
                unit: text("count"),
            },
            ReadingProblem::BadTime,
            ReadingProblem::NoTime,
            ReadingProblem::FutureTime,
            ReadingProblem::TooOld,
            ReadingProblem::BloodPressurePair,
            ReadingProblem::BloodPressureComponents,
            ReadingProblem::UnknownCode {
                received: text("12345-6"),
                accepted: text("8867-4"),
            },
            ReadingProblem::NoResult {
                status: text("cancelled"),
            },
            ReadingProblem::NoValue {
                reason: text("asked-declined"),
            },
            ReadingProblem::NotAReading {
                what: text("a Patient resource"),
            },
            ReadingProblem::BadSession,
            ReadingProblem::NotANumber,
            ReadingProblem::UnitChoice,
            ReadingProblem::RangeTooLong,
        ]
        .into_iter()
        .chain(
            [
                Malformation::Status,
                Malformation::Comparator,
                Malformation::NoQuantity,
                Malformation::NoUnit,
                Malformation::NoResourceType,
                Malformation::NoCode,
                Malformation::LineTooLong { kb: 64 },
                Malformation::NotJson {
                    detail: text("expected value at line 1 column 1"),
                },
            ]
            .map(|what| ReadingProblem::Malformed { what }),
        )
        .map(ItemRefusal::Reading);
        let imports = [
            ImportProblem::FileGone,
            ImportProblem::Truncated,
            ImportProblem::MalformedHere,
            ImportProblem::NotAnExport,
            ImportProblem::ZipDamaged,
            ImportProblem::ZipTooManyEntries,
            ImportProblem::ZipNoExport,
            ImportProblem::ZipEncrypted,
            ImportProblem::ZipBomb,
        ]
        .map(ItemRefusal::Import);
        readings.chain(imports).collect()
    }

    #[test]
    fn every_reading_and_import_refusal_is_worded_in_traditional_chinese() {
        let codes = [
            "kg, lb",
            "12345-6",
            "KB",
            "Apple",
            "CSV",
            "time",
            "kind",
            "value",
            "unit",
            "ZIP",
            "export.xml",
            "export.zip",
        ];
        for refusal in examples() {
            let chinese = refusal.worded(Locale::zh_TW);
            super::super::tests::assert_worded_in_chinese(
                &chinese,
                &codes,
                &format!("{refusal:?}"),
            );
            assert_ne!(chinese, refusal.worded(Locale::en), "{refusal:?}");
        }
    }

    #[test]
    fn people_read_the_kinds_name_where_the_api_reads_its_code() {
        let out_of_range = ReadingProblem::OutOfRange {
            kind: "heart_rate".into(),
            min: 20.0,
            max: 300.0,
            unit: "/min".into(),
        };
        assert_eq!(
            out_of_range.to_string(),
            "value outside the plausible range for heart_rate (20 to 300 /min)"
        );
        assert_eq!(
            out_of_range.worded(Locale::en),
            "the value is outside the plausible range for Heart rate (20 to 300 /min)"
        );
        assert_eq!(
            out_of_range.worded(Locale::zh_TW),
            "數值超出心率的合理範圍（20 至 300 /min）"
        );
    }

    #[test]
    fn an_item_refusal_keeps_its_data_through_json() {
        for refusal in examples() {
            let json = serde_json::to_string(&refusal).expect("serialise");
            let back: ItemRefusal = serde_json::from_str(&json).expect(&json);
            assert_eq!(back, refusal);
        }
    }
}
