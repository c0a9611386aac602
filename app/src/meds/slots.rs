//! Scheduled doses as instants: a medication's local times on a local date,
//! in the patient's time zone (the IANA database built into the binary).
//! A time that a daylight-saving jump skips is taken at the same offset as
//! before the jump (02:30 becomes 03:30); a time that happens twice when the
//! clocks go back is the first of the two.

use super::schedule::{Schedule, ScheduleKind};
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use jiff::tz::TimeZone;

/// One scheduled dose.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// The dose's name: local `YYYY-MM-DDTHH:MM`.
    pub key: String,
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub due_ms: i64,
    pub amount: f64,
}

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

/// The doses a schedule holds on `date` for a medication taken from `start`
/// to `end` (inclusive local dates).
pub fn slots_on(
    schedule: &Schedule,
    start: NaiveDate,
    end: Option<NaiveDate>,
    zone: &TimeZone,
    date: NaiveDate,
) -> Vec<Slot> {
    if schedule.kind == ScheduleKind::AsNeeded
        || date < start
        || end.is_some_and(|end| date > end)
        || !schedule.on_weekday(date)
    {
        return Vec::new();
    }
    let amount = schedule.dose_on(date);
    schedule
        .times_of_day()
        .into_iter()
        .map(|time| Slot {
            key: slot_key(date, time),
            date,
            time,
            due_ms: instant_ms(zone, date, time),
            amount,
        })
        .collect()
}

pub fn slot_key(date: NaiveDate, time: NaiveTime) -> String {
    format!("{}T{}", date.format("%Y-%m-%d"), time.format("%H:%M"))
}

/// A slot key's date and time.
pub fn parse_slot(key: &str) -> Option<(NaiveDate, NaiveTime)> {
    let (date, time) = key.split_once('T')?;
    Some((
        super::schedule::parse_date(date)?,
        super::schedule::parse_time(time)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meds::schedule::parse_date;

    fn daily(times: &[&str]) -> Schedule {
        Schedule {
            times: times.iter().map(|t| t.to_string()).collect(),
            dose: 1.0,
            ..Schedule::default()
        }
    }

    fn utc_hours(zone: &str, date: &str, schedule: &Schedule) -> Vec<String> {
        let zone = super::zone(zone).unwrap();
        let date = parse_date(date).unwrap();
        slots_on(schedule, date, None, &zone, date)
            .iter()
            .map(|slot| {
                jiff::Timestamp::from_millisecond(slot.due_ms)
                    .unwrap()
                    .strftime("%H:%M")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn local_times_keep_their_clock_time_across_daylight_saving() {
        let s = daily(&["08:00", "20:00"]);
        // New York: EST (UTC−5) before 8 March 2026, EDT (UTC−4) after.
        assert_eq!(
            utc_hours("America/New_York", "2026-03-07", &s),
            ["13:00", "01:00"]
        );
        assert_eq!(
            utc_hours("America/New_York", "2026-03-08", &s),
            ["12:00", "00:00"]
        );
        // London goes back on 25 October 2026: BST (UTC+1) to GMT.
        assert_eq!(
            utc_hours("Europe/London", "2026-10-24", &s),
            ["07:00", "19:00"]
        );
        assert_eq!(
            utc_hours("Europe/London", "2026-10-25", &s),
            ["08:00", "20:00"]
        );
    }

    #[test]
    fn a_skipped_time_moves_forward_and_a_repeated_time_is_the_first() {
        // 02:30 does not exist in New York on 8 March 2026: taken as 03:30 EDT (07:30 UTC).
        assert_eq!(
            utc_hours("America/New_York", "2026-03-08", &daily(&["02:30"])),
            ["07:30"]
        );
        // 01:30 happens twice in New York on 1 November 2026: the first is EDT (05:30 UTC).
        assert_eq!(
            utc_hours("America/New_York", "2026-11-01", &daily(&["01:30"])),
            ["05:30"]
        );
    }

    #[test]
    fn travel_moves_the_instant_but_not_the_clock_time() {
        let s = daily(&["08:00"]);
        assert_eq!(utc_hours("Asia/Taipei", "2026-06-01", &s), ["00:00"]);
        assert_eq!(utc_hours("Europe/Paris", "2026-06-01", &s), ["06:00"]);
        assert!(zone("Mars/Olympus").is_none());
    }

    #[test]
    fn no_slots_outside_the_dates_or_on_other_weekdays() {
        let zone = TimeZone::UTC;
        let s = Schedule {
            weekdays: vec![7],
            ..daily(&["08:00"])
        };
        let start = parse_date("2026-03-01").unwrap(); // a Sunday
        let end = parse_date("2026-03-15");
        assert_eq!(slots_on(&s, start, end, &zone, start).len(), 1);
        assert!(slots_on(&s, start, end, &zone, parse_date("2026-03-02").unwrap()).is_empty());
        assert!(slots_on(&s, start, end, &zone, parse_date("2026-03-22").unwrap()).is_empty());
        assert_eq!(
            parse_slot(&slot_key(start, NaiveTime::MIN)),
            Some((start, NaiveTime::MIN))
        );
    }
}
