//! Sign-up, sign-in, sign-out and sessions, against the real server.

use crate::harness::{Person, TestApp};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hale_session="))
        .map(str::to_owned)
}

fn is_success(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

#[tokio::test]
async fn sign_up_creates_an_account_and_a_session_that_shows_the_home_page() {
    let app = TestApp::start().await;
    let client = app.client();
    let person = Person::new("ada");
    let response = app.sign_up(&client, &person).await;
    assert!(is_success(response.status()), "{}", response.status());
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");

    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("Test ada"),
        "the home page shows the user's name"
    );
    assert_eq!(app.count("accounts").await, 1);
    assert_eq!(app.count("sessions").await, 1);
}

#[tokio::test]
async fn protected_pages_send_anonymous_visitors_to_sign_in() {
    let app = TestApp::start().await;
    for path in ["/", "/dashboard", "/medications"] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()[LOCATION], "/sign-in", "{path}");
    }
    let sign_in = app.client().get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(sign_in.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_failed_sign_in_never_says_whether_the_email_exists() {
    let app = TestApp::start().await;
    let (_, person) = app.signed_in_client("grace").await;

    let wrong_password = app
        .sign_in(&app.client(), &person.email, "not the password at all")
        .await;
    let unknown_email = app
        .sign_in(
            &app.client(),
            "nobody@hale.example",
            "not the password at all",
        )
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_email.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&wrong_password).is_none());
    let (a, b) = (
        wrong_password.text().await.unwrap(),
        unknown_email.text().await.unwrap(),
    );
    assert_eq!(a, b);
    assert!(a.contains("BadCredentials"), "{a}");
    assert_eq!(app.count("sessions").await, 1, "only the sign-up's session");
}

#[tokio::test]
async fn sign_in_accepts_the_email_in_any_case_and_rotates_the_session() {
    let app = TestApp::start().await;
    let (client, person) = app.signed_in_client("hopper").await;
    let first = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);

    // Remember the first session's cookie, then sign in again in the same browser.
    let old_cookie = format!("hale_session={}", client.session_token().expect("token"));
    let response = app
        .sign_in(&client, &person.email.to_uppercase(), &person.password)
        .await;
    assert!(is_success(response.status()), "{}", response.status());
    let new_cookie = session_cookie(&response).expect("a new session cookie");
    assert!(!new_cookie.starts_with(&old_cookie));
    assert_eq!(app.count("sessions").await, 1, "the old session ended");

    let replay = app
        .client()
        .get(app.url("/"))
        .header("cookie", old_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::SEE_OTHER,
        "the old token is dead"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("lamarr").await;
    let token = client.session_token().expect("token");
    let response = app.call(&client, "accounts/sign_out", &[]).await;
    assert!(is_success(response.status()), "{}", response.status());
    let cleared = session_cookie(&response).expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(app.count("sessions").await, 0);

    let replay = app
        .client()
        .get(app.url("/"))
        .header("cookie", format!("hale_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::start_with(&[("HALE_SESSIONS_IDLE_MINUTES", "5")]).await;
    let (client, _) = app.signed_in_client("idle").await;
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::OK
    );
    app.execute("UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00+00:00'")
        .await;
    let after = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("sessions").await,
        0,
        "the expired session is removed"
    );
}

#[tokio::test]
async fn a_session_past_its_absolute_expiry_ends_however_active() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("absolute").await;
    app.execute("UPDATE sessions SET expires_at = '2020-01-01T00:00:00+00:00'")
        .await;
    let after = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn bad_sign_up_input_gets_a_clear_error_and_creates_nothing() {
    let app = TestApp::start().await;
    let client = app.client();
    let cases = [
        (
            "not-an-email",
            "a long enough password",
            "InvalidEmail",
            422,
        ),
        ("ok@hale.example", "short", "PasswordTooShort", 422),
    ];
    for (email, password, error, status) in cases {
        let response = app
            .call(
                &client,
                "accounts/sign_up",
                &[
                    ("name", "Someone"),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), status, "{email}");
        assert!(session_cookie(&response).is_none());
        let body = response.text().await.unwrap();
        assert!(body.contains(error), "{body}");
    }
    let no_name = app
        .call(
            &client,
            "accounts/sign_up",
            &[
                ("name", "  "),
                ("email", "x@hale.example"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(no_name.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("accounts").await, 0);
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn signing_up_twice_with_one_email_is_refused() {
    let app = TestApp::start().await;
    let (_, person) = app.signed_in_client("twice").await;
    let again = app
        .sign_up(
            &app.client(),
            &Person {
                email: person.email.to_uppercase(),
                ..Person::new("twice")
            },
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("EmailTaken"));
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn the_chosen_language_is_kept_on_the_account_and_restored_at_sign_in() {
    let app = TestApp::start().await;
    let (client, person) = app.signed_in_client("lang").await;
    let saved = app
        .call(&client, "accounts/save_locale", &[("locale", "zh-TW")])
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let unsupported = app
        .call(&client, "accounts/save_locale", &[("locale", "xx")])
        .await;
    assert_eq!(unsupported.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let other = app.client();
    let response = app.sign_in(&other, &person.email, &person.password).await;
    let cookies: Vec<_> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("hale_locale=zh-TW")),
        "{cookies:?}"
    );
    let home = app.page(&other, "/").await;
    assert!(
        home.contains("您好"),
        "the home page is in Traditional Chinese"
    );

    let anonymous = app
        .call(&app.client(), "accounts/save_locale", &[("locale", "en")])
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    let app = TestApp::start().await;
    let (client, person) = app.signed_in_client("disabled").await;
    app.execute("UPDATE accounts SET disabled_at = '2026-01-01T00:00:00+00:00'")
        .await;
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "the live session ended"
    );
    let again = app
        .sign_in(&app.client(), &person.email, &person.password)
        .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    assert!(again.text().await.unwrap().contains("BadCredentials"));
    assert_eq!(app.count("sessions").await, 0);
}
