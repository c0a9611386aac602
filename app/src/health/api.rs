//! Server functions of health data: the dashboard, charts, manual entry,
//! units, goals, imports and notifications. Each reads the request, calls
//! the service (which runs the access check), answers.

// The manual-entry form has eight fields, each its own input; the server
// macro copies them into generated code on both sides.
#![allow(clippy::too_many_arguments)]

use super::{DashboardView, ImportView, SeriesView};
use crate::error::AppError;
use leptos::prelude::*;

/// The access check for the patient's vitals (audited), as a server function answers it.
#[cfg(feature = "ssr")]
async fn vitals<M: crate::access::gate::AccessMode>(
    state: &crate::state::AppState,
    actor: &crate::identity::Actor,
    patient_id: i64,
    record: Option<&str>,
) -> Result<crate::access::gate::Proof<crate::access::gate::kinds::Vitals, M>, AppError> {
    crate::access::gate::check(&state.db, actor, patient_id, record)
        .await
        .map_err(AppError::respond)
}

/// A patient's dashboard (`patient_id` empty: one's own).
#[server(endpoint = "health/dashboard")]
pub async fn dashboard(patient_id: Option<i64>) -> Result<DashboardView, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    let actor = me.actor();
    let patient_id = crate::request::patient_of(&actor, patient_id)?;
    let locale = me.user.locale.as_deref().unwrap_or("en");
    super::service::dashboard(&state.db, &state.reads, &actor, patient_id, locale)
        .await
        .map_err(AppError::respond)
}

/// One kind over `[from_s, to_s)` (Unix seconds).
#[server(endpoint = "health/series")]
pub async fn series(
    patient_id: Option<i64>,
    kind: String,
    from_s: i64,
    to_s: i64,
) -> Result<SeriesView, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    let kind = super::Kind::parse(&kind).ok_or_else(|| AppError::NotFound.respond())?;
    super::service::series(
        &state.db,
        &state.reads,
        &actor,
        patient_id,
        kind,
        from_s,
        to_s,
    )
    .await
    .map_err(AppError::respond)
}

/// A reading typed in a form. `time` is the form's local date and time
/// (`YYYY-MM-DDTHH:MM`), `offset_min` the browser's UTC offset in minutes.
#[server(endpoint = "health/add")]
pub async fn add_reading(
    patient_id: Option<i64>,
    kind: String,
    time: String,
    offset_min: i32,
    value: String,
    value2: Option<String>,
    end_time: Option<String>,
    unit: String,
) -> Result<bool, AppError> {
    use super::ReadingProblem;
    let (state, me) = crate::request::signed_in_state()?;
    let actor = me.actor();
    let patient_id = crate::request::patient_of(&actor, patient_id)?;
    // The reason is data: the form words it in the reader's language.
    let invalid = |problem: ReadingProblem| AppError::InvalidReading { reason: problem }.respond();
    let number = |text: &str| text.trim().replace(',', ".").parse::<f64>();
    let value = number(&value).map_err(|_| invalid(ReadingProblem::NotANumber))?;
    let value2 = match value2.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => {
            Some(number(v).map_err(|_| invalid(ReadingProblem::NotANumber))?)
        }
        _ => None,
    };
    let offset = chrono::FixedOffset::east_opt(offset_min.clamp(-14 * 60, 14 * 60) * 60)
        .ok_or_else(|| invalid(ReadingProblem::BadTime))?;
    let instant = |text: &str| {
        chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|local| local.and_local_timezone(offset).single())
            .map(|at| at.to_rfc3339())
            .ok_or_else(|| invalid(ReadingProblem::BadTime))
    };
    let time = instant(&time)?;
    let end = match end_time.as_deref().map(str::trim) {
        Some(end) if !end.is_empty() => Some(instant(end)?),
        _ => None,
    };
    let reading = super::NewReading {
        kind,
        time,
        end,
        value,
        value2,
        unit,
        source: None,
        status: None,
        comparator: None,
    };
    super::service::add_manual(&state.db, &actor, patient_id, reading)
        .await
        .map_err(|error| match error {
            super::service::ManualRefusal::Reading(problem) => invalid(problem),
            super::service::ManualRefusal::Other(error) => error.respond(),
        })
}

/// Saves the units the signed-in person reads values in.
#[server(endpoint = "health/units")]
pub async fn save_units(
    weight: String,
    glucose: String,
    temperature: String,
    distance: String,
) -> Result<(), AppError> {
    let (state, actor) = crate::request::signed_in_actor()?;
    let prefs = super::UnitPrefs {
        weight,
        glucose,
        temperature,
        distance,
    };
    super::service::set_prefs(&state.db, actor.account_id, prefs)
        .await
        .map_err(AppError::respond)
}

/// Sets a goal of one's own (`target` in the goal's unit: steps, kg, percent).
#[server(endpoint = "health/set_goal")]
pub async fn set_goal(goal: String, target: String) -> Result<(), AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(None)?;
    let goal = super::GoalKind::parse(&goal).ok_or_else(|| AppError::NotFound.respond())?;
    let (min, max) = goal.range();
    let out_of_range = || {
        AppError::GoalOutOfRange {
            min: min as u32,
            max: max as u32,
        }
        .respond()
    };
    let target = target
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .map_err(|_| out_of_range())?;
    let proof = vitals::<crate::access::gate::Write>(&state, &actor, patient_id, None).await?;
    super::goals::set(&state.db, &proof, goal, target)
        .await
        .map_err(AppError::respond)
}

#[server(endpoint = "health/remove_goal")]
pub async fn remove_goal(goal: String) -> Result<(), AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(None)?;
    let goal = super::GoalKind::parse(&goal).ok_or_else(|| AppError::NotFound.respond())?;
    let proof = vitals::<crate::access::gate::Write>(&state, &actor, patient_id, None).await?;
    super::goals::remove(&state.db, &proof, goal)
        .await
        .map_err(AppError::respond)
}

/// The patient's recent imports.
#[server(endpoint = "health/imports")]
pub async fn imports(patient_id: Option<i64>) -> Result<Vec<ImportView>, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(patient_id)?;
    let proof = vitals::<crate::access::gate::Read>(&state, &actor, patient_id, None).await?;
    super::imports::list(&state.db, &proof)
        .await
        .map_err(|err| AppError::from(err).respond())
}

/// One import and its progress.
#[server(endpoint = "health/import")]
pub async fn import_status(import_id: i64) -> Result<ImportView, AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(None)?;
    let proof = vitals::<crate::access::gate::Read>(
        &state,
        &actor,
        patient_id,
        Some(&format!("import:{import_id}")),
    )
    .await?;
    super::imports::one(&state.db, &proof, import_id)
        .await
        .map_err(AppError::respond)
}

/// Cancels an import; what it added is removed.
#[server(endpoint = "health/cancel_import")]
pub async fn cancel_import(import_id: i64) -> Result<(), AppError> {
    let (state, actor, patient_id) = crate::request::patient_context(None)?;
    let proof = vitals::<crate::access::gate::Write>(
        &state,
        &actor,
        patient_id,
        Some(&format!("import:{import_id}")),
    )
    .await?;
    super::imports::cancel(&state.db, &proof, import_id)
        .await
        .map_err(AppError::respond)
}
