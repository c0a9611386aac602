//! One reading as it arrives (from the API, a form or an import) and the
//! rules that turn it into a canonical [`Reading`] or a precise [`ReadingProblem`].

use super::kind::Kind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A reading as sent: a kind, a time, a value (for blood pressure the
/// systolic value, with `value2` the diastolic) and its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewReading {
    pub kind: String,
    /// RFC 3339, e.g. `2026-11-28T08:00:00Z`.
    pub time: String,
    /// For sleep sessions: when the session ended (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(alias = "systolic")]
    pub value: f64,
    #[serde(default, alias = "diastolic", skip_serializing_if = "Option::is_none")]
    pub value2: Option<f64>,
    pub unit: String,
    /// The device or app that measured it (e.g. "Acme Watch"); optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// FHIR's status names: `final` (the default), `preliminary`, `amended`
    /// and `corrected` (which replace a reading at the same time), and
    /// `entered-in-error` (which removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When the value is a bound, not a measurement: `<`, `<=`, `>=` or `>`
    /// (e.g. a meter's "Low" written as `< 40` mg/dL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<String>,
}

/// Where a reading stands (FHIR's Observation.status, less the states of a
/// result that is not there yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Final,
    Preliminary,
    /// Replaces what was stored at the same time.
    Amended,
    /// Replaces what was stored at the same time.
    Corrected,
    /// Removes what was stored at the same time; never stored itself.
    EnteredInError,
}

impl Status {
    pub fn parse(text: &str) -> Result<Status, ReadingProblem> {
        match text.trim() {
            "final" => Ok(Status::Final),
            "preliminary" => Ok(Status::Preliminary),
            "amended" => Ok(Status::Amended),
            "corrected" => Ok(Status::Corrected),
            "entered-in-error" => Ok(Status::EnteredInError),
            "registered" | "cancelled" | "unknown" => Err(ReadingProblem::NoResult {
                status: text.trim().into(),
            }),
            _ => Err(ReadingProblem::Malformed {
                what: Malformation::Status,
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Final => "final",
            Status::Preliminary => "preliminary",
            Status::Amended => "amended",
            Status::Corrected => "corrected",
            Status::EnteredInError => "entered-in-error",
        }
    }

    /// Whether the reading takes the place of one stored at the same time.
    pub fn replaces(self) -> bool {
        matches!(self, Status::Amended | Status::Corrected)
    }
}

/// A value that is a bound: FHIR's `Quantity.comparator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    Above,
}

impl Comparator {
    pub fn parse(text: &str) -> Result<Comparator, ReadingProblem> {
        match text.trim() {
            "<" => Ok(Comparator::Below),
            "<=" => Ok(Comparator::AtMost),
            ">=" => Ok(Comparator::AtLeast),
            ">" => Ok(Comparator::Above),
            _ => Err(ReadingProblem::Malformed {
                what: Malformation::Comparator,
            }),
        }
    }

    /// As a page shows it.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Below => "<",
            Comparator::AtMost => "≤",
            Comparator::AtLeast => "≥",
            Comparator::Above => ">",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Below => "<",
            Comparator::AtMost => "<=",
            Comparator::AtLeast => ">=",
            Comparator::Above => ">",
        }
    }
}

/// A checked reading: canonical unit, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub kind: Kind,
    pub start_s: i64,
    pub end_s: i64,
    pub value: f64,
    pub value2: Option<f64>,
    pub status: Status,
    pub comparator: Option<Comparator>,
}

use crate::refusals::Malformation;
pub use crate::refusals::ReadingProblem;

/// How far ahead of the server's clock a reading may be (clock skew).
pub const FUTURE_TOLERANCE_S: i64 = 10 * 60;

/// An RFC 3339 date and time, or a date of FHIR's coarser precisions
/// (`2016-03-28`, `2016-03`, `2016`), which has no zone: it is taken at noon
/// UTC of its first day, which falls on the same date in every zone from
/// UTC−12 to UTC+11. The second value is how much earlier the time may
/// really be (a date of today is not in the future).
fn parse_time(text: &str) -> Result<(i64, i64), ReadingProblem> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok((t.timestamp(), 0));
    }
    let padded = match text.len() {
        4 => format!("{text}-01-01"),
        7 => format!("{text}-01"),
        _ => text.to_owned(),
    };
    chrono::NaiveDate::parse_from_str(&padded, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 4 || text.len() == 7 || text.len() == 10)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .map(|t| (t.and_utc().timestamp(), 12 * 3600))
        .ok_or(ReadingProblem::BadTime)
}

