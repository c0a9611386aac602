//! Health data: the ingest API, manual entry, rollups, imports, goals and
//! the care team's view, over real HTTP against a real SQLite file.

use crate::harness::{Browser, Person, TestApp, card};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub fn iso(seconds_ago: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds(seconds_ago))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

pub async fn post_batch(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/observations"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("post");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn account_id(app: &TestApp, person: &Person) -> i64 {
    app.account_id(&person.email).await
}

#[tokio::test]
async fn api_ingest_keeps_good_items_reports_each_bad_one_and_is_idempotent() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("ingest").await;
    let token = app.token(&client, "observations:write").await;
    let batch = json!([
        {"kind": "heart_rate", "time": iso(600), "value": 72, "unit": "/min", "source": "Acme Watch"},
        {"kind": "weight", "time": iso(3600), "value": 176.37, "unit": "lb"},
        {"kind": "heart_rate", "time": iso(60), "value": 400, "unit": "/min"},
        {"kind": "weight", "time": iso(60), "value": 70, "unit": "stone"},
        {"kind": "steps", "time": iso(-86_400), "value": 100, "unit": "{steps}"},
        {"kind": "heart_rate", "time": iso(60), "unit": "/min"},
        {"kind": "mood", "time": iso(60), "value": 3, "unit": "1"},
        {"kind": "blood_pressure", "time": iso(120), "systolic": 121, "diastolic": 79, "unit": "mmHg"}
    ]);
    let (status, report) = post_batch(&app, &token, &batch).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["received"], 8);
    assert_eq!(report["stored"], 3);
    assert_eq!(report["duplicates"], 0);
    let rejected: Vec<(u64, String)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejected.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6]
    );
    assert!(
        rejected[0].1.contains("plausible range"),
        "{}",
        rejected[0].1
    );
    assert!(
        rejected[1].1.contains("unit not accepted"),
        "{}",
        rejected[1].1
    );
    assert!(rejected[2].1.contains("future"), "{}", rejected[2].1);
    assert!(rejected[3].1.contains("not a reading"), "{}", rejected[3].1);
    assert!(rejected[4].1.contains("unknown kind"), "{}", rejected[4].1);

    // Stored once, in the canonical unit, with the source.
    assert_eq!(app.count("observations").await, 3);
    assert_eq!(
        app.scalar(
            "SELECT CAST(ROUND(value * 100) AS INTEGER) FROM observations WHERE kind = 'weight'"
        )
        .await,
        8000
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM observations WHERE source = 'Acme Watch'")
            .await,
        1
    );
    // Posting the same batch again adds nothing.
    let (status, again) = post_batch(&app, &token, &batch).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (again["stored"].clone(), again["duplicates"].clone()),
        (json!(0), json!(3))
    );
    assert_eq!(app.count("observations").await, 3);
    // Each batch passed the access check, and is in the audit log.
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE category = 'vitals' AND action = 'write' \
             AND outcome = 'allowed_own'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn api_ingest_refuses_bad_bodies_and_tokens_without_the_scope() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("scopes").await;
    let reader = app.token(&client, "observations:read").await;
    let one = json!([{"kind": "heart_rate", "time": iso(60), "value": 70, "unit": "/min"}]);
    let (status, body) = post_batch(&app, &reader, &one).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("observations:write")
    );
    let (status, _) = post_batch(&app, "hale_pat_made_up", &one).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("observations").await, 0);

    let writer = app.token(&client, "observations:write").await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/observations"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body("[{\"kind\": \"heart_rate\",")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );
    let (status, _) = post_batch(&app, &writer, &json!({"kind": "heart_rate"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let too_many: Vec<Value> = (0..5001)
        .map(|i| json!({"kind": "steps", "time": iso(i * 60 + 60), "value": 10, "unit": "{steps}"}))
        .collect();
    let (status, body) = post_batch(&app, &writer, &Value::Array(too_many)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // Every item bad: 422 with the report.
    let (status, body) = post_batch(
        &app,
        &writer,
        &json!([{"kind": "heart_rate", "time": iso(60), "value": 0, "unit": "/min"}]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["rejected"][0]["index"], 0);
    assert_eq!(app.count("observations").await, 0);
}

#[tokio::test]
async fn a_fhir_bundle_of_observations_is_ingested() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("fhir").await;
    let token = app.token(&client, "observations:write").await;
    let bundle = json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Observation", "status": "final",
              "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
              "effectiveDateTime": iso(300),
              "valueQuantity": {"value": 6.1, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"}}},
            {"resource": {"resourceType": "Observation", "status": "final",
              "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
              "effectiveDateTime": iso(200),
              "component": [
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 131, "code": "mm[Hg]"}},
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": {"value": 84, "code": "mm[Hg]"}}]}},
            {"resource": {"resourceType": "Observation",
              "code": {"coding": [{"system": "http://loinc.org", "code": "1234-5"}]},
              "effectiveDateTime": iso(100), "valueQuantity": {"value": 1, "code": "1"}}}
        ]
    });
    let (status, report) = post_batch(&app, &token, &bundle).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["stored"], 2);
    assert_eq!(report["rejected"][0]["index"], 2);
    assert_eq!(
        app.scalar("SELECT CAST(ROUND(value) AS INTEGER) FROM observations WHERE kind = 'glucose'")
            .await,
        110
    );
    assert_eq!(
        app.scalar(
            "SELECT CAST(value2 AS INTEGER) FROM observations WHERE kind = 'blood_pressure'"
        )
        .await,
        84
    );
}

#[tokio::test]
async fn a_reading_typed_in_the_form_is_stored_in_canonical_units() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("manual").await;
    let local = (chrono::Utc::now() - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let response = app
        .call(
            &client,
            "health/add",
            &[
                ("kind", "body_temperature"),
                ("time", &local),
                ("offset_min", "0"),
                ("value", "98,6"),
                ("unit", "°F"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.scalar(
            "SELECT CAST(ROUND(value * 10) AS INTEGER) FROM observations WHERE source = 'manual'"
        )
        .await,
        370
    );
    // A value out of range, or not a number, is refused with the reason as
    // data, which the form words in the reader's language (and re-words on a
    // language switch, with no new request).
    let refusal = |value: &'static str| {
        let (app, client, local) = (&app, &client, &local);
        async move {
            let response = app
                .call(
                    client,
                    "health/add",
                    &[
                        ("kind", "heart_rate"),
                        ("time", local),
                        ("offset_min", "0"),
                        ("value", value),
                        ("unit", "/min"),
                    ],
                )
                .await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let body = response.text().await.unwrap();
            match serde_json::from_str::<hale_app::error::AppError>(&body) {
                Ok(hale_app::error::AppError::InvalidReading { reason }) => reason,
                other => panic!("{body} is not a refused reading: {other:?}"),
            }
        }
    };
    use hale_app::i18n::Locale;
    for (value, english, chinese) in [
        (
            "400",
            "the value is outside the plausible range for Heart rate (20 to 300 /min)",
            "數值超出心率的合理範圍（20 至 300 /min）",
        ),
        ("abc", "enter a number", "請輸入數字"),
    ] {
        let reason = refusal(value).await;
        assert_eq!(reason.worded(Locale::en), english);
        assert_eq!(reason.worded(Locale::zh_TW), chinese);
    }
    assert_eq!(app.count("observations").await, 1);

    // The dashboard shows it, in the unit chosen.
    let response = app
        .call(
            &client,
            "health/units",
            &[
                ("weight", "lb"),
                ("glucose", "mmol/L"),
                ("temperature", "F"),
                ("distance", "mi"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let dashboard = app.dashboard(&client).await;
    assert_eq!(dashboard["prefs"]["temperature"], "F");
    let card = card(&dashboard, "body_temperature");
    assert_eq!(card["latest"]["value"], 37.0);
}

/// Hourly and daily figures computed here, independently, from the raw rows.
async fn recomputed(app: &TestApp, period: i64) -> Vec<(String, i64, i64, i64, i64, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.db().await;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT kind, start_s, value FROM observations ORDER BY kind, start_s".to_owned(),
        ))
        .await
        .unwrap();
    let mut buckets: std::collections::BTreeMap<(String, i64), Vec<f64>> = Default::default();
    for row in rows {
        let kind: String = row.try_get("", "kind").unwrap();
        let start: i64 = row.try_get("", "start_s").unwrap();
        let value: f64 = row.try_get("", "value").unwrap();
        buckets
            .entry((kind, start.div_euclid(period) * period))
            .or_default()
            .push(value);
    }
    buckets
        .into_iter()
        .map(|((kind, bucket), values)| {
            let sum: f64 = values.iter().sum();
            let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let in_range = if kind == "glucose" {
                values
                    .iter()
                    .filter(|v| (70.0..=180.0).contains(*v))
                    .count() as i64
            } else {
                0
            };
            (
                kind,
                bucket,
                values.len() as i64,
                (sum * 100.0).round() as i64,
                ((max - min) * 100.0).round() as i64,
                in_range,
            )
        })
        .collect()
}

async fn stored_rollups(app: &TestApp, period: &str) -> Vec<(String, i64, i64, i64, i64, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.db().await;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT kind, bucket_s, count, sum, min, max, in_range FROM observation_rollups \
                 WHERE period = '{period}' ORDER BY kind, bucket_s"
            ),
        ))
        .await
        .unwrap();
    rows.into_iter()
        .map(|row| {
            let sum: f64 = row.try_get("", "sum").unwrap();
            let min: f64 = row.try_get("", "min").unwrap();
            let max: f64 = row.try_get("", "max").unwrap();
            (
                row.try_get("", "kind").unwrap(),
                row.try_get("", "bucket_s").unwrap(),
                row.try_get("", "count").unwrap(),
                (sum * 100.0).round() as i64,
                ((max - min) * 100.0).round() as i64,
                row.try_get("", "in_range").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn rollups_kept_up_by_jobs_match_a_recomputation_and_a_rebuild() {
    let app = TestApp::start().await;
    let (client, person) = app.signed_in_client("rollups").await;
    rollups_match_recomputation(&app, &client, &person).await;
}

/// Posts three days of readings in batches, lets the jobs run, and compares
/// the rollups with an independent recomputation and with a rebuild.
pub async fn rollups_match_recomputation(app: &TestApp, client: &Browser, person: &Person) {
    let token = app.token(client, "observations:write").await;
    // Three days of readings in several batches, some overlapping earlier hours.
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    for batch in 0..6 {
        let mut items = Vec::new();
        for i in 0..400 {
            let ago = 3 * 86_400 - (batch * 37 + i * 613) % (3 * 86_400) + 60;
            items.push(json!({"kind": "heart_rate", "time": iso(ago), "value": 55.0 + (next() * 60.0).round(), "unit": "/min"}));
            if i % 10 == 0 {
                items.push(json!({"kind": "glucose", "time": iso(ago + 7), "value": 60.0 + (next() * 150.0).round(), "unit": "mg/dL"}));
                items.push(json!({"kind": "steps", "time": iso(ago + 11), "value": (next() * 900.0).round(), "unit": "{steps}"}));
            }
        }
        let (status, report) = post_batch(app, &token, &Value::Array(items)).await;
        assert_eq!(status, StatusCode::OK, "{report}");
    }
    app.settle_jobs().await;
    let hours = stored_rollups(app, "h").await;
    assert!(hours.len() > 24, "hours rolled up: {}", hours.len());
    assert_eq!(hours, recomputed(app, 3600).await);
    let days = stored_rollups(app, "d").await;
    assert_eq!(days, recomputed(app, 86_400).await);
    assert!(
        days.iter().any(|d| d.0 == "glucose" && d.5 > 0),
        "time in range counted"
    );

    // A rebuild from scratch gives the same figures.
    let patient_id = account_id(app, person).await;
    app.execute("DELETE FROM observation_rollups").await;
    hale_app::health::rollups::rebuild(&app.db().await, patient_id)
        .await
        .unwrap();
    assert_eq!(stored_rollups(app, "h").await, hours);
    assert_eq!(stored_rollups(app, "d").await, days);

    // The chart of a month reads hourly rollups; a year reads days.
    let now = chrono::Utc::now().timestamp();
    let series: Value = app
        .call(
            client,
            "health/series",
            &[
                ("kind", "steps"),
                ("from_s", &(now - 365 * 86_400).to_string()),
                ("to_s", &now.to_string()),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(series["resolution"], "day");
    let total: f64 = series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .sum();
    let raw_total = app
        .scalar("SELECT CAST(SUM(value) AS BIGINT) FROM observations WHERE kind = 'steps'")
        .await;
    assert_eq!(total.round() as i64, raw_total);
}

pub async fn upload(
    app: &TestApp,
    client: &Browser,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    client
        .post(app.url("/dashboard/import/upload"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// Uploads a file and answers the import id from the redirect.
pub async fn import(app: &TestApp, client: &Browser, name: &str, bytes: Vec<u8>) -> i64 {
    let response = upload(app, client, name, bytes).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    location
        .split("id=")
        .nth(1)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no import id in {location}"))
}

async fn import_view(app: &TestApp, client: &Browser, id: i64) -> Value {
    let response = app
        .call(client, "health/import", &[("import_id", &id.to_string())])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

pub async fn finished_import(app: &TestApp, client: &Browser, id: i64) -> Value {
    for _ in 0..1200 {
        let view = import_view(app, client, id).await;
        if matches!(
            view["state"].as_str(),
            Some("done" | "failed" | "cancelled")
        ) {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

pub fn blob_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&app.dir.path().join("blobs"))
}

#[tokio::test]
async fn a_csv_import_runs_as_a_job_with_progress_and_a_summary() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("csv").await;
    // One instant for every line: writing 3,000 lines may cross a second.
    let now = chrono::Utc::now();
    let iso = |seconds_ago: i64| {
        (now - chrono::Duration::seconds(seconds_ago))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let mut csv = String::from("time,kind,value,unit,source\n");
    for i in 0..3000 {
        csv.push_str(&format!(
            "{},heart_rate,{},bpm,Band\n",
            iso(60 * i + 120),
            60 + i % 40
        ));
    }
    csv.push_str(&format!("{},heart_rate,0,bpm,Band\n", iso(30)));
    csv.push_str(&format!("{},weight,seventy,kg,\n", iso(30)));
    csv.push_str(&format!("{},heart_rate,61,bpm,Band\n", iso(120)));
    let size = csv.len() as i64;
    let id = import(&app, &client, "readings.csv", csv.into_bytes()).await;
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(view["format"], "csv");
    assert_eq!(view["imported"], 3000);
    assert_eq!(view["duplicates"], 1);
    assert_eq!(view["rejected"], 2);
    assert_eq!(view["bytes_total"], size);
    assert_eq!(view["bytes_done"], size);
    assert_eq!(view["problems"][0]["index"], 3002, "line numbers");
    assert_eq!(view["problems"][1]["index"], 3003);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM observations WHERE import_id = {id}"
        ))
        .await,
        3000
    );
    // The uploaded file does not stay in the blob store.
    assert_eq!(blob_files(&app), 0);

    // A file that is neither format is refused at the door, and not kept.
    let response = upload(&app, &client, "notes.csv", b"hello, world\n".to_vec()).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=invalid")
    );
    assert_eq!(app.count("imports").await, 1);
    assert_eq!(blob_files(&app), 0);
}

pub fn apple_export(records: usize, complete: bool) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData (Record*)>\n]>\n<HealthData locale=\"en_US\">\n <Me HKCharacteristicTypeIdentifierBiologicalSex=\"HKBiologicalSexFemale\"/>\n",
    );
    let at = |ago: i64| {
        (chrono::Utc::now() - chrono::Duration::seconds(ago))
            .format("%Y-%m-%d %H:%M:%S +0000")
            .to_string()
    };
    for i in 0..records as i64 {
        xml.push_str(&format!(
            " <Record type=\"HKQuantityTypeIdentifierHeartRate\" sourceName=\"Ann&apos;s Watch\" unit=\"count/min\" creationDate=\"{0}\" startDate=\"{0}\" endDate=\"{0}\" value=\"{1}\"/>\n",
            at(i * 60 + 600),
            60 + i % 30
        ));
    }
    xml.push_str(&format!(
        " <Record type=\"HKQuantityTypeIdentifierBodyFatPercentage\" unit=\"%\" startDate=\"{0}\" endDate=\"{0}\" value=\"0.215\"/>\n <Record type=\"HKQuantityTypeIdentifierDietaryWater\" unit=\"mL\" startDate=\"{0}\" endDate=\"{0}\" value=\"250\"/>\n <Correlation type=\"HKCorrelationTypeIdentifierBloodPressure\" startDate=\"{1}\" endDate=\"{1}\">\n  <Record type=\"HKQuantityTypeIdentifierBloodPressureSystolic\" unit=\"mmHg\" startDate=\"{1}\" endDate=\"{1}\" value=\"124\"/>\n  <Record type=\"HKQuantityTypeIdentifierBloodPressureDiastolic\" unit=\"mmHg\" startDate=\"{1}\" endDate=\"{1}\" value=\"82\"/>\n </Correlation>\n <Record type=\"HKCategoryTypeIdentifierSleepAnalysis\" startDate=\"{2}\" endDate=\"{3}\" value=\"HKCategoryValueSleepAnalysisAsleepCore\"/>\n <Record type=\"HKQuantityTypeIdentifierHeartRate\" unit=\"count/min\" startDate=\"{0}\" endDate=\"{0}\" value=\"999\"/>\n",
        at(500),
        at(400),
        at(40_000),
        at(20_000),
    ));
    if complete {
        xml.push_str("</HealthData>\n");
    } else {
        // Cut in the middle of a record.
        xml.push_str(" <Record type=\"HKQuantityTypeIdentifierHeartRate\" unit=\"count/m");
    }
    xml
}

#[tokio::test]
async fn an_apple_health_export_is_streamed_and_a_truncated_one_keeps_what_was_read() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("apple").await;
    let id = import(
        &app,
        &client,
        "export.xml",
        apple_export(500, true).into_bytes(),
    )
    .await;
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(view["format"], "apple");
    // 500 heart rates + body fat + blood pressure + sleep; the 999 refused;
    // the water intake skipped (not a kind Hale keeps).
    assert_eq!(view["imported"], 503, "{view}");
    assert_eq!(view["rejected"], 1);
    assert_eq!(view["skipped"], 1);
    assert_eq!(
        app.scalar(
            "SELECT CAST(ROUND(value * 10) AS INTEGER) FROM observations WHERE kind = 'body_fat'"
        )
        .await,
        215
    );
    assert_eq!(
        app.scalar(
            "SELECT CAST(value2 AS INTEGER) FROM observations WHERE kind = 'blood_pressure'"
        )
        .await,
        82
    );
    assert_eq!(
        app.scalar("SELECT CAST(value AS INTEGER) FROM observations WHERE kind = 'sleep'")
            .await,
        333
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM observations WHERE source = 'Ann''s Watch'")
            .await,
        500
    );

    let (other, _) = app.signed_in_client("apple-cut").await;
    let id = import(
        &app,
        &other,
        "export.xml",
        apple_export(300, false).into_bytes(),
    )
    .await;
    let view = finished_import(&app, &other, id).await;
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(view["imported"], 303);
    let problems = view["problems"].as_array().unwrap();
    let last = problems.last().unwrap()["reason"].as_str().unwrap();
    assert!(last.contains("truncated"), "{view}");
    // Nobody else can read this import.
    let response = app
        .call(&client, "health/import", &[("import_id", &id.to_string())])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_cancelled_import_leaves_no_rows_and_no_file() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("cancel").await;
    let mut csv = String::from("time,kind,value,unit\n");
    for i in 0..300_000 {
        csv.push_str(&format!("{},steps,{},count\n", iso(30 * i + 120), i % 50));
    }
    let id = import(&app, &client, "big.csv", csv.into_bytes()).await;
    // Wait until the job has stored some readings, then cancel.
    app.wait_until(
        &format!("SELECT COUNT(*) FROM observations WHERE import_id = {id}"),
        |n| n > 0,
    )
    .await;
    let response = app
        .call(
            &client,
            "health/cancel_import",
            &[("import_id", &id.to_string())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "cancelled");
    app.settle_jobs().await;
    assert_eq!(app.count("observations").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM observation_rollups").await,
        0,
        "rollups follow the removal"
    );
    assert_eq!(blob_files(&app), 0);
    // A finished import cannot be cancelled again.
    let response = app
        .call(
            &client,
            "health/cancel_import",
            &[("import_id", &id.to_string())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn reaching_a_goal_creates_one_notification() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("goals").await;
    let response = app
        .call(
            &client,
            "health/set_goal",
            &[("goal", "daily_steps"), ("target", "5000")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .call(
            &client,
            "health/set_goal",
            &[("goal", "daily_steps"), ("target", "5")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let token = app.token(&client, "observations:write").await;
    let midnight = chrono::Utc::now().timestamp().div_euclid(86_400) * 86_400;
    let since_midnight = chrono::Utc::now().timestamp() - midnight;
    let at = |n: i64| iso((since_midnight * n / 10).max(1));
    let (_, report) = post_batch(
        &app,
        &token,
        &json!([{"kind": "steps", "time": at(9), "value": 3000, "unit": "count"}]),
    )
    .await;
    assert_eq!(report["stored"], 1);
    app.settle_jobs().await;
    assert_eq!(app.count("notifications").await, 0, "not reached yet");
    for n in [5, 3] {
        post_batch(
            &app,
            &token,
            &json!([{"kind": "steps", "time": at(n), "value": 2500, "unit": "count"}]),
        )
        .await;
        app.settle_jobs().await;
    }
    assert_eq!(app.count("notifications").await, 1, "once per goal and day");
    let dashboard = app.dashboard(&client).await;
    let goal = &dashboard["goals"][0];
    assert_eq!(
        (goal["kind"].clone(), goal["reached"].clone()),
        (json!("daily_steps"), json!(true))
    );
    // The dashboard shows the notification's own words, as the list does.
    assert_eq!(dashboard["notifications"][0]["kind"], "goal_reached");
    let words = format!(
        "{} {}",
        dashboard["notifications"][0]["title"], dashboard["notifications"][0]["body"]
    );
    assert!(words.contains("daily steps"), "{words}");
    let id = dashboard["notifications"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let response = app
        .call(&client, "notifications/read", &[("notification_id", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notifications WHERE read_ms IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn a_clinician_sees_the_dashboard_only_with_a_vitals_grant() {
    let app = TestApp::start().await;
    let (patient, person) = app.signed_in_client("dana").await;
    let token = app.token(&patient, "observations:write").await;
    post_batch(
        &app,
        &token,
        &json!([{"kind": "heart_rate", "time": iso(600), "value": 64, "unit": "/min"}]),
    )
    .await;
    let patient_id = account_id(&app, &person).await.to_string();
    let (clinician, doctor) = app
        .staff_client("dr-health", hale_app::identity::Role::Clinician)
        .await;
    app.enrol_mfa(&clinician, &doctor.password).await;
    let dashboard = |client: Browser| {
        let patient_id = patient_id.clone();
        let app = &app;
        async move {
            app.call(&client, "health/dashboard", &[("patient_id", &patient_id)])
                .await
        }
    };
    assert_eq!(
        dashboard(clinician.clone()).await.status(),
        StatusCode::FORBIDDEN
    );

    // A grant for records only is not enough; vitals (read) is.
    for (permissions, expected) in [
        ("records:r", StatusCode::FORBIDDEN),
        ("vitals:r", StatusCode::OK),
    ] {
        let code = app.invite(&patient, "", permissions).await;
        app.join(&clinician, &code).await;
        if permissions == "records:r" {
            let id = app
                .scalar("SELECT MAX(id) FROM care_grants")
                .await
                .to_string();
            let response = dashboard(clinician.clone()).await;
            assert_eq!(response.status(), expected);
            app.call(&patient, "care_team/revoke", &[("grant_id", &id)])
                .await;
        } else {
            let response = dashboard(clinician.clone()).await;
            assert_eq!(response.status(), expected);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["patient_name"], person.name.as_str());
            let card = card(&body, "heart_rate");
            assert_eq!(card["latest"]["value"], 64.0);
            assert!(body["notifications"].as_array().unwrap().is_empty());
            // The page speaks of the patient, and offers no entry of one's own.
            let page = app
                .page(&clinician, &format!("/patients/{patient_id}/health"))
                .await;
            assert!(
                page.contains("shared with you through their care-team grant"),
                "{page}"
            );
            assert!(!page.contains("Your readings"), "{page}");
            assert!(!page.contains("href=\"/dashboard/add\""), "{page}");
        }
    }
    // Reading is not writing.
    let local = chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string();
    let response = app
        .call(
            &clinician,
            "health/add",
            &[
                ("patient_id", &patient_id),
                ("kind", "heart_rate"),
                ("time", &local),
                ("offset_min", "0"),
                ("value", "80"),
                ("unit", "/min"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("observations").await, 1);
}
