//! The medications repository: medication rows, their history and the dose
//! log. Every function takes the access check's proof and touches only the
//! proven patient's rows.

use super::{ChangeView, MedicationInput, Schedule};
use crate::access::gate::{AccessMode, Proof, Write, kinds::Medications};
use crate::db::{now_ms, statement};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, QueryResult};

/// A medication as stored.
#[derive(Debug, Clone)]
pub struct MedRow {
    pub id: i64,
    pub input: MedicationInput,
    pub active: bool,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub refills: i32,
}

const MED_COLUMNS: &str = "id, name, strength, form, instructions, prescriber, rxnorm, \
     start_date, end_date, status, schedule, supply, low_supply, refills";

/// A medication row as the database holds it.
#[derive(FromQueryResult)]
struct StoredMed {
    id: i64,
    name: Option<String>,
    strength: Option<String>,
    form: Option<String>,
    instructions: Option<String>,
    prescriber: Option<String>,
    rxnorm: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
    schedule: Option<String>,
    supply: Option<f64>,
    low_supply: Option<f64>,
    refills: i32,
}

impl From<StoredMed> for MedRow {
    fn from(row: StoredMed) -> Self {
        let start_date = row.start_date.unwrap_or_default();
        let end_date = row.end_date.unwrap_or_default();
        MedRow {
            id: row.id,
            start: crate::clock::parse_date(&start_date).unwrap_or_default(),
            end: crate::clock::parse_date(&end_date),
            active: row.status.as_deref() == Some("active"),
            refills: row.refills,
            input: MedicationInput {
                name: row.name.unwrap_or_default(),
                strength: row.strength.unwrap_or_default(),
                form: row.form.unwrap_or_default(),
                instructions: row.instructions.unwrap_or_default(),
                prescriber: row.prescriber.unwrap_or_default(),
                rxnorm: row.rxnorm.unwrap_or_default(),
                start_date,
                end_date,
                schedule: row
                    .schedule
                    .and_then(|s| serde_json::from_str::<Schedule>(&s).ok())
                    .unwrap_or_default(),
                supply: row.supply,
                low_supply: row.low_supply,
            },
        }
    }
}

/// A medication of a query that selects [`MED_COLUMNS`] (with any others).
pub fn med_row(row: &QueryResult) -> Result<MedRow, DbErr> {
    StoredMed::from_query_result(row, "").map(MedRow::from)
}

/// The patient's medications, active first, then by name.
pub async fn medications<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, M>,
) -> Result<Vec<MedRow>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            &format!(
                "SELECT {MED_COLUMNS} FROM medications WHERE patient_id = ? \
                 ORDER BY status, LOWER(name), id"
            ),
            [proof.patient_id().into()],
        ))
        .await?;
    rows.iter().map(med_row).collect()
}

/// One of the patient's medications (none for another patient's id).
pub async fn medication<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, M>,
    id: i64,
) -> Result<Option<MedRow>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            &format!("SELECT {MED_COLUMNS} FROM medications WHERE id = ? AND patient_id = ?"),
            [id.into(), proof.patient_id().into()],
        ))
        .await?;
    row.as_ref().map(med_row).transpose()
}

fn input_values(input: &MedicationInput) -> Vec<sea_orm::Value> {
    let maybe = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    vec![
        input.name.clone().into(),
        input.strength.clone().into(),
        input.form.clone().into(),
        maybe(&input.instructions).into(),
        maybe(&input.prescriber).into(),
        maybe(&input.rxnorm).into(),
        input.start_date.clone().into(),
        maybe(&input.end_date).into(),
        serde_json::to_string(&input.schedule)
            .unwrap_or_default()
            .into(),
        input.supply.into(),
        input.low_supply.into(),
    ]
}

