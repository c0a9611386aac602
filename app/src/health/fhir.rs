//! FHIR R4 input: a Bundle of Observations becomes readings. The kind comes
//! from a LOINC coding; the time from `effectiveDateTime` or
//! `effectivePeriod`; the value from `valueQuantity` (its UCUM `code`, else
//! its `unit`); blood pressure from its systolic and diastolic components.

use super::kind::Kind;
use super::reading::{NewReading, Problem};
use serde_json::Value;

const LOINC: &str = "http://loinc.org";

/// Whether a JSON body is a FHIR Bundle.
pub fn is_bundle(body: &Value) -> bool {
    body.get("resourceType").and_then(Value::as_str) == Some("Bundle")
}

/// The entries of a Bundle, each turned into a reading or a problem.
pub fn entries(bundle: &Value) -> Vec<Result<NewReading, Problem>> {
    bundle
        .get("entry")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .map(|entry| observation(entry.get("resource").unwrap_or(&Value::Null)))
                .collect()
        })
        .unwrap_or_default()
}

fn malformed(what: &str) -> Problem {
    Problem::Malformed(what.into())
}

fn loinc_codes(concept: &Value) -> impl Iterator<Item = &str> {
    concept
        .get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| c.get("system").and_then(Value::as_str) == Some(LOINC))
        .filter_map(|c| c.get("code").and_then(Value::as_str))
}

fn quantity(value: &Value) -> Result<(f64, String), Problem> {
    let q = value
        .get("valueQuantity")
        .ok_or_else(|| malformed("valueQuantity is missing"))?;
    let number = q
        .get("value")
        .and_then(Value::as_f64)
        .ok_or(Problem::NotANumber)?;
    let unit = q
        .get("code")
        .or_else(|| q.get("unit"))
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("valueQuantity has no unit"))?;
    Ok((number, unit.to_owned()))
}

fn observation(resource: &Value) -> Result<NewReading, Problem> {
    if resource.get("resourceType").and_then(Value::as_str) != Some("Observation") {
        return Err(malformed("entry.resource is not an Observation"));
    }
    let code = resource
        .get("code")
        .ok_or_else(|| malformed("code is missing"))?;
    let kind = loinc_codes(code)
        .find_map(Kind::from_loinc)
        .ok_or_else(|| Problem::UnknownKind {
            known: "LOINC codes of the kinds Hale keeps".into(),
        })?;
    let (time, end) = match (
        resource.get("effectiveDateTime").and_then(Value::as_str),
        resource.get("effectivePeriod"),
    ) {
        (Some(at), _) => (at.to_owned(), None),
        (None, Some(period)) => {
            let start = period.get("start").and_then(Value::as_str);
            let end = period.get("end").and_then(Value::as_str);
            (
                start.ok_or(Problem::BadTime)?.to_owned(),
                end.map(str::to_owned),
            )
        }
        (None, None) => return Err(Problem::BadTime),
    };
    let source = resource
        .get("device")
        .and_then(|d| d.get("display"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (value, value2, unit) = if kind == Kind::BloodPressure {
        let mut systolic = None;
        let mut diastolic = None;
        for component in resource
            .get("component")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let codes: Vec<&str> = component
                .get("code")
                .map(|c| loinc_codes(c).collect())
                .unwrap_or_default();
            if codes.contains(&Kind::SYSTOLIC_LOINC) {
                systolic = Some(quantity(component)?);
            } else if codes.contains(&Kind::DIASTOLIC_LOINC) {
                diastolic = Some(quantity(component)?);
            }
        }
        let (Some((sys, unit)), Some((dia, _))) = (systolic, diastolic) else {
            return Err(Problem::BloodPressurePair);
        };
        (sys, Some(dia), unit)
    } else if kind.is_session() && resource.get("valueQuantity").is_none() {
        (0.0, None, "min".to_owned())
    } else {
        let (value, unit) = quantity(resource)?;
        (value, None, unit)
    };
    Ok(NewReading {
        kind: kind.as_str().into(),
        time,
        end,
        value,
        value2,
        unit,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bundle_yields_heart_rate_and_blood_pressure() {
        let bundle = json!({
            "resourceType": "Bundle", "type": "collection",
            "entry": [
                {"resource": {"resourceType": "Observation", "status": "final",
                  "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                  "effectiveDateTime": "2026-11-28T08:00:00Z",
                  "valueQuantity": {"value": 61, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min"}}},
                {"resource": {"resourceType": "Observation",
                  "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
                  "effectiveDateTime": "2026-11-28T08:05:00Z",
                  "component": [
                    {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 118, "code": "mm[Hg]"}},
                    {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": {"value": 76, "code": "mm[Hg]"}}]}},
                {"resource": {"resourceType": "Patient"}}
            ]
        });
        assert!(is_bundle(&bundle));
        let items = entries(&bundle);
        assert_eq!(items.len(), 3);
        let hr = items[0].as_ref().unwrap();
        assert_eq!(
            (hr.kind.as_str(), hr.value, hr.unit.as_str()),
            ("heart_rate", 61.0, "/min")
        );
        let bp = items[1].as_ref().unwrap();
        assert_eq!((bp.value, bp.value2), (118.0, Some(76.0)));
        assert!(items[2].is_err());
    }
}
