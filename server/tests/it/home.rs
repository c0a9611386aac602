//! The summary home: what a patient has left to do today and the first steps
//! not yet taken; for a care-team member the patients needing attention first.

use crate::harness::TestApp;
use crate::meds::{add, daily, set_zone};
use hale_app::identity::Role;
use reqwest::StatusCode;
use serde_json::json;

async fn home(app: &TestApp, client: &crate::harness::Browser) -> String {
    app.page(client, "/").await
}

fn count(page: &str, needle: &str) -> usize {
    page.matches(needle).count()
}

#[tokio::test]
async fn a_patients_home_shows_the_doses_left_today_and_the_first_steps_not_taken() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    assert_eq!(set_zone(&app, &ann, "UTC").await, StatusCode::OK);

    let page = home(&app, &ann).await;
    assert_eq!(count(&page, "data-testid=\"first-steps\""), 1, "{page}");
    assert_eq!(count(&page, "data-done=\"false\""), 3);
    assert_eq!(
        count(&page, "data-testid=\"home-doses\""),
        0,
        "no medication, no doses part"
    );

    // One dose at midnight (already due), one at 23:59 (later today).
    let id = add(&app, &ann, daily("Metformin", &["00:00", "23:59"])).await;
    let page = home(&app, &ann).await;
    assert_eq!(count(&page, "data-testid=\"next-dose\""), 2, "{page}");
    assert!(page.contains("Metformin 500 mg"));
    assert_eq!(
        count(&page, "data-done=\"true\""),
        1,
        "the medication step is done"
    );

    // Taken on Today: it leaves the home.
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let response = app
        .call_json(
            &ann,
            "meds/log",
            json!({ "patient_id": null, "dose": { "medication_id": id, "slot": format!("{today}T00:00"), "status": "taken" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = home(&app, &ann).await;
    assert_eq!(count(&page, "data-testid=\"next-dose\""), 1, "{page}");

    // A medication taken only as needed has no dose today, yet the step is done.
    let (bo, _) = app.signed_in_client("bo").await;
    let mut prn = daily("Ibuprofen", &[]);
    prn["schedule"] = json!({ "kind": "as_needed", "dose": 1, "max_per_day": 3 });
    add(&app, &bo, prn).await;
    let page = home(&app, &bo).await;
    assert_eq!(count(&page, "data-testid=\"next-dose\""), 0, "{page}");
    assert_eq!(count(&page, "data-done=\"true\""), 1, "{page}");

    // Reading the summary is an audited read of the patient's medications.
    let reads = app
        .scalar(
            "SELECT COUNT(*) FROM audit_events WHERE category = 'medications' AND action = 'read'",
        )
        .await;
    assert!(reads >= 3, "{reads} medication reads audited");
}

#[tokio::test]
async fn a_clinicians_home_puts_the_patient_who_missed_doses_first() {
    let app = TestApp::start().await;
    // Amy sorts first by name and missed nothing; Zed missed three days.
    let (amy, _) = app.signed_in_client("amy").await;
    let (zed, _) = app.signed_in_client("zed").await;
    for patient in [&amy, &zed] {
        assert_eq!(set_zone(&app, patient, "UTC").await, StatusCode::OK);
    }
    let three_days_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    let mut input = daily("Metformin", &["00:00"]);
    input["start_date"] = json!(three_days_ago);
    add(&app, &zed, input).await;
    let mut input = daily("Lisinopril", &["00:00"]);
    input["start_date"] = json!(
        chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string()
    );
    add(&app, &amy, input).await;

    let (doctor, person) = app
        .care_team_member(&amy, "doctor", Role::Clinician, "vitals:r medications:r")
        .await;
    let code = app.invite(&zed, &person.email, "medications:r").await;
    app.join(&doctor, &code).await;

    let page = home(&app, &doctor).await;
    let rows: Vec<&str> = page
        .split("<li")
        .filter(|item| item.contains("data-testid=\"attention-row\""))
        .collect();
    assert_eq!(rows.len(), 2, "{page}");
    assert!(
        rows[0].contains("Test zed"),
        "the patient who missed doses comes first"
    );
    assert!(rows[0].contains("data-attention=\"true\""));
    assert!(rows[1].contains("data-attention=\"false\""));
    assert!(
        rows[0].contains("Missed doses in the last 7 days: 3"),
        "{}",
        rows[0]
    );
    assert!(rows[1].contains("Test amy"));
    assert!(rows[1].contains("No missed doses this week"), "{}", rows[1]);
    // Amy shared her vitals, Zed did not: only Amy's row links to them.
    assert!(rows[1].contains("/health\""));
    assert!(!rows[0].contains("/health\""));
}
