//! Time zones and local ↔ instant arithmetic [ssr], for everything that
//! speaks of a person's clock time: dose schedules, quiet hours, days.
//! Zones are IANA names, resolved with the database built into the binary.
//! A time that a daylight-saving jump skips is taken at the same offset as
//! before the jump (02:30 becomes 03:30); a time that happens twice when the
//! clocks go back is the first of the two.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use jiff::tz::TimeZone;
use sea_orm::{ConnectionTrait, DbErr};

/// The zone named `name`, or `None` for a name the database does not know.
pub fn zone(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    TimeZone::get(name).ok()
}

/// The patient's zone, UTC when none is set or the stored one is unknown.
pub fn zone_or_utc(name: Option<&str>) -> TimeZone {
    name.and_then(zone).unwrap_or(TimeZone::UTC)
}

fn civil(date: NaiveDate, time: NaiveTime) -> Option<jiff::civil::DateTime> {
    jiff::civil::DateTime::new(
        date.year() as i16,
        date.month() as i8,
        date.day() as i8,
        time.hour() as i8,
        time.minute() as i8,
        0,
        0,
    )
    .ok()
}

/// The instant (Unix ms) of a local date and time in `zone`.
pub fn instant_ms(zone: &TimeZone, date: NaiveDate, time: NaiveTime) -> i64 {
    civil(date, time)
        .and_then(|dt| zone.to_ambiguous_zoned(dt).compatible().ok())
        .map_or(0, |z| z.timestamp().as_millisecond())
}

/// The local date and time of an instant in `zone`.
pub fn local(zone: &TimeZone, ms: i64) -> (NaiveDate, NaiveTime) {
    let zoned = jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone());
    let date = NaiveDate::from_ymd_opt(
        i32::from(zoned.year()),
        zoned.month() as u32,
        zoned.day() as u32,
    )
    .unwrap_or_default();
    let time =
        NaiveTime::from_hms_opt(zoned.hour() as u32, zoned.minute() as u32, 0).unwrap_or_default();
    (date, time)
}

/// The start (Unix ms) of a local date in `zone`.
pub fn day_start_ms(zone: &TimeZone, date: NaiveDate) -> i64 {
    instant_ms(zone, date, NaiveTime::MIN)
}

/// A person's time zone.
#[derive(Debug, Clone)]
pub struct PersonZone {
    pub zone: TimeZone,
    /// Its IANA name (`UTC` when none was chosen).
    pub name: String,
    /// Whether the person chose it (or it is the UTC fallback).
    pub chosen: bool,
}

/// The zone an account chose (kept with its notification preferences,
/// which `notify::prefs` writes), UTC when none is set or the stored one is
/// unknown.
pub async fn zone_of(db: &impl ConnectionTrait, account_id: i64) -> Result<PersonZone, DbErr> {
    let row = db
        .query_one_raw(crate::db::statement(
            db.get_database_backend(),
            "SELECT time_zone FROM notify_prefs WHERE account_id = ?",
            [account_id.into()],
        ))
        .await?;
    let name = match row {
        Some(row) => row.try_get::<Option<String>>("", "time_zone")?,
        None => None,
    };
    Ok(match name.as_deref().and_then(zone) {
        Some(zone) => PersonZone {
            zone,
            name: name.unwrap_or_default(),
            chosen: true,
        },
        None => PersonZone {
            zone: TimeZone::UTC,
            name: "UTC".into(),
            chosen: false,
        },
    })
}
