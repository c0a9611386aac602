//! Names of kinds and goals in the reader's language, and why a reading
//! typed into a form was refused.

use super::{GoalKind, Kind};
use crate::i18n::*;

pub fn kind_label(kind: Kind) -> String {
    kind_label_in(kind, use_i18n().get_locale())
}

/// A kind's name in `locale` (the server's messages, outside any page).
pub fn kind_label_in(kind: Kind, locale: Locale) -> String {
    match kind {
        Kind::HeartRate => td_string!(locale, health.kind_heart_rate),
        Kind::Steps => td_string!(locale, health.kind_steps),
        Kind::ActiveEnergy => td_string!(locale, health.kind_active_energy),
        Kind::Distance => td_string!(locale, health.kind_distance),
        Kind::Weight => td_string!(locale, health.kind_weight),
        Kind::BodyFat => td_string!(locale, health.kind_body_fat),
        Kind::Glucose => td_string!(locale, health.kind_glucose),
        Kind::BloodPressure => td_string!(locale, health.kind_blood_pressure),
        Kind::Spo2 => td_string!(locale, health.kind_spo2),
        Kind::BodyTemperature => td_string!(locale, health.kind_body_temperature),
        Kind::Sleep => td_string!(locale, health.kind_sleep),
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

/// Why a reading typed into a form was refused, in `locale`. The problems
/// only an API client or an import can meet (codes, statuses, a missing
/// value) keep the API's English text: those clients read the code.
pub fn problem_text(problem: &super::Problem, locale: Locale) -> String {
    use super::Problem;
    let number = |v: f64| {
        let text = format!("{v:.1}");
        text.trim_end_matches(".0").to_owned()
    };
    match problem {
        Problem::OutOfRange {
            kind,
            min,
            max,
            unit,
        } => {
            let kind = Kind::parse(kind).map_or_else(|| kind.clone(), |k| kind_label_in(k, locale));
            let unit = if unit == "count" {
                td_string!(locale, health.unit_steps).to_string()
            } else {
                unit.clone()
            };
            td_string!(
                locale,
                health.problem_out_of_range,
                kind = kind,
                min = number(*min),
                max = number(*max),
                unit = unit
            )
            .to_string()
        }
        Problem::UnknownUnit { .. } => td_string!(locale, health.problem_unit).to_string(),
        Problem::BadTime | Problem::NoTime => td_string!(locale, health.problem_time).to_string(),
        Problem::FutureTime => td_string!(locale, health.problem_future).to_string(),
        Problem::TooOld => td_string!(locale, health.problem_too_old).to_string(),
        Problem::BloodPressurePair | Problem::BloodPressureComponents => {
            td_string!(locale, health.problem_blood_pressure).to_string()
        }
        Problem::BadSession => td_string!(locale, health.problem_session).to_string(),
        Problem::NotANumber => td_string!(locale, health.problem_number).to_string(),
        other => other.to_string(),
    }
}
