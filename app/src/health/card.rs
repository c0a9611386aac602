//! A dashboard card: the latest figure of a kind with the period it covers
//! (one reading, a day's total, a night), its usual range, the trend of the
//! last week and a two-week sparkline.

use super::chart::{Sparkline, local, period_label};
use super::kind::{Combine, GLUCOSE_TARGET, Kind};
use super::labels::{kind_label, unit_label};
use super::{CardView, Latest, Resolution, UnitPrefs};
use crate::clock::now_s;
use crate::i18n::*;
use leptos::prelude::*;

const DAY: i64 = 86_400;

/// What period the card's figure covers, in words.
fn period_text(kind: Kind, latest: &Latest, offset: i32) -> String {
    let i18n = use_i18n();
    // Days are UTC days: they are named by their UTC date.
    let date = local(latest.at_s, 0).format("%Y-%m-%d").to_string();
    if !latest.day_total {
        let when = period_label(Resolution::Raw, latest.at_s, offset);
        t_string!(i18n, health.latest_at, when = when).to_string()
    } else if kind.is_session() {
        t_string!(i18n, health.night_ending, date = date).to_string()
    } else if latest.at_s == now_s().div_euclid(DAY) * DAY {
        t_string!(i18n, health.today_so_far).to_string()
    } else {
        t_string!(i18n, health.day_total, date = date).to_string()
    }
}

/// The usual range or the aim of a kind, for adults, where one is agreed.
fn usual_text(kind: Kind, prefs: &UnitPrefs) -> Option<String> {
    let i18n = use_i18n();
    let range = |low: f64, high: f64| {
        t_string!(
            i18n,
            health.usual_range,
            low = prefs.format(kind, low),
            high = prefs.format(kind, high),
            unit = unit_label(prefs, kind)
        )
        .to_string()
    };
    Some(match kind {
        Kind::HeartRate => t_string!(i18n, health.usual_heart_rate).to_string(),
        Kind::BloodPressure => t_string!(i18n, health.usual_blood_pressure).to_string(),
        Kind::Steps => t_string!(i18n, health.usual_steps).to_string(),
        Kind::Sleep => t_string!(i18n, health.usual_sleep).to_string(),
        Kind::Spo2 => range(95.0, 100.0),
        Kind::BodyTemperature => range(36.1, 37.2),
        Kind::Glucose => {
            let (low, high) = GLUCOSE_TARGET;
            t_string!(
                i18n,
                health.glucose_target,
                low = prefs.format(kind, low),
                high = prefs.format(kind, high),
                unit = unit_label(prefs, kind)
            )
            .to_string()
        }
        Kind::ActiveEnergy | Kind::Distance | Kind::Weight | Kind::BodyFat => return None,
    })
}

#[component]
pub fn HealthCard(card: CardView, href: String, prefs: UnitPrefs, offset: i32) -> impl IntoView {
    let i18n = use_i18n();
    let kind = card.kind;
    let latest = card.latest.clone();
    let value = latest
        .as_ref()
        .map(|l| {
            let figure = prefs.format_reading(kind, l.value, l.value2);
            match l.comparator {
                Some(bound) => format!("{} {figure}", bound.symbol()),
                None => figure,
            }
        })
        .unwrap_or_default();
    let when = latest
        .as_ref()
        .map(|l| period_text(kind, l, offset))
        .unwrap_or_default();
    let usual = usual_text(kind, &prefs);
    let trend = card.trend_pct.map(|pct| {
        let arrow = if pct > 2.0 {
            "▲"
        } else if pct < -2.0 {
            "▼"
        } else {
            "▶"
        };
        format!("{arrow} {pct:+.0}%")
    });
    view! {
        <li>
            <a class="card health-card" href=href data-kind=kind.as_str()>
                <span class="card-title">{kind_label(kind)}</span>
                <span class="health-value">
                    <strong data-testid="latest-value">{value}</strong>
                    " "
                    <span class="unit">{unit_label(&prefs, kind)}</span>
                </span>
                <span class="muted" data-testid="card-period">{when}</span>
                {usual.map(|u| view! { <span class="muted card-usual">{u}</span> })}
                {trend
                    .map(|t| {
                        view! {
                            <span class="trend" title=move || t_string!(i18n, health.trend_hint).to_string()>
                                {t}
                            </span>
                        }
                    })}
                <Sparkline values=card.spark.clone() bars=kind.combine() == Combine::Sum />
            </a>
        </li>
    }
}
