//! What the home page sums up, from the areas' own services (each runs its
//! access check and writes its audit event): for a patient the doses still to
//! take today, the latest readings, unread notifications, recent files and
//! the first steps not yet taken; for a care-team member the patients whose
//! doses were missed or whose medicines run low.

use crate::access::PatientLink;
use crate::error::AppError;
use crate::files::FileView;
use crate::health::{CardView, UnitPrefs};
use crate::meds::DoseView;
use crate::notify::NotificationItem;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many of each the home page shows.
pub const DOSES_SHOWN: usize = 3;
pub const CARDS_SHOWN: usize = 4;
pub const FILES_SHOWN: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientSummary {
    /// Today's doses not yet taken or skipped, in time order (at most [`DOSES_SHOWN`]).
    pub doses: Vec<DoseView>,
    /// How many more are left today beyond those.
    pub more_doses: usize,
    pub has_medications: bool,
    /// The kinds with readings, as on the dashboard (at most [`CARDS_SHOWN`]).
    pub cards: Vec<CardView>,
    pub prefs: UnitPrefs,
    pub notifications: Vec<NotificationItem>,
    /// The newest files (at most [`FILES_SHOWN`]).
    pub files: Vec<FileView>,
    /// Someone was invited or has access.
    pub has_care_team: bool,
}

/// A patient on a care-team member's home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientAttention {
    pub patient: PatientLink,
    /// Doses due over the last 7 days and never logged; `None`: medications not shared.
    pub missed_week: Option<u32>,
    /// Active medications whose supply runs low.
    pub low_supply: u32,
}

impl PatientAttention {
    pub fn needs_attention(&self) -> bool {
        self.missed_week.unwrap_or(0) > 0 || self.low_supply > 0
    }
}

/// The signed-in patient's home.
#[server(endpoint = "home/patient")]
pub async fn home_summary() -> Result<PatientSummary, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    let locale = me.user.locale.clone().unwrap_or_else(|| "en".into());
    of_patient(&state, &me.actor(), &locale)
        .await
        .map_err(AppError::respond)
}

/// The signed-in care-team member's patients, those needing attention first.
#[server(endpoint = "home/attention")]
pub async fn home_attention() -> Result<Vec<PatientAttention>, AppError> {
    let (state, actor) = crate::request::signed_in_actor()?;
    of_care_team_member(&state.db, &actor)
        .await
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub async fn of_patient(
    state: &crate::state::AppState,
    actor: &crate::identity::Actor,
    locale: &str,
) -> Result<PatientSummary, AppError> {
    use crate::meds::DoseState;
    if actor.role != crate::identity::Role::Patient {
        return Err(AppError::WrongRole);
    }
    let me = actor.account_id;
    // The parts are independent reads: run them side by side.
    let (day, dashboard, files, (grants, invitations)) = tokio::try_join!(
        crate::meds::doses::today(&state.db, &state.reads, actor, me, None),
        crate::health::service::dashboard(&state.db, &state.reads, actor, me, locale),
        crate::files::service::list(state, actor, None, ""),
        crate::access::grants::of_patient(&state.reads, actor),
    )?;
    let mut open: Vec<DoseView> = day
        .doses
        .into_iter()
        .filter(|d| {
            matches!(
                d.state,
                DoseState::Late | DoseState::Due | DoseState::Upcoming
            )
        })
        .collect();
    let more_doses = open.len().saturating_sub(DOSES_SHOWN);
    open.truncate(DOSES_SHOWN);
    let mut newest = files.files;
    newest.sort_by_key(|f| std::cmp::Reverse(f.created_ms));
    newest.truncate(FILES_SHOWN);
    Ok(PatientSummary {
        doses: open,
        more_doses,
        has_medications: day.has_medications,
        cards: dashboard
            .cards
            .into_iter()
            .filter(|c| c.latest.is_some())
            .take(CARDS_SHOWN)
            .collect(),
        prefs: dashboard.prefs,
        notifications: dashboard.notifications,
        files: newest,
        has_care_team: !grants.is_empty() || !invitations.is_empty(),
    })
}

#[cfg(feature = "ssr")]
pub async fn of_care_team_member(
    db: &sea_orm::DatabaseConnection,
    member: &crate::identity::Actor,
) -> Result<Vec<PatientAttention>, AppError> {
    use crate::identity::{Action, Category};
    let patients = crate::access::grants::patients_of(db, member).await?;
    let mut out = Vec::with_capacity(patients.len());
    for patient in patients {
        let mut row = PatientAttention {
            patient,
            missed_week: None,
            low_supply: 0,
        };
        if row
            .patient
            .permissions
            .allows(Category::Medications, Action::Read)
        {
            let list = crate::meds::service::list(db, member, row.patient.patient_id, "").await?;
            let active = || list.medications.iter().filter(|m| m.active);
            row.missed_week = Some(
                active()
                    .filter_map(|m| m.week.as_ref())
                    .map(|w| w.expected.saturating_sub(w.taken + w.skipped))
                    .sum(),
            );
            row.low_supply = active().filter(|m| m.supply_low).count() as u32;
        }
        out.push(row);
    }
    // Most missed first, then low supply; the list's own order (by name) after.
    out.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.missed_week.unwrap_or(0)),
            std::cmp::Reverse(r.low_supply),
        )
    });
    Ok(out)
}
