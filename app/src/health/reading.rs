//! One reading as it arrives (from the API, a form or an import) and the
//! rules that turn it into a canonical [`Reading`] or a precise [`Problem`].

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
}

/// A checked reading: canonical unit, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub kind: Kind,
    pub start_s: i64,
    pub end_s: i64,
    pub value: f64,
    pub value2: Option<f64>,
}

/// Why one reading was refused. The text is user-safe (it names no value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    #[error("unknown kind; use one of {known}")]
    UnknownKind { known: String },
    #[error("unit not accepted for {kind}; use one of {accepted}")]
    UnknownUnit { kind: String, accepted: String },
    #[error("value outside the plausible range for {kind} ({min} to {max} {unit})")]
    OutOfRange {
        kind: String,
        min: f64,
        max: f64,
        unit: String,
    },
    #[error("time is not an RFC 3339 date and time")]
    BadTime,
    #[error("time is in the future")]
    FutureTime,
    #[error("time is before 1970")]
    TooOld,
    #[error("blood pressure needs both systolic (value) and diastolic (value2), systolic higher")]
    BloodPressurePair,
    #[error("a sleep session needs an end after its start, at most 24 hours later")]
    BadSession,
    #[error("value is not a number")]
    NotANumber,
    #[error("{0}")]
    Malformed(String),
}

/// How far ahead of the server's clock a reading may be (clock skew).
pub const FUTURE_TOLERANCE_S: i64 = 10 * 60;

fn parse_time(text: &str) -> Result<i64, Problem> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp())
        .map_err(|_| Problem::BadTime)
}

fn in_range(kind: Kind, value: f64, (min, max): (f64, f64)) -> Result<(), Problem> {
    if !value.is_finite() {
        return Err(Problem::NotANumber);
    }
    if value < min || value > max {
        return Err(Problem::OutOfRange {
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
    pub fn check(&self, now: DateTime<Utc>) -> Result<Reading, Problem> {
        let kind = Kind::parse(self.kind.trim()).ok_or_else(|| Problem::UnknownKind {
            known: Kind::ALL.map(Kind::as_str).join(", "),
        })?;
        let unit = kind.unit(&self.unit).ok_or_else(|| Problem::UnknownUnit {
            kind: kind.as_str().into(),
            accepted: kind
                .units()
                .iter()
                .map(|u| u.spellings[0])
                .collect::<Vec<_>>()
                .join(", "),
        })?;
        let start_s = parse_time(&self.time)?;
        let end_s = match &self.end {
            Some(end) => parse_time(end)?,
            None => start_s,
        };
        if start_s < 0 {
            return Err(Problem::TooOld);
        }
        if start_s.max(end_s) > now.timestamp() + FUTURE_TOLERANCE_S {
            return Err(Problem::FutureTime);
        }
        let mut value = (unit.to_canonical)(self.value);
        let mut value2 = self.value2.map(unit.to_canonical);
        if kind.is_session() {
            if end_s <= start_s || end_s - start_s > 24 * 3600 {
                return Err(Problem::BadSession);
            }
            // A session's value is its length in minutes when none is given.
            if self.value == 0.0 {
                value = (end_s - start_s) as f64 / 60.0;
            }
        } else if end_s < start_s {
            return Err(Problem::BadTime);
        }
        in_range(kind, value, kind.range())?;
        match (kind.range2(), value2) {
            (Some(range2), Some(v2)) => {
                in_range(kind, v2, range2)?;
                if v2 >= value {
                    return Err(Problem::BloodPressurePair);
                }
            }
            (Some(_), None) => return Err(Problem::BloodPressurePair),
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
            Err(Problem::UnknownKind { .. })
        ));
        assert!(matches!(
            reading("weight", 70.0, "stone").check(now()),
            Err(Problem::UnknownUnit { .. })
        ));
        let mut future = reading("weight", 70.0, "kg");
        future.time = "2026-12-25T00:00:00Z".into();
        assert_eq!(future.check(now()), Err(Problem::FutureTime));
        let mut garbled = reading("weight", 70.0, "kg");
        garbled.time = "yesterday".into();
        assert_eq!(garbled.check(now()), Err(Problem::BadTime));
    }

    #[test]
    fn blood_pressure_needs_a_sensible_pair() {
        let mut bp = reading("blood_pressure", 120.0, "mmHg");
        assert_eq!(bp.check(now()), Err(Problem::BloodPressurePair));
        bp.value2 = Some(130.0);
        assert_eq!(bp.check(now()), Err(Problem::BloodPressurePair));
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
        assert_eq!(sleep.check(now()), Err(Problem::BadSession));
    }
}
