//! Health data: observations from wearables, apps, imports and forms; their
//! rollups; goals; the dashboard. Wire types live here; the server side is
//! under `ssr` (`store` and `rollups` take the access check's proof).

use serde::{Deserialize, Serialize};

pub mod kind;
pub mod reading;
pub mod units;

mod api;
pub use api::*;

mod card;
pub use card::HealthCard;
pub mod chart;
mod chart_ticks;
mod components;
mod entry;
mod goals_panel;
mod import_page;
pub mod labels;
pub use components::{DashboardPage, KindPage, PatientDashboardPage, PatientKindPage};
pub use entry::AddReadingPage;
pub use import_page::{ImportPage, UPLOAD_PATH};

#[cfg(feature = "ssr")]
pub mod apple;
#[cfg(feature = "ssr")]
pub mod apple_zip;
#[cfg(feature = "ssr")]
pub mod csv;
#[cfg(feature = "ssr")]
pub mod fhir;
#[cfg(feature = "ssr")]
pub mod goals;
#[cfg(feature = "ssr")]
pub mod import_job;
#[cfg(feature = "ssr")]
pub mod import_upload;
#[cfg(feature = "ssr")]
pub mod imports;
#[cfg(feature = "ssr")]
pub mod nights;
#[cfg(feature = "ssr")]
pub mod rollups;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod text;

pub use kind::Kind;
pub use reading::{NewReading, ReadingProblem};
pub use units::UnitPrefs;

/// The most items one `POST /api/v1/observations` may carry.
pub const MAX_BATCH: usize = 5000;

/// A refused item of a batch: its position and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemError {
    pub index: usize,
    /// English, for API clients and the logs.
    pub reason: String,
    /// The same reason as data, which a page words in its reader's
    /// language (absent from imports an earlier version summarised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<crate::refusals::ItemRefusal>,
}

impl ItemError {
    pub fn new(index: usize, refusal: crate::refusals::ItemRefusal) -> Self {
        ItemError {
            index,
            reason: refusal.to_string(),
            refusal: Some(refusal),
        }
    }

    pub fn reading(index: usize, problem: ReadingProblem) -> Self {
        Self::new(index, crate::refusals::ItemRefusal::Reading(problem))
    }

    pub fn import(index: usize, problem: crate::refusals::ImportProblem) -> Self {
        Self::new(index, crate::refusals::ItemRefusal::Import(problem))
    }

    /// The reason in `locale`'s words (English from an earlier version).
    pub fn worded(&self, locale: crate::i18n::Locale) -> String {
        self.refusal
            .as_ref()
            .map_or_else(|| self.reason.clone(), |refusal| refusal.worded(locale))
    }
}

/// The answer to a batch: what was stored, what was already there, what was refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    pub received: usize,
    pub stored: u64,
    pub duplicates: u64,
    pub rejected: Vec<ItemError>,
    /// Readings removed by `entered-in-error` retractions.
    #[serde(default)]
    pub removed: u64,
    /// Entries that are not readings (a Patient in a Bundle), each named.
    #[serde(default)]
    pub skipped: Vec<ItemError>,
}

/// The latest reading of a kind, canonical units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latest {
    pub at_s: i64,
    pub value: f64,
    pub value2: Option<f64>,
    /// Whether `value` is the total of the (UTC) day starting at `at_s` —
    /// steps, energy, distance and sleep — rather than one reading at `at_s`.
    pub day_total: bool,
    /// The value is a bound: a laboratory's "< 40", not 40 itself.
    #[serde(default)]
    pub comparator: Option<reading::Comparator>,
}

/// A dashboard card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardView {
    pub kind: Kind,
    pub latest: Option<Latest>,
    /// The last 7 days against the 7 before, in percent.
    pub trend_pct: Option<f64>,
    /// One figure per day for the last 14 days (daily total or mean).
    pub spark: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalKind {
    DailySteps,
    TargetWeight,
    GlucoseInRange,
}

impl GoalKind {
    pub const ALL: [GoalKind; 3] = [
        GoalKind::DailySteps,
        GoalKind::TargetWeight,
        GoalKind::GlucoseInRange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GoalKind::DailySteps => "daily_steps",
            GoalKind::TargetWeight => "target_weight",
            GoalKind::GlucoseInRange => "glucose_in_range",
        }
    }

    pub fn parse(value: &str) -> Option<GoalKind> {
        GoalKind::ALL.into_iter().find(|g| g.as_str() == value)
    }

    /// The kind of reading the goal follows.
    pub fn kind(self) -> Kind {
        match self {
            GoalKind::DailySteps => Kind::Steps,
            GoalKind::TargetWeight => Kind::Weight,
            GoalKind::GlucoseInRange => Kind::Glucose,
        }
    }

    /// Accepted targets: steps per day, kilograms, percent of readings.
    pub fn range(self) -> (f64, f64) {
        match self {
            GoalKind::DailySteps => (100.0, 100_000.0),
            GoalKind::TargetWeight => (20.0, 400.0),
            GoalKind::GlucoseInRange => (1.0, 100.0),
        }
    }
}

/// A goal and how far along it is today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalView {
    pub kind: GoalKind,
    /// Canonical units (kg for weight).
    pub target: f64,
    pub current: Option<f64>,
    /// 0–100.
    pub progress_pct: f64,
    pub reached: bool,
}

/// Everything the dashboard shows of one patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub patient_id: i64,
    /// Set when someone else's data is shown (care team).
    pub patient_name: Option<String>,
    pub cards: Vec<CardView>,
    pub goals: Vec<GoalView>,
    pub prefs: UnitPrefs,
    /// Unread notifications, newest first (one's own dashboard only).
    pub notifications: Vec<crate::notify::NotificationItem>,
}

/// How finely a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    Raw,
    Hour,
    Day,
}

/// One point of a chart: a reading, or an hour or day of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub start_s: i64,
    pub end_s: i64,
    /// The mean (levels) or total (counts) of the period; the reading itself when raw.
    pub value: f64,
    pub min: f64,
    pub max: f64,
    /// Diastolic (blood pressure).
    pub value2: Option<f64>,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesView {
    pub kind: Kind,
    pub resolution: Resolution,
    pub from_s: i64,
    pub to_s: i64,
    pub points: Vec<Point>,
    /// Glucose: readings within 70–180 mg/dL, in percent.
    pub in_range_pct: Option<f64>,
    pub prefs: UnitPrefs,
}

/// An import and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub format: String,
    pub file_name: String,
    /// queued, running, done, failed, cancelled
    pub state: String,
    pub bytes_total: i64,
    pub bytes_done: i64,
    pub imported: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub skipped: i64,
    /// The first refused items: line or record number and reason.
    pub problems: Vec<ItemError>,
    pub created_ms: i64,
    pub finished_ms: Option<i64>,
}

impl ImportView {
    pub fn percent(&self) -> u32 {
        if self.state == "done" {
            return 100;
        }
        if self.bytes_total <= 0 {
            return 0;
        }
        ((self.bytes_done.max(0) as f64 / self.bytes_total as f64) * 100.0).min(100.0) as u32
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.state.as_str(), "done" | "failed" | "cancelled")
    }
}
