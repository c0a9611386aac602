//! `cargo xtask bench`: the request path, each figure against this machine's
//! limit measured in the same run.
//!
//! - a signed-in page render (`GET /`) vs a bare axum handler answering the
//!   same HTML bytes from memory;
//! - a trivial authenticated server function (`current_user`) vs a bare axum
//!   handler answering the same JSON from memory.
//!
//! Load comes from the same process over loopback (keep-alive, fixed
//! concurrency, fixed duration), so client overhead weighs on both sides alike.

use axum::Router;
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 16;
const DURATION: Duration = Duration::from_secs(4);
const WARM_UP: Duration = Duration::from_millis(500);

struct Figure {
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
}

#[derive(Clone)]
enum Call {
    Get(String),
    Post(String, &'static str),
}

mod support;

fn main() {
    support::block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = support::temp_config(dir.path());
    let hale = support::serve_hale(config).await;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let cookie = sign_up(&client, hale).await;

    // The bytes our server answers, so the limit answers exactly the same.
    let page_html = fetch(&client, &Call::Get(format!("http://{hale}/")), &cookie).await;
    let user_json = fetch(
        &client,
        &Call::Post(format!("http://{hale}/api/accounts/current_user"), ""),
        &cookie,
    )
    .await;
    assert!(
        page_html.contains("Bench Person"),
        "the page is rendered for the signed-in user"
    );
    assert!(
        user_json.contains("Bench Person"),
        "the server function answers the user"
    );
    let bare = serve_bare(page_html.clone(), user_json.clone()).await;

    let rows = [
        (
            "signed-in page render (GET /)",
            Call::Get(format!("http://{hale}/")),
            Call::Get(format!("http://{bare}/")),
        ),
        (
            "authenticated server function (current_user)",
            Call::Post(format!("http://{hale}/api/accounts/current_user"), ""),
            Call::Post(format!("http://{bare}/api/accounts/current_user"), ""),
        ),
    ];
    println!();
    println!(
        "| benchmark | ours (req/s) | limit: bare axum (req/s) | ratio | ours p50 / p99 | limit p50 / p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, ours, limit) in rows {
        let ours = load(&client, ours, &cookie).await;
        let limit = load(&client, limit, &cookie).await;
        println!(
            "| {name} | {:.0} | {:.0} | {:.2}× | {:.2} / {:.2} ms | {:.2} / {:.2} ms |",
            ours.requests_per_second,
            limit.requests_per_second,
            ours.requests_per_second / limit.requests_per_second,
            ms(ours.p50),
            ms(ours.p99),
            ms(limit.p50),
            ms(limit.p99),
        );
    }
    println!();
    println!(
        "(concurrency {CONCURRENCY}, {}s per figure, client and server in one process on {} cores; page {} bytes)",
        DURATION.as_secs(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        page_html.len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn serve_bare(page: String, json: String) -> SocketAddr {
    let page = Arc::new(page);
    let json = Arc::new(json);
    let app = Router::new()
        .route(
            "/",
            get(move || {
                let page = page.clone();
                async move { axum::response::Html(page.as_str().to_owned()) }
            }),
        )
        .route(
            "/api/accounts/current_user",
            post(move || {
                let json = json.clone();
                async move {
                    (
                        [(http::header::CONTENT_TYPE, "application/json")],
                        json.as_str().to_owned(),
                    )
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("bare serve") });
    addr
}

async fn sign_up(client: &reqwest::Client, hale: SocketAddr) -> String {
    let response = client
        .post(format!("http://{hale}/api/accounts/sign_up"))
        .form(&[
            ("name", "Bench Person"),
            ("email", "bench@hale.example"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .expect("sign up");
    response
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hale_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

async fn fetch(client: &reqwest::Client, call: &Call, cookie: &str) -> String {
    let request = match call {
        Call::Get(url) => client.get(url),
        Call::Post(url, body) => client.post(url).body(*body),
    };
    let response = request
        .header("cookie", cookie)
        .header("accept", "application/json")
        .send()
        .await
        .expect("request");
    assert!(response.status().is_success(), "{}", response.status());
    response.text().await.expect("body")
}

async fn load(client: &reqwest::Client, call: Call, cookie: &str) -> Figure {
    let warm_until = Instant::now() + WARM_UP;
    while Instant::now() < warm_until {
        fetch(client, &call, cookie).await;
    }
    let start = Instant::now();
    let end = start + DURATION;
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, call, cookie) = (client.clone(), call.clone(), cookie.to_owned());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < end {
                    let t = Instant::now();
                    fetch(&client, &call, &cookie).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    Figure {
        requests_per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}
