//! Identity: sign-in through a real OpenID Connect provider and refusal of
//! forged callbacks and tokens; two-step verification; API tokens; sessions;
//! sign-in throttling.

use crate::harness::{Browser, Person, TestApp, accepted};
use crate::peers::{FORGED_MODES, NodePeer};
use hale_app::identity::Role;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

/// Hale wired to the real provider (`test`) and to one forging provider per flaw.
struct Providers {
    app: TestApp,
    _real: NodePeer,
    _forger: NodePeer,
}

async fn app_with_providers() -> Providers {
    let listener = TestApp::listener().await;
    let hale = format!("http://{}", listener.local_addr().expect("addr"));
    let mut ids = vec!["test".to_owned(), "forged-good".to_owned()];
    ids.extend(FORGED_MODES.iter().map(|m| format!("forged-{m}")));
    let redirects: Vec<String> = ids
        .iter()
        .map(|id| format!("{hale}/auth/oidc/{id}/callback"))
        .collect();
    let real = NodePeer::start(
        "oidc/provider.mjs",
        &[("HALE_REDIRECT_URIS", &redirects.join(","))],
    );
    let forger = NodePeer::start("oidc/forger.mjs", &[]);
    let mut env: Vec<(String, String)> = vec![("HALE_OIDC_PROVIDERS".into(), ids.join(","))];
    for id in &ids {
        let var =
            |field: &str| format!("HALE_OIDC_{}_{field}", id.to_uppercase().replace('-', "_"));
        let issuer = match id.strip_prefix("forged-") {
            Some(mode) => format!("{}/{mode}", forger.field("base")),
            None => real.field("issuer"),
        };
        env.push((var("ISSUER"), issuer));
        env.push((var("CLIENT_ID"), "hale-test".into()));
        env.push((var("CLIENT_SECRET"), "hale-test-secret".into()));
        env.push((var("NAME"), format!("Provider {id}")));
    }
    let settings: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::start_on(listener, &settings).await;
    Providers {
        app,
        _real: real,
        _forger: forger,
    }
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .expect("a redirect")
        .to_str()
        .expect("text")
        .to_owned()
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_owned()
    } else {
        let origin: reqwest::Url = base.parse().expect("url");
        origin.join(location).expect("join").to_string()
    }
}

/// Starts a provider sign-in: returns the provider's authorization address.
async fn start(app: &TestApp, client: &Browser, provider: &str) -> String {
    let response = client
        .post(app.url(&format!("/auth/oidc/{provider}/start")))
        .header("origin", app.url(""))
        .send()
        .await
        .expect("start");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "start redirects");
    location(&response)
}

/// Goes through the real provider's login form as `login`; returns the
/// callback address the provider sends the browser back to.
async fn through_provider(client: &Browser, authorize: &str, login: &str) -> String {
    let mut url = authorize.to_owned();
    loop {
        let response = client.get(&url).send().await.expect("provider");
        if response.status().is_redirection() {
            let next = absolute(&url, &location(&response));
            if next.contains("/auth/oidc/") {
                return next;
            }
            url = next;
            continue;
        }
        assert_eq!(response.status(), StatusCode::OK, "provider page {url}");
        let page = response.text().await.expect("html");
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the login form");
        let response = client
            .post(absolute(&url, action))
            .form(&[("prompt", "login"), ("login", login), ("password", "any")])
            .send()
            .await
            .expect("login");
        assert!(accepted(response.status()), "login accepted");
        url = absolute(&url, &location(&response));
    }
}

fn sets_session(response: &reqwest::Response) -> bool {
    response.headers().get_all(SET_COOKIE).iter().any(|v| {
        v.to_str().unwrap_or_default().starts_with("hale_session=")
            && !v.to_str().unwrap_or_default().starts_with("hale_session=;")
    })
}

async fn audit_outcomes(app: &TestApp, outcome: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE category = 'sign_in' AND outcome = '{outcome}'"
    ))
    .await
}

#[tokio::test]
async fn a_real_provider_signs_a_new_patient_in_and_replays_are_refused() {
    let providers = app_with_providers().await;
    let app = &providers.app;
    let client = app.client();
    let authorize = start(app, &client, "test").await;
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "PKCE S256"
    );
    assert!(authorize.contains("nonce="), "nonce");
    let callback = through_provider(&client, &authorize, "ada").await;
    let response = client.get(&callback).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert!(sets_session(&response));
    let me: serde_json::Value = app
        .call(&client, "accounts/current_user", &[])
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], "ada@provider.example");
    assert_eq!(me["role"], "patient");

    // The same callback again, even with its state cookie: the state was used up.
    let replay = app.client();
    let used_state = reqwest::Url::parse(&callback)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let response = replay
        .get(&callback)
        .header("cookie", format!("hale_oidc_state={used_state}"))
        .send()
        .await
        .expect("replay");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(!sets_session(&response));

    // A fresh sign-in's state with the old code: the provider refuses the code.
    let authorize = start(app, &replay, "test").await;
    let state = reqwest::Url::parse(&authorize)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let old_code = reqwest::Url::parse(&callback)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let reused = app.url(&format!(
        "/auth/oidc/test/callback?code={old_code}&state={state}"
    ));
    let response = replay.get(&reused).send().await.expect("reused code");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(!sets_session(&response));
    assert_eq!(audit_outcomes(app, "code_refused").await, 1);
    assert_eq!(audit_outcomes(app, "unknown_state").await, 1);
    assert_eq!(app.count("accounts").await, 1, "only Ada's account");
}

