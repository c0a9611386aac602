//! Nothing lost, nothing stuck: a full disk under SQLite, instances started
//! together on PostgreSQL, a batch killed mid-write.

use crate::harness::{SecondProcess, TestApp};
use crate::postgres::PgServer;
use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Whether this process may mount file systems (root, or root of its own
/// user namespace).
fn may_mount() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|uids| uids.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// Runs this one test again inside a user and mount namespace of its own
/// (`unshare`, util-linux), where it may mount a small tmpfs; answers false
/// when already allowed to mount here.
fn rerun_in_namespace(test: &str) -> bool {
    if may_mount() {
        return false;
    }
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "--"])
        .arg(std::env::current_exe().expect("test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .status()
        .expect("unshare (util-linux) runs the test in a mount namespace");
    assert!(status.success(), "{test} failed in its mount namespace");
    true
}

/// A tmpfs of a few MB mounted over a temporary folder; unmounted on drop
/// (after the app that used the folder has gone).
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    /// Mounts it; the folder itself is handed to the app.
    fn mount(bytes: u64) -> (SmallDisk, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount");
        assert!(
            status.success(),
            "cannot mount a tmpfs for the full-disk test"
        );
        (SmallDisk(dir.path().to_owned()), dir)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Fills the disk under `dir` with one file until it is full; answers its path.
fn fill(dir: &Path) -> std::path::PathBuf {
    use std::io::Write as _;
    let path = dir.join("ballast");
    let mut file = std::fs::File::create(&path).expect("ballast");
    let block = vec![0u8; 64 * 1024];
    loop {
        if file.write_all(&block).is_err() || file.sync_data().is_err() {
            break;
        }
    }
    // The last few bytes too.
    let small = [0u8; 512];
    while file.write_all(&small).is_ok() && file.sync_data().is_ok() {}
    path
}

async fn post(app: &TestApp, token: &str, batch: usize) -> (StatusCode, serde_json::Value) {
    let base = 1_790_000_000 + batch as i64 * 1000 * 60;
    let items: Vec<serde_json::Value> = (0..200)
        .map(|i| {
            json!({
                "kind": "heart_rate",
                "time": chrono::DateTime::from_timestamp(base + i * 60, 0).unwrap().to_rfc3339(),
                "value": 60 + i % 30,
                "unit": "/min",
            })
        })
        .collect();
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/observations"))
        .bearer_auth(token)
        .json(&items)
        .send()
        .await
        .expect("post");
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

async fn ready(app: &TestApp) -> StatusCode {
    reqwest::get(app.url("/readyz"))
        .await
        .map(|r| r.status())
        .unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}

#[tokio::test]
async fn a_full_disk_refuses_writes_loudly_loses_no_acknowledged_write_and_recovers() {
    if rerun_in_namespace(
        "reliability::a_full_disk_refuses_writes_loudly_loses_no_acknowledged_write_and_recovers",
    ) {
        return;
    }
    let (_disk, dir) = SmallDisk::mount(48 << 20);
    let root = dir.path().to_owned();
    let mut app = TestApp::start_in(TestApp::listener().await, dir, &[]).await;
    let (client, _) = app.signed_in_client("full").await;
    let token = app.token(&client, "observations:write").await;

    let mut acknowledged = 0i64;
    let mut batch = 0;
    let mut post_counted = async |batch: usize| {
        let (status, report) = post(&app, &token, batch).await;
        if status == StatusCode::OK {
            acknowledged += report["stored"].as_i64().expect("stored");
        }
        (status, report)
    };
    for _ in 0..5 {
        assert_eq!(post_counted(batch).await.0, StatusCode::OK);
        batch += 1;
    }
    // The disk fills up mid-ingest.
    let ballast = fill(&root);
    let mut refused = 0;
    for _ in 0..30 {
        let (status, report) = post_counted(batch).await;
        batch += 1;
        if status == StatusCode::INSUFFICIENT_STORAGE {
            refused += 1;
            assert!(
                report["error"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("storage is full"),
                "{report}"
            );
        } else {
            assert_eq!(status, StatusCode::OK, "{report}");
        }
    }
    assert!(
        refused >= 20,
        "writes on a full disk are refused, not acknowledged ({refused} of 30)"
    );
    assert_eq!(
        ready(&app).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "/readyz says so"
    );
    let body = reqwest::get(app.url("/readyz"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("\"disk\":\"failing\""), "{body}");

    // Space returns: service resumes by itself.
    std::fs::remove_file(&ballast).expect("free the disk");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, _) = post_counted(batch).await;
        batch += 1;
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "writes did not resume");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for _ in 0..5 {
        assert_eq!(post_counted(batch).await.0, StatusCode::OK);
        batch += 1;
    }
    assert_eq!(ready(&app).await, StatusCode::OK, "/readyz recovers");
    // No transaction is left open: another connection writes at once.
    app.execute("UPDATE hale_probe SET at_ms = 1 WHERE id = 1")
        .await;

    // After a restart, every acknowledged reading is in the file.
    let url = app.config.database_url.expose().to_owned();
    app.stop().await;
    let db = hale_app::db::connect(&url).await.expect("reopen");
    use sea_orm::ConnectionTrait as _;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM observations",
        ))
        .await
        .expect("count")
        .expect("row");
    let stored: i64 = row.try_get("", "n").expect("n");
    assert_eq!(
        stored, acknowledged,
        "every acknowledged reading, and only those"
    );
}

/// Child processes killed when this goes away (also when a test fails).
struct Children(Vec<(std::process::Child, u16)>);

impl Drop for Children {
    fn drop(&mut self) {
        for (child, _) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A `hale serve` process of its own on `database_url`, with its own site and
/// blob folder under `dir` and the master key file shared in `dir`.
fn serve_process(dir: &Path, n: usize, database_url: &str) -> (std::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let site = dir.join(format!("site-{n}"));
    std::fs::create_dir_all(site.join("pkg")).expect("site");
    let child = Command::new(env!("CARGO_BIN_EXE_hale"))
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("HALE_LOG", "warn")
        .env("HALE_DATABASE_URL", database_url)
        .env("HALE_BLOBS_ROOT", dir.join("blobs"))
        .env("HALE_FILES_KEY_PATH", dir.join("master.key"))
        .env("HALE_SITE_ROOT", &site)
        .env("HALE_SITE_ADDR", format!("127.0.0.1:{port}"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hale serve");
    (child, port)
}

#[tokio::test]
async fn instances_started_together_on_an_empty_postgresql_migrate_once_and_all_serve() {
    let pg = PgServer::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut servers = Children(
        (0..3)
            .map(|n| serve_process(dir.path(), n, &pg.url))
            .collect(),
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    for (child, port) in &mut servers.0 {
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                use std::io::Read as _;
                let _ = child
                    .stderr
                    .take()
                    .map(|mut e| e.read_to_string(&mut stderr));
                panic!("an instance exited ({status}): {stderr}");
            }
            if reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
            {
                break;
            }
            assert!(Instant::now() < deadline, "an instance never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Each migration ran once.
    let db = hale_app::db::connect(&pg.url).await.expect("db");
    use sea_orm::ConnectionTrait as _;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n, COUNT(DISTINCT name) AS d FROM hale_migrations",
        ))
        .await
        .expect("query")
        .expect("row");
    let (n, d): (i64, i64) = (row.try_get("", "n").unwrap(), row.try_get("", "d").unwrap());
    assert_eq!((n, d), (hale_app::db::MIGRATIONS.len() as i64, n));
}

#[tokio::test]
async fn a_deployment_without_the_key_of_its_stored_files_refuses_to_start_and_names_it() {
    let mut app = TestApp::start().await;
    let (client, _) = app.signed_in_client("keyless").await;
    let (status, _) = crate::files::upload(&app, &client, "scan.pdf", b"%PDF-1.4\n%%EOF\n").await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
    std::fs::remove_file(app.dir.path().join("master.key")).expect("the key file");
    let (mut child, port) = {
        let site = app.dir.path().join("site");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_hale"))
            .arg("serve")
            .current_dir(app.dir.path())
            .env_clear()
            .env("HALE_DATABASE_URL", app.config.database_url.expose())
            .env("HALE_BLOBS_ROOT", app.dir.path().join("blobs"))
            .env("HALE_FILES_KEY_PATH", app.dir.path().join("master.key"))
            .env("HALE_SITE_ROOT", &site)
            .env("HALE_SITE_ADDR", format!("127.0.0.1:{port}"))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("hale serve");
        (child, port)
    };
    let status = child.wait().expect("it stops");
    assert!(!status.success(), "it refuses to start (port {port})");
    let mut stderr = String::new();
    use std::io::Read as _;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stderr.contains("master.key") && stderr.contains("missing"),
        "{stderr}"
    );
    assert!(
        !app.dir.path().join("master.key").exists(),
        "no new key was made"
    );
    // With a wrong key given instead, it refuses too.
    let wrong = hale_app::files::crypt::MasterKeys::generate_text();
    let output = Command::new(env!("CARGO_BIN_EXE_hale"))
        .arg("serve")
        .current_dir(app.dir.path())
        .env_clear()
        .env("HALE_DATABASE_URL", app.config.database_url.expose())
        .env("HALE_MASTER_KEY", wrong.trim())
        .env("HALE_SITE_ROOT", app.dir.path().join("site"))
        .env("HALE_SITE_ADDR", "127.0.0.1:0")
        .output()
        .expect("hale serve");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("does not open the files"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A batch of `n` heart-rate readings from two sources, starting at `start`.
fn two_source_batch(start: i64, n: usize) -> serde_json::Value {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            json!({
                "kind": "heart_rate",
                "time": chrono::DateTime::from_timestamp(start + i as i64 * 60, 0).unwrap().to_rfc3339(),
                "value": 60 + i % 30,
                "unit": "/min",
                "source": if i % 2 == 0 { "Watch" } else { "Chest strap" },
            })
        })
        .collect();
    json!(items)
}

#[tokio::test]
async fn a_batch_from_two_sources_killed_mid_write_is_stored_whole_or_not_at_all() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("two-sources").await;
    let token = app.token(&client, "observations:write").await;
    let http = reqwest::Client::new();
    // How long one batch takes, unkilled.
    let second = SecondProcess::start(&app, &[]);
    second.wait_ready().await;
    let started = Instant::now();
    let response = http
        .post(format!(
            "http://127.0.0.1:{}/api/v1/observations",
            second.port
        ))
        .bearer_auth(&token)
        .json(&two_source_batch(1_700_000_000, 5000))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    let took = started.elapsed();
    for trial in 0..12u32 {
        let second = SecondProcess::start(&app, &[]);
        second.wait_ready().await;
        let start = 1_710_000_000 + i64::from(trial) * 10_000_000;
        let request = http
            .post(format!(
                "http://127.0.0.1:{}/api/v1/observations",
                second.port
            ))
            .bearer_auth(&token)
            .json(&two_source_batch(start, 5000))
            .send();
        let request = tokio::spawn(request);
        // Killed at a different moment of the write each time.
        tokio::time::sleep(took.mul_f64(0.1 + 0.08 * f64::from(trial))).await;
        second.kill_hard();
        let answered = request.await.expect("task").ok().map(|r| r.status());
        let stored = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM observations WHERE start_s >= {start} AND start_s < {}",
                start + 5000 * 60
            ))
            .await;
        assert!(
            stored == 0 || stored == 5000,
            "trial {trial}: {stored} of 5000 readings stored (answer {answered:?})"
        );
        if answered == Some(StatusCode::OK) {
            assert_eq!(stored, 5000, "an acknowledged batch is stored whole");
        }
    }
}

#[tokio::test]
async fn a_batch_whose_second_source_fails_to_store_leaves_nothing_of_the_first() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("half-batch").await;
    let token = app.token(&client, "observations:write").await;
    // The database refuses the second source's rows (as a full disk or a
    // crash would stop them).
    app.execute(
        "CREATE TRIGGER refuse_watch BEFORE INSERT ON observations \
         WHEN NEW.source = 'Watch' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/observations"))
        .bearer_auth(&token)
        .json(&two_source_batch(1_720_000_000, 1000))
        .send()
        .await
        .expect("post");
    assert!(response.status().is_server_error(), "{}", response.status());
    assert_eq!(
        app.count("observations").await,
        0,
        "nothing of the batch is stored"
    );
    assert_eq!(
        app.count("rollup_marks").await,
        0,
        "and no rollup is marked"
    );
}

