//! What an outside probe tried: flooding another patient's access history,
//! probing ids, emails and invitation codes at speed, weak passwords and
//! look-alike emails, administration without a second factor, push
//! endpoints that point back inside, and malformed server-function input.

use crate::harness::{Person, TestApp};
use hale_app::identity::Role;
use reqwest::StatusCode;
use serde_json::Value;

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("json")
}

#[tokio::test]
async fn refused_lookups_are_throttled_and_cannot_crowd_out_real_accesses() {
    let app = TestApp::start().await;
    let (bob, bob_person) = app.signed_in_client("bob").await;
    let (doctor, doctor_person) = app
        .care_team_member(&bob, "dr-real", Role::Clinician, "vitals:r")
        .await;
    let bob_id = app.account_id(&bob_person.email).await.to_string();
    let read = app
        .call(&doctor, "health/dashboard", &[("patient_id", &bob_id)])
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    // Ann floods Bob's history with refused look-ups.
    let (ann, _) = app.signed_in_client("ann").await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let answer = app
            .call(&ann, "health/dashboard", &[("patient_id", &bob_id)])
            .await;
        let retry_after = answer.headers().get("retry-after").cloned();
        statuses.push((answer.status(), retry_after));
    }
    let limit = hale_app::throttle::REFUSED_LOOKUPS.max as usize;
    assert!(
        statuses[..limit]
            .iter()
            .all(|(s, _)| *s == StatusCode::FORBIDDEN)
    );
    let (status, retry_after) = &statuses[limit];
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after.as_ref().unwrap().to_str().unwrap(), "600");
    // Bob still sees the clinician's read on the first page of accesses,
    // and the refusals apart, counted.
    let history = json(app.call(&bob, "access/history", &[]).await).await;
    assert!(
        history["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor_name"] == doctor_person.name.as_str()
                && e["outcome"] == "allowed_grant"),
        "{history}"
    );
    assert!(
        history["refused_count"].as_u64().unwrap() >= 40,
        "{history}"
    );
    // Every refused attempt can be paged through, back to the first.
    let mut seen = 0;
    let mut before: Option<String> = None;
    loop {
        let mut form = vec![("refused", "true".to_owned())];
        if let Some(b) = &before {
            form.push(("before", b.clone()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = json(app.call(&bob, "access/history", &form).await).await;
        seen += page["entries"].as_array().unwrap().len();
        match page["older"].as_i64() {
            Some(older) => before = Some(older.to_string()),
            None => break,
        }
    }
    assert_eq!(seen as u64, history["refused_count"].as_u64().unwrap());
}

#[tokio::test]
async fn taken_emails_and_wrong_invitation_codes_are_throttled() {
    let app = TestApp::start().await;
    let (_, taken) = app.signed_in_client("taken").await;
    // A clinician who will guess invitation codes.
    let (member, _) = app.staff_client("guesser", Role::Clinician).await;
    let mut last = StatusCode::OK;
    let mut answers = Vec::new();
    for _ in 0..=hale_app::throttle::SIGN_UPS.max {
        let person = Person {
            email: taken.email.clone(),
            ..Person::new("prober")
        };
        last = app.sign_up(&app.client(), &person).await.status();
        answers.push(last);
    }
    assert!(
        answers[..answers.len() - 1]
            .iter()
            .all(|s| *s == StatusCode::CONFLICT)
    );
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // A wrong invitation code, again and again.
    let mut answers = Vec::new();
    for n in 0..=hale_app::throttle::INVITATION_CODES.max {
        let code = format!("WRONG-{n:04}");
        answers.push(
            app.call(&member, "care_team/join", &[("code", &code)])
                .await
                .status(),
        );
    }
    assert!(
        answers[..answers.len() - 1]
            .iter()
            .all(|s| *s == StatusCode::NOT_FOUND)
    );
    assert_eq!(*answers.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn wrong_api_tokens_from_one_address_are_throttled() {
    let app = TestApp::start().await;
    let mut statuses = Vec::new();
    for n in 0..32 {
        let answer = reqwest::Client::new()
            .post(app.url("/api/v1/observations"))
            .bearer_auth(format!("hale_pat_guess{n:04}"))
            .json(&serde_json::json!([]))
            .send()
            .await
            .unwrap();
        statuses.push(answer.status());
    }
    assert!(
        statuses[..30]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[31], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn weak_passwords_and_look_alike_emails_are_refused_at_sign_up() {
    let app = TestApp::start().await;
    let sign_up = async |email: &str, password: &str| {
        let response = app
            .call(
                &app.client(),
                "accounts/sign_up",
                &[
                    ("name", "Someone Real"),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        let status = response.status();
        (status, response.text().await.unwrap())
    };
    for weak in [
        "password123456",
        "            ",
        "someone.real@hale.example",
        "123456789012",
    ] {
        let (status, body) = sign_up("someone.real@hale.example", weak).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{weak:?}");
        assert!(body.contains("PasswordTooCommon"), "{weak:?}: {body}");
    }
    for invisible in [
        "some\u{200B}one@hale.example",
        "someone@h\u{0430}le.example",
        "\u{202E}someone@hale.example",
    ] {
        let (status, body) = sign_up(invisible, "a long enough password").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{invisible:?}");
        assert!(body.contains("InvalidEmail"), "{body}");
    }
    // Full-width letters are folded: the account is the plain address.
    let (status, _) = sign_up(
        "ＳＯＭＥＯＮＥ＠ｈａｌｅ．ｅｘａｍｐｌｅ",
        "a long enough password",
    )
    .await;
    assert!(status.is_success(), "{status}");
    assert!(app.account_id("someone@hale.example").await > 0);
    // A 64-character passphrase is accepted; the same password composed
    // differently (NFD) signs in.
    let passphrase = format!("caf\u{e9} {}", "and a long walk by the river ".repeat(2));
    let (status, _) = sign_up("walker@hale.example", &passphrase).await;
    assert!(status.is_success());
    let decomposed = passphrase.replace('\u{e9}', "e\u{301}");
    let signed_in = app
        .sign_in(&app.client(), "walker@hale.example", &decomposed)
        .await;
    assert!(signed_in.status().is_success(), "{}", signed_in.status());
}

#[tokio::test]
async fn administration_needs_a_second_factor() {
    let app = TestApp::start().await;
    let (admin, person) = app.staff_client("admin-nomfa", Role::Administrator).await;
    for (endpoint, form) in [
        ("admin/find_accounts", vec![("query", "test")]),
        (
            "admin/invite_staff",
            vec![
                ("email", "new-admin@hale.example"),
                ("role", "administrator"),
            ],
        ),
    ] {
        let answer = app.call(&admin, endpoint, &form).await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{endpoint}");
        assert!(
            answer.text().await.unwrap().contains("MfaRequired"),
            "{endpoint}"
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM staff_invitations").await,
        1,
        "only the harness's own invitation"
    );
    app.enrol_mfa(&admin, &person.password).await;
    let answer = app
        .call(&admin, "admin/find_accounts", &[("query", "test")])
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
}

#[tokio::test]
async fn push_endpoints_that_point_inside_are_refused() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    // The endpoint is checked first: the refusal names it.
    let p256dh =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    let auth = "BTBZMqHH6r4Tts7J_aSIgg";
    for endpoint in [
        "https://[::ffff:127.0.0.1]:9443/push",
        "https://[::ffff:7f00:1]/push",
        "https://[::127.0.0.1]/push",
        "https://[64:ff9b::7f00:1]/push",
        "https://[::ffff:169.254.169.254]/push",
        "https://100.64.0.1/push",
        "https://255.255.255.255/push",
        "https://localhost./push",
        "https://10.1.2.3/push",
        "https://0.0.0.0/push",
    ] {
        let answer = app
            .call(
                &ann,
                "notify/subscribe",
                &[("endpoint", endpoint), ("p256dh", p256dh), ("auth", auth)],
            )
            .await;
        assert_eq!(
            answer.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}"
        );
        let refusal: hale_app::error::AppError =
            serde_json::from_str(&answer.text().await.unwrap()).unwrap();
        assert_eq!(
            refusal,
            hale_app::error::AppError::BadPushSubscription {
                reason: hale_app::refusals::PushProblem::EndpointNotPublic
            },
            "{endpoint}"
        );
    }
    assert_eq!(app.count("push_subscriptions").await, 0);
}

#[tokio::test]
async fn malformed_server_function_arguments_are_plain_400s() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    for (endpoint, form) in [
        ("files/get", vec![("id", "1'")]),
        ("health/dashboard", vec![("patient_id", "1 OR 1=1")]),
        ("meds/get", vec![("id", "")]),
    ] {
        let answer = app.call(&ann, endpoint, &form).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{endpoint}");
        let body = answer.text().await.unwrap();
        assert!(!body.contains("ServerFnError"), "{endpoint}: {body}");
        assert!(!body.contains("serde"), "{endpoint}: {body}");
    }
    // A search 50,000 characters long is refused with a reason, not a 500.
    let long = "x".repeat(50_000);
    let (admin, person) = app.staff_client("admin-search", Role::Administrator).await;
    app.enrol_mfa(&admin, &person.password).await;
    let answer = app
        .call(&admin, "admin/find_accounts", &[("query", &long)])
        .await;
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.text().await.unwrap().contains("SearchTooLong"));
}
