//! A medication's schedule: fixed times of day, every N hours from a first
//! time, or as needed (with a daily maximum); optionally on chosen weekdays
//! only, with a dose that can change by date (tapering). Times are local
//! wall-clock times in the patient's time zone: the server turns them into
//! instants for each day (`slots`), so they stay right across daylight-saving
//! changes and when the patient travels and changes zone.

use crate::clock::{parse_date, parse_time};
use crate::refusals::MedProblem;
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleKind {
    #[default]
    Times,
    Interval,
    AsNeeded,
}

impl ScheduleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleKind::Times => "times",
            ScheduleKind::Interval => "interval",
            ScheduleKind::AsNeeded => "as_needed",
        }
    }
}

/// From `from` (a date, `YYYY-MM-DD`) on, each dose is `dose`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaperStep {
    pub from: String,
    pub dose: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schedule {
    pub kind: ScheduleKind,
    /// `HH:MM` local times (kind `times`).
    pub times: Vec<String>,
    /// Kind `interval`: every this many hours from `from` (`HH:MM`) until midnight.
    pub every_hours: u32,
    pub from: String,
    /// ISO weekdays (1 = Monday … 7 = Sunday); empty means every day.
    pub weekdays: Vec<u8>,
    /// Units (tablets, ml, puffs, …) per dose.
    pub dose: f64,
    pub taper: Vec<TaperStep>,
    /// Kind `as_needed`: the most doses in one day.
    pub max_per_day: u32,
}

/// The most times of day one schedule may hold.
pub const MAX_TIMES: usize = 12;

fn valid_dose(dose: f64) -> bool {
    dose.is_finite() && dose > 0.0 && dose <= 1000.0
}

