//! What the benchmarks share: the runtime, a throw-away configuration, an
//! in-process Hale server, percentiles. Each bench uses part of it.
#![allow(dead_code)]

use hale_server::config::Config;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// Runs a bench's async body on a multi-threaded runtime.
pub fn block_on(body: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(body);
}

/// A configuration over a SQLite file, a blob folder and an empty site in
/// `dir`, logging errors only.
pub fn temp_config(dir: &Path) -> Config {
    let config = Config::for_tests(dir, &[("HALE_LOG", "error")]);
    hale_server::telemetry::init(&config.log);
    config
}

/// Serves Hale in this process on a free loopback port; answers once ready.
pub async fn serve_hale(config: Config) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { hale_server::serve(config, listener).await.expect("serve") });
    for _ in 0..400 {
        if reqwest::get(format!("http://{addr}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return addr;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("hale did not start");
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// The `p` percentile (0–1) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A migrated SQLite database in `dir` with one patient, and that patient as
/// the actor of a request.
pub async fn db_with_patient(
    dir: &Path,
) -> (sea_orm::DatabaseConnection, hale_app::identity::Actor) {
    let config = Config::for_tests(dir, &[]);
    let db = hale_app::db::connect(config.database_url.expose())
        .await
        .expect("db");
    hale_app::db::migrate(&db).await.expect("migrate");
    let patient = hale_app::accounts::service::sign_up(
        &db,
        hale_app::accounts::service::NewAccount {
            email: "bench@hale.example",
            display_name: "Bench",
            password: "a long enough password",
        },
    )
    .await
    .expect("patient");
    let actor = hale_app::identity::Actor {
        account_id: patient.id,
        role: hale_app::identity::Role::Patient,
        mfa: false,
        scopes: None,
        client: hale_app::identity::ClientMeta {
            ip: Some("127.0.0.1".into()),
            user_agent: Some("hale-bench".into()),
        },
    };
    (db, actor)
}