/// Stores a new (checked) medication; answers its id.
pub async fn insert(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, Write>,
    input: &MedicationInput,
) -> Result<i64, DbErr> {
    let now = now_ms();
    let mut values = vec![proof.patient_id().into()];
    values.extend(input_values(input));
    values.extend([now.into(), now.into()]);
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "INSERT INTO medications (patient_id, name, strength, form, instructions, prescriber, \
             rxnorm, start_date, end_date, schedule, supply, low_supply, status, refills, \
             created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', 0, ?, ?) \
             RETURNING id",
            values,
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("INSERT … RETURNING gave no row".into()))?;
    row.try_get("", "id")
}

/// Replaces a medication's fields (checked input).
pub async fn update(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, Write>,
    id: i64,
    input: &MedicationInput,
) -> Result<(), DbErr> {
    let mut values = input_values(input);
    values.extend([now_ms().into(), id.into(), proof.patient_id().into()]);
    db.execute_raw(statement(
        db.get_database_backend(),
        "UPDATE medications SET name = ?, strength = ?, form = ?, instructions = ?, \
         prescriber = ?, rxnorm = ?, start_date = ?, end_date = ?, schedule = ?, supply = ?, \
         low_supply = ?, updated_ms = ? WHERE id = ? AND patient_id = ?",
        values,
    ))
    .await?;
    Ok(())
}

/// Sets a medication active or stopped.
pub async fn set_status(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, Write>,
    id: i64,
    active: bool,
) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db.get_database_backend(),
        "UPDATE medications SET status = ?, updated_ms = ? WHERE id = ? AND patient_id = ?",
        [
            if active { "active" } else { "stopped" }.into(),
            now_ms().into(),
            id.into(),
            proof.patient_id().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Adds `delta` units to the supply (never below zero); answers the new supply.
pub async fn change_supply(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, Write>,
    id: i64,
    delta: f64,
    refill: bool,
) -> Result<Option<f64>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "UPDATE medications SET supply = CASE WHEN supply + ? < 0 THEN 0 ELSE supply + ? END, \
             refills = refills + ? WHERE id = ? AND patient_id = ? AND supply IS NOT NULL \
             RETURNING supply",
            [
                delta.into(),
                delta.into(),
                i32::from(refill).into(),
                id.into(),
                proof.patient_id().into(),
            ],
        ))
        .await?;
    row.map(|r| r.try_get("", "supply")).transpose()
}

/// Adds an entry to a medication's history.
pub async fn add_change(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, Write>,
    id: i64,
    change: &str,
    detail: &str,
) -> Result<(), DbErr> {
    let actor = (proof.actor_id() != 0).then_some(proof.actor_id());
    db.execute_raw(statement(
        db.get_database_backend(),
        "INSERT INTO medication_changes (medication_id, patient_id, actor_id, change, detail, at_ms) \
         VALUES (?, ?, ?, ?, ?, ?)",
        [
            id.into(),
            proof.patient_id().into(),
            actor.into(),
            change.into(),
            detail.into(),
            now_ms().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// A medication's history, newest first.
pub async fn changes<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, M>,
    id: i64,
) -> Result<Vec<ChangeView>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT change, detail, actor_id, at_ms FROM medication_changes \
             WHERE medication_id = ? AND patient_id = ? ORDER BY id DESC LIMIT 100",
            [id.into(), proof.patient_id().into()],
        ))
        .await?;
    #[derive(FromQueryResult)]
    struct Change {
        change: String,
        detail: Option<String>,
        actor_id: Option<i64>,
        at_ms: i64,
    }
    rows.iter()
        .map(|row| {
            let row = Change::from_query_result(row, "")?;
            Ok(ChangeView {
                at_ms: row.at_ms,
                change: row.change,
                detail: row.detail.unwrap_or_default(),
                by_patient: row.actor_id == Some(proof.patient_id()),
            })
        })
        .collect()
}

/// A dose log entry.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub id: i64,
    pub medication_id: i64,
    pub slot: Option<String>,
    pub taken: bool,
    pub at_ms: i64,
    pub amount: f64,
    pub reason: Option<String>,
    pub client_id: Option<String>,
}

