//! FHIR R4 Observations through `POST /api/v1/observations`, written the
//! way FHIR's own examples and hospital exports write them: dates without a
//! time, `effectivePeriod` and `issued`, codings from several systems, the
//! LOINC OID, comparators, statuses, and Bundles that carry other resources.

use crate::harness::{TestApp, card};
use crate::health::{iso, post_batch};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn bundle(resources: Vec<Value>) -> Value {
    json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": resources.into_iter().map(|r| json!({"fullUrl": "urn:uuid:7f0c", "resource": r})).collect::<Vec<_>>()
    })
}

async fn patient_with_token(app: &TestApp, name: &str) -> String {
    let (client, _) = app.signed_in_client(name).await;
    app.token(&client, "observations:write").await
}

fn reasons(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| item["reason"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn official_example_shapes_are_readings() {
    let app = TestApp::start().await;
    let token = patient_with_token(&app, "fhir-shapes").await;
    let resources = vec![
        // The body-weight example: a date alone, LOINC among other codings, [lb_av].
        json!({"resourceType": "Observation", "id": "example", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
            "code": {"coding": [
                {"system": "http://loinc.org", "code": "29463-7", "display": "Body Weight"},
                {"system": "http://snomed.info/sct", "code": "27113001", "display": "Body weight"},
                {"system": "http://acme.org/devices/clinical-codes", "code": "body-weight"}]},
            "subject": {"reference": "Patient/example"},
            "effectiveDateTime": "2016-03-28",
            "valueQuantity": {"value": 185, "unit": "lbs", "system": "http://unitsofmeasure.org", "code": "[lb_av]"}}),
        // The glucose example: effectivePeriod with an offset, issued, a reference range.
        json!({"resourceType": "Observation", "id": "f001", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "15074-8", "display": "Glucose [Moles/volume] in Blood"}]},
            "effectivePeriod": {"start": "2013-04-02T09:30:10+01:00"},
            "issued": "2013-04-03T15:30:10+01:00",
            "valueQuantity": {"value": 6.3, "unit": "mmol/l", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
            "referenceRange": [{"low": {"value": 3.1, "unit": "mmol/l"}, "high": {"value": 6.2, "unit": "mmol/l"}}]}),
        // Heart rate as an instant, coded under LOINC's OID.
        json!({"resourceType": "Observation", "status": "amended",
            "code": {"coding": [{"system": "urn:oid:2.16.840.1.113883.6.1", "code": "8867-4"}]},
            "effectiveInstant": "2019-07-02T10:15:00.000Z",
            "valueQuantity": {"value": 44, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min"}}),
        // Only `issued`, a year-month effective elsewhere: temperature with issued as fallback.
        json!({"resourceType": "Observation", "status": "preliminary",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5"}]},
            "issued": "2020-01-05T07:00:00Z",
            "valueQuantity": {"value": 36.5, "unit": "C", "system": "http://unitsofmeasure.org", "code": "Cel"}}),
        // A year-month: a monthly weight from a scale's summary.
        json!({"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
            "effectiveDateTime": "2021-06",
            "valueQuantity": {"value": 80, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}),
        // The blood-pressure example: a date alone, components.
        json!({"resourceType": "Observation", "id": "blood-pressure", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
            "effectiveDateTime": "1999-07-02",
            "component": [
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                 "valueQuantity": {"value": 107, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                 "valueQuantity": {"value": 60, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}]}),
    ];
    let (status, report) = post_batch(&app, &token, &bundle(resources)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["stored"], 6, "{report}");
    let noon_2016_03_28 = 1_459_166_400;
    assert_eq!(
        app.scalar("SELECT start_s FROM observations WHERE kind = 'weight' AND CAST(ROUND(value) AS INTEGER) = 84")
            .await,
        noon_2016_03_28
    );
    // 09:30:10 at +01:00 is 08:30:10 UTC.
    assert_eq!(
        app.scalar("SELECT start_s FROM observations WHERE kind = 'glucose'")
            .await,
        1_364_891_410
    );
    assert_eq!(
        app.text("SELECT status FROM observations WHERE kind = 'heart_rate'")
            .await,
        "amended"
    );
    assert_eq!(
        app.text("SELECT status FROM observations WHERE kind = 'body_temperature'")
            .await,
        "preliminary"
    );
    assert_eq!(
        app.scalar("SELECT start_s FROM observations WHERE kind = 'body_temperature'")
            .await,
        1_578_207_600
    );
}

#[tokio::test]
async fn a_comparator_is_kept_with_its_bound() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("fhir-bound").await;
    let token = app.token(&client, "observations:write").await;
    let low = json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
        "effectiveDateTime": iso(600),
        "valueQuantity": {"value": 40, "comparator": "<", "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"}});
    let (status, report) = post_batch(&app, &token, &bundle(vec![low])).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        app.text("SELECT comparator FROM observations WHERE kind = 'glucose'")
            .await,
        "<"
    );
    // The dashboard's card says the value is a bound, not the value itself.
    let glucose = card(&app.dashboard(&client).await, "glucose");
    assert_eq!(glucose["latest"]["comparator"], "<", "{glucose}");
    let page = app.page(&client, "/dashboard").await;
    assert!(
        page.contains(r#"data-testid="latest-value">&lt; "#),
        "the card shows the bound with its comparator"
    );
    let odd = json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
        "effectiveDateTime": iso(500),
        "valueQuantity": {"value": 40, "comparator": "about", "code": "mg/dL"}});
    let (status, report) = post_batch(&app, &token, &bundle(vec![odd])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert!(
        reasons(&report, "rejected")[0].contains("<, <=, >= or >"),
        "{report}"
    );
}

#[tokio::test]
async fn corrections_replace_and_entered_in_error_removes() {
    let app = TestApp::start().await;
    let token = patient_with_token(&app, "fhir-status").await;
    let at = iso(3600);
    let weight = |status: &str, kg: f64| {
        json!({"resourceType": "Observation", "status": status,
            "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
            "effectiveDateTime": at,
            "valueQuantity": {"value": kg, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}})
    };
    let (status, _) = post_batch(&app, &token, &bundle(vec![weight("final", 81.0)])).await;
    assert_eq!(status, StatusCode::OK);
    // A second final at the same time is a duplicate, not a change.
    let (_, report) = post_batch(&app, &token, &bundle(vec![weight("final", 99.0)])).await;
    assert_eq!(report["duplicates"], 1, "{report}");
    let (_, report) = post_batch(&app, &token, &bundle(vec![weight("corrected", 80.5)])).await;
    assert_eq!(report["stored"], 1, "{report}");
    assert_eq!(
        app.scalar("SELECT CAST(value * 10 AS INTEGER) FROM observations WHERE kind = 'weight'")
            .await,
        805
    );
    assert_eq!(
        app.text("SELECT status FROM observations WHERE kind = 'weight'")
            .await,
        "corrected"
    );
    // Retracted: the reading is gone, and it is not counted as stored.
    let retraction = json!({"resourceType": "Observation", "status": "entered-in-error",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "effectiveDateTime": at});
    let (status, report) = post_batch(&app, &token, &bundle(vec![retraction])).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["removed"].as_u64(), report["stored"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(app.count("observations").await, 0);
    // Statuses with no result yet are refused with the status named.
    let (status, report) =
        post_batch(&app, &token, &bundle(vec![weight("registered", 80.0)])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reasons(&report, "rejected")[0].contains("registered"),
        "{report}"
    );
}

#[tokio::test]
async fn refusals_name_what_is_wrong_and_other_resources_are_skipped() {
    let app = TestApp::start().await;
    let token = patient_with_token(&app, "fhir-reasons").await;
    let resources = vec![
        json!({"resourceType": "Patient", "id": "example", "name": [{"family": "Chalmers"}]}),
        json!({"resourceType": "Bundle", "type": "collection", "entry": []}),
        json!({"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin"}]},
            "effectiveDateTime": iso(100),
            "valueQuantity": {"value": 7.2, "unit": "g/dl", "system": "http://unitsofmeasure.org", "code": "g/dL"}}),
        json!({"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
            "effectiveDateTime": iso(90),
            "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                "valueQuantity": {"value": 120, "code": "mm[Hg]"}}]}),
        json!({"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "valueQuantity": {"value": 70, "code": "/min"}}),
        json!({"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "effectiveDateTime": iso(80),
            "dataAbsentReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "asked-unknown"}]}}),
        json!({"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "effectiveDateTime": iso(70),
            "valueQuantity": {"value": 66, "code": "/min"}}),
    ];
    let (status, report) = post_batch(&app, &token, &bundle(resources)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["stored"], 1, "{report}");
    let skipped = reasons(&report, "skipped");
    assert_eq!(skipped.len(), 2, "{report}");
    assert!(
        skipped[0].contains("not a reading") && skipped[0].contains("Patient"),
        "{report}"
    );
    assert!(skipped[1].contains("Bundle"), "{report}");
    let rejected = reasons(&report, "rejected");
    assert_eq!(rejected.len(), 4, "{report}");
    assert!(
        rejected[0].contains("718-7") && rejected[0].contains("29463-7"),
        "{report}"
    );
    assert!(
        rejected[1].contains("8480-6") && rejected[1].contains("8462-4"),
        "{report}"
    );
    assert!(!rejected[1].contains("value2"), "{report}");
    assert!(rejected[2].contains("effectiveDateTime"), "{report}");
    assert!(rejected[3].contains("asked-unknown"), "{report}");
    // A Bundle whose entry is not a list is a bad body, not an empty success.
    let (status, body) = post_batch(
        &app,
        &token,
        &json!({"resourceType": "Bundle", "type": "collection", "entry": {"resource": {}}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("entry"), "{body}");
}
