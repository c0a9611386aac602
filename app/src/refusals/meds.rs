//! Why a medication or a dose is refused.

use crate::i18n::{Locale, td_string, text_in};
use serde::{Deserialize, Serialize};

/// A medication's text field that has a length limit or a number range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MedField {
    Name,
    Strength,
    Instructions,
    Prescriber,
    Supply,
    RefillLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MedProblem {
    TooLong {
        field: MedField,
        max: u32,
    },
    NameMissing,
    FormUnknown,
    RxnormFormat,
    StartDateMissing,
    EndDateInvalid,
    EndBeforeStart,
    /// A supply or refill level outside 0 to 100000.
    OutOfRange {
        field: MedField,
    },
    SupplyNeededForRefillLevel,
    DoseAmount,
    Weekdays,
    TimesMissing,
    TooManyTimes {
        max: u32,
    },
    TimeFormat,
    TimeTwice,
    IntervalHours,
    FirstTimeMissing,
    MaxPerDay,
    ChangeDateMissing,
    ChangeAmount,
    ChangeOutsideDates,
    ChangesSameDate,
    RefillAmount,
    RefillNotNumber,
    RefillWithoutSupply,
    // Logging a dose.
    DeviceId,
    TakenOrSkipped,
    ReasonTooLong {
        max: u32,
    },
    Stopped,
    DateTimeMissing,
    InFuture,
    SlotMissing,
    AsNeededOnlyTaken,
    NotScheduled,
    NotDueYet,
}

impl MedProblem {
    /// The reason in `locale`'s words.
    pub fn worded(self, locale: Locale) -> String {
        use MedProblem::*;
        let field = |field: MedField| match field {
            MedField::Name => text_in!(locale, errors.med_field_name),
            MedField::Strength => text_in!(locale, errors.med_field_strength),
            MedField::Instructions => text_in!(locale, errors.med_field_instructions),
            MedField::Prescriber => text_in!(locale, errors.med_field_prescriber),
            MedField::Supply => text_in!(locale, errors.med_field_supply),
            MedField::RefillLevel => text_in!(locale, errors.med_field_refill_level),
        };
        match self {
            TooLong { field: f, max } => {
                td_string!(locale, errors.med_too_long, field = field(f), max).to_string()
            }
            OutOfRange { field: f } => {
                td_string!(locale, errors.med_out_of_range, field = field(f)).to_string()
            }
            TooManyTimes { max } => td_string!(locale, errors.med_too_many_times, max).to_string(),
            ReasonTooLong { max } => {
                td_string!(locale, errors.med_reason_too_long, max).to_string()
            }
            NameMissing => text_in!(locale, errors.med_name_missing).to_string(),
            FormUnknown => text_in!(locale, errors.med_form_unknown).to_string(),
            RxnormFormat => text_in!(locale, errors.med_rxnorm_format).to_string(),
            StartDateMissing => text_in!(locale, errors.med_start_date_missing).to_string(),
            EndDateInvalid => text_in!(locale, errors.med_end_date_invalid).to_string(),
            EndBeforeStart => text_in!(locale, errors.med_end_before_start).to_string(),
            SupplyNeededForRefillLevel => text_in!(locale, errors.med_supply_needed).to_string(),
            DoseAmount => text_in!(locale, errors.med_dose_amount).to_string(),
            Weekdays => text_in!(locale, errors.med_weekdays).to_string(),
            TimesMissing => text_in!(locale, errors.med_times_missing).to_string(),
            TimeFormat => text_in!(locale, errors.med_time_format).to_string(),
            TimeTwice => text_in!(locale, errors.med_time_twice).to_string(),
            IntervalHours => text_in!(locale, errors.med_interval_hours).to_string(),
            FirstTimeMissing => text_in!(locale, errors.med_first_time_missing).to_string(),
            MaxPerDay => text_in!(locale, errors.med_max_per_day).to_string(),
            ChangeDateMissing => text_in!(locale, errors.med_change_date_missing).to_string(),
            ChangeAmount => text_in!(locale, errors.med_change_amount).to_string(),
            ChangeOutsideDates => text_in!(locale, errors.med_change_outside).to_string(),
            ChangesSameDate => text_in!(locale, errors.med_changes_same_date).to_string(),
            RefillAmount => text_in!(locale, errors.med_refill_amount).to_string(),
            RefillNotNumber => text_in!(locale, errors.med_refill_not_number).to_string(),
            RefillWithoutSupply => text_in!(locale, errors.med_refill_without_supply).to_string(),
            DeviceId => text_in!(locale, errors.dose_device_id).to_string(),
            TakenOrSkipped => text_in!(locale, errors.dose_taken_or_skipped).to_string(),
            Stopped => text_in!(locale, errors.dose_stopped).to_string(),
            DateTimeMissing => text_in!(locale, errors.dose_date_time_missing).to_string(),
            InFuture => text_in!(locale, errors.dose_in_future).to_string(),
            SlotMissing => text_in!(locale, errors.dose_slot_missing).to_string(),
            AsNeededOnlyTaken => text_in!(locale, errors.dose_as_needed_only_taken).to_string(),
            NotScheduled => text_in!(locale, errors.dose_not_scheduled).to_string(),
            NotDueYet => text_in!(locale, errors.dose_not_due_yet).to_string(),
        }
    }
}

