//! Medications: checks at the door, the dose log (once per dose, once per
//! device id, undo), as-needed maxima, schedules across daylight saving and
//! travel, adherence against a recomputation, history, search, the care team.

use crate::harness::{Browser, TestApp};
use hale_app::identity::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json")
}

pub fn daily(name: &str, times: &[&str]) -> Value {
    json!({
        "name": name, "strength": "500 mg", "form": "tablet", "start_date": "2020-01-01",
        "schedule": { "kind": "times", "times": times, "dose": 1 }
    })
}

pub async fn save(
    app: &TestApp,
    client: &Browser,
    id: Option<i64>,
    input: Value,
) -> reqwest::Response {
    app.call_json(
        client,
        "meds/save",
        json!({ "patient_id": null, "id": id, "input": input }),
    )
    .await
}

pub async fn add(app: &TestApp, client: &Browser, input: Value) -> i64 {
    let response = save(app, client, None, input).await;
    assert_eq!(response.status(), StatusCode::OK, "save medication");
    json_of(response).await.as_i64().expect("id")
}

pub async fn set_zone(app: &TestApp, client: &Browser, zone: &str) -> StatusCode {
    app.call(client, "meds/zone", &[("zone", zone)])
        .await
        .status()
}

async fn day(app: &TestApp, client: &Browser, date: Option<&str>) -> Value {
    let form: Vec<(&str, &str)> = date.map(|d| vec![("date", d)]).unwrap_or_default();
    let response = app.call(client, "meds/today", &form).await;
    assert_eq!(response.status(), StatusCode::OK, "meds/today");
    json_of(response).await
}

async fn log(app: &TestApp, client: &Browser, dose: Value) -> reqwest::Response {
    app.call_json(
        client,
        "meds/log",
        json!({ "patient_id": null, "dose": dose }),
    )
    .await
}

/// Asserts a 422 whose message gives `expected` as the reason.
pub async fn refused_because(response: reqwest::Response, expected: &str) {
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{expected}"
    );
    let body = reason(response).await;
    assert!(body.contains(expected), "{body} should say {expected}");
}

/// The refusal in English: a server function's error as its wording, any
/// other answer as its body.
async fn reason(response: reqwest::Response) -> String {
    let body = response.text().await.expect("body");
    serde_json::from_str::<hale_app::error::AppError>(&body)
        .map(|error| error.to_string())
        .unwrap_or(body)
}

#[tokio::test]
async fn bad_medications_and_doses_are_refused_with_a_reason_and_nothing_is_written() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    let mut zero = daily("Metformin", &["08:00"]);
    zero["schedule"]["dose"] = json!(0);
    let mut negative = daily("Metformin", &["08:00"]);
    negative["schedule"]["dose"] = json!(-2);
    let mut backwards = daily("Metformin", &["08:00"]);
    backwards["start_date"] = json!("2026-05-01");
    backwards["end_date"] = json!("2026-04-01");
    let mut prn = daily("Ibuprofen", &[]);
    prn["schedule"] = json!({ "kind": "as_needed", "dose": 1 });
    let mut unknown_form = daily("Metformin", &["08:00"]);
    unknown_form["form"] = json!("potion");
    let cases = [
        (zero, "more than zero"),
        (negative, "more than zero"),
        (daily("Metformin", &[]), "at least one time"),
        (daily("Metformin", &["8 o'clock"]), "HH:MM"),
        (backwards, "end date is before the start date"),
        (prn, "most doses a day"),
        (unknown_form, "form"),
        (daily("", &["08:00"]), "name"),
    ];
    for (input, expected) in cases {
        refused_because(save(&app, &ann, None, input).await, expected).await;
    }
    assert_eq!(
        set_zone(&app, &ann, "Mars/Olympus_Mons").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.count("medications").await, 0);
    assert_eq!(app.count("medication_changes").await, 0);
    assert_eq!(app.count("notify_prefs").await, 0);

    // Doses: an unknown status, a slot that is not scheduled, a future dose, a future time.
    let id = add(&app, &ann, daily("Metformin", &["08:00"])).await;
    let today = day(&app, &ann, None).await;
    let date = today["date"].as_str().unwrap().to_owned();
    let tomorrow = today["next"].as_str().unwrap().to_owned();
    let bad = [
        (
            json!({ "medication_id": id, "slot": format!("{date}T08:00"), "status": "eaten" }),
            "taken or skipped",
        ),
        (
            json!({ "medication_id": id, "slot": format!("{date}T09:00"), "status": "taken" }),
            "no dose is scheduled",
        ),
        (
            json!({ "medication_id": id, "slot": format!("{tomorrow}T08:00"), "status": "taken" }),
            "not due yet",
        ),
        (
            json!({ "medication_id": id, "slot": format!("{date}T08:00"), "status": "taken", "at": "2099-01-01T08:00" }),
            "in the future",
        ),
        (
            json!({ "medication_id": id, "slot": "", "status": "taken" }),
            "which scheduled dose",
        ),
        (
            json!({ "medication_id": id, "slot": format!("{date}T08:00"), "status": "taken", "client_id": "x" }),
            "device's id",
        ),
    ];
    for (dose, expected) in bad {
        refused_because(log(&app, &ann, dose).await, expected).await;
    }
    assert_eq!(app.count("dose_logs").await, 0);
}

