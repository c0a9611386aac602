//! The clock, on both sides: now (the browser's clock comes from
//! JavaScript), the reader's UTC offset (the browser's, remembered in a
//! cookie so that the server renders the same local times the browser
//! will), local dates and times as forms write them, and — on the server —
//! IANA time zones with local ↔ instant arithmetic (`zones`).

use chrono::{NaiveDate, NaiveTime};

#[cfg(feature = "ssr")]
mod zones;
#[cfg(feature = "ssr")]
pub use zones::*;

/// A local time as forms write it: `HH:MM`.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

/// A local date as forms write it: `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
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

/// The browser's IANA time zone (none before hydration).
pub fn browser_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
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
        crate::request::cookie(OFFSET_COOKIE)
            .and_then(|v| v.parse::<i32>().ok())
            .filter(|v| v.abs() <= 14 * 60)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
