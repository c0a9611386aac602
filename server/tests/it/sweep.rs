//! The cross-patient sweep: Ann, a patient, tries every endpoint that takes
//! an id with Bob's ids — Bob's grant, invitation, token, session, readings,
//! import, notification, medication, dose, device and file — and each must
//! refuse with the status in the table, leak nothing of Bob's, change
//! nothing of his, and leave its refusals in the audit log under Ann. Every
//! new id-taking endpoint adds a row to [`attempts`].

use crate::harness::{Person, TestApp};
use hale_app::identity::Role;
use reqwest::StatusCode;

async fn account_id(app: &TestApp, person: &Person) -> i64 {
    app.account_id(&person.email).await
}

/// An endpoint, its form, and the status it must answer with.
type Attempt<'a> = (&'a str, Vec<(&'a str, &'a str)>, StatusCode);

/// Every endpoint so far that takes an id, tried by Ann with Bob's ids.
const SWEPT: &[&str] = &[
    "care_team/change",
    "care_team/revoke",
    "care_team/cancel_invitation",
    "patients/one",
    "security/revoke_token",
    "security/end_session",
    "admin/break_glass",
    "admin/disable_account",
    "admin/find_accounts",
    "health/dashboard",
    "health/series",
    "health/add",
    "health/imports",
    "health/import",
    "health/cancel_import",
    "notifications/read",
    "meds/list",
    "meds/get",
    "meds/get",
    "meds/today",
    "meds/status",
    "meds/refill",
    "meds/undo",
    "notify/unsubscribe",
    "files/list",
    "files/get",
    "files/save",
    "files/delete",
    "files/study",
];

/// Bob's ids, as strings for the forms.
struct BobsIds {
    bob: String,
    grant: String,
    invitation: String,
    token: String,
    session: String,
    bob_import: String,
    bob_note: String,
    bob_med: String,
    bob_log: String,
    bob_sub: String,
    bob_file: String,
}

