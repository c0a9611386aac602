//! Process plumbing: health checks, security headers, request ids, limits,
//! static assets and the same-origin check.

use crate::harness::TestApp;
use reqwest::StatusCode;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
};

#[tokio::test]
async fn healthz_answers_and_readyz_checks_database_and_blobs() {
    let app = TestApp::start().await;
    let alive = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);

    let ready = app.client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    assert_eq!(body["blobs"], "ok");
}

#[tokio::test]
async fn readyz_names_the_blob_store_when_it_is_unreachable() {
    let app = TestApp::start().await;
    let blobs = app.dir.path().join("blobs");
    std::fs::remove_dir_all(&blobs).unwrap();
    std::fs::write(&blobs, b"not a folder").unwrap();
    let ready = app.client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["failing"], serde_json::json!(["blobs"]));
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::start().await;
    for path in ["/sign-in", "/healthz", "/no-such-page", "/sw.js"] {
        let response = app.client().get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[REFERRER_POLICY], "same-origin", "{path}");
        let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!headers.contains_key(STRICT_TRANSPORT_SECURITY), "{path}");
    }
}

#[tokio::test]
async fn a_page_has_a_fresh_nonce_that_its_scripts_carry() {
    let app = TestApp::start().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = app.client().get(app.url("/sign-in")).send().await.unwrap();
        let csp = response.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the page's policy")
            .to_owned();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "scripts carry the nonce"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "each response has its own nonce");
}

#[tokio::test]
async fn hsts_is_sent_when_served_over_tls() {
    let app = TestApp::start_with(&[("HALE_PUBLIC_URL", "https://hale.example")]).await;
    let response = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert!(
        response.headers()[STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn requests_get_an_id_and_keep_one_they_bring() {
    let app = TestApp::start().await;
    let response = app.client().get(app.url("/healthz")).send().await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let response = app
        .client()
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_the_server_keeps_serving() {
    let app = TestApp::start_with(&[("HALE_LIMITS_BODY_BYTES", "65536")]).await;
    let big = "x".repeat(200_000);
    let response = app
        .client()
        .post(app.url("/api/accounts/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email=a%40b.c&password={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let alive = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_page() {
    let app = TestApp::start().await;
    let response = app
        .client()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    assert!(response.text().await.unwrap().contains("Page not found"));
    let api = app
        .client()
        .post(app.url("/api/no/such/function"))
        .header("origin", app.url(""))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = TestApp::start().await;
    let response = app
        .client()
        .post(app.url("/api/accounts/sign_up"))
        .header("origin", "http://evil.example")
        .form(&[
            ("name", "Mallory"),
            ("email", "mallory@hale.example"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let sneaky = app
        .client()
        .post(app.url("/api/accounts/sign_up"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("name", "Mallory"),
            ("email", "mallory@hale.example"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sneaky.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("accounts").await, 0);

    let same_site = app
        .client()
        .post(app.url("/api/accounts/sign_up"))
        .header("origin", format!("http://{}", app.addr))
        .form(&[
            ("name", "Ada"),
            ("email", "ada@hale.example"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert!(same_site.status().is_success() || same_site.status().is_redirection());
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn hashed_assets_are_cached_forever_and_served_precompressed() {
    let app = TestApp::start().await;
    let file = app.dir.path().join("site/pkg/hale.0123456789abcdef.js");
    std::fs::write(&file, "console.log('hale');\n".repeat(200)).unwrap();
    assert!(hale_server::routes::assets::precompress(&file).unwrap());
    assert!(
        !hale_server::routes::assets::precompress(&file).unwrap(),
        "done once"
    );

    let response = app
        .client()
        .get(app.url("/pkg/hale.0123456789abcdef.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        response.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let page = app.client().get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
}
