//! The kinds of observation Hale keeps: each with its LOINC code, its
//! canonical UCUM unit (values are stored in it), the units it accepts, its
//! physiological range, and how readings combine over a period.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    HeartRate,
    Steps,
    ActiveEnergy,
    Distance,
    Weight,
    BodyFat,
    Glucose,
    BloodPressure,
    Spo2,
    BodyTemperature,
    Sleep,
}

/// How readings of a kind combine over an hour or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Counts that add up (steps, energy, distance, minutes asleep).
    Sum,
    /// Levels that are averaged (heart rate, weight, glucose, ...).
    Mean,
}

/// One accepted unit: its spellings and how to reach the canonical unit.
pub struct UnitDef {
    /// The UCUM code, first of the spellings.
    pub spellings: &'static [&'static str],
    pub to_canonical: fn(f64) -> f64,
    pub from_canonical: fn(f64) -> f64,
}

fn same(v: f64) -> f64 {
    v
}

macro_rules! unit {
    ([$($s:literal),+], $to:expr, $from:expr) => {
        UnitDef { spellings: &[$($s),+], to_canonical: $to, from_canonical: $from }
    };
    ([$($s:literal),+]) => {
        UnitDef { spellings: &[$($s),+], to_canonical: same, from_canonical: same }
    };
}

/// mg/dL per mmol/L of glucose (molar mass 180.156 g/mol).
pub const GLUCOSE_MG_PER_MMOL: f64 = 18.0156;
/// Glucose "in range" for time-in-range, in mg/dL (70–180, the consensus target).
pub const GLUCOSE_TARGET: (f64, f64) = (70.0, 180.0);
/// Systolic and diastolic targets shown on the chart, in mm[Hg].
pub const SYSTOLIC_TARGET: (f64, f64) = (90.0, 130.0);
pub const DIASTOLIC_TARGET: (f64, f64) = (60.0, 85.0);

