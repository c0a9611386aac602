//! FHIR R4 input: a Bundle of Observations becomes readings.
//!
//! - The kind comes from a LOINC coding (system `http://loinc.org` or its
//!   OID `urn:oid:2.16.840.1.113883.6.1`); an unknown code is named in the
//!   refusal with the codes Hale accepts.
//! - The time from `effectiveDateTime`, `effectiveInstant` or
//!   `effectivePeriod` (its start, else its end), else `issued`; FHIR's
//!   dates without a time (`2016-03-28`, `2016-03`, `2016`) are accepted.
//! - The value from `valueQuantity` (its UCUM `code`, else its `unit`),
//!   keeping its `comparator`; blood pressure from its systolic (8480-6)
//!   and diastolic (8462-4) components.
//! - `status` is kept; `amended`/`corrected` replace the reading at that
//!   time, `entered-in-error` removes it, and `registered`, `cancelled` and
//!   `unknown` have no result to store.
//! - Entries that are not Observations (a Patient, a nested Bundle) are
//!   skipped as "not a reading", their type named.

use super::kind::Kind;
use super::reading::{NewReading, ReadingProblem};
use crate::refusals::{Malformation, PayloadProblem};
use serde_json::Value;

const LOINC_SYSTEMS: [&str; 2] = ["http://loinc.org", "urn:oid:2.16.840.1.113883.6.1"];

/// Whether a JSON body is a FHIR Bundle.
pub fn is_bundle(body: &Value) -> bool {
    body.get("resourceType").and_then(Value::as_str) == Some("Bundle")
}

/// The entries of a Bundle, each turned into a reading or a problem; a
/// Bundle whose `entry` is there but not a list is refused whole.
pub fn entries(bundle: &Value) -> Result<Vec<Result<NewReading, ReadingProblem>>, PayloadProblem> {
    let entries = match bundle.get("entry") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(PayloadProblem::BundleEntriesNotList),
    };
    Ok(entries
        .iter()
        .map(|entry| observation(entry.get("resource").unwrap_or(&Value::Null)))
        .collect())
}

fn malformed(what: Malformation) -> ReadingProblem {
    ReadingProblem::Malformed { what }
}

