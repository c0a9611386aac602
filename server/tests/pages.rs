//! Pages under concurrent requests, in a test binary of their own: the one
//! server in this process, as in production. (Leptos's reactive graph can
//! deadlock across several in-process servers on different threads; inside
//! the shared `it` binary this check would measure that, not Hale.)

#[allow(dead_code)]
#[path = "it/harness.rs"]
mod harness;

use harness::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn add(app: &TestApp, client: &harness::Browser, input: serde_json::Value) {
    let response = app
        .call_json(
            client,
            "meds/save",
            json!({ "patient_id": null, "id": null, "input": input }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "save medication");
}

fn daily(name: &str, times: &[&str]) -> serde_json::Value {
    json!({
        "name": name, "strength": "500 mg", "form": "tablet", "start_date": "2020-01-01",
        "schedule": { "kind": "times", "times": times, "dose": 1 }
    })
}

/// The medication pages render while many are asked for at once (a lock-order
/// deadlock between a resource in the page frame and the page's own once
/// stopped the whole server here).
#[tokio::test]
async fn the_medication_pages_render_under_concurrent_requests() {
    let app = TestApp::start().await;
    let (ann, _) = app.signed_in_client("ann").await;
    add(&app, &ann, daily("Metformin", &["00:00", "12:00"])).await;
    let mut prn = daily("Ibuprofen", &[]);
    prn["schedule"] = json!({ "kind": "as_needed", "dose": 1, "max_per_day": 4 });
    add(&app, &ann, prn).await;
    let pages = [
        "/today",
        "/medications",
        "/notifications",
        "/settings/notifications",
        "/today",
    ];
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..60 {
        let client = ann.http.clone();
        let url = app.url(pages[i % pages.len()]);
        requests.spawn(async move {
            let response = client.get(url).send().await.expect("page");
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.expect("body")
        });
    }
    let bodies = tokio::time::timeout(std::time::Duration::from_secs(60), requests.join_all())
        .await
        .expect("every page answers: the server must not hang");
    assert!(bodies.iter().any(|b| b.contains("Ibuprofen")));
}