/// The table: every server function that takes an id, Bob's id in its
/// form, and the refusal Ann must get. A new area adds its rows here (and
/// its names to [`SWEPT`]).
fn attempts(ids: &BobsIds) -> Vec<Attempt<'_>> {
    let reason = "Looking at someone else's chart for no good reason";
    vec![
        (
            "care_team/change",
            vec![
                ("grant_id", &ids.grant),
                ("permissions", "vitals:rw"),
                ("until", ""),
            ],
            StatusCode::NOT_FOUND,
        ),
        (
            "care_team/revoke",
            vec![("grant_id", &ids.grant)],
            StatusCode::NOT_FOUND,
        ),
        (
            "care_team/cancel_invitation",
            vec![("invitation_id", &ids.invitation)],
            StatusCode::NOT_FOUND,
        ),
        (
            "patients/one",
            vec![("patient_id", &ids.bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "security/revoke_token",
            vec![("token_id", &ids.token)],
            StatusCode::NOT_FOUND,
        ),
        (
            "security/end_session",
            vec![("session_id", &ids.session)],
            StatusCode::NOT_FOUND,
        ),
        (
            "admin/break_glass",
            vec![("patient_id", &ids.bob), ("reason", reason)],
            StatusCode::FORBIDDEN,
        ),
        (
            "admin/disable_account",
            vec![("account_id", &ids.bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "admin/find_accounts",
            vec![("query", "bob")],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/dashboard",
            vec![("patient_id", &ids.bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/series",
            vec![
                ("patient_id", &ids.bob),
                ("kind", "heart_rate"),
                ("from_s", "1780000000"),
                ("to_s", "1800000000"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/add",
            vec![
                ("patient_id", &ids.bob),
                ("kind", "heart_rate"),
                ("time", "2026-11-01T08:00"),
                ("offset_min", "0"),
                ("value", "70"),
                ("unit", "/min"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/imports",
            vec![("patient_id", &ids.bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/import",
            vec![("import_id", &ids.bob_import)],
            StatusCode::NOT_FOUND,
        ),
        (
            "health/cancel_import",
            vec![("import_id", &ids.bob_import)],
            StatusCode::NOT_FOUND,
        ),
        (
            "notifications/read",
            vec![("notification_id", &ids.bob_note)],
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/list",
            vec![("patient_id", &ids.bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "meds/get",
            vec![("patient_id", &ids.bob), ("id", &ids.bob_med)],
            StatusCode::FORBIDDEN,
        ),
        (
            "meds/get",
            vec![("id", &ids.bob_med)],
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/today",
            vec![("patient_id", &ids.bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "meds/status",
            vec![("id", &ids.bob_med), ("active", "false")],
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/refill",
            vec![("id", &ids.bob_med), ("amount", "5")],
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/undo",
            vec![("log_id", &ids.bob_log)],
            StatusCode::NOT_FOUND,
        ),
        (
            "notify/unsubscribe",
            vec![("id", &ids.bob_sub)],
            StatusCode::NOT_FOUND,
        ),
        (
            "files/list",
            vec![("patient_id", &ids.bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "files/get",
            vec![("id", &ids.bob_file)],
            StatusCode::NOT_FOUND,
        ),
        (
            "files/save",
            vec![
                ("id", &ids.bob_file),
                ("title", "Ann's now"),
                ("category", "other"),
                ("date", ""),
                ("tags", ""),
            ],
            StatusCode::NOT_FOUND,
        ),
        (
            "files/delete",
            vec![("id", &ids.bob_file)],
            StatusCode::NOT_FOUND,
        ),
        (
            "files/study",
            vec![("patient_id", &ids.bob), ("study_uid", "2.25.99")],
            StatusCode::FORBIDDEN,
        ),
    ]
}

#[tokio::test]
async fn another_patients_ids_return_no_data_and_change_nothing() {
    let app = TestApp::start().await;
    let (ann, ann_person) = app.signed_in_client("ann").await;
    let (bob, bob_person) = app.signed_in_client("bob").await;
    let (_, _) = app
        .care_team_member(&bob, "dr-bob", Role::Clinician, "vitals:r records:rw")
        .await;
    app.invite(&bob, "", "vitals:r").await;
    app.call(
        &bob,
        "security/create_token",
        &[("name", "Bob's watch"), ("scopes", "observations:write")],
    )
    .await;
    let bob_id = account_id(&app, &bob_person).await;
    let ann_id = account_id(&app, &ann_person).await;
    let of_bob = |table: &str, column: &str| {
        format!("SELECT MAX(id) FROM {table} WHERE {column} = {bob_id}")
    };
    let grant = app
        .scalar(&of_bob("care_grants", "patient_id"))
        .await
        .to_string();
    let invitation = app
        .scalar(&of_bob("care_invitations", "patient_id"))
        .await
        .to_string();
    let token = app
        .scalar(&of_bob("api_tokens", "account_id"))
        .await
        .to_string();
    let session = app
        .scalar(&of_bob("sessions", "account_id"))
        .await
        .to_string();
    // Bob's health data: a reading, an import underway, a notification.
    app.execute(&format!(
        "INSERT INTO observations (patient_id, kind, start_s, end_s, value, source, recorded_ms) \
         VALUES ({bob_id}, 'heart_rate', 1790000000, 1790000000, 123, 'Bob''s band', 0)"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO imports (patient_id, uploaded_by, format, file_name, blob_key, bytes_total, \
         bytes_done, state, imported, duplicates, rejected, skipped, problems, created_ms) \
         VALUES ({bob_id}, {bob_id}, 'csv', 'bobs-readings.csv', 'imports/x/y', 10, 0, 'queued', \
         0, 0, 0, 0, '[]', 0)"
    ))
    .await;
    app.execute(&format!(
        "INSERT INTO notifications (account_id, kind, params, dedup_key, created_ms) \
         VALUES ({bob_id}, 'goal_reached', '{{\"goal\":\"daily_steps\"}}', 'goal:x', 0)"
    ))
    .await;
    let bob_import = app
        .scalar(&of_bob("imports", "patient_id"))
        .await
        .to_string();
    let bob_note = app
        .scalar(&of_bob("notifications", "account_id"))
        .await
        .to_string();
    // Bob's medication, a dose he logged, and his phone's push subscription.
    app.execute(&format!(
        "INSERT INTO medications (patient_id, name, strength, form, start_date, status, schedule, \
         supply, refills, created_ms, updated_ms) VALUES ({bob_id}, 'Bobazepam', '5 mg', 'tablet', \
         '2020-01-01', 'active', '{{\"kind\":\"times\",\"times\":[\"08:00\"],\"dose\":1}}', 20, 0, 0, 0)"
    ))
    .await;
    let bob_med = app
        .scalar(&of_bob("medications", "patient_id"))
        .await
        .to_string();
    app.execute(&format!(
        "INSERT INTO dose_logs (medication_id, patient_id, slot, status, at_ms, amount, created_ms) \
         VALUES ({bob_med}, {bob_id}, '2026-01-01T08:00', 'taken', 0, 1, 0)"
    ))
    .await;
    let bob_log = app
        .scalar(&of_bob("dose_logs", "patient_id"))
        .await
        .to_string();
    app.execute(&format!(
        "INSERT INTO push_subscriptions (account_id, endpoint, endpoint_hash, p256dh, auth, label, \
         created_ms) VALUES ({bob_id}, 'https://push.example/bob', 'h', 'k', 'a', 'Bob''s phone', 0)"
    ))
    .await;
    let bob_sub = app
        .scalar(&of_bob("push_subscriptions", "account_id"))
        .await
        .to_string();
    let (_, bob_upload) = crate::files::upload(
        &app,
        &bob,
        "bob.dcm",
        &hale_server::demo::synthetic_dicom::write(&hale_server::demo::synthetic_dicom::Slice::ct(
            "2.25.99",
            "2.25.99.1",
            1,
            hale_server::demo::synthetic_dicom::Encoding::ExplicitLittle,
        )),
    )
    .await;
    let bob_file = bob_upload["file_ids"][0]
        .as_i64()
        .expect("Bob's file")
        .to_string();
    let ids = BobsIds {
        bob: bob_id.to_string(),
        grant: grant.clone(),
        invitation: invitation.clone(),
        token: token.clone(),
        session: session.clone(),
        bob_import: bob_import.clone(),
        bob_note: bob_note.clone(),
        bob_med: bob_med.clone(),
        bob_log: bob_log.clone(),
        bob_sub: bob_sub.clone(),
        bob_file: bob_file.clone(),
    };
    let attempts = attempts(&ids);
    assert_eq!(attempts.iter().map(|a| a.0).collect::<Vec<_>>(), SWEPT);
    for (endpoint, form, expected) in &attempts {
        let response = app.call(&ann, endpoint, form).await;
        assert_eq!(response.status(), *expected, "{endpoint}");
        let body = response.text().await.expect("body");
        assert!(
            !body.contains(&bob_person.name),
            "{endpoint} leaks Bob's name"
        );
        assert!(
            !body.contains(&bob_person.email),
            "{endpoint} leaks Bob's email"
        );
    }
    // The JSON doors: saving over Bob's medication, logging one of his doses.
    let bob_med_id: i64 = bob_med.parse().unwrap();
    let json_attempts = [
        (
            "meds/save",
            serde_json::json!({ "patient_id": bob_id, "id": null, "input": { "name": "X", "form": "tablet", "start_date": "2026-01-01", "schedule": { "times": ["08:00"], "dose": 1 } } }),
            StatusCode::FORBIDDEN,
        ),
        (
            "meds/save",
            serde_json::json!({ "patient_id": null, "id": bob_med_id, "input": { "name": "X", "form": "tablet", "start_date": "2026-01-01", "schedule": { "times": ["08:00"], "dose": 1 } } }),
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/log",
            serde_json::json!({ "patient_id": bob_id, "dose": { "medication_id": bob_med_id, "slot": "2026-01-02T08:00", "status": "taken" } }),
            StatusCode::FORBIDDEN,
        ),
        (
            "meds/log",
            serde_json::json!({ "patient_id": null, "dose": { "medication_id": bob_med_id, "slot": "2026-01-02T08:00", "status": "taken" } }),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (endpoint, body, expected) in json_attempts {
        let response = app.call_json(&ann, endpoint, body).await;
        assert_eq!(response.status(), expected, "{endpoint}");
        let text = response.text().await.unwrap();
        assert!(
            !text.contains("Bobazepam"),
            "{endpoint} leaks Bob's medication"
        );
    }
    for endpoint in ["meds/list", "meds/today", "notify/list", "notify/prefs"] {
        let body = app.call(&ann, endpoint, &[]).await.text().await.unwrap();
        assert!(
            !body.contains("Bobazepam"),
            "{endpoint} leaks Bob's medication"
        );
        assert!(
            !body.contains("Bob's phone"),
            "{endpoint} leaks Bob's device"
        );
    }
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM medications WHERE patient_id = {bob_id} AND status = 'active' AND supply = 20 AND name = 'Bobazepam'")).await, 1);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM dose_logs WHERE patient_id = {bob_id}"
        ))
        .await,
        1
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM medications").await, 1);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM push_subscriptions WHERE id = {bob_sub}"
        ))
        .await,
        1
    );
    // Lists answer with Ann's own data only.
    for endpoint in ["care_team/list", "access/history", "security/overview"] {
        let body = app
            .call(&ann, endpoint, &[])
            .await
            .text()
            .await
            .expect("body");
        assert!(
            !body.contains(&bob_person.name),
            "{endpoint} leaks Bob's name"
        );
        assert!(
            !body.contains("Bob's watch"),
            "{endpoint} leaks Bob's token"
        );
    }
    // Ann's own token cannot write into Bob's record either.
    let ann_token = app.token(&ann, "observations:write").await;
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/observations?patient_id={bob_id}")))
        .bearer_auth(&ann_token)
        .json(&serde_json::json!([{"kind": "heart_rate", "time": "2026-11-01T08:00:00Z", "value": 70, "unit": "/min"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    for endpoint in ["health/dashboard", "health/imports"] {
        let body = app.call(&ann, endpoint, &[]).await.text().await.unwrap();
        assert!(
            !body.contains("bobs-readings"),
            "{endpoint} leaks Bob's import"
        );
        assert!(!body.contains("123"), "{endpoint} leaks Bob's reading");
    }
    // Bob's things are untouched.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM observations WHERE patient_id = {bob_id}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM imports WHERE id = {bob_import} AND state = 'queued'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM notifications WHERE id = {bob_note} AND read_ms IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM care_grants WHERE id = {grant} AND revoked_at IS NULL AND permissions = 'vitals:r records:rw'")).await, 1);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM care_invitations WHERE id = {invitation}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM api_tokens WHERE id = {token} AND revoked_at IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM sessions WHERE id = {session}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM accounts WHERE id = {bob_id} AND disabled_at IS NULL"
        ))
        .await,
        1
    );
    // The refused look at Bob's data is in the audit log, under Ann.
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE actor_id = {ann_id} AND patient_id = {bob_id} AND outcome = 'refused'")).await, 16);
    // Bob's file is still his, unchanged.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM files WHERE patient_id = {bob_id} AND title = 'CT chest'"
        ))
        .await,
        1
    );
}