impl Schedule {
    /// Checks the schedule for a medication taken from `start` (to `end`);
    /// answers it tidied (times sorted, taper steps in date order) or a
    /// user-safe reason.
    pub fn checked(
        mut self,
        start: NaiveDate,
        end: Option<NaiveDate>,
    ) -> Result<Schedule, MedProblem> {
        if !valid_dose(self.dose) {
            return Err(MedProblem::DoseAmount);
        }
        if self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            return Err(MedProblem::Weekdays);
        }
        self.weekdays.sort_unstable();
        self.weekdays.dedup();
        match self.kind {
            ScheduleKind::Times => {
                if self.times.is_empty() {
                    return Err(MedProblem::TimesMissing);
                }
                if self.times.len() > MAX_TIMES {
                    return Err(MedProblem::TooManyTimes {
                        max: MAX_TIMES as u32,
                    });
                }
                let mut times = Vec::with_capacity(self.times.len());
                for text in &self.times {
                    let time = parse_time(text).ok_or(MedProblem::TimeFormat)?;
                    times.push(time);
                }
                times.sort_unstable();
                if times.windows(2).any(|w| w[0] == w[1]) {
                    return Err(MedProblem::TimeTwice);
                }
                self.times = times
                    .iter()
                    .map(|t| t.format("%H:%M").to_string())
                    .collect();
                self.every_hours = 0;
                self.from.clear();
                self.max_per_day = 0;
            }
            ScheduleKind::Interval => {
                if !(1..=24).contains(&self.every_hours) {
                    return Err(MedProblem::IntervalHours);
                }
                let from = parse_time(&self.from).ok_or(MedProblem::FirstTimeMissing)?;
                self.from = from.format("%H:%M").to_string();
                self.times.clear();
                self.max_per_day = 0;
            }
            ScheduleKind::AsNeeded => {
                if !(1..=24).contains(&self.max_per_day) {
                    return Err(MedProblem::MaxPerDay);
                }
                self.times.clear();
                self.every_hours = 0;
                self.from.clear();
                self.weekdays.clear();
            }
        }
        let mut steps = Vec::with_capacity(self.taper.len());
        for step in &self.taper {
            let date = parse_date(&step.from).ok_or(MedProblem::ChangeDateMissing)?;
            if !valid_dose(step.dose) {
                return Err(MedProblem::ChangeAmount);
            }
            if date < start || end.is_some_and(|end| date > end) {
                return Err(MedProblem::ChangeOutsideDates);
            }
            steps.push((date, step.dose));
        }
        steps.sort_by_key(|(date, _)| *date);
        if steps.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(MedProblem::ChangesSameDate);
        }
        self.taper = steps
            .into_iter()
            .map(|(date, dose)| TaperStep {
                from: date.format("%Y-%m-%d").to_string(),
                dose,
            })
            .collect();
        Ok(self)
    }

    /// The local times of day of a scheduled dose (none for as-needed).
    pub fn times_of_day(&self) -> Vec<NaiveTime> {
        match self.kind {
            ScheduleKind::Times => self.times.iter().filter_map(|t| parse_time(t)).collect(),
            ScheduleKind::Interval => {
                let (Some(first), step) = (parse_time(&self.from), self.every_hours.max(1)) else {
                    return Vec::new();
                };
                let start = first.signed_duration_since(NaiveTime::MIN).num_minutes() as u32;
                (0..)
                    .map(|n| start + n * step * 60)
                    .take_while(|m| *m < 24 * 60)
                    .filter_map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0))
                    .collect()
            }
            ScheduleKind::AsNeeded => Vec::new(),
        }
    }

    /// Whether doses are scheduled on `date`'s weekday.
    pub fn on_weekday(&self, date: NaiveDate) -> bool {
        self.weekdays.is_empty()
            || self
                .weekdays
                .contains(&(date.weekday().number_from_monday() as u8))
    }

    /// The dose on `date`: the latest taper step that has begun, else the dose.
    pub fn dose_on(&self, date: NaiveDate) -> f64 {
        self.taper
            .iter()
            .rfind(|step| parse_date(&step.from).is_some_and(|from| from <= date))
            .map_or(self.dose, |step| step.dose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn times(list: &[&str]) -> Schedule {
        Schedule {
            kind: ScheduleKind::Times,
            times: list.iter().map(|t| t.to_string()).collect(),
            dose: 1.0,
            ..Schedule::default()
        }
    }

    #[test]
    fn bad_schedules_are_refused_with_a_reason() {
        let start = date("2026-03-01");
        let refused = |s: Schedule| s.checked(start, None).unwrap_err().to_string();
        assert!(refused(times(&[])).contains("at least one time"));
        assert!(refused(times(&["25:00"])).contains("HH:MM"));
        assert!(refused(times(&["08:00", "8:00"])).contains("twice"));
        assert!(
            refused(Schedule {
                dose: 0.0,
                ..times(&["08:00"])
            })
            .contains("more than zero")
        );
        assert!(
            refused(Schedule {
                dose: -1.0,
                ..times(&["08:00"])
            })
            .contains("more than zero")
        );
        let prn = Schedule {
            kind: ScheduleKind::AsNeeded,
            dose: 1.0,
            ..Schedule::default()
        };
        assert!(refused(prn).contains("most doses a day"));
        let early_step = Schedule {
            taper: vec![TaperStep {
                from: "2026-02-01".into(),
                dose: 2.0,
            }],
            ..times(&["08:00"])
        };
        assert!(refused(early_step).contains("between the start and end"));
    }

    #[test]
    fn times_are_tidied_and_intervals_run_to_midnight() {
        let s = times(&["20:00", "8:05"])
            .checked(date("2026-03-01"), None)
            .unwrap();
        assert_eq!(s.times, ["08:05", "20:00"]);
        let every_8 = Schedule {
            kind: ScheduleKind::Interval,
            every_hours: 8,
            from: "06:00".into(),
            dose: 1.0,
            ..Schedule::default()
        };
        let hours: Vec<String> = every_8
            .times_of_day()
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        assert_eq!(hours, ["06:00", "14:00", "22:00"]);
    }

    #[test]
    fn tapering_changes_the_dose_by_date_and_weekdays_filter_days() {
        let s = Schedule {
            taper: vec![
                TaperStep {
                    from: "2026-03-10".into(),
                    dose: 2.0,
                },
                TaperStep {
                    from: "2026-03-05".into(),
                    dose: 3.0,
                },
            ],
            weekdays: vec![1, 3],
            dose: 4.0,
            ..times(&["08:00"])
        }
        .checked(date("2026-03-01"), Some(date("2026-03-31")))
        .unwrap();
        assert_eq!(s.dose_on(date("2026-03-04")), 4.0);
        assert_eq!(s.dose_on(date("2026-03-05")), 3.0);
        assert_eq!(s.dose_on(date("2026-03-12")), 2.0);
        // 2026-03-02 is a Monday, 03-03 a Tuesday, 03-04 a Wednesday.
        assert!(s.on_weekday(date("2026-03-02")));
        assert!(!s.on_weekday(date("2026-03-03")));
        assert!(s.on_weekday(date("2026-03-04")));
    }
}
