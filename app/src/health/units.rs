//! The units a patient prefers to read, and values shown in them.

use super::kind::{GLUCOSE_MG_PER_MMOL, Kind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::FromQueryResult))]
pub struct UnitPrefs {
    /// "kg" or "lb"
    pub weight: String,
    /// "mg/dL" or "mmol/L"
    pub glucose: String,
    /// "C" or "F"
    pub temperature: String,
    /// "km" or "mi"
    pub distance: String,
}

impl Default for UnitPrefs {
    fn default() -> Self {
        UnitPrefs {
            weight: "kg".into(),
            glucose: "mg/dL".into(),
            temperature: "C".into(),
            distance: "km".into(),
        }
    }
}

/// The choices offered for each preference (first is the default).
pub const WEIGHT_CHOICES: [&str; 2] = ["kg", "lb"];
pub const GLUCOSE_CHOICES: [&str; 2] = ["mg/dL", "mmol/L"];
pub const TEMPERATURE_CHOICES: [&str; 2] = ["C", "F"];
pub const DISTANCE_CHOICES: [&str; 2] = ["km", "mi"];

impl UnitPrefs {
    /// Keeps only known choices.
    pub fn checked(self) -> Option<UnitPrefs> {
        let ok = WEIGHT_CHOICES.contains(&self.weight.as_str())
            && GLUCOSE_CHOICES.contains(&self.glucose.as_str())
            && TEMPERATURE_CHOICES.contains(&self.temperature.as_str())
            && DISTANCE_CHOICES.contains(&self.distance.as_str());
        ok.then_some(self)
    }

    /// The unit (as accepted by [`Kind::unit`]) values of `kind` are shown in.
    pub fn unit_for(&self, kind: Kind) -> &'static str {
        match kind {
            Kind::Weight if self.weight == "lb" => "lb",
            Kind::Glucose if self.glucose == "mmol/L" => "mmol/L",
            Kind::BodyTemperature if self.temperature == "F" => "°F",
            Kind::BodyTemperature => "°C",
            Kind::Distance if self.distance == "mi" => "mi",
            Kind::Distance => "km",
            Kind::Sleep => "h",
            _ => kind.canonical_unit(),
        }
    }

    /// A label for the unit, as people write it.
    pub fn label_for(&self, kind: Kind) -> &'static str {
        match self.unit_for(kind) {
            "/min" => "bpm",
            "{steps}" => "steps",
            "mm[Hg]" => "mmHg",
            other => other,
        }
    }

    /// A canonical value in the preferred unit.
    pub fn convert(&self, kind: Kind, canonical: f64) -> f64 {
        let unit = self.unit_for(kind);
        match kind.unit(unit) {
            Some(def) => (def.from_canonical)(canonical),
            None => canonical,
        }
    }

    /// A canonical value as text in the preferred unit, without the unit.
    pub fn format(&self, kind: Kind, canonical: f64) -> String {
        let value = self.convert(kind, canonical);
        let decimals = match kind {
            Kind::Steps | Kind::HeartRate | Kind::ActiveEnergy | Kind::BloodPressure => 0,
            Kind::Glucose if self.glucose == "mg/dL" => 0,
            Kind::Spo2 => 0,
            Kind::Distance | Kind::Sleep | Kind::Glucose => 1,
            _ => 1,
        };
        format!("{value:.decimals$}")
    }

    /// Canonical values as text in the preferred unit: "120/80" for blood
    /// pressure, else the formatted value.
    pub fn format_reading(&self, kind: Kind, value: f64, value2: Option<f64>) -> String {
        match value2 {
            Some(v2) if kind == Kind::BloodPressure => format!(
                "{:.0}/{:.0}",
                self.convert(kind, value),
                self.convert(kind, v2)
            ),
            _ => self.format(kind, value),
        }
    }
}

/// Glucose in mmol/L from mg/dL (for tests and labels).
pub fn mg_dl_to_mmol(value: f64) -> f64 {
    value / GLUCOSE_MG_PER_MMOL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_show_in_the_preferred_unit() {
        let mut prefs = UnitPrefs::default();
        assert_eq!(prefs.format(Kind::Weight, 80.0), "80.0");
        prefs.weight = "lb".into();
        assert_eq!(prefs.format(Kind::Weight, 80.0), "176.4");
        prefs.glucose = "mmol/L".into();
        assert_eq!(prefs.format(Kind::Glucose, 99.0), "5.5");
        prefs.temperature = "F".into();
        assert_eq!(prefs.format(Kind::BodyTemperature, 37.0), "98.6");
        assert_eq!(prefs.format(Kind::Distance, 5000.0), "5.0");
        assert_eq!(prefs.format(Kind::Sleep, 450.0), "7.5");
        assert_eq!(
            prefs.format_reading(Kind::BloodPressure, 120.0, Some(80.0)),
            "120/80"
        );
        // A reading is converted once: canonical in, preferred unit out.
        assert_eq!(prefs.format_reading(Kind::Sleep, 450.0, None), "7.5");
        assert_eq!(prefs.format_reading(Kind::Distance, 5000.0, None), "5.0");
        assert_eq!(prefs.format_reading(Kind::Weight, 80.0, None), "176.4");
        assert!(
            UnitPrefs {
                weight: "stone".into(),
                ..UnitPrefs::default()
            }
            .checked()
            .is_none()
        );
    }
}
