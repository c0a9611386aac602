//! Names of kinds and goals in the reader's language, the clock, and the
//! reader's UTC offset (the browser's, remembered in a cookie so that the server renders
//! the same local times the browser will).

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

/// Unix seconds now. The browser's clock comes from JavaScript: the
/// standard library has no clock on `wasm32-unknown-unknown`.
pub fn now_s() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        chrono::Utc::now().timestamp()
    }
}

/// The cookie that carries the browser's UTC offset in minutes.
pub const OFFSET_COOKIE: &str = "hale_tz";

/// The reader's offset from UTC in minutes (east positive).
pub fn offset_min() -> i32 {
    #[cfg(feature = "hydrate")]
    {
        let offset = -(js_sys::Date::new_0().get_timezone_offset() as i32);
        remember_offset(offset);
        offset
    }
    #[cfg(not(feature = "hydrate"))]
    {
        offset_from_request().unwrap_or(0)
    }
}

#[cfg(feature = "hydrate")]
fn remember_offset(offset: i32) {
    use wasm_bindgen::JsCast as _;
    let Some(document) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
    else {
        return;
    };
    let wanted = format!("{OFFSET_COOKIE}={offset}");
    if !document.cookie().unwrap_or_default().contains(&wanted) {
        let _ = document.set_cookie(&format!("{wanted}; path=/; max-age=31536000; SameSite=Lax"));
    }
}

#[cfg(not(feature = "hydrate"))]
fn offset_from_request() -> Option<i32> {
    #[cfg(feature = "ssr")]
    {
        let parts = leptos::prelude::use_context::<http::request::Parts>()?;
        let cookies = parts.headers.get(http::header::COOKIE)?.to_str().ok()?;
        cookies
            .split(';')
            .find_map(|pair| pair.trim().strip_prefix(OFFSET_COOKIE)?.strip_prefix('='))
            .and_then(|v| v.parse::<i32>().ok())
            .filter(|v| v.abs() <= 14 * 60)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
