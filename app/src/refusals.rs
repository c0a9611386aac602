//! Why a medication or a dose is refused, as data: the server decides, the
//! page words it in the reader's language (and re-words it when the language
//! changes); `Display` is the English wording the REST API and logs use.

use serde::{Deserialize, Serialize};
use std::fmt;

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

impl fmt::Display for MedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MedField::Name => "the name",
            MedField::Strength => "the strength",
            MedField::Instructions => "the instructions",
            MedField::Prescriber => "the prescriber",
            MedField::Supply => "the supply",
            MedField::RefillLevel => "the refill level",
        })
    }
}

impl fmt::Display for MedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MedProblem::*;
        match self {
            TooLong { field, max } => write!(f, "{field} is longer than {max} characters"),
            OutOfRange { field } => write!(f, "{field} must be a number from 0 to 100000"),
            TooManyTimes { max } => write!(f, "at most {max} times a day"),
            ReasonTooLong { max } => write!(f, "the reason is longer than {max} characters"),
            NameMissing => f.write_str("enter the medication's name"),
            FormUnknown => f.write_str("choose a form from the list"),
            RxnormFormat => f.write_str("an RxNorm code is 1 to 8 digits"),
            StartDateMissing => f.write_str("choose a start date"),
            EndDateInvalid => f.write_str("the end date is not a date"),
            EndBeforeStart => f.write_str("the end date is before the start date"),
            SupplyNeededForRefillLevel => {
                f.write_str("enter the supply on hand to get refill reminders")
            }
            DoseAmount => f.write_str("the dose must be more than zero (at most 1000)"),
            Weekdays => f.write_str("weekdays are numbered 1 (Monday) to 7 (Sunday)"),
            TimesMissing => f.write_str("add at least one time of day"),
            TimeFormat => f.write_str("write each time as HH:MM, for example 08:00"),
            TimeTwice => f.write_str("the same time is listed twice"),
            IntervalHours => f.write_str("choose every 1 to 24 hours"),
            FirstTimeMissing => f.write_str("choose the first time of day (HH:MM)"),
            MaxPerDay => f.write_str("choose the most doses a day (1 to 24)"),
            ChangeDateMissing => f.write_str("give each dose change a date (YYYY-MM-DD)"),
            ChangeAmount => f.write_str("each changed dose must be more than zero (at most 1000)"),
            ChangeOutsideDates => {
                f.write_str("each dose change must fall between the start and end dates")
            }
            ChangesSameDate => f.write_str("two dose changes fall on the same date"),
            RefillAmount => f.write_str("a refill is more than zero units (at most 100000)"),
            RefillNotNumber => f.write_str("enter the number of units added"),
            RefillWithoutSupply => f.write_str("enter the supply on hand first"),
            DeviceId => f.write_str("the device's id for this dose is not valid"),
            TakenOrSkipped => f.write_str("choose taken or skipped"),
            Stopped => f.write_str("this medication is stopped"),
            DateTimeMissing => f.write_str("choose a date and time"),
            InFuture => f.write_str("the time is in the future"),
            SlotMissing => f.write_str("choose which scheduled dose this is"),
            AsNeededOnlyTaken => f.write_str("an as-needed dose is only logged when taken"),
            NotScheduled => f.write_str("no dose is scheduled then"),
            NotDueYet => f.write_str("that dose is not due yet"),
        }
    }
}
