//! Server functions of medications. Each reads the request, calls the
//! service (which runs the access check), answers. `patient_id` empty: one's own.

use super::{DoseInput, DoseLogged, MedicationDetail, MedicationInput, MedicationList, TodayView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The medications (filtered by `query`), with adherence.
#[server(endpoint = "meds/list")]
pub async fn list_medications(
    patient_id: Option<i64>,
    query: Option<String>,
) -> Result<MedicationList, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    super::service::list(
        &state.db,
        &actor,
        patient_id,
        query.as_deref().unwrap_or(""),
    )
    .await
    .map_err(AppError::respond)
}

/// One medication and its history.
#[server(endpoint = "meds/get")]
pub async fn get_medication(
    patient_id: Option<i64>,
    id: i64,
) -> Result<MedicationDetail, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    super::service::detail(&state.db, &actor, patient_id, id)
        .await
        .map_err(AppError::respond)
}

/// Adds (`id` empty) or edits a medication; answers its id.
#[server(endpoint = "meds/save", input = Json)]
pub async fn save_medication(
    patient_id: Option<i64>,
    id: Option<i64>,
    input: MedicationInput,
) -> Result<i64, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    super::service::save(&state.db, &actor, patient_id, id, input)
        .await
        .map_err(AppError::respond)
}

/// Stops (`active` false) or resumes a medication.
#[server(endpoint = "meds/status")]
pub async fn set_medication_active(
    patient_id: Option<i64>,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    super::service::set_active(&state.db, &actor, patient_id, id, active)
        .await
        .map_err(AppError::respond)
}

/// Adds a refill to the supply on hand.
#[server(endpoint = "meds/refill")]
pub async fn refill_medication(
    patient_id: Option<i64>,
    id: i64,
    amount: String,
) -> Result<(), AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    let amount = amount
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| {
            AppError::InvalidMedication {
                reason: crate::refusals::MedProblem::RefillNotNumber,
            }
            .respond()
        })?;
    super::service::refill(&state.db, &actor, patient_id, id, amount)
        .await
        .map_err(AppError::respond)
}

/// The doses of a day (`date` empty: today in the patient's zone) and its month.
#[server(endpoint = "meds/today")]
pub async fn dose_day(
    patient_id: Option<i64>,
    date: Option<String>,
) -> Result<TodayView, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    super::doses::today(&state.db, &state.reads, &actor, patient_id, date.as_deref())
        .await
        .map_err(AppError::respond)
}

/// Logs a dose taken or skipped (a repeated `client_id` is stored once).
#[server(endpoint = "meds/log", input = Json)]
pub async fn log_dose(patient_id: Option<i64>, dose: DoseInput) -> Result<DoseLogged, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    super::doses::log_dose(&state.db, &actor, patient_id, dose)
        .await
        .map_err(AppError::respond)
}

/// Undoes a logged dose.
#[server(endpoint = "meds/undo")]
pub async fn undo_dose(patient_id: Option<i64>, log_id: i64) -> Result<(), AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    super::doses::undo(&state.db, &actor, patient_id, log_id)
        .await
        .map_err(AppError::respond)
}

/// Keeps schedules in this time zone (an IANA name such as `Europe/London`).
#[server(endpoint = "meds/zone")]
pub async fn set_time_zone(zone: String) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    crate::notify::prefs::set_time_zone(&state.db, me.user.id, &zone)
        .await
        .map_err(AppError::respond)
}