fn in_range(kind: Kind, value: f64, (min, max): (f64, f64)) -> Result<(), ReadingProblem> {
    if !value.is_finite() {
        return Err(ReadingProblem::NotANumber);
    }
    if value < min || value > max {
        return Err(ReadingProblem::OutOfRange {
            kind: kind.as_str().into(),
            min,
            max,
            unit: kind.canonical_unit().into(),
        });
    }
    Ok(())
}

impl NewReading {
    /// Checks the reading against the kind's rules, at `now`.
    pub fn check(&self, now: DateTime<Utc>) -> Result<Reading, ReadingProblem> {
        let kind = Kind::parse(self.kind.trim()).ok_or_else(|| ReadingProblem::UnknownKind {
            known: Kind::ALL.map(Kind::as_str).join(", "),
        })?;
        let unit = kind
            .unit(&self.unit)
            .ok_or_else(|| ReadingProblem::UnknownUnit {
                kind: kind.as_str().into(),
                accepted: kind
                    .units()
                    .iter()
                    .map(|u| u.spellings[0])
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let status = match &self.status {
            Some(text) => Status::parse(text)?,
            None => Status::Final,
        };
        let comparator = self
            .comparator
            .as_deref()
            .map(Comparator::parse)
            .transpose()?;
        let (start_s, start_slack) = parse_time(&self.time)?;
        let (end_s, end_slack) = match &self.end {
            Some(end) => parse_time(end)?,
            None => (start_s, start_slack),
        };
        if start_s < 0 {
            return Err(ReadingProblem::TooOld);
        }
        if (start_s - start_slack).max(end_s - end_slack) > now.timestamp() + FUTURE_TOLERANCE_S {
            return Err(ReadingProblem::FutureTime);
        }
        if status == Status::EnteredInError {
            // A retraction names a reading by kind and time; its value is not kept.
            return Ok(Reading {
                kind,
                start_s,
                end_s,
                value: 0.0,
                value2: None,
                status,
                comparator: None,
            });
        }
        let mut value = (unit.to_canonical)(self.value);
        let mut value2 = self.value2.map(unit.to_canonical);
        if kind.is_session() {
            if end_s <= start_s || end_s - start_s > 24 * 3600 {
                return Err(ReadingProblem::BadSession);
            }
            // A session's value is its length in minutes when none is given.
            if self.value == 0.0 {
                value = (end_s - start_s) as f64 / 60.0;
            }
        } else if end_s < start_s {
            return Err(ReadingProblem::BadTime);
        }
        in_range(kind, value, kind.range())?;
        match (kind.range2(), value2) {
            (Some(range2), Some(v2)) => {
                in_range(kind, v2, range2)?;
                if v2 >= value {
                    return Err(ReadingProblem::BloodPressurePair);
                }
            }
            (Some(_), None) => return Err(ReadingProblem::BloodPressurePair),
            (None, _) => value2 = None,
        }
        // Keep stored values tidy: conversions leave long fractions.
        value = (value * 1e4).round() / 1e4;
        Ok(Reading {
            kind,
            start_s,
            end_s,
            value,
            value2: value2.map(|v| (v * 1e4).round() / 1e4),
            status,
            comparator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(kind: &str, value: f64, unit: &str) -> NewReading {
        NewReading {
            kind: kind.into(),
            time: "2026-11-28T08:00:00Z".into(),
            end: None,
            value,
            value2: None,
            unit: unit.into(),
            source: None,
            status: None,
            comparator: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-29T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_heart_rate_of_0_or_400_is_refused_and_72_kept() {
        for bad in [0.0, 400.0, f64::NAN] {
            assert!(reading("heart_rate", bad, "/min").check(now()).is_err());
        }
        let ok = reading("heart_rate", 72.0, "bpm").check(now()).unwrap();
        assert_eq!((ok.kind, ok.value), (Kind::HeartRate, 72.0));
    }

    #[test]
    fn values_are_stored_in_the_canonical_unit() {
        let w = reading("weight", 176.37, "lb").check(now()).unwrap();
        assert!((w.value - 80.0).abs() < 0.01);
        let g = reading("glucose", 5.5, "mmol/L").check(now()).unwrap();
        assert!((g.value - 99.0858).abs() < 0.001);
    }

    #[test]
    fn unknown_kinds_units_and_future_times_are_named() {
        assert!(matches!(
            reading("mood", 1.0, "1").check(now()),
            Err(ReadingProblem::UnknownKind { .. })
        ));
        assert!(matches!(
            reading("weight", 70.0, "stone").check(now()),
            Err(ReadingProblem::UnknownUnit { .. })
        ));
        let mut future = reading("weight", 70.0, "kg");
        future.time = "2026-12-25T00:00:00Z".into();
        assert_eq!(future.check(now()), Err(ReadingProblem::FutureTime));
        let mut garbled = reading("weight", 70.0, "kg");
        garbled.time = "yesterday".into();
        assert_eq!(garbled.check(now()), Err(ReadingProblem::BadTime));
        let mut timeless = reading("weight", 70.0, "kg");
        timeless.time = "2016-03-28T09:30".into();
        assert_eq!(timeless.check(now()), Err(ReadingProblem::BadTime));
    }

    #[test]
    fn fhir_dates_of_every_precision_are_times() {
        let at = |time: &str| {
            let mut r = reading("weight", 70.0, "kg");
            r.time = time.into();
            r.check(now()).map(|r| r.start_s)
        };
        let noon = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp()
        };
        assert_eq!(at("2016-03-28"), Ok(noon(2016, 3, 28)));
        assert_eq!(at("2016-03"), Ok(noon(2016, 3, 1)));
        assert_eq!(at("2016"), Ok(noon(2016, 1, 1)));
        assert_eq!(at("2016-02-30"), Err(ReadingProblem::BadTime));
        assert_eq!(at("2016-3-28"), Err(ReadingProblem::BadTime));
        assert_eq!(
            at("2016-03-28T09:30:00.123+01:00"),
            Ok(noon(2016, 3, 28) - 3 * 3600 - 30 * 60)
        );
    }

    #[test]
    fn status_and_comparator_are_kept() {
        let mut low = reading("glucose", 40.0, "mg/dL");
        low.comparator = Some("<".into());
        low.status = Some("preliminary".into());
        let checked = low.check(now()).unwrap();
        assert_eq!(checked.comparator, Some(Comparator::Below));
        assert_eq!(checked.status, Status::Preliminary);
        low.status = Some("cancelled".into());
        assert!(matches!(
            low.check(now()),
            Err(ReadingProblem::NoResult { .. })
        ));
        low.status = Some("done".into());
        assert!(matches!(
            low.check(now()),
            Err(ReadingProblem::Malformed { .. })
        ));
        low.status = None;
        low.comparator = Some("~".into());
        assert!(matches!(
            low.check(now()),
            Err(ReadingProblem::Malformed { .. })
        ));
    }

    #[test]
    fn blood_pressure_needs_a_sensible_pair() {
        let mut bp = reading("blood_pressure", 120.0, "mmHg");
        assert_eq!(bp.check(now()), Err(ReadingProblem::BloodPressurePair));
        bp.value2 = Some(130.0);
        assert_eq!(bp.check(now()), Err(ReadingProblem::BloodPressurePair));
        bp.value2 = Some(80.0);
        assert_eq!(bp.check(now()).unwrap().value2, Some(80.0));
    }

    #[test]
    fn a_sleep_session_takes_its_length_from_its_times() {
        let mut sleep = reading("sleep", 0.0, "min");
        sleep.time = "2026-11-27T23:00:00Z".into();
        sleep.end = Some("2026-11-28T06:30:00Z".into());
        assert_eq!(sleep.check(now()).unwrap().value, 450.0);
        sleep.end = Some("2026-11-27T22:00:00Z".into());
        assert_eq!(sleep.check(now()), Err(ReadingProblem::BadSession));
    }
}