#[tokio::test]
async fn a_dose_is_logged_once_undone_and_counted_against_the_supply() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    let mut input = daily("Metformin", &["00:00"]);
    input["supply"] = json!(3);
    input["low_supply"] = json!(2);
    let id = add(&app, &ann, input).await;
    let today = day(&app, &ann, None).await;
    let slot = today["doses"][0]["slot"].as_str().unwrap().to_owned();
    let state = today["doses"][0]["state"].as_str().unwrap().to_owned();
    assert!(
        state == "due" || state == "late",
        "midnight's dose is not logged: {state}"
    );

    let dose = json!({ "medication_id": id, "slot": slot, "status": "taken", "client_id": "device-0001-aaaa" });
    let first = json_of(log(&app, &ann, dose.clone()).await).await;
    assert_eq!(first["repeated"], false);
    assert_eq!(
        first["supply_low"], true,
        "3 - 1 = 2 reaches the refill level"
    );
    // The offline queue sends the same log again: stored once.
    let again = json_of(log(&app, &ann, dose).await).await;
    assert_eq!(again["repeated"], true);
    assert_eq!(again["log_id"], first["log_id"]);
    // Another device logging the same dose is told it is logged.
    let other = log(&app, &ann, json!({ "medication_id": id, "slot": slot, "status": "skipped", "client_id": "device-0002-bbbb" })).await;
    assert_eq!(other.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("dose_logs").await, 1);
    assert_eq!(
        app.scalar("SELECT CAST(supply AS BIGINT) FROM medications")
            .await,
        2
    );
    let refill_notes = "SELECT COUNT(*) FROM notifications WHERE kind = 'refill_low'";
    assert_eq!(app.scalar(refill_notes).await, 1);
    assert_eq!(day(&app, &ann, None).await["doses"][0]["state"], "taken");

    // Undo: the dose is due again and its unit returns to the supply.
    let log_id = first["log_id"].as_i64().unwrap().to_string();
    let undo = app.call(&ann, "meds/undo", &[("log_id", &log_id)]).await;
    assert_eq!(undo.status(), StatusCode::OK);
    assert_eq!(app.count("dose_logs").await, 0);
    assert_eq!(
        app.scalar("SELECT CAST(supply AS BIGINT) FROM medications")
            .await,
        3
    );
    assert_eq!(
        day(&app, &ann, None).await["doses"][0]["state"],
        state.as_str()
    );
    // Skipped with a reason, at a chosen time; crossing the level again sends no second reminder.
    let skipped = log(
        &app,
        &ann,
        json!({ "medication_id": id, "slot": slot, "status": "skipped", "reason": "Side effects" }),
    )
    .await;
    assert_eq!(skipped.status(), StatusCode::OK);
    let shown = day(&app, &ann, None).await;
    assert_eq!(shown["doses"][0]["state"], "skipped");
    assert_eq!(shown["doses"][0]["reason"], "Side effects");
    assert_eq!(app.scalar(refill_notes).await, 1);
}

