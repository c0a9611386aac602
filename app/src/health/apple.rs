//! Apple Health `export.xml`, read as a stream of XML events: memory stays
//! flat whatever the file's size. `Record` elements of the tracked types
//! become readings; blood pressure comes as a `Correlation` of a systolic
//! and a diastolic record (or as two records with the same start); other
//! types are counted as skipped. A file that ends before `</HealthData>` is
//! reported as truncated after the readings read so far.

use super::import_job::{ParseEnd, Parsed, Sink};
use super::reading::{NewReading, ReadingProblem};
use chrono::DateTime;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::BufRead;

const SYSTOLIC: &str = "HKQuantityTypeIdentifierBloodPressureSystolic";
const DIASTOLIC: &str = "HKQuantityTypeIdentifierBloodPressureDiastolic";
const BLOOD_PRESSURE: &str = "HKCorrelationTypeIdentifierBloodPressure";
const SLEEP: &str = "HKCategoryTypeIdentifierSleepAnalysis";

/// Hale's kind for an Apple quantity type, and whether Apple stores it as a
/// fraction (0.97) that Hale keeps in percent.
fn kind_of(apple_type: &str) -> Option<(&'static str, bool)> {
    Some(match apple_type {
        "HKQuantityTypeIdentifierHeartRate" => ("heart_rate", false),
        "HKQuantityTypeIdentifierStepCount" => ("steps", false),
        "HKQuantityTypeIdentifierActiveEnergyBurned" => ("active_energy", false),
        "HKQuantityTypeIdentifierDistanceWalkingRunning" => ("distance", false),
        "HKQuantityTypeIdentifierBodyMass" => ("weight", false),
        "HKQuantityTypeIdentifierBodyFatPercentage" => ("body_fat", true),
        "HKQuantityTypeIdentifierBloodGlucose" => ("glucose", false),
        "HKQuantityTypeIdentifierOxygenSaturation" => ("spo2", true),
        "HKQuantityTypeIdentifierBodyTemperature" => ("body_temperature", false),
        _ => return None,
    })
}

/// "2024-03-01 08:15:00 +0100" as RFC 3339.
fn apple_time(text: &str) -> Option<String> {
    DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .map(|t| t.to_rfc3339())
}

/// Apple's unit spellings that differ from Hale's.
fn unit_of(unit: &str) -> String {
    if unit.starts_with("mmol") {
        "mmol/L".into()
    } else {
        unit.into()
    }
}

#[derive(Default)]
struct Record {
    kind: String,
    unit: String,
    value: String,
    start: String,
    end: String,
    source: String,
}

fn record(element: &BytesStart<'_>) -> Record {
    let mut record = Record::default();
    for attribute in element.attributes().flatten() {
        let value = attribute
            .unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_default();
        match attribute.key.as_ref() {
            b"type" => record.kind = value,
            b"unit" => record.unit = value,
            b"value" => record.value = value,
            b"startDate" => record.start = value,
            b"endDate" => record.end = value,
            b"sourceName" => record.source = value,
            _ => {}
        }
    }
    record
}

fn reading(record: &Record) -> Option<Result<NewReading, ReadingProblem>> {
    let time = match apple_time(&record.start) {
        Some(time) => time,
        None => return Some(Err(ReadingProblem::BadTime)),
    };
    let source = (!record.source.is_empty()).then(|| record.source.chars().take(100).collect());
    if record.kind == SLEEP {
        if !record.value.contains("Asleep") {
            return None;
        }
        let Some(end) = apple_time(&record.end) else {
            return Some(Err(ReadingProblem::BadSession));
        };
        return Some(Ok(NewReading {
            kind: "sleep".into(),
            time,
            end: Some(end),
            value: 0.0,
            value2: None,
            unit: "min".into(),
            source,
            status: None,
            comparator: None,
        }));
    }
    let (kind, fraction) = kind_of(&record.kind)?;
    let Ok(mut value) = record.value.trim().parse::<f64>() else {
        return Some(Err(ReadingProblem::NotANumber));
    };
    if fraction && record.unit == "%" && value <= 1.0 {
        value *= 100.0;
    }
    Some(Ok(NewReading {
        kind: kind.into(),
        time,
        end: None,
        value,
        value2: None,
        unit: unit_of(&record.unit),
        source,
        status: None,
        comparator: None,
    }))
}

