//! Names of kinds and goals in the reader's language.

use super::{GoalKind, Kind};
use crate::i18n::*;

pub fn kind_label(kind: Kind) -> String {
    kind_label_in(kind, use_i18n().get_locale())
}

/// A kind's name in `locale` (the server's messages, outside any page).
pub fn kind_label_in(kind: Kind, locale: Locale) -> String {
    crate::refusals::kind_name(kind.as_str(), locale).unwrap_or_else(|| kind.as_str().to_owned())
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