#[tokio::test]
async fn as_needed_doses_beyond_the_daily_maximum_are_refused() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    let mut input = daily("Ibuprofen", &[]);
    input["schedule"] = json!({ "kind": "as_needed", "dose": 2, "max_per_day": 2 });
    let id = add(&app, &ann, input).await;
    for n in 0..2 {
        let response = log(
            &app,
            &ann,
            json!({ "medication_id": id, "status": "taken" }),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "dose {n}");
    }
    let third = log(
        &app,
        &ann,
        json!({ "medication_id": id, "status": "taken" }),
    )
    .await;
    assert_eq!(third.status(), StatusCode::CONFLICT);
    let body = reason(third).await;
    assert!(body.contains("more than 2 doses today"), "{body}");
    assert_eq!(app.count("dose_logs").await, 2);
    let today = day(&app, &ann, None).await;
    assert_eq!(today["as_needed"][0]["taken"].as_array().unwrap().len(), 2);
    assert_eq!(today["as_needed"][0]["amount"], 2.0);
}

fn utc_of(due_ms: &Value) -> String {
    chrono::DateTime::from_timestamp_millis(due_ms.as_i64().unwrap())
        .unwrap()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[tokio::test]
async fn schedules_keep_their_local_times_across_daylight_saving_and_travel() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    assert_eq!(
        set_zone(&app, &ann, "America/New_York").await,
        StatusCode::OK
    );
    add(&app, &ann, daily("Levothyroxine", &["02:30", "08:00"])).await;
    let due = |v: &Value| -> Vec<String> {
        v["doses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| utc_of(&d["due_ms"]))
            .collect()
    };
    // EST (UTC−5) the day before the change; on 8 March 2026 02:30 does not exist.
    assert_eq!(
        due(&day(&app, &ann, Some("2026-03-07")).await),
        ["2026-03-07 07:30", "2026-03-07 13:00"]
    );
    assert_eq!(
        due(&day(&app, &ann, Some("2026-03-08")).await),
        ["2026-03-08 07:30", "2026-03-08 12:00"]
    );
    assert_eq!(
        due(&day(&app, &ann, Some("2026-03-09")).await),
        ["2026-03-09 06:30", "2026-03-09 12:00"]
    );
    // Clocks go back on 1 November 2026: 08:00 is EST again.
    assert_eq!(
        due(&day(&app, &ann, Some("2026-11-01")).await)[1],
        "2026-11-01 13:00"
    );
    // Travel: the same 08:00 dose in Taipei (UTC+8).
    assert_eq!(set_zone(&app, &ann, "Asia/Taipei").await, StatusCode::OK);
    let taipei = day(&app, &ann, Some("2026-03-08")).await;
    assert_eq!(taipei["zone"], "Asia/Taipei");
    assert_eq!(due(&taipei), ["2026-03-07 18:30", "2026-03-08 00:00"]);
    assert_eq!(taipei["doses"][1]["time"], "08:00");
}

#[tokio::test]
async fn adherence_matches_a_recomputation_from_the_log() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    assert_eq!(set_zone(&app, &ann, "UTC").await, StatusCode::OK);
    let now = chrono::Utc::now();
    let today = now.date_naive();
    let start = today - chrono::Duration::days(40);
    let mut input = daily("Metformin", &["08:00", "20:00"]);
    input["start_date"] = json!(start.format("%Y-%m-%d").to_string());
    let id = add(&app, &ann, input).await;
    // Log a varied pattern over the last 35 days: taken, skipped or nothing.
    let mut logged = Vec::new();
    for back in 0..35i64 {
        let date = today - chrono::Duration::days(back);
        for (n, time) in ["08:00", "20:00"].iter().enumerate() {
            let slot = format!("{}T{time}", date.format("%Y-%m-%d"));
            let due = chrono::NaiveDateTime::parse_from_str(&slot, "%Y-%m-%dT%H:%M")
                .unwrap()
                .and_utc();
            if due > now {
                continue;
            }
            let status = match (back as usize * 7 + n * 3) % 5 {
                0..=2 => "taken",
                3 => "skipped",
                _ => continue,
            };
            let response = log(
                &app,
                &ann,
                json!({ "medication_id": id, "slot": slot, "status": status }),
            )
            .await;
            assert_eq!(response.status(), StatusCode::OK, "{slot}");
            logged.push((date, due, status));
        }
    }
    // The recomputation: over the last n days, doses due by now, and those logged taken or skipped.
    let recompute = |days: i64| {
        let from = today - chrono::Duration::days(days - 1);
        let mut expected = 0;
        let mut date = from;
        while date <= today {
            for time in ["08:00", "20:00"] {
                let due = chrono::NaiveDateTime::parse_from_str(
                    &format!("{}T{time}", date.format("%Y-%m-%d")),
                    "%Y-%m-%dT%H:%M",
                )
                .unwrap()
                .and_utc();
                // Unlogged doses of today are not missed yet.
                let logged_here = logged.iter().any(|(_, d, _)| *d == due);
                if due <= now && (date < today || logged_here) {
                    expected += 1;
                }
            }
            date += chrono::Duration::days(1);
        }
        let count = |s: &str| {
            logged
                .iter()
                .filter(|(d, _, st)| *d >= from && *st == s)
                .count()
        };
        (expected, count("taken"), count("skipped"))
    };
    let list = json_of(app.call(&ann, "meds/list", &[]).await).await;
    let med = &list["medications"][0];
    for (field, days) in [("week", 7), ("month", 30)] {
        let (expected, taken, skipped) = recompute(days);
        assert_eq!(med[field]["expected"], expected, "{field} expected");
        assert_eq!(med[field]["taken"], taken, "{field} taken");
        assert_eq!(med[field]["skipped"], skipped, "{field} skipped");
    }
    // The calendar's days add up to the same log.
    let shown = day(&app, &ann, None).await;
    let calendar_taken: i64 = shown["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d.is_null())
        .map(|d| d["counts"]["taken"].as_i64().unwrap())
        .sum();
    let month = today.format("%Y-%m").to_string();
    let taken_this_month = logged
        .iter()
        .filter(|(d, _, s)| d.format("%Y-%m").to_string() == month && *s == "taken")
        .count() as i64;
    assert_eq!(calendar_taken, taken_this_month);
}

#[tokio::test]
async fn a_dose_not_yet_logged_today_is_not_counted_missed() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    assert_eq!(set_zone(&app, &ann, "UTC").await, StatusCode::OK);
    let today = chrono::Utc::now().date_naive();
    let mut input = daily("Metformin", &["00:00"]);
    input["start_date"] = json!(today.format("%Y-%m-%d").to_string());
    let id = add(&app, &ann, input).await;
    let list = json_of(app.call(&ann, "meds/list", &[]).await).await;
    assert_eq!(list["medications"][0]["week"]["expected"], 0, "{list}");
    let shown = day(&app, &ann, None).await;
    let this_day = shown["calendar"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == today.format("%Y-%m-%d").to_string())
        .cloned()
        .expect("today in the calendar");
    assert_eq!(this_day["today"], true);
    // Taken: counted at once.
    let slot = format!("{}T00:00", today.format("%Y-%m-%d"));
    let response = log(
        &app,
        &ann,
        json!({ "medication_id": id, "slot": slot, "status": "taken" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let list = json_of(app.call(&ann, "meds/list", &[]).await).await;
    assert_eq!(list["medications"][0]["week"]["expected"], 1, "{list}");
    assert_eq!(list["medications"][0]["week"]["taken"], 1, "{list}");
}

#[tokio::test]
async fn edits_stops_and_refills_are_kept_in_the_history_and_the_list_is_searchable() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    let id = add(&app, &ann, daily("Metformin", &["08:00"])).await;
    add(&app, &ann, daily("Lisinopril", &["09:00"])).await;
    let mut edited = daily("Metformin", &["08:00", "20:00"]);
    edited["supply"] = json!(10);
    assert_eq!(
        save(&app, &ann, Some(id), edited).await.status(),
        StatusCode::OK
    );
    let status = app
        .call(
            &ann,
            "meds/status",
            &[("id", &id.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(status.status(), StatusCode::OK);
    let refill = app
        .call(
            &ann,
            "meds/refill",
            &[("id", &id.to_string()), ("amount", "30")],
        )
        .await;
    assert_eq!(refill.status(), StatusCode::OK);
    let refused = app
        .call(
            &ann,
            "meds/refill",
            &[("id", &id.to_string()), ("amount", "-3")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let detail = json_of(app.call(&ann, "meds/get", &[("id", &id.to_string())]).await).await;
    let changes: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["refilled", "stopped", "edited", "created"]);
    assert_eq!(detail["history"][2]["detail"], "schedule,supply");
    assert_eq!(detail["medication"]["active"], false);
    assert_eq!(detail["medication"]["input"]["supply"], 40.0);
    let found = json_of(app.call(&ann, "meds/list", &[("query", "lisin")]).await).await;
    let names: Vec<&str> = found["medications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["input"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Lisinopril"]);
    // A stopped medication takes no doses.
    let response = log(
        &app,
        &ann,
        json!({ "medication_id": id, "slot": "2026-01-01T08:00", "status": "taken" }),
    )
    .await;
    assert!(reason(response).await.contains("stopped"));
}

#[tokio::test]
async fn a_clinician_with_a_medications_grant_sees_the_list_and_adherence_but_cannot_log() {
    let app = TestApp::start().await;
    let (ann, ann_person) = app.signed_in_client("ann").await;
    add(&app, &ann, daily("Metformin", &["08:00"])).await;
    let ann_id = app.account_id(&ann_person.email).await;
    let (doctor, person) = app.staff_client("dr-meds", Role::Clinician).await;
    app.enrol_mfa(&doctor, &person.password).await;
    let patient = ann_id.to_string();
    // Before any grant: refused.
    assert_eq!(
        app.call(&doctor, "meds/list", &[("patient_id", &patient)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let code = app.invite(&ann, &person.email, "medications:r").await;
    app.join(&doctor, &code).await;
    let list = app
        .call(&doctor, "meds/list", &[("patient_id", &patient)])
        .await;
    assert_eq!(list.status(), StatusCode::OK);
    let list = json_of(list).await;
    assert_eq!(list["patient_name"], ann_person.name.as_str());
    assert_eq!(list["medications"][0]["input"]["name"], "Metformin");
    assert!(
        list["medications"][0]["month"]["expected"]
            .as_i64()
            .is_some()
    );
    // Reading is not writing.
    let write = app
        .call_json(&doctor, "meds/log", json!({ "patient_id": ann_id, "dose": { "medication_id": 1, "slot": "2026-01-01T08:00", "status": "taken" } }))
        .await;
    assert_eq!(write.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("dose_logs").await, 0);
    // The grant covers medications only: vitals stay closed.
    assert_eq!(
        app.call(&doctor, "health/dashboard", &[("patient_id", &patient)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
