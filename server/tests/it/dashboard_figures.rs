//! The dashboard's figures, computed here from the readings the test posts:
//! a night counts on the morning it ended, totals are day totals, and a
//! value is shown in the preferred unit once converted.

use crate::harness::{TestApp, card};
use crate::health::post_batch;
use serde_json::{Value, json};

const DAY: i64 = 86_400;

fn iso_at(s: i64) -> String {
    chrono::DateTime::from_timestamp(s, 0)
        .expect("a time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A night as a watch writes it: stage segments from `from` to `to` (Unix
/// seconds), 50 minutes asleep and 10 awake; answers the readings and the
/// minutes asleep.
fn night(from: i64, to: i64) -> (Vec<Value>, f64) {
    let mut readings = Vec::new();
    let mut minutes = 0.0;
    let mut at = from;
    while at < to {
        let end = (at + 50 * 60).min(to);
        readings.push(json!({"kind": "sleep", "time": iso_at(at), "end": iso_at(end), "value": 0, "unit": "min"}));
        minutes += (end - at) as f64 / 60.0;
        at = end + 10 * 60;
    }
    (readings, minutes)
}

/// The text of the card of `kind` on a rendered dashboard.
fn card_value(page: &str, kind: &str) -> String {
    let card = page
        .split(&format!("data-kind=\"{kind}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {kind} card"));
    let value = card
        .split("data-testid=\"latest-value\">")
        .nth(1)
        .expect("a value");
    value[..value.find('<').expect("end of value")].to_owned()
}

#[tokio::test]
async fn cards_show_last_nights_sleep_and_day_totals_converted_once() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("figures").await;
    let token = app.token(&client, "observations:write").await;
    let today = chrono::Utc::now().timestamp().div_euclid(DAY) * DAY;
    let yesterday = today - DAY;
    // Two nights across midnight, both over before any time of today.
    let (last, last_minutes) = night(yesterday - 80 * 60, yesterday + 6 * 3600 + 50 * 60);
    let (before, before_minutes) = night(yesterday - DAY - 30 * 60, yesterday - DAY + 7 * 3600);
    // A night written as one record (many apps do): 23:30 to 06:00.
    let whole_end = yesterday - 2 * DAY + 6 * 3600;
    let whole = json!({"kind": "sleep", "time": iso_at(whole_end - 390 * 60), "end": iso_at(whole_end), "value": 0, "unit": "min"});
    // Steps through yesterday: the card shows the day's total.
    let steps = [(10, 1200.0), (12, 3400.0), (18, 800.0)];
    let mut batch: Vec<Value> = last.into_iter().chain(before).collect();
    batch.push(whole);
    batch.extend(steps.iter().map(|(hour, n)| {
        json!({"kind": "steps", "time": iso_at(yesterday + hour * 3600), "value": n, "unit": "{steps}"})
    }));
    batch.push(json!({"kind": "distance", "time": iso_at(yesterday + 9 * 3600), "value": 5.2, "unit": "km"}));
    let (status, report) = post_batch(&app, &token, &json!(batch)).await;
    assert!(status.is_success(), "{report}");
    assert_eq!(report["rejected"], json!([]), "{report}");
    app.settle_jobs().await;

    let body = app.dashboard(&client).await;
    let card = |kind: &str| card(&body, kind);
    let sleep = card("sleep");
    assert_eq!(sleep["latest"]["day_total"], true, "{sleep}");
    assert_eq!(
        sleep["latest"]["at_s"], yesterday,
        "the night ending yesterday morning"
    );
    let shown = sleep["latest"]["value"].as_f64().unwrap();
    assert!(
        (shown - last_minutes).abs() < 0.01,
        "{shown} minutes, slept {last_minutes}"
    );
    let total: f64 = steps.iter().map(|(_, n)| n).sum();
    assert_eq!(card("steps")["latest"]["value"].as_f64(), Some(total));

    // One night per date on the chart, each whole.
    let series: Value = app
        .call(
            &client,
            "health/series",
            &[
                ("kind", "sleep"),
                ("from_s", &(today - 7 * DAY).to_string()),
                ("to_s", &(today + DAY).to_string()),
            ],
        )
        .await
        .json()
        .await
        .expect("a series");
    let nights: Vec<(i64, f64)> = series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["start_s"].as_i64().unwrap(), p["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        nights,
        vec![
            (yesterday - 2 * DAY, 390.0),
            (yesterday - DAY, before_minutes),
            (yesterday, last_minutes)
        ],
        "one night per morning, each whole"
    );

    // On the page: hours of sleep, kilometres and steps, each converted once.
    let page = app.page(&client, "/dashboard").await;
    assert_eq!(
        card_value(&page, "sleep"),
        format!("{:.1}", last_minutes / 60.0)
    );
    assert_eq!(card_value(&page, "distance"), "5.2");
    assert_eq!(card_value(&page, "steps"), format!("{total:.0}"));
}
