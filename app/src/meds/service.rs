//! The rules of medications: the list with its adherence, one medication
//! with its history, adding, editing, stopping and refilling. Doses are in
//! `doses`, the checks of what forms send in `checks`. Every function passes
//! the access check (audited) before it touches a row.

use super::checks::{begin_change, changed_fields, checked, invalid};
use super::doses::adherence;
use super::store::{self, LogRow, MedRow};
use super::{MedicationDetail, MedicationInput, MedicationList, MedicationView};
use crate::access::gate::{self, Read, Write, kinds::Medications};
use crate::db::now_ms;
use crate::error::AppError;
use crate::identity::Actor;
use crate::refusals::MedProblem;
use chrono::{Duration, NaiveDate};
use jiff::tz::TimeZone;
use sea_orm::{DatabaseConnection, TransactionTrait};

fn view(
    med: MedRow,
    zone: &TimeZone,
    logs: &[LogRow],
    today: NaiveDate,
    now: i64,
) -> MedicationView {
    let days_back = |n: i64| today - Duration::days(n);
    let week = adherence(&med, zone, logs, days_back(6), today, now);
    let month = adherence(&med, zone, logs, days_back(29), today, now);
    let supply_low = matches!(
        (med.input.supply, med.input.low_supply),
        (Some(supply), Some(low)) if supply <= low
    );
    MedicationView {
        id: med.id,
        active: med.active,
        supply_low,
        week,
        month,
        input: med.input,
    }
}

async fn patient_name(db: &DatabaseConnection, actor: &Actor, patient_id: i64) -> Option<String> {
    if actor.account_id == patient_id {
        return None;
    }
    crate::accounts::service::find_by_id(db, patient_id)
        .await
        .ok()
        .map(|a| a.display_name)
}

/// The patient's medications (those whose name, strength, prescriber or
/// instructions contain `query`), with adherence over 7 and 30 days.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    query: &str,
) -> Result<MedicationList, AppError> {
    let proof = gate::check::<Medications, Read>(db, actor, patient_id, None).await?;
    let crate::clock::PersonZone {
        zone,
        name: zone_name,
        ..
    } = crate::clock::zone_of(db, patient_id).await?;
    let now = now_ms();
    let (today, _) = crate::clock::local(&zone, now);
    let from = today - Duration::days(29);
    let window = (crate::clock::day_start_ms(&zone, from), now + 1);
    let logs = store::logs(db, &proof, from, today, window).await?;
    let needle = query.trim().to_lowercase();
    let medications = store::medications(db, &proof)
        .await?
        .into_iter()
        .filter(|m| {
            needle.is_empty()
                || [
                    &m.input.name,
                    &m.input.strength,
                    &m.input.prescriber,
                    &m.input.instructions,
                ]
                .iter()
                .any(|f| f.to_lowercase().contains(&needle))
        })
        .map(|m| view(m, &zone, &logs, today, now))
        .collect();
    Ok(MedicationList {
        patient_name: patient_name(db, actor, patient_id).await,
        zone: zone_name,
        medications,
    })
}

/// One medication with its history.
pub async fn detail(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    id: i64,
) -> Result<MedicationDetail, AppError> {
    let record = format!("medication:{id}");
    let proof = gate::check::<Medications, Read>(db, actor, patient_id, Some(&record)).await?;
    let med = store::medication(db, &proof, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let zone = crate::clock::zone_of(db, patient_id).await?.zone;
    let now = now_ms();
    let (today, _) = crate::clock::local(&zone, now);
    let from = today - Duration::days(29);
    let logs = store::logs(
        db,
        &proof,
        from,
        today,
        (crate::clock::day_start_ms(&zone, from), now + 1),
    )
    .await?;
    Ok(MedicationDetail {
        history: store::changes(db, &proof, id).await?,
        medication: view(med, &zone, &logs, today, now),
    })
}

/// Adds (`id` none) or edits a medication; answers its id.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    id: Option<i64>,
    input: MedicationInput,
) -> Result<i64, AppError> {
    let record = id.map(|id| format!("medication:{id}"));
    let proof = gate::check::<Medications, Write>(db, actor, patient_id, record.as_deref()).await?;
    let input = checked(input)?;
    let tx = db.begin().await?;
    let id = match id {
        None => {
            let id = store::insert(&tx, &proof, &input).await?;
            store::add_change(&tx, &proof, id, "created", "").await?;
            id
        }
        Some(id) => {
            let old = store::medication(&tx, &proof, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let fields = changed_fields(&old.input, &input);
            if !fields.is_empty() {
                store::update(&tx, &proof, id, &input).await?;
                store::add_change(&tx, &proof, id, "edited", &fields).await?;
            }
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// Stops or resumes a medication.
pub async fn set_active(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    let (proof, tx) = begin_change(db, actor, patient_id, &format!("medication:{id}")).await?;
    let med = store::medication(&tx, &proof, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if med.active != active {
        store::set_status(&tx, &proof, id, active).await?;
        store::add_change(
            &tx,
            &proof,
            id,
            if active { "resumed" } else { "stopped" },
            "",
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Adds a refill of `amount` units to the supply.
pub async fn refill(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    id: i64,
    amount: f64,
) -> Result<(), AppError> {
    if !amount.is_finite() || amount <= 0.0 || amount > 100_000.0 {
        return Err(invalid(MedProblem::RefillAmount));
    }
    let (proof, tx) = begin_change(db, actor, patient_id, &format!("medication:{id}")).await?;
    let med = store::medication(&tx, &proof, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if med.input.supply.is_none() {
        return Err(invalid(MedProblem::RefillWithoutSupply));
    }
    store::change_supply(&tx, &proof, id, amount, true).await?;
    store::add_change(&tx, &proof, id, "refilled", &format!("{amount}")).await?;
    tx.commit().await?;
    Ok(())
}
