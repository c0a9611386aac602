//! Scheduled doses as instants: a medication's local times on a local date,
//! in the patient's time zone (`crate::clock` does the local ↔ instant
//! arithmetic).

use super::schedule::{Schedule, ScheduleKind};
use crate::clock::instant_ms;
use chrono::{NaiveDate, NaiveTime};
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
        crate::clock::parse_date(date)?,
        crate::clock::parse_time(time)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_date;

    fn daily(times: &[&str]) -> Schedule {
        Schedule {
            times: times.iter().map(|t| t.to_string()).collect(),
            dose: 1.0,
            ..Schedule::default()
        }
    }

    fn utc_hours(zone: &str, date: &str, schedule: &Schedule) -> Vec<String> {
        let zone = crate::clock::zone(zone).unwrap();
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
        assert!(crate::clock::zone("Mars/Olympus").is_none());
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
