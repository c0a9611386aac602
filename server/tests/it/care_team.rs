//! Care-team access: invitations and grants, the access check and its audit
//! trail, break-glass, the hash chain, and a sweep over every endpoint that
//! takes an id with another patient's ids.

use crate::harness::{Browser, Person, TestApp, accepted};
use hale_app::access::gate::{self, Read, Write, kinds};
use hale_app::audit;
use hale_app::error::AppError;
use hale_app::identity::Actor;
use hale_app::identity::ClientMeta;
use hale_app::identity::Role;
use reqwest::StatusCode;

async fn json(response: reqwest::Response) -> serde_json::Value {
    response.json().await.expect("json")
}

async fn account_id(app: &TestApp, person: &Person) -> i64 {
    app.scalar(&format!(
        "SELECT id FROM accounts WHERE email = '{}'",
        person.email
    ))
    .await
}

/// The patient invites; returns the code.
async fn invite(app: &TestApp, patient: &Browser, email: &str, permissions: &str) -> String {
    let response = app
        .call(
            patient,
            "care_team/invite",
            &[
                ("email", email),
                ("permissions", permissions),
                ("until", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "invite");
    response.json().await.expect("code")
}

/// A clinician with a second factor who joined `patient`'s care team.
async fn clinician_of(app: &TestApp, patient: &Browser, tag: &str) -> (Browser, Person) {
    let (clinician, person) = app.staff_client(tag, Role::Clinician).await;
    app.enrol_mfa(&clinician, &person.password).await;
    let code = invite(app, patient, &person.email, "vitals:r records:rw").await;
    let response = app
        .call(&clinician, "care_team/join", &[("code", &code)])
        .await;
    assert!(accepted(response.status()), "join: {}", response.status());
    (clinician, person)
}

#[tokio::test]
async fn a_clinician_sees_exactly_the_patients_who_granted_access_and_only_with_mfa() {
    let app = TestApp::start().await;
    let (ann, ann_person) = app.signed_in_client("ann").await;
    let (_bob, bob_person) = app.signed_in_client("bob").await;
    let (clinician, person) = app.staff_client("dr-lee", Role::Clinician).await;
    let code = invite(&app, &ann, &person.email, "vitals:r records:rw").await;
    let response = app
        .call(&clinician, "care_team/join", &[("code", &code)])
        .await;
    assert!(accepted(response.status()));

    // Without a second factor: refused, and the refusal is audited.
    let response = app.call(&clinician, "patients/list", &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let ann_id = account_id(&app, &ann_person).await;
    let response = app
        .call(
            &clinician,
            "patients/one",
            &[("patient_id", &ann_id.to_string())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(response).await, serde_json::json!("MfaRequired"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE outcome = 'refused_mfa'")
            .await,
        2,
        "the list and the patient"
    );

    app.enrol_mfa(&clinician, &person.password).await;
    let patients = json(app.call(&clinician, "patients/list", &[]).await).await;
    let names: Vec<&str> = patients
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec![ann_person.name.as_str()]);
    let response = app
        .call(
            &clinician,
            "patients/one",
            &[("patient_id", &ann_id.to_string())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let bob_id = account_id(&app, &bob_person).await;
    let response = app
        .call(
            &clinician,
            "patients/one",
            &[("patient_id", &bob_id.to_string())],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "Bob granted nothing"
    );

    // Ann sees the grant and who opened her data.
    let team = json(app.call(&ann, "care_team/list", &[]).await).await;
    assert_eq!(team[0][0]["grantee_name"], person.name.as_str());
    let history = json(app.call(&ann, "access/history", &[]).await).await;
    let history = history.as_array().expect("history");
    assert!(
        history
            .iter()
            .any(|e| e["actor_name"] == person.name.as_str() && e["outcome"] == "allowed_grant")
    );
    assert!(history.iter().any(|e| e["outcome"] == "refused_mfa"));
}

#[tokio::test]
async fn revoked_and_expired_grants_and_used_or_foreign_codes_are_refused() {
    let app = TestApp::start().await;
    let (ann, ann_person) = app.signed_in_client("ann").await;
    let ann_id = account_id(&app, &ann_person).await.to_string();
    let (clinician, _) = clinician_of(&app, &ann, "dr-kim").await;
    let open = async |c: &Browser| {
        app.call(c, "patients/one", &[("patient_id", &ann_id)])
            .await
            .status()
    };
    assert_eq!(open(&clinician).await, StatusCode::OK);

    // The grant ends yesterday (the API refuses past dates; age it directly).
    app.execute("UPDATE care_grants SET until = date('now', '-1 day')")
        .await;
    assert_eq!(open(&clinician).await, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE outcome = 'refused_expired'")
            .await,
        1
    );
    app.execute("UPDATE care_grants SET until = NULL").await;

    let grant_id = app.scalar("SELECT id FROM care_grants").await.to_string();
    let response = app
        .call(&ann, "care_team/revoke", &[("grant_id", &grant_id)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(open(&clinician).await, StatusCode::FORBIDDEN);
    let patients = json(app.call(&clinician, "patients/list", &[]).await).await;
    assert_eq!(patients, serde_json::json!([]));

    // A code for someone else's email, a used code, a made-up code.
    let (coach, coach_person) = app.staff_client("coach", Role::Coach).await;
    let code = invite(&app, &ann, "someone.else@hale.example", "vitals:r").await;
    let response = app.call(&coach, "care_team/join", &[("code", &code)]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let code = invite(&app, &ann, &coach_person.email, "vitals:r").await;
    let response = app.call(&coach, "care_team/join", &[("code", &code)]).await;
    assert!(accepted(response.status()));
    let response = app.call(&coach, "care_team/join", &[("code", &code)]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "used once");
    let response = app
        .call(&coach, "care_team/join", &[("code", "AAAA-BBBB-CCCC")])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Bad terms: nothing chosen, a past date.
    let response = app
        .call(
            &ann,
            "care_team/invite",
            &[("email", ""), ("permissions", ""), ("until", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .call(
            &ann,
            "care_team/invite",
            &[
                ("email", ""),
                ("permissions", "vitals:r"),
                ("until", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A patient cannot join a care team.
    let (other_patient, _) = app.signed_in_client("pat").await;
    let code = invite(&app, &ann, "", "vitals:r").await;
    let response = app
        .call(&other_patient, "care_team/join", &[("code", &code)])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
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

#[tokio::test]
async fn another_patients_ids_return_no_data_and_change_nothing() {
    let app = TestApp::start().await;
    let (ann, ann_person) = app.signed_in_client("ann").await;
    let (bob, bob_person) = app.signed_in_client("bob").await;
    let (_, _) = clinician_of(&app, &bob, "dr-bob").await;
    invite(&app, &bob, "", "vitals:r").await;
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
    let bob = bob_id.to_string();
    let reason = "Looking at someone else's chart for no good reason";
    let attempts: Vec<Attempt> = vec![
        (
            "care_team/change",
            vec![
                ("grant_id", &grant),
                ("permissions", "vitals:rw"),
                ("until", ""),
            ],
            StatusCode::NOT_FOUND,
        ),
        (
            "care_team/revoke",
            vec![("grant_id", &grant)],
            StatusCode::NOT_FOUND,
        ),
        (
            "care_team/cancel_invitation",
            vec![("invitation_id", &invitation)],
            StatusCode::NOT_FOUND,
        ),
        (
            "patients/one",
            vec![("patient_id", &bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "security/revoke_token",
            vec![("token_id", &token)],
            StatusCode::NOT_FOUND,
        ),
        (
            "security/end_session",
            vec![("session_id", &session)],
            StatusCode::NOT_FOUND,
        ),
        (
            "admin/break_glass",
            vec![("patient_id", &bob), ("reason", reason)],
            StatusCode::FORBIDDEN,
        ),
        (
            "admin/disable_account",
            vec![("account_id", &bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "admin/find_accounts",
            vec![("query", "bob")],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/dashboard",
            vec![("patient_id", &bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/series",
            vec![
                ("patient_id", &bob),
                ("kind", "heart_rate"),
                ("from_s", "1780000000"),
                ("to_s", "1800000000"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/add",
            vec![
                ("patient_id", &bob),
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
            vec![("patient_id", &bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "health/import",
            vec![("import_id", &bob_import)],
            StatusCode::NOT_FOUND,
        ),
        (
            "health/cancel_import",
            vec![("import_id", &bob_import)],
            StatusCode::NOT_FOUND,
        ),
        (
            "notifications/read",
            vec![("notification_id", &bob_note)],
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/list",
            vec![("patient_id", &bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "meds/get",
            vec![("patient_id", &bob), ("id", &bob_med)],
            StatusCode::FORBIDDEN,
        ),
        ("meds/get", vec![("id", &bob_med)], StatusCode::NOT_FOUND),
        (
            "meds/today",
            vec![("patient_id", &bob)],
            StatusCode::FORBIDDEN,
        ),
        (
            "meds/status",
            vec![("id", &bob_med), ("active", "false")],
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/refill",
            vec![("id", &bob_med), ("amount", "5")],
            StatusCode::NOT_FOUND,
        ),
        (
            "meds/undo",
            vec![("log_id", &bob_log)],
            StatusCode::NOT_FOUND,
        ),
        (
            "notify/unsubscribe",
            vec![("id", &bob_sub)],
            StatusCode::NOT_FOUND,
        ),
        (
            "files/list",
            vec![("patient_id", &bob)],
            StatusCode::FORBIDDEN,
        ),
        ("files/get", vec![("id", &bob_file)], StatusCode::FORBIDDEN),
        (
            "files/save",
            vec![
                ("id", &bob_file),
                ("title", "Ann's now"),
                ("category", "other"),
                ("date", ""),
                ("tags", ""),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "files/delete",
            vec![("id", &bob_file)],
            StatusCode::FORBIDDEN,
        ),
        (
            "files/study",
            vec![("patient_id", &bob), ("study_uid", "2.25.99")],
            StatusCode::FORBIDDEN,
        ),
    ];
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

fn actor(id: i64, role: Role, mfa: bool, scopes: Option<Vec<String>>) -> Actor {
    Actor {
        account_id: id,
        role,
        mfa,
        scopes,
        client: ClientMeta::default(),
    }
}

#[tokio::test]
async fn the_gate_hands_out_proofs_only_within_scope_and_audits_every_decision() {
    let app = TestApp::start().await;
    let (_, ann_person) = app.signed_in_client("ann").await;
    let ann_id = account_id(&app, &ann_person).await;
    let db = app.db().await;
    let own = actor(ann_id, Role::Patient, false, None);
    let proof = gate::check::<kinds::Vitals, Write>(&db, &own, ann_id, Some("obs-1"))
        .await
        .expect("own data");
    assert_eq!(proof.patient_id(), ann_id);
    let uploader = actor(
        ann_id,
        Role::Patient,
        false,
        Some(vec!["observations:write".into()]),
    );
    assert!(
        gate::check::<kinds::Vitals, Write>(&db, &uploader, ann_id, None)
            .await
            .is_ok()
    );
    let refused = gate::check::<kinds::Vitals, Read>(&db, &uploader, ann_id, None).await;
    assert_eq!(
        refused.err(),
        Some(AppError::MissingScope {
            scope: "observations:read".into()
        })
    );
    let stranger = actor(ann_id + 100, Role::Patient, false, None);
    assert_eq!(
        gate::check::<kinds::Records, Read>(&db, &stranger, ann_id, None)
            .await
            .err(),
        Some(AppError::NoAccess)
    );
    let outcomes = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE outcome IN ('allowed_own', 'refused_scope', 'refused')")
        .await;
    assert_eq!(outcomes, 4);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE record_id = 'obs-1'")
            .await,
        1
    );
}

#[tokio::test]
async fn break_glass_needs_a_reason_raises_an_alert_and_expires() {
    let app = TestApp::start().await;
    let (_, ann_person) = app.signed_in_client("ann").await;
    let ann_id = account_id(&app, &ann_person).await;
    let (admin, admin_person) = app.staff_client("admin", Role::Administrator).await;
    let admin_id = account_id(&app, &admin_person).await;
    let db = app.db().await;
    let admin_actor = actor(admin_id, Role::Administrator, true, None);
    assert_eq!(
        gate::check::<kinds::Records, Read>(&db, &admin_actor, ann_id, None)
            .await
            .err(),
        Some(AppError::NoAccess),
        "no routine access"
    );
    let id = ann_id.to_string();
    let response = app
        .call(
            &admin,
            "admin/break_glass",
            &[("patient_id", &id), ("reason", "because")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "a second factor first"
    );
    app.enrol_mfa(&admin, &admin_person.password).await;
    let response = app
        .call(
            &admin,
            "admin/break_glass",
            &[("patient_id", &id), ("reason", "because")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a real reason"
    );
    let response = app
        .call(
            &admin,
            "admin/break_glass",
            &[
                ("patient_id", &id),
                ("reason", "Patient unconscious in the emergency room"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM security_events WHERE kind = 'break_glass'")
            .await,
        1
    );
    let proof = gate::check::<kinds::Records, Read>(&db, &admin_actor, ann_id, None)
        .await
        .expect("break-glass read");
    assert_eq!(proof.basis(), gate::Basis::BreakGlass);
    assert!(
        gate::check::<kinds::Records, Write>(&db, &admin_actor, ann_id, None)
            .await
            .is_err()
    );
    app.execute("UPDATE break_glass SET expires_at = '2000-01-01T00:00:00Z'")
        .await;
    assert!(
        gate::check::<kinds::Records, Read>(&db, &admin_actor, ann_id, None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_audit_log_is_append_only_and_its_chain_shows_an_edited_or_deleted_row() {
    let app = TestApp::start().await;
    let (_, ann_person) = app.signed_in_client("ann").await;
    let ann_id = account_id(&app, &ann_person).await;
    let db = app.db().await;
    let own = actor(ann_id, Role::Patient, false, None);
    for _ in 0..5 {
        gate::check::<kinds::Vitals, Read>(&db, &own, ann_id, None)
            .await
            .expect("own");
    }
    let intact = audit::verify(&db).await.expect("verify");
    assert_eq!(intact.first_broken, None);
    assert!(intact.rows >= 5);

    use sea_orm::ConnectionTrait;
    let refused = db
        .execute_unprepared("UPDATE audit_events SET outcome = 'refused'")
        .await;
    assert!(refused.is_err(), "UPDATE is refused by the table itself");
    assert!(
        db.execute_unprepared("DELETE FROM audit_events")
            .await
            .is_err()
    );

    // Someone with the owner's rights drops the guard and edits a row.
    db.execute_unprepared("DROP TRIGGER audit_events_no_update")
        .await
        .expect("drop");
    db.execute_unprepared("DROP TRIGGER audit_events_no_delete")
        .await
        .expect("drop");
    let third = app
        .scalar("SELECT id FROM audit_events ORDER BY id LIMIT 1 OFFSET 2")
        .await;
    db.execute_unprepared(&format!(
        "UPDATE audit_events SET outcome = 'refused' WHERE id = {third}"
    ))
    .await
    .expect("edit");
    assert_eq!(
        audit::verify(&db).await.expect("verify").first_broken,
        Some(third)
    );
    // Restore the edit, delete a row instead: the next row shows it.
    db.execute_unprepared(&format!(
        "UPDATE audit_events SET outcome = 'allowed_own' WHERE id = {third}"
    ))
    .await
    .expect("restore");
    assert_eq!(audit::verify(&db).await.expect("verify").first_broken, None);
    db.execute_unprepared(&format!("DELETE FROM audit_events WHERE id = {third}"))
        .await
        .expect("delete");
    let next = app
        .scalar(&format!(
            "SELECT MIN(id) FROM audit_events WHERE id > {third}"
        ))
        .await;
    assert_eq!(
        audit::verify(&db).await.expect("verify").first_broken,
        Some(next)
    );
}