static HEART_RATE_UNITS: [UnitDef; 1] = [unit!(["/min", "{beats}/min", "bpm", "count/min"])];
static STEPS_UNITS: [UnitDef; 1] = [unit!(["{steps}", "steps", "count", "1"])];
static ENERGY_UNITS: [UnitDef; 2] = [
    unit!(["kcal", "Cal"]),
    unit!(["kJ"], |v| v / 4.184, |v| v * 4.184),
];
static DISTANCE_UNITS: [UnitDef; 4] = [
    unit!(["m"]),
    unit!(["km"], |v| v * 1000.0, |v| v / 1000.0),
    unit!(["[mi_i]", "mi"], |v| v * 1609.344, |v| v / 1609.344),
    unit!(["[ft_i]", "ft"], |v| v * 0.3048, |v| v / 0.3048),
];
static WEIGHT_UNITS: [UnitDef; 3] = [
    unit!(["kg"]),
    unit!(["[lb_av]", "lb", "lbs"], |v| v * 0.453_592_37, |v| v
        / 0.453_592_37),
    unit!(["g"], |v| v / 1000.0, |v| v * 1000.0),
];
static PERCENT_UNITS: [UnitDef; 1] = [unit!(["%"])];
static GLUCOSE_UNITS: [UnitDef; 2] = [
    unit!(["mg/dL"]),
    unit!(["mmol/L"], |v| v * GLUCOSE_MG_PER_MMOL, |v| v
        / GLUCOSE_MG_PER_MMOL),
];
static PRESSURE_UNITS: [UnitDef; 1] = [unit!(["mm[Hg]", "mmHg"])];
static TEMPERATURE_UNITS: [UnitDef; 2] = [
    unit!(["Cel", "degC", "°C", "C"]),
    unit!(["[degF]", "degF", "°F", "F"], |v| (v - 32.0) / 1.8, |v| v
        * 1.8
        + 32.0),
];
static SLEEP_UNITS: [UnitDef; 2] = [unit!(["min"]), unit!(["h"], |v| v * 60.0, |v| v / 60.0)];

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::HeartRate,
        Kind::Steps,
        Kind::ActiveEnergy,
        Kind::Distance,
        Kind::Weight,
        Kind::BodyFat,
        Kind::Glucose,
        Kind::BloodPressure,
        Kind::Spo2,
        Kind::BodyTemperature,
        Kind::Sleep,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::HeartRate => "heart_rate",
            Kind::Steps => "steps",
            Kind::ActiveEnergy => "active_energy",
            Kind::Distance => "distance",
            Kind::Weight => "weight",
            Kind::BodyFat => "body_fat",
            Kind::Glucose => "glucose",
            Kind::BloodPressure => "blood_pressure",
            Kind::Spo2 => "spo2",
            Kind::BodyTemperature => "body_temperature",
            Kind::Sleep => "sleep",
        }
    }

    pub fn parse(value: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// The LOINC code (for blood pressure: the panel; see [`Kind::component_loinc`]).
    pub fn loinc(self) -> &'static str {
        match self {
            Kind::HeartRate => "8867-4",
            Kind::Steps => "55423-8",
            Kind::ActiveEnergy => "41981-2",
            Kind::Distance => "41953-1",
            Kind::Weight => "29463-7",
            Kind::BodyFat => "41982-0",
            Kind::Glucose => "2339-0",
            Kind::BloodPressure => "85354-9",
            Kind::Spo2 => "59408-5",
            Kind::BodyTemperature => "8310-5",
            Kind::Sleep => "93832-4",
        }
    }

    /// LOINC codes that also name this kind (FHIR input).
    pub fn other_loinc(self) -> &'static [&'static str] {
        match self {
            Kind::Glucose => &["15074-8", "2345-7", "41653-7"],
            Kind::Spo2 => &["2708-6"],
            Kind::BloodPressure => &["55284-4"],
            Kind::Steps => &["41950-7"],
            _ => &[],
        }
    }

    /// LOINC codes of the two blood-pressure components.
    pub const SYSTOLIC_LOINC: &'static str = "8480-6";
    pub const DIASTOLIC_LOINC: &'static str = "8462-4";

    pub fn from_loinc(code: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.loinc() == code || k.other_loinc().contains(&code))
    }

    pub fn units(self) -> &'static [UnitDef] {
        match self {
            Kind::HeartRate => &HEART_RATE_UNITS,
            Kind::Steps => &STEPS_UNITS,
            Kind::ActiveEnergy => &ENERGY_UNITS,
            Kind::Distance => &DISTANCE_UNITS,
            Kind::Weight => &WEIGHT_UNITS,
            Kind::BodyFat | Kind::Spo2 => &PERCENT_UNITS,
            Kind::Glucose => &GLUCOSE_UNITS,
            Kind::BloodPressure => &PRESSURE_UNITS,
            Kind::BodyTemperature => &TEMPERATURE_UNITS,
            Kind::Sleep => &SLEEP_UNITS,
        }
    }

    /// The canonical UCUM unit values are stored in.
    pub fn canonical_unit(self) -> &'static str {
        self.units()[0].spellings[0]
    }

    /// The accepted unit spelled `unit`, if any.
    pub fn unit(self, unit: &str) -> Option<&'static UnitDef> {
        let unit = unit.trim();
        self.units()
            .iter()
            .find(|u| u.spellings.iter().any(|s| s.eq_ignore_ascii_case(unit)))
    }

    /// The plausible range of one reading, in the canonical unit.
    pub fn range(self) -> (f64, f64) {
        match self {
            Kind::HeartRate => (20.0, 300.0),
            Kind::Steps => (0.0, 100_000.0),
            Kind::ActiveEnergy => (0.0, 20_000.0),
            Kind::Distance => (0.0, 500_000.0),
            Kind::Weight => (1.0, 650.0),
            Kind::BodyFat => (1.0, 80.0),
            Kind::Glucose => (10.0, 1500.0),
            Kind::BloodPressure => (40.0, 300.0),
            Kind::Spo2 => (50.0, 100.0),
            Kind::BodyTemperature => (25.0, 45.0),
            Kind::Sleep => (1.0, 1440.0),
        }
    }

    /// The range of the second value (diastolic pressure).
    pub fn range2(self) -> Option<(f64, f64)> {
        (self == Kind::BloodPressure).then_some((20.0, 200.0))
    }

    pub fn combine(self) -> Combine {
        match self {
            Kind::Steps | Kind::ActiveEnergy | Kind::Distance | Kind::Sleep => Combine::Sum,
            _ => Combine::Mean,
        }
    }

    /// Readings span a time (a sleep session) rather than an instant.
    pub fn is_session(self) -> bool {
        self == Kind::Sleep
    }

    /// The target range drawn on charts, in the canonical unit.
    pub fn target(self) -> Option<(f64, f64)> {
        match self {
            Kind::Glucose => Some(GLUCOSE_TARGET),
            Kind::BloodPressure => Some(SYSTOLIC_TARGET),
            Kind::Spo2 => Some((95.0, 100.0)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_name_in_both_languages() {
        use crate::i18n::Locale;
        for kind in Kind::ALL {
            for locale in [Locale::en, Locale::zh_TW] {
                let name = crate::refusals::kind_name(kind.as_str(), locale);
                assert!(name.is_some_and(|n| !n.is_empty()), "{kind:?}");
            }
        }
    }

    #[test]
    fn every_kind_round_trips_and_has_a_canonical_unit() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert_eq!(Kind::from_loinc(kind.loinc()), Some(kind));
            let canonical = kind.unit(kind.canonical_unit()).expect("canonical unit");
            assert_eq!((canonical.to_canonical)(12.5), 12.5);
        }
    }

    #[test]
    fn units_convert_both_ways() {
        let lb = Kind::Weight.unit("lb").unwrap();
        assert!(((lb.to_canonical)(220.462_262) - 100.0).abs() < 1e-4);
        let mmol = Kind::Glucose.unit("mmol/L").unwrap();
        assert!(((mmol.to_canonical)(5.5) - 99.0858).abs() < 1e-3);
        let f = Kind::BodyTemperature.unit("°F").unwrap();
        assert!(((f.to_canonical)(98.6) - 37.0).abs() < 1e-9);
        assert!(((f.from_canonical)(37.0) - 98.6).abs() < 1e-9);
        assert!(Kind::HeartRate.unit("kg").is_none());
    }
}
