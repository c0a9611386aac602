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
    app.account_id(&person.email).await
}

/// The patient invites; returns the code.
async fn invite(app: &TestApp, patient: &Browser, email: &str, permissions: &str) -> String {
    app.invite(patient, email, permissions).await
}

/// A clinician with a second factor who joined `patient`'s care team.
async fn clinician_of(app: &TestApp, patient: &Browser, tag: &str) -> (Browser, Person) {
    app.care_team_member(patient, tag, Role::Clinician, "vitals:r records:rw")
        .await
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
    let accesses = history["entries"].as_array().expect("history");
    assert!(
        accesses
            .iter()
            .any(|e| e["actor_name"] == person.name.as_str() && e["outcome"] == "allowed_grant")
    );
    // Refused attempts are listed apart, and counted.
    assert!(history["refused_count"].as_u64() >= Some(1), "{history}");
    let refused = json(
        app.call(&ann, "access/history", &[("refused", "true")])
            .await,
    )
    .await;
    let refused = refused["entries"].as_array().expect("refused");
    assert!(refused.iter().any(|e| e["outcome"] == "refused_mfa"));
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