#[tokio::test]
async fn a_callback_whose_state_the_browser_does_not_hold_is_refused() {
    let providers = app_with_providers().await;
    let app = &providers.app;
    let victim = app.client();
    let attacker = app.client();
    let authorize = start(app, &attacker, "test").await;
    let callback = through_provider(&attacker, &authorize, "mallory").await;
    // The attacker's callback opened in the victim's browser (login CSRF).
    let response = victim.get(&callback).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(!sets_session(&response));
    assert_eq!(audit_outcomes(app, "state_not_bound").await, 1);
    // A made-up state with no cookie at all.
    let response = victim
        .get(app.url("/auth/oidc/test/callback?code=x&state=forged"))
        .send()
        .await
        .expect("forged");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("accounts").await, 0);
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn forged_id_tokens_are_refused_and_audited() {
    let providers = app_with_providers().await;
    let app = &providers.app;
    // The forger's honest mode signs in: the refusals below come from each flaw.
    let client = app.client();
    let authorize = start(app, &client, "forged-good").await;
    let callback = location(&client.get(&authorize).send().await.expect("authorize"));
    let response = client.get(&callback).send().await.expect("callback");
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the honest token is accepted"
    );
    assert_eq!(app.count("accounts").await, 1);

    for mode in FORGED_MODES {
        let client = app.client();
        let authorize = start(app, &client, &format!("forged-{mode}")).await;
        let callback = location(&client.get(&authorize).send().await.expect("authorize"));
        let response = client.get(&callback).send().await.expect("callback");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{mode} is refused"
        );
        assert!(!sets_session(&response), "{mode} starts no session");
        let page = response.text().await.expect("page");
        assert!(page.contains("did not succeed"), "{mode}: a clear message");
    }
    assert_eq!(
        app.count("accounts").await,
        1,
        "no account from a forged token"
    );
    assert_eq!(
        audit_outcomes(app, "id_token_invalid").await,
        FORGED_MODES.len() as i64
    );
    assert!(
        app.scalar("SELECT COUNT(*) FROM security_events WHERE kind = 'forged_sign_in'")
            .await
            >= FORGED_MODES.len() as i64
    );
}

