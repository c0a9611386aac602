//! The checks of medications and doses: what a form or the Today page sends
//! (user-safe reasons), which fields an edit changed, and the access check
//! with the transaction a change runs in.

use super::FORMS;
use super::MedicationInput;
use crate::access::gate::{self, Proof, Write, kinds::Medications};
use crate::clock::parse_date;
use crate::error::AppError;
use crate::identity::Actor;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

pub(super) fn invalid(reason: impl Into<String>) -> AppError {
    AppError::InvalidMedication {
        reason: reason.into(),
    }
}

pub(super) fn bad_dose(reason: impl Into<String>) -> AppError {
    AppError::InvalidDose {
        reason: reason.into(),
    }
}

/// The access check for a change to `record` (audited), and the transaction it runs in.
pub(super) async fn begin_change(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    record: &str,
) -> Result<(Proof<Medications, Write>, DatabaseTransaction), AppError> {
    let proof = gate::check::<Medications, Write>(db, actor, patient_id, Some(record)).await?;
    Ok((proof, db.begin().await?))
}

/// Checks and tidies what the form sent.
pub fn checked(mut input: MedicationInput) -> Result<MedicationInput, AppError> {
    let trim = |s: &mut String| *s = s.trim().to_owned();
    for field in [
        &mut input.name,
        &mut input.strength,
        &mut input.form,
        &mut input.instructions,
        &mut input.prescriber,
        &mut input.rxnorm,
        &mut input.start_date,
        &mut input.end_date,
    ] {
        trim(field);
    }
    let limits = [
        (&input.name, 120, "the name"),
        (&input.strength, 60, "the strength"),
        (&input.instructions, 500, "the instructions"),
        (&input.prescriber, 120, "the prescriber"),
    ];
    for (field, max, what) in limits {
        if field.chars().count() > max {
            return Err(invalid(format!("{what} is longer than {max} characters")));
        }
    }
    if input.name.is_empty() {
        return Err(invalid("enter the medication's name"));
    }
    if !FORMS.contains(&input.form.as_str()) {
        return Err(invalid("choose a form from the list"));
    }
    if !input.rxnorm.is_empty()
        && (input.rxnorm.len() > 8 || !input.rxnorm.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid("an RxNorm code is 1 to 8 digits"));
    }
    let start = parse_date(&input.start_date).ok_or_else(|| invalid("choose a start date"))?;
    let end = match input.end_date.as_str() {
        "" => None,
        text => Some(parse_date(text).ok_or_else(|| invalid("the end date is not a date"))?),
    };
    if end.is_some_and(|end| end < start) {
        return Err(invalid("the end date is before the start date"));
    }
    for (value, what) in [
        (input.supply, "the supply"),
        (input.low_supply, "the refill level"),
    ] {
        if value.is_some_and(|v| !v.is_finite() || !(0.0..=100_000.0).contains(&v)) {
            return Err(invalid(format!("{what} must be a number from 0 to 100000")));
        }
    }
    if input.low_supply.is_some() && input.supply.is_none() {
        return Err(invalid("enter the supply on hand to get refill reminders"));
    }
    input.schedule = input.schedule.checked(start, end).map_err(invalid)?;
    Ok(input)
}

/// Which fields an edit changed (names only: the history shows no values).
pub(super) fn changed_fields(old: &MedicationInput, new: &MedicationInput) -> String {
    let mut fields = Vec::new();
    let mut note = |changed: bool, name: &str| {
        if changed {
            fields.push(name.to_owned());
        }
    };
    note(old.name != new.name, "name");
    note(old.strength != new.strength, "strength");
    note(old.form != new.form, "form");
    note(old.instructions != new.instructions, "instructions");
    note(old.prescriber != new.prescriber, "prescriber");
    note(old.rxnorm != new.rxnorm, "rxnorm");
    note(old.start_date != new.start_date, "start_date");
    note(old.end_date != new.end_date, "end_date");
    note(old.schedule != new.schedule, "schedule");
    note(old.supply != new.supply, "supply");
    note(old.low_supply != new.low_supply, "low_supply");
    fields.join(",")
}

pub(super) fn valid_client_id(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