/// A log row as the database holds it.
#[derive(FromQueryResult)]
struct StoredLog {
    id: i64,
    medication_id: i64,
    slot: Option<String>,
    status: String,
    at_ms: i64,
    amount: f64,
    reason: Option<String>,
    client_id: Option<String>,
}

fn log_row(row: &QueryResult) -> Result<LogRow, DbErr> {
    let row = StoredLog::from_query_result(row, "")?;
    Ok(LogRow {
        id: row.id,
        medication_id: row.medication_id,
        slot: row.slot,
        taken: row.status == "taken",
        at_ms: row.at_ms,
        amount: row.amount,
        reason: row.reason,
        client_id: row.client_id,
    })
}

const LOG_COLUMNS: &str = "id, medication_id, slot, status, at_ms, amount, reason, client_id";

/// Logs of scheduled doses whose slots fall on local dates `[from, to]`, and
/// as-needed doses taken in `[from_ms, to_ms)`.
pub async fn logs<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, M>,
    from: NaiveDate,
    to: NaiveDate,
    (from_ms, to_ms): (i64, i64),
) -> Result<Vec<LogRow>, DbErr> {
    let first = from.format("%Y-%m-%d").to_string();
    let after = to.succ_opt().unwrap_or(to).format("%Y-%m-%d").to_string();
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            &format!(
                "SELECT {LOG_COLUMNS} FROM dose_logs WHERE patient_id = ? AND \
                 ((slot >= ? AND slot < ?) OR (slot IS NULL AND at_ms >= ? AND at_ms < ?))"
            ),
            [
                proof.patient_id().into(),
                first.into(),
                after.into(),
                from_ms.into(),
                to_ms.into(),
            ],
        ))
        .await?;
    rows.iter().map(log_row).collect()
}

/// The log the device sent under `client_id`, if it was stored.
pub async fn log_by_client<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, M>,
    client_id: &str,
) -> Result<Option<LogRow>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            &format!("SELECT {LOG_COLUMNS} FROM dose_logs WHERE patient_id = ? AND client_id = ?"),
            [proof.patient_id().into(), client_id.into()],
        ))
        .await?;
    row.as_ref().map(log_row).transpose()
}

/// One log of the patient's.
pub async fn log<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, M>,
    id: i64,
) -> Result<Option<LogRow>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            &format!("SELECT {LOG_COLUMNS} FROM dose_logs WHERE id = ? AND patient_id = ?"),
            [id.into(), proof.patient_id().into()],
        ))
        .await?;
    row.as_ref().map(log_row).transpose()
}

/// A new log entry.
pub struct NewLog<'a> {
    pub medication_id: i64,
    pub slot: Option<&'a str>,
    pub due_ms: Option<i64>,
    pub taken: bool,
    pub at_ms: i64,
    pub amount: f64,
    pub reason: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

pub async fn insert_log(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, Write>,
    log: &NewLog<'_>,
) -> Result<i64, DbErr> {
    let actor = (proof.actor_id() != 0).then_some(proof.actor_id());
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "INSERT INTO dose_logs (medication_id, patient_id, slot, due_ms, status, at_ms, amount, \
             reason, client_id, logged_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING id",
            [
                log.medication_id.into(),
                proof.patient_id().into(),
                log.slot.map(str::to_owned).into(),
                log.due_ms.into(),
                if log.taken { "taken" } else { "skipped" }.into(),
                log.at_ms.into(),
                log.amount.into(),
                log.reason.map(str::to_owned).into(),
                log.client_id.map(str::to_owned).into(),
                actor.into(),
                now_ms().into(),
            ],
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("INSERT … RETURNING gave no row".into()))?;
    row.try_get("", "id")
}

pub async fn delete_log(
    db: &impl ConnectionTrait,
    proof: &Proof<Medications, Write>,
    id: i64,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "DELETE FROM dose_logs WHERE id = ? AND patient_id = ?",
            [id.into(), proof.patient_id().into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}
