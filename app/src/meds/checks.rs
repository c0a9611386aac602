//! The checks of medications and doses: what a form or the Today page sends
//! (user-safe reasons), which fields an edit changed, and the access check
//! with the transaction a change runs in.

use super::FORMS;
use super::MedicationInput;
use crate::access::gate::{self, Proof, Write, kinds::Medications};
use crate::clock::parse_date;
use crate::error::AppError;
use crate::identity::Actor;
use crate::refusals::{MedField, MedProblem};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};

pub(super) fn invalid(reason: MedProblem) -> AppError {
    AppError::InvalidMedication { reason }
}

pub(super) fn bad_dose(reason: MedProblem) -> AppError {
    AppError::InvalidDose { reason }
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
        (&input.name, 120, MedField::Name),
        (&input.strength, 60, MedField::Strength),
        (&input.instructions, 500, MedField::Instructions),
        (&input.prescriber, 120, MedField::Prescriber),
    ];
    for (text, max, field) in limits {
        if text.chars().count() > max as usize {
            return Err(invalid(MedProblem::TooLong { field, max }));
        }
    }
    if input.name.is_empty() {
        return Err(invalid(MedProblem::NameMissing));
    }
    if !FORMS.contains(&input.form.as_str()) {
        return Err(invalid(MedProblem::FormUnknown));
    }
    if !input.rxnorm.is_empty()
        && (input.rxnorm.len() > 8 || !input.rxnorm.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid(MedProblem::RxnormFormat));
    }
    let start =
        parse_date(&input.start_date).ok_or_else(|| invalid(MedProblem::StartDateMissing))?;
    let end = match input.end_date.as_str() {
        "" => None,
        text => Some(parse_date(text).ok_or_else(|| invalid(MedProblem::EndDateInvalid))?),
    };
    if end.is_some_and(|end| end < start) {
        return Err(invalid(MedProblem::EndBeforeStart));
    }
    for (value, field) in [
        (input.supply, MedField::Supply),
        (input.low_supply, MedField::RefillLevel),
    ] {
        if value.is_some_and(|v| !v.is_finite() || !(0.0..=100_000.0).contains(&v)) {
            return Err(invalid(MedProblem::OutOfRange { field }));
        }
    }
    if input.low_supply.is_some() && input.supply.is_none() {
        return Err(invalid(MedProblem::SupplyNeededForRefillLevel));
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