/// Systolic and diastolic records paired into one reading.
fn pressure(systolic: &Record, diastolic: &Record) -> Result<NewReading, ReadingProblem> {
    let time = apple_time(&systolic.start).ok_or(ReadingProblem::BadTime)?;
    let sys = systolic
        .value
        .trim()
        .parse::<f64>()
        .map_err(|_| ReadingProblem::NotANumber)?;
    let dia = diastolic
        .value
        .trim()
        .parse::<f64>()
        .map_err(|_| ReadingProblem::NotANumber)?;
    Ok(NewReading {
        kind: "blood_pressure".into(),
        time,
        end: None,
        value: sys,
        value2: Some(dia),
        unit: "mmHg".into(),
        source: (!systolic.source.is_empty()).then(|| systolic.source.clone()),
        status: None,
        comparator: None,
    })
}

/// Reads an export, handing readings to `sink` in batches.
pub fn parse(input: impl BufRead, sink: &mut Sink<'_>) -> ParseEnd {
    // No element may be longer than `text::MAX_TAG_BYTES`: the parser's
    // buffer never holds an enormous attribute.
    let bounded = std::io::BufReader::with_capacity(64 * 1024, super::text::TagBound::new(input));
    let mut reader = quick_xml::Reader::from_reader(bounded);
    let mut buf = Vec::with_capacity(4096);
    let mut index = 0usize;
    let mut in_pressure: Option<Vec<Record>> = None;
    // Top-level systolic/diastolic records waiting for their partner, by start.
    let mut unpaired: HashMap<String, (Option<Record>, Option<Record>)> = HashMap::new();
    let mut saw_root = false;
    let mut saw_end = false;
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            // The input ended inside a tag, comment or declaration.
            Err(quick_xml::Error::Syntax(_)) => return ParseEnd::Truncated { after: index },
            Err(_) => {
                return ParseEnd::Malformed {
                    at: reader.buffer_position(),
                };
            }
        };
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"HealthData" => saw_root = true,
                b"Record" => {
                    let record = record(&e);
                    if let Some(records) = in_pressure.as_mut() {
                        records.push(record);
                        continue;
                    }
                    if record.kind == SYSTOLIC || record.kind == DIASTOLIC {
                        let start = record.start.clone();
                        let slot = unpaired.entry(start.clone()).or_default();
                        if record.kind == SYSTOLIC {
                            slot.0 = Some(record);
                        } else {
                            slot.1 = Some(record);
                        }
                        if slot.0.is_some()
                            && slot.1.is_some()
                            && let Some((Some(s), Some(d))) = unpaired.remove(&start)
                        {
                            index += 1;
                            if !sink.push(Parsed {
                                index,
                                item: pressure(&s, &d),
                            }) {
                                return ParseEnd::Stopped;
                            }
                        }
                        continue;
                    }
                    index += 1;
                    match reading(&record) {
                        Some(item) => {
                            if !sink.push(Parsed { index, item }) {
                                return ParseEnd::Stopped;
                            }
                        }
                        None => sink.skipped += 1,
                    }
                }
                b"Correlation" => {
                    let kind = record(&e).kind;
                    if kind == BLOOD_PRESSURE {
                        in_pressure = Some(Vec::new());
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                b"Correlation" => {
                    if let Some(records) = in_pressure.take() {
                        let s = records.iter().find(|r| r.kind == SYSTOLIC);
                        let d = records.iter().find(|r| r.kind == DIASTOLIC);
                        index += 1;
                        let item = match (s, d) {
                            (Some(s), Some(d)) => pressure(s, d),
                            _ => Err(ReadingProblem::BloodPressurePair),
                        };
                        if !sink.push(Parsed { index, item }) {
                            return ParseEnd::Stopped;
                        }
                    }
                }
                b"HealthData" => saw_end = true,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return ParseEnd::NotThisFormat;
    }
    if !saw_end {
        return ParseEnd::Truncated { after: index };
    }
    ParseEnd::Complete
}
