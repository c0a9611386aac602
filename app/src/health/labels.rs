//! Names of kinds and goals in the reader's language.

use super::{GoalKind, Kind};
use crate::i18n::*;

pub fn kind_label(kind: Kind) -> String {
    let i18n = use_i18n();
    match kind {
        Kind::HeartRate => t_string!(i18n, health.kind_heart_rate),
        Kind::Steps => t_string!(i18n, health.kind_steps),
        Kind::ActiveEnergy => t_string!(i18n, health.kind_active_energy),
        Kind::Distance => t_string!(i18n, health.kind_distance),
        Kind::Weight => t_string!(i18n, health.kind_weight),
        Kind::BodyFat => t_string!(i18n, health.kind_body_fat),
        Kind::Glucose => t_string!(i18n, health.kind_glucose),
        Kind::BloodPressure => t_string!(i18n, health.kind_blood_pressure),
        Kind::Spo2 => t_string!(i18n, health.kind_spo2),
        Kind::BodyTemperature => t_string!(i18n, health.kind_body_temperature),
        Kind::Sleep => t_string!(i18n, health.kind_sleep),
    }
    .to_string()
}

pub fn goal_label(goal: GoalKind) -> String {
    let i18n = use_i18n();
    match goal {
        GoalKind::DailySteps => t_string!(i18n, health.goal_daily_steps),
        GoalKind::TargetWeight => t_string!(i18n, health.goal_target_weight),
        GoalKind::GlucoseInRange => t_string!(i18n, health.goal_glucose_in_range),
    }
    .to_string()
}

/// The unit values of `kind` are shown in, as the reader writes it ("steps"
/// is a word; the other units are symbols, the same in every language).
pub fn unit_label(prefs: &super::UnitPrefs, kind: Kind) -> String {
    let i18n = use_i18n();
    match kind {
        Kind::Steps => t_string!(i18n, health.unit_steps).to_string(),
        _ => prefs.label_for(kind).to_owned(),
    }
}