/// The peak resident memory (VmHWM) of a process, in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A client with its own cookies, like a browser.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn memory_stays_bounded_under_a_burst_of_sign_ins_and_an_endless_line() {
    // A process of its own, so that its memory (and its job worker) is all
    // this test's.
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/hale.db?mode=rwc", dir.path().display());
    let server = Children(vec![serve_process(dir.path(), 0, &url)]);
    let (pid, port) = (server.0[0].0.id(), server.0[0].1);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reqwest::get(format!("{base}/readyz"))
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
    {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let call = |client: &reqwest::Client, endpoint: &str, form: Vec<(&str, String)>| {
        client
            .post(format!("{base}/api/{endpoint}"))
            .header("accept", "application/json")
            .form(&form)
            .send()
    };
    let password = "a long enough password".to_owned();
    for n in 0..4 {
        let response = call(
            &browser(),
            "accounts/sign_up",
            vec![
                ("name", format!("Burst {n}")),
                ("email", format!("burst-{n}@hale.example")),
                ("password", password.clone()),
            ],
        )
        .await
        .expect("sign up");
        assert!(response.status().is_success(), "{}", response.status());
    }
    let idle = peak_rss_mib(pid);
    // 48 sign-ins at once, right and wrong passwords.
    let mut tasks = Vec::new();
    for i in 0..48 {
        let form = vec![
            ("email", format!("burst-{}@hale.example", i % 4)),
            (
                "password",
                if i % 3 == 0 {
                    "a wrong password".to_owned()
                } else {
                    password.clone()
                },
            ),
        ];
        tasks.push(tokio::spawn(call(&browser(), "accounts/sign_in", form)));
    }
    for task in tasks {
        let status = task.await.expect("task").expect("answer").status();
        assert!(
            status.is_success()
                || status == StatusCode::UNAUTHORIZED
                || status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE,
            "{status}"
        );
    }
    let after_sign_ins = peak_rss_mib(pid);
    // At most four hashing threads of 19 MiB each, and little else.
    assert!(
        after_sign_ins - idle < 120.0,
        "48 sign-ins at once took the process from {idle:.0} to {after_sign_ins:.0} MiB"
    );

    // A CSV with one line of 100 MB.
    let client = browser();
    let response = call(
        &client,
        "accounts/sign_up",
        vec![
            ("name", "Endless".to_owned()),
            ("email", "endless@hale.example".to_owned()),
            ("password", password.clone()),
        ],
    )
    .await
    .expect("sign up");
    assert!(response.status().is_success());
    let mut csv = b"time,kind,value,unit\n".to_vec();
    csv.extend(std::iter::repeat_n(b'7', 100 << 20));
    csv.extend_from_slice(b"\n2026-11-01T08:00:00Z,heart_rate,61,bpm\n");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv).file_name("endless.csv"),
    );
    let before_line = peak_rss_mib(pid);
    let response = client
        .post(format!("{base}/dashboard/import/upload"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = location
        .split("id=")
        .nth(1)
        .expect("an import id")
        .to_owned();
    let view = loop {
        let view: serde_json::Value =
            call(&client, "health/import", vec![("import_id", id.clone())])
                .await
                .expect("import")
                .json()
                .await
                .expect("json");
        if matches!(view["state"].as_str(), Some("done" | "failed")) {
            break view;
        }
        assert!(
            Instant::now() < deadline + Duration::from_secs(120),
            "{view}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let after_line = peak_rss_mib(pid);
    assert!(
        after_line - before_line < 60.0,
        "a 100 MB line took the process from {before_line:.0} to {after_line:.0} MiB"
    );
    assert_eq!(
        view["imported"], 1,
        "the line after it is still read: {view}"
    );
    assert_eq!(view["rejected"], 1, "{view}");
}

/// Sends a raw HTTP/1.1 request; answers the status and the body.
async fn raw(app: &TestApp, head: &str, body: impl IntoIterator<Item = Vec<u8>>) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    for chunk in body {
        if stream.write_all(&chunk).await.is_err() {
            break; // the server may stop reading once it has refused
        }
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn every_door_answers_errors_in_one_json_shape_with_the_right_status() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("errors").await;
    let token = app.token(&client, "observations:write").await;
    let host = app.addr;
    // A 3 MB body sent in chunks, without a length: too large, not unreadable.
    let chunk = |n: usize| {
        let data = vec![b' '; n];
        let mut framed = format!("{n:x}\r\n").into_bytes();
        framed.extend_from_slice(&data);
        framed.extend_from_slice(b"\r\n");
        framed
    };
    let mut chunks: Vec<Vec<u8>> = (0..48).map(|_| chunk(64 * 1024)).collect();
    chunks.push(b"0\r\n\r\n".to_vec());
    let (status, text) = raw(
        &app,
        &format!(
            "POST /api/v1/observations HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ),
        chunks,
    )
    .await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("{\"error\":"), "{text}");
    // The same with a length.
    let (status, text) = raw(
        &app,
        &format!(
            "POST /api/v1/observations HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 3145728\r\nConnection: close\r\n\r\n"
        ),
        (0..48).map(|_| vec![b' '; 64 * 1024]),
    )
    .await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("{\"error\":"), "{text}");
    // An extractor's rejection and a wrong method are JSON too.
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/observations?patient_id=not-a-number"))
        .bearer_auth(&token)
        .json(&json!([]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.expect("a JSON error");
    assert_eq!(body["error"], "The request cannot be read.");
    let response = reqwest::Client::new()
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = response.json().await.expect("a JSON error");
    assert!(body["error"].is_string());
    // A page that does not exist stays a page.
    let response = client.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn silent_and_trickling_connections_are_closed() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app = TestApp::start_with(&[("HALE_LIMITS_HEADER_READ_SECONDS", "2")]).await;
    // A connection that says nothing.
    let started = Instant::now();
    let mut silent = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buf)).await;
    assert!(read.is_ok(), "a silent connection is still open after 10 s");
    assert!(started.elapsed() < Duration::from_secs(6));
    // A connection that sends its headers a byte a second.
    let started = Instant::now();
    let mut trickle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut closed = false;
    for byte in request {
        if trickle.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        if started.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    if !closed {
        let answer = tokio::time::timeout(Duration::from_secs(2), trickle.read(&mut buf)).await;
        closed = matches!(answer, Ok(Ok(0)) | Ok(Err(_)))
            || matches!(answer, Ok(Ok(n)) if String::from_utf8_lossy(&buf[..n]).contains("408"));
    }
    assert!(closed, "a trickling connection is still served");
    assert!(started.elapsed() < Duration::from_secs(12));
    // An idle keep-alive connection after a request is closed too.
    let mut idle = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = idle.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let rest = tokio::time::timeout(Duration::from_secs(10), idle.read(&mut answer)).await;
    assert!(
        matches!(rest, Ok(Ok(0)) | Ok(Err(_))),
        "an idle connection stays open"
    );
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn a_backup_finishes_under_continuous_ingest_and_is_a_whole_database() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("backup").await;
    let token = app.token(&client, "observations:write").await;
    // Writers that do not stop while the copy is made.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let url = app.url("/api/v1/observations");
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut sent = 0u64;
            let mut at = chrono::Utc::now().timestamp() - 30 * 24 * 3600;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let batch: Vec<serde_json::Value> = (0..200)
                    .map(|i| {
                        serde_json::json!({"kind": "heart_rate", "value": 60 + i % 40, "unit": "/min",
                            "time": chrono::DateTime::from_timestamp(at + i, 0).unwrap().to_rfc3339()})
                    })
                    .collect();
                at += 200;
                let answer = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&batch)
                    .send()
                    .await;
                if answer.is_ok_and(|a| a.status().is_success()) {
                    sent += 1;
                }
            }
            sent
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let copy = app.dir.path().join("copy.db");
    let database_url = app.config.database_url.expose().to_owned();
    let copy_path = copy.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_hale"))
            .args(["backup", "--to"])
            .arg(&copy_path)
            .env_clear()
            .env("HALE_LOG", "warn")
            .env("HALE_DATABASE_URL", database_url)
            .output()
            .expect("hale backup")
    })
    .await
    .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let batches = writer.await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(batches > 0, "the writers ran");
    let copied = hale_app::db::connect(&format!("sqlite://{}?mode=rw", copy.display()))
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    let check = copied
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    let rows = copied
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) FROM observations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    // Whole batches only: the copy is one transaction's view.
    assert!(rows > 0 && rows % 200 == 0, "{rows}");
    // A second backup to the same file is refused, not overwritten.
    let again = Command::new(env!("CARGO_BIN_EXE_hale"))
        .args(["backup", "--to"])
        .arg(&copy)
        .env_clear()
        .env("HALE_LOG", "warn")
        .env("HALE_DATABASE_URL", app.config.database_url.expose())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}
