//! The `hale` binary: its commands and its refusal of bad configuration.

use std::process::Command;

fn hale(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hale"));
    command
        .current_dir(dir)
        .env_clear()
        .env("HALE_LOG", "warn")
        .env(
            "HALE_DATABASE_URL",
            format!("sqlite://{}/hale.db?mode=rwc", dir.display()),
        )
        .env("HALE_BLOBS_ROOT", dir.join("blobs"));
    command
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let output = hale(dir.path()).arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    for command in ["serve", "migrate", "demo"] {
        assert!(text.contains(command), "{text}");
    }
}

#[test]
fn a_bad_value_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = hale(dir.path())
        .env("HALE_SITE_ADDR", "everywhere")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("site.addr"), "{text}");
    assert!(text.contains("HALE_SITE_ADDR"), "{text}");
}

#[test]
fn a_typo_in_the_configuration_file_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Leptos.toml"),
        "[sessions]\nidle_minuts = 5\n",
    )
    .unwrap();
    let output = hale(dir.path()).arg("migrate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("idle_minuts"), "{text}");
    assert!(!dir.path().join("hale.db").exists(), "nothing was created");
}

#[test]
fn migrate_applies_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = hale(dir.path()).arg("migrate").output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let expected = format!("{} migration(s) applied", hale_app::db::MIGRATIONS.len());
    assert!(String::from_utf8_lossy(&first.stdout).contains(&expected));
    let again = hale(dir.path()).arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 migration(s) applied"));
}

#[test]
fn demo_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = hale(dir.path()).arg("demo").output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("demo@hale.example"));
    }
    // Dana's medications and their dose log, written once.
    let url = format!("sqlite://{}?mode=rw", dir.path().join("hale.db").display());
    let count = |sql: &'static str| {
        let url = url.clone();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                use sea_orm::ConnectionTrait as _;
                let db = hale_app::db::connect(&url).await.unwrap();
                let row = db
                    .query_one_raw(sea_orm::Statement::from_string(
                        db.get_database_backend(),
                        sql,
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get_by_index::<i64>(0).unwrap()
            })
    };
    assert_eq!(count("SELECT COUNT(*) FROM medications"), 5);
    assert!(count("SELECT COUNT(*) FROM dose_logs") > 80);
    assert!(count("SELECT COUNT(*) FROM dose_logs WHERE status = 'skipped'") > 0);
    // Her CT study, lab report and photo, stored once, sealed with a key made at the first start.
    assert_eq!(count("SELECT COUNT(*) FROM files WHERE kind = 'dicom'"), 24);
    assert_eq!(count("SELECT COUNT(*) FROM files"), 26);
    assert!(dir.path().join("data/master.key").exists());
}

/// SIGTERM lets a request in flight finish, then the process exits cleanly,
/// logging in JSON when asked to.
#[test]
fn sigterm_finishes_requests_in_flight_then_stops() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = hale(dir.path())
        .env("HALE_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("HALE_LOG_FORMAT", "json")
        .env("HALE_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    // Ready once /readyz answers (the port opens before migrations finish).
    let ready = (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(25));
        let Ok(mut probe) = std::net::TcpStream::connect(&addr) else {
            return false;
        };
        let _ = write!(
            probe,
            "GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        let mut answer = String::new();
        let _ = probe.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.1 200")
    });
    assert!(ready, "the server did not start");

    // A sign-up hashes a password with argon2: slow enough to be in flight.
    let body = "name=Ada&email=ada%40hale.example&password=a+long+enough+password";
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /api/accounts/sign_up HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());

    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status_line = answer.lines().next().unwrap_or_default().to_owned();
    assert!(
        status_line.contains(" 200 ") || status_line.contains(" 302 "),
        "the request in flight finished: {status_line}"
    );
    let status = server.wait().unwrap();
    assert!(status.success(), "{status}");
    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let messages: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
        .collect();
    assert!(messages.iter().any(|m| m["message"] == "stopped"), "{logs}");
    assert!(
        !logs.contains("ada@hale.example"),
        "no personal data in logs"
    );
}

#[test]
fn audit_verify_passes_an_intact_log_and_names_an_edited_row() {
    let dir = tempfile::tempdir().unwrap();
    assert!(hale(dir.path()).arg("migrate").status().unwrap().success());
    let output = hale(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert!(output.status.success(), "an empty log is intact");
    // Write three real events through the audit service, then edit one.
    let url = format!("sqlite://{}/hale.db?mode=rwc", dir.path().display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use sea_orm::ConnectionTrait;
        let db = hale_app::db::connect(&url).await.unwrap();
        let client = hale_app::identity::ClientMeta::default();
        for outcome in ["allowed_own", "refused", "allowed_grant"] {
            hale_app::audit::record(
                &db,
                hale_app::audit::AuditEvent {
                    actor_id: Some(1),
                    patient_id: Some(2),
                    category: "vitals",
                    record_id: None,
                    action: "read",
                    outcome,
                    client: &client,
                },
            )
            .await
            .unwrap();
        }
        let output = hale(dir.path()).args(["audit", "verify"]).output().unwrap();
        assert!(output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("3 rows"));
        db.execute_unprepared("DROP TRIGGER audit_events_no_update")
            .await
            .unwrap();
        db.execute_unprepared("UPDATE audit_events SET outcome = 'allowed_own' WHERE id = 2")
            .await
            .unwrap();
    });
    let output = hale(dir.path()).args(["audit", "verify"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("BROKEN at row 2"), "{text}");
}

#[test]
fn invite_staff_prints_a_code_that_creates_a_clinician() {
    let dir = tempfile::tempdir().unwrap();
    let output = hale(dir.path())
        .args([
            "invite-staff",
            "--email",
            "dr.who@hale.example",
            "--role",
            "clinician",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let code = text
        .lines()
        .find_map(|l| l.strip_prefix("Invitation code: "))
        .expect("a code")
        .to_owned();
    let url = format!("sqlite://{}/hale.db?mode=rwc", dir.path().display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let account = runtime.block_on(async {
        let db = hale_app::db::connect(&url).await.unwrap();
        hale_app::accounts::staff::join(&db, &code, "Dr Who", "a long enough password")
            .await
            .unwrap()
    });
    assert_eq!(account.role, "clinician");
    assert_eq!(account.email, "dr.who@hale.example");
    let output = hale(dir.path())
        .args([
            "invite-staff",
            "--email",
            "x@hale.example",
            "--role",
            "patient",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success(), "patients sign up themselves");
}
