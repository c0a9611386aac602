//! The time axis's ticks: on calendar boundaries (hours, days, Mondays,
//! months), labelled with the year where it changes, as many as fit.

use super::chart::{LEFT, RIGHT, local};

/// Ticks of the time axis on calendar boundaries, with their labels: hours
/// (with the date at midnight) over a few days, days over a few months,
/// months beyond (with the year where it changes). At most about one per
/// `min_gap_px` of a drawing `width` wide.
pub fn time_ticks(from_s: i64, to_s: i64, offset_min: i32, width: f64) -> Vec<(i64, String)> {
    use chrono::{Datelike as _, NaiveDate, Timelike as _};
    const MIN_GAP_PX: f64 = 72.0;
    let span = (to_s - from_s).max(1);
    let most = ((width - LEFT - RIGHT) / MIN_GAP_PX).floor().max(2.0) as i64;
    let off = i64::from(offset_min) * 60;
    let mut ticks = Vec::new();
    if span <= 4 * 86_400 {
        let step_h = [1, 2, 3, 6, 12, 24]
            .into_iter()
            .find(|h| span / (h * 3600) <= most)
            .unwrap_or(24);
        let mut t = (from_s + off).div_euclid(3600) * 3600 - off;
        while t <= to_s {
            let at = local(t, offset_min);
            if t >= from_s && i64::from(at.hour()) % step_h == 0 {
                let label = if at.hour() == 0 {
                    at.format("%m-%d").to_string()
                } else {
                    at.format("%H:%M").to_string()
                };
                ticks.push((t, label));
            }
            t += 3600;
        }
    } else if span <= 120 * 86_400 {
        // Days are UTC days: ticks at UTC midnights; weekly ones on Mondays.
        let step_d = [1, 2, 7, 14]
            .into_iter()
            .find(|d| span / (d * 86_400) <= most)
            .unwrap_or(14);
        let mut day = (from_s + 86_399).div_euclid(86_400);
        if step_d >= 7 {
            day += (4 - day).rem_euclid(7); // 1970-01-05, day 4, was a Monday
        }
        let mut last_year = None;
        while day * 86_400 <= to_s {
            let at = local(day * 86_400, 0);
            let label = if last_year.is_some_and(|y| y != at.year()) {
                at.format("%Y-%m-%d").to_string()
            } else {
                at.format("%m-%d").to_string()
            };
            last_year = Some(at.year());
            ticks.push((day * 86_400, label));
            day += step_d;
        }
    } else {
        let step_m = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|m| span / (m * 30 * 86_400) <= most)
            .unwrap_or(12);
        let start = local(from_s, 0).date();
        let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
        let mut last_year = None;
        loop {
            let t = month
                .and_hms_opt(0, 0, 0)
                .map(|d| d.and_utc().timestamp())
                .unwrap_or(to_s + 1);
            if t > to_s {
                break;
            }
            if t >= from_s && (month.month0() as i64) % step_m == 0 {
                let year = month.year();
                let label = if last_year != Some(year) || month.month() == 1 {
                    month.format("%Y-%m").to_string()
                } else {
                    month.format("%m").to_string()
                };
                last_year = Some(year);
                ticks.push((t, label));
            }
            month = month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(month);
        }
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::chart::WIDTH;

    fn date(y: i32, m: u32, d: u32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    #[test]
    fn time_ticks_fall_on_calendar_boundaries_with_the_year_where_it_changes() {
        // A week: every midnight.
        let week = time_ticks(date(2026, 11, 24), date(2026, 12, 1), 0, WIDTH);
        assert_eq!(week.len(), 8);
        assert!(week.iter().all(|(t, _)| t % 86_400 == 0));
        assert_eq!(week[0].1, "11-24");
        // Across a new year: Mondays, the first of the new year with its year.
        let turn = time_ticks(date(2026, 12, 10), date(2027, 1, 20), 0, WIDTH);
        assert!(
            turn.iter().all(|(t, _)| (t / 86_400).rem_euclid(7) == 4),
            "{turn:?}"
        );
        let labels: Vec<&str> = turn.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["12-14", "12-21", "12-28", "2027-01-04", "01-11", "01-18"]
        );
        // A year: months, the year shown on the first and on January.
        let year = time_ticks(date(2026, 3, 15), date(2027, 3, 15), 0, WIDTH);
        assert!(
            year.iter()
                .all(|(t, _)| local(*t, 0).format("%d").to_string() == "01")
        );
        assert_eq!(year[0].1, "2026-05");
        assert!(year.iter().any(|(_, l)| l == "2027-01"), "{year:?}");
        // A day on a phone in Taipei: local hours, fewer of them.
        let day = time_ticks(
            date(2026, 11, 30) - 8 * 3600,
            date(2026, 12, 1) - 8 * 3600,
            480,
            360.0,
        );
        assert!(day.len() <= 5, "{day:?}");
        assert_eq!(day[0].1, "11-30");
    }
}
