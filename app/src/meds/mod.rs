//! Medications: the patient's list (with its history of changes), schedules
//! in the patient's time zone, the dose log (taken, skipped, as needed),
//! adherence, refills and dose reminders. Wire types live here; the server
//! side is under `ssr` and takes the access check's proof.

use serde::{Deserialize, Serialize};

pub mod schedule;
pub use schedule::{Schedule, ScheduleKind, TaperStep};

mod api;
pub use api::*;

mod components;
mod form_page;
mod next_doses;
mod offline;
mod today_page;
pub use components::{MedicationsPage, PatientMedicationsPage};
pub use form_page::{EditMedicationPage, NewMedicationPage};
pub use next_doses::NextDoses;
pub use today_page::TodayPage;

#[cfg(feature = "ssr")]
mod checks;
#[cfg(feature = "ssr")]
pub mod doses;
#[cfg(feature = "ssr")]
pub mod reminders;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod slots;
#[cfg(feature = "ssr")]
mod store;

/// The forms a medication comes in.
pub const FORMS: [&str; 9] = [
    "tablet",
    "capsule",
    "liquid",
    "injection",
    "inhaler",
    "patch",
    "drops",
    "cream",
    "other",
];

/// A medication as the form sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MedicationInput {
    pub name: String,
    pub strength: String,
    pub form: String,
    pub instructions: String,
    pub prescriber: String,
    pub rxnorm: String,
    pub start_date: String,
    pub end_date: String,
    pub schedule: Schedule,
    /// Units on hand (none: not tracked).
    pub supply: Option<f64>,
    /// Remind when the supply falls to this many units.
    pub low_supply: Option<f64>,
}

/// Taken or skipped doses out of those due, over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Adherence {
    pub expected: u32,
    pub taken: u32,
    pub skipped: u32,
}

impl Adherence {
    /// Taken out of due, in percent (none when nothing was due).
    pub fn percent(&self) -> Option<f64> {
        (self.expected > 0).then(|| f64::from(self.taken) * 100.0 / f64::from(self.expected))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicationView {
    pub id: i64,
    pub input: MedicationInput,
    pub active: bool,
    pub supply_low: bool,
    /// The last 7 and 30 days (today included); none for as-needed medications.
    pub week: Option<Adherence>,
    pub month: Option<Adherence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicationList {
    pub patient_name: Option<String>,
    pub zone: String,
    pub medications: Vec<MedicationView>,
}

/// One entry of a medication's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeView {
    pub at_ms: i64,
    /// created, edited, stopped, resumed, refilled, undone
    pub change: String,
    /// Which fields changed (edited), units added (refilled), the dose (undone).
    pub detail: String,
    pub by_patient: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicationDetail {
    pub medication: MedicationView,
    pub history: Vec<ChangeView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoseState {
    Upcoming,
    Due,
    Late,
    Taken,
    Skipped,
}

impl DoseState {
    pub fn as_str(self) -> &'static str {
        match self {
            DoseState::Upcoming => "upcoming",
            DoseState::Due => "due",
            DoseState::Late => "late",
            DoseState::Taken => "taken",
            DoseState::Skipped => "skipped",
        }
    }
}

/// A scheduled dose on the Today page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseView {
    pub medication_id: i64,
    pub name: String,
    pub strength: String,
    pub form: String,
    pub slot: String,
    /// Local `HH:MM`.
    pub time: String,
    pub due_ms: i64,
    pub amount: f64,
    pub state: DoseState,
    pub log_id: Option<i64>,
    /// When it was taken or skipped (local `HH:MM`).
    pub logged_time: Option<String>,
    pub reason: Option<String>,
}

/// An as-needed medication on the Today page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrnView {
    pub medication_id: i64,
    pub name: String,
    pub strength: String,
    pub amount: f64,
    pub max_per_day: u32,
    /// (log id, local `HH:MM`) of today's doses.
    pub taken: Vec<(i64, String)>,
}

/// A day of the calendar: doses due, taken and skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: String,
    pub counts: Adherence,
    pub future: bool,
    /// The day in progress: what is not logged yet is not missed yet.
    pub today: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodayView {
    /// The local date shown (`YYYY-MM-DD`) and the days before and after it.
    pub date: String,
    pub previous: String,
    pub next: String,
    pub is_today: bool,
    /// The patient's time zone, and whether they chose it (UTC otherwise).
    pub zone: String,
    pub zone_set: bool,
    pub doses: Vec<DoseView>,
    pub as_needed: Vec<PrnView>,
    /// The month around `date`, Monday first; `None` pads the first week.
    pub calendar: Vec<Option<CalendarDay>>,
    /// The patient keeps any medication at all (the home's first steps).
    pub has_medications: bool,
}

/// A dose to log (the Today page, the offline queue).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DoseInput {
    pub medication_id: i64,
    /// The scheduled dose (`YYYY-MM-DDTHH:MM`); empty for an as-needed dose.
    pub slot: String,
    /// `taken` or `skipped`.
    pub status: String,
    /// When, as a local `YYYY-MM-DDTHH:MM` in the patient's zone; empty: now.
    pub at: String,
    pub reason: String,
    /// The device's id for this log: a repeated send is stored once.
    pub client_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoseLogged {
    pub log_id: i64,
    /// The same `client_id` had already been stored.
    pub repeated: bool,
    pub supply_low: bool,
}