#[cfg(test)]
impl MedProblem {
    /// One of each kind of refusal, for the check that every one is worded
    /// in both languages: add one with each new kind.
    pub const EXAMPLES: &[MedProblem] = &[
        MedProblem::TooLong {
            field: MedField::Prescriber,
            max: 120,
        },
        MedProblem::OutOfRange {
            field: MedField::RefillLevel,
        },
        MedProblem::TooManyTimes { max: 12 },
        MedProblem::ReasonTooLong { max: 200 },
        MedProblem::NameMissing,
        MedProblem::FormUnknown,
        MedProblem::RxnormFormat,
        MedProblem::StartDateMissing,
        MedProblem::EndDateInvalid,
        MedProblem::EndBeforeStart,
        MedProblem::SupplyNeededForRefillLevel,
        MedProblem::DoseAmount,
        MedProblem::Weekdays,
        MedProblem::TimesMissing,
        MedProblem::TimeFormat,
        MedProblem::TimeTwice,
        MedProblem::IntervalHours,
        MedProblem::FirstTimeMissing,
        MedProblem::MaxPerDay,
        MedProblem::ChangeDateMissing,
        MedProblem::ChangeAmount,
        MedProblem::ChangeOutsideDates,
        MedProblem::ChangesSameDate,
        MedProblem::RefillAmount,
        MedProblem::RefillNotNumber,
        MedProblem::RefillWithoutSupply,
        MedProblem::DeviceId,
        MedProblem::TakenOrSkipped,
        MedProblem::Stopped,
        MedProblem::DateTimeMissing,
        MedProblem::InFuture,
        MedProblem::SlotMissing,
        MedProblem::AsNeededOnlyTaken,
        MedProblem::NotScheduled,
        MedProblem::NotDueYet,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_medication_refusal_is_worded_in_traditional_chinese() {
        for &problem in MedProblem::EXAMPLES {
            super::super::tests::assert_worded_in_chinese(
                &problem.worded(Locale::zh_TW),
                &["RxNorm", "HH:MM", "YYYY-MM-DD"],
                &format!("{problem:?}"),
            );
        }
        assert_eq!(
            MedProblem::TooLong {
                field: MedField::Name,
                max: 120
            }
            .worded(Locale::zh_TW),
            "名稱超過 120 個字"
        );
        assert_eq!(
            MedProblem::DoseAmount.to_string(),
            "the dose must be more than zero (at most 1000)"
        );
    }
}