fn codings(concept: &Value) -> impl Iterator<Item = &Value> {
    concept
        .get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn loinc_codes(concept: &Value) -> impl Iterator<Item = &str> {
    codings(concept)
        .filter(|c| {
            c.get("system")
                .and_then(Value::as_str)
                .is_some_and(|s| LOINC_SYSTEMS.contains(&s.trim()))
        })
        .filter_map(|c| c.get("code").and_then(Value::as_str))
        .map(str::trim)
}

/// The refusal for a code Hale does not keep: the code received and the
/// codes accepted.
fn unknown_code(concept: &Value) -> ReadingProblem {
    let received = codings(concept)
        .filter_map(|c| {
            let code = c.get("code").and_then(Value::as_str)?;
            let code: String = code.chars().take(40).collect();
            Some(match c.get("system").and_then(Value::as_str) {
                Some(system) => format!("{}|{code}", system.chars().take(80).collect::<String>()),
                None => code,
            })
        })
        .collect::<Vec<_>>();
    let accepted = Kind::ALL
        .iter()
        .map(|k| {
            let mut codes = vec![k.loinc()];
            codes.extend(k.other_loinc());
            format!("{} ({})", codes.join(", "), k.as_str())
        })
        .collect::<Vec<_>>()
        .join("; ");
    ReadingProblem::UnknownCode {
        received: if received.is_empty() {
            "(none)".into()
        } else {
            received.join(", ")
        },
        accepted,
    }
}

/// The value of a `valueQuantity`: the number, its unit and its comparator.
fn quantity(value: &Value) -> Result<(f64, String, Option<String>), ReadingProblem> {
    let Some(q) = value.get("valueQuantity") else {
        return Err(match value.get("dataAbsentReason") {
            Some(reason) => ReadingProblem::NoValue {
                reason: codings(reason)
                    .find_map(|c| c.get("code").and_then(Value::as_str))
                    .or_else(|| reason.get("text").and_then(Value::as_str))
                    .unwrap_or("dataAbsentReason")
                    .chars()
                    .take(40)
                    .collect(),
            },
            None => malformed(Malformation::NoQuantity),
        });
    };
    let number = q
        .get("value")
        .and_then(Value::as_f64)
        .ok_or(ReadingProblem::NotANumber)?;
    let unit = q
        .get("code")
        .or_else(|| q.get("unit"))
        .and_then(Value::as_str)
        .ok_or_else(|| malformed(Malformation::NoUnit))?;
    let comparator = q
        .get("comparator")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok((number, unit.to_owned(), comparator))
}

/// When the observation was made: `effective[x]`, else `issued`.
fn when(resource: &Value) -> Result<(String, Option<String>), ReadingProblem> {
    let text = |key: &str| resource.get(key).and_then(Value::as_str).map(str::to_owned);
    if let Some(at) = text("effectiveDateTime").or_else(|| text("effectiveInstant")) {
        return Ok((at, None));
    }
    if let Some(period) = resource.get("effectivePeriod") {
        let start = period.get("start").and_then(Value::as_str);
        let end = period.get("end").and_then(Value::as_str);
        return match (start, end) {
            (Some(start), end) => Ok((start.to_owned(), end.map(str::to_owned))),
            (None, Some(end)) => Ok((end.to_owned(), None)),
            (None, None) => Err(ReadingProblem::NoTime),
        };
    }
    text("issued")
        .map(|at| (at, None))
        .ok_or(ReadingProblem::NoTime)
}

fn observation(resource: &Value) -> Result<NewReading, ReadingProblem> {
    match resource.get("resourceType").and_then(Value::as_str) {
        Some("Observation") => {}
        Some(other) => {
            return Err(ReadingProblem::NotAReading {
                what: format!("a {} resource", other.chars().take(40).collect::<String>()),
            });
        }
        None => return Err(malformed(Malformation::NoResourceType)),
    }
    let status = resource
        .get("status")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let code = resource
        .get("code")
        .ok_or_else(|| malformed(Malformation::NoCode))?;
    let kind = loinc_codes(code)
        .find_map(Kind::from_loinc)
        .ok_or_else(|| unknown_code(code))?;
    let (time, end) = when(resource)?;
    let source = resource
        .get("device")
        .and_then(|d| d.get("display"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let removing = status.as_deref() == Some("entered-in-error");
    let (value, value2, unit, comparator) = if kind == Kind::BloodPressure {
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
        let (Some((sys, unit, comparator)), Some((dia, _, _))) = (systolic, diastolic) else {
            return Err(ReadingProblem::BloodPressureComponents);
        };
        if dia >= sys {
            return Err(ReadingProblem::BloodPressureComponents);
        }
        (sys, Some(dia), unit, comparator)
    } else if kind.is_session() && resource.get("valueQuantity").is_none() {
        (0.0, None, "min".to_owned(), None)
    } else if removing && resource.get("valueQuantity").is_none() {
        // A retraction needs no value: it names the reading by kind and time.
        (0.0, None, kind.canonical_unit().to_owned(), None)
    } else {
        let (value, unit, comparator) = quantity(resource)?;
        (value, None, unit, comparator)
    };
    Ok(NewReading {
        kind: kind.as_str().into(),
        time,
        end,
        value,
        value2,
        unit,
        source,
        status,
        comparator,
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
        let items = entries(&bundle).unwrap();
        assert_eq!(items.len(), 3);
        let hr = items[0].as_ref().unwrap();
        assert_eq!(
            (hr.kind.as_str(), hr.value, hr.unit.as_str()),
            ("heart_rate", 61.0, "/min")
        );
        let bp = items[1].as_ref().unwrap();
        assert_eq!((bp.value, bp.value2), (118.0, Some(76.0)));
        assert!(
            matches!(&items[2], Err(ReadingProblem::NotAReading { what }) if what.contains("Patient"))
        );
    }
}