#[tokio::test]
async fn a_provider_identity_joins_an_existing_account_only_after_its_password() {
    let providers = app_with_providers().await;
    let app = &providers.app;
    let person = Person::new("grace");
    let local = app.client();
    app.sign_up(&local, &person).await;
    let client = app.client();
    let authorize = start(app, &client, "test").await;
    let callback = through_provider(&client, &authorize, &person.email).await;
    let response = client.get(&callback).send().await.expect("callback");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/sign-in?link=1");
    assert!(!sets_session(&response), "no session before the password");
    assert_eq!(app.count("external_identities").await, 0);
    // A wrong password links nothing.
    let response = app
        .sign_in(&client, &person.email, "not the password!")
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("external_identities").await, 0);
    let response = app.sign_in(&client, &person.email, &person.password).await;
    assert!(accepted(response.status()));
    assert_eq!(app.count("external_identities").await, 1);
    // From now on the provider alone signs Grace in.
    let again = app.client();
    let authorize = start(app, &again, "test").await;
    let callback = through_provider(&again, &authorize, &person.email).await;
    let response = again.get(&callback).send().await.expect("callback");
    assert_eq!(location(&response), "/");
    assert!(sets_session(&response));
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn the_sign_in_page_lists_each_configured_provider() {
    let providers = app_with_providers().await;
    let app = &providers.app;
    let page = app
        .client()
        .get(app.url("/sign-in"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("/auth/oidc/test/start"),
        "a form for the provider"
    );
    assert!(page.contains("Provider test"), "its display name");
}

/// Signs in with the password; the browser then waits at the code step.
async fn password_step(app: &TestApp, person: &Person) -> Browser {
    let client = app.client();
    let response = app.sign_in(&client, &person.email, &person.password).await;
    assert!(accepted(response.status()));
    assert!(
        client.session_token().is_none(),
        "no session before the code"
    );
    client
}

async fn code_step(app: &TestApp, client: &Browser, code: &str) -> StatusCode {
    app.call(client, "accounts/verify_code", &[("code", code)])
        .await
        .status()
}

#[tokio::test]
async fn two_step_verification_is_asked_at_sign_in_and_each_code_works_once() {
    let app = TestApp::start().await;
    let (client, person) = app.signed_in_client("mfa").await;
    let (secret, recovery, used) = app.enrol_mfa_with_codes(&client, &person.password).await;
    assert_eq!(recovery.len(), 10);
    assert_eq!(app.count("recovery_codes").await, 10);

    let fresh = password_step(&app, &person).await;
    assert_eq!(
        code_step(&app, &fresh, "000000").await,
        StatusCode::UNAUTHORIZED
    );
    // Enrolment used its code: a code works once.
    assert_eq!(
        code_step(&app, &fresh, &used).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(fresh.session_token().is_none());
    // The next step's code is within the drift window and unused.
    let next = hale_app::accounts::mfa::current_code(&secret, chrono::Utc::now().timestamp() + 30)
        .expect("code");
    assert!(accepted(code_step(&app, &fresh, &next).await));
    assert!(fresh.session_token().is_some());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sessions WHERE mfa_at IS NOT NULL")
            .await,
        2,
        "the enrolling session and the verified one"
    );
    // The same code from another browser: refused.
    let other = password_step(&app, &person).await;
    assert_eq!(
        code_step(&app, &other, &next).await,
        StatusCode::UNAUTHORIZED
    );
    // A recovery code signs in once, in any form it is typed.
    let typed = recovery[0].to_lowercase().replace('-', " ");
    assert!(accepted(code_step(&app, &other, &typed).await));
    assert!(other.session_token().is_some());
    let third = password_step(&app, &person).await;
    assert_eq!(
        code_step(&app, &third, &recovery[0]).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NOT NULL")
            .await,
        1
    );
    // Without a pending sign-in the code step is refused.
    let stranger = app.client();
    assert_eq!(
        code_step(&app, &stranger, &recovery[1]).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn api_tokens_are_shown_once_scoped_and_revocable() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("tokens").await;
    let response = app
        .call(
            &client,
            "security/create_token",
            &[("name", "Watch uploader"), ("scopes", "observations:write")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let token: String = response.json().await.expect("token");
    assert!(token.starts_with("hale_pat_"));
    let stored = app
        .scalar("SELECT COUNT(*) FROM api_tokens WHERE token_hash NOT LIKE 'hale_pat_%'")
        .await;
    assert_eq!(stored, 1, "only the hash is stored");

    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK);
    let body: serde_json::Value = me.json().await.expect("json");
    assert_eq!(body["scopes"], serde_json::json!(["observations:write"]));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NOT NULL")
            .await,
        1
    );

    let bad = app
        .call(
            &client,
            "security/create_token",
            &[("name", "x"), ("scopes", "everything:all")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let id = app.scalar("SELECT id FROM api_tokens").await.to_string();
    let response = app
        .call(&client, "security/revoke_token", &[("token_id", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert!(me.headers().contains_key("www-authenticate"));
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE category = 'api' AND outcome = 'refused'"
        )
        .await,
        1
    );
    // Another account cannot revoke my tokens (nor learn that they exist).
    let (other, _) = app.signed_in_client("other").await;
    let response = app
        .call(&other, "security/revoke_token", &[("token_id", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_and_a_new_password_ends_the_others() {
    let app = TestApp::start().await;
    let (laptop, person) = app.signed_in_client("devices").await;
    let phone = app.client();
    app.sign_in(&phone, &person.email, &person.password).await;
    let overview: serde_json::Value = app
        .call(&laptop, "security/overview", &[])
        .await
        .json()
        .await
        .expect("json");
    let sessions = overview["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    let phone_id = sessions
        .iter()
        .find(|s| s["current"] == false)
        .and_then(|s| s["id"].as_i64())
        .expect("the other session");
    let response = app
        .call(
            &laptop,
            "security/end_session",
            &[("session_id", &phone_id.to_string())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let me = app
        .call(&phone, "accounts/current_user", &[])
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(me, "null", "the phone is signed out");

    app.sign_in(&phone, &person.email, &person.password).await;
    let response = app
        .call(
            &laptop,
            "security/change_password",
            &[
                ("current", "wrong password!!"),
                ("password", "a new long password"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "re-authentication"
    );
    let response = app
        .call(
            &laptop,
            "security/change_password",
            &[
                ("current", &person.password),
                ("password", "a new long password"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.count("sessions").await, 1, "only this session is left");
    let response = app
        .sign_in(&app.client(), &person.email, "a new long password")
        .await;
    assert!(accepted(response.status()));
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_and_raise_a_security_event() {
    let app = TestApp::start().await;
    let (_, person) = app.signed_in_client("target").await;
    let client = app.client();
    for _ in 0..5 {
        let response = app
            .sign_in(&client, &person.email, "wrong password!!")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits.
    let response = app.sign_in(&client, &person.email, &person.password).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM security_events WHERE kind = 'sign_in_burst'")
            .await,
        1
    );
    // An administrator sees it.
    let (admin, admin_person) = app.staff_client("admin", Role::Administrator).await;
    // Administration needs a second factor.
    app.enrol_mfa(&admin, &admin_person.password).await;
    let events: serde_json::Value = app
        .call(&admin, "admin/security_events", &[])
        .await
        .json()
        .await
        .expect("json");
    assert!(
        events
            .as_array()
            .expect("list")
            .iter()
            .any(|e| e["kind"] == "sign_in_burst")
    );
    // A patient does not.
    let (patient, _) = app.signed_in_client("curious").await;
    let response = app.call(&patient, "admin/security_events", &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
