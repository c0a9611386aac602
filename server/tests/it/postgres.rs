//! The same code on PostgreSQL: a throw-away server from Debian's
//! `postgresql` package (initdb + pg_ctl on a free loopback port, as the
//! `postgres` user when the tests run as root), stopped when dropped.

use crate::harness::TestApp;
use hale_app::access::gate::{self, Read, kinds};
use hale_app::audit;
use hale_app::identity::Actor;
use hale_app::identity::ClientMeta;
use hale_app::identity::Role;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub url: String,
}

fn pg_bin() -> PathBuf {
    let found = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .and_then(|versions| {
            versions
                .filter_map(Result::ok)
                .map(|v| v.path().join("bin"))
                .find(|bin| bin.join("initdb").exists())
        });
    found.expect(
        "PostgreSQL's server is missing: `cargo xtask setup` installs Debian's postgresql package",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL tool, as `postgres` when we are root (it refuses root).
fn pg_command(bin: &Path, tool: &str) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        command
    } else {
        Command::new(bin.join(tool))
    }
}

impl PgServer {
    pub fn start() -> PgServer {
        let bin = pg_bin();
        let dir = tempfile::tempdir().expect("temp dir");
        if is_root() {
            let owned = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(owned.success(), "chown the data folder to postgres");
        }
        let data = dir.path().join("data");
        let initdb = pg_command(&bin, "initdb")
            .args([
                "-U",
                "hale",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("initdb");
        assert!(
            initdb.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            dir.path().display()
        );
        let started = pg_command(&bin, "pg_ctl")
            .args(["-w", "-s", "-D"])
            .arg(&data)
            .args(["-l"])
            .arg(dir.path().join("server.log"))
            .args(["-o", &options, "start"])
            .output()
            .expect("pg_ctl start");
        assert!(
            started.status.success(),
            "pg_ctl: {}",
            String::from_utf8_lossy(&started.stderr)
        );
        PgServer {
            url: format!("postgres://hale@127.0.0.1:{port}/postgres"),
            bin,
            dir,
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = pg_command(&self.bin, "pg_ctl")
            .args(["-s", "-m", "immediate", "-D"])
            .arg(self.dir.path().join("data"))
            .arg("stop")
            .status();
    }
}

#[tokio::test]
async fn identity_and_the_audit_chain_work_on_postgresql() {
    let pg = PgServer::start();
    let app = TestApp::start_with(&[("HALE_DATABASE_URL", &pg.url)]).await;
    let (ann, person) = app.signed_in_client("pg-ann").await;
    let code = {
        let response = app
            .call(
                &ann,
                "care_team/invite",
                &[("email", ""), ("permissions", "vitals:r"), ("until", "")],
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        response.json::<String>().await.expect("code")
    };
    assert_eq!(code.len(), 14);
    let ann_id = app.account_id(&person.email).await;
    let db = app.db().await;
    // Appends from many tasks at once keep one unforked chain.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let actor = Actor {
                account_id: ann_id,
                role: Role::Patient,
                mfa: false,
                scopes: None,
                client: ClientMeta::default(),
            };
            let record = format!("r{i}");
            gate::check::<kinds::Vitals, Read>(&db, &actor, ann_id, Some(&record))
                .await
                .expect("own data")
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let verified = audit::verify(&db).await.expect("verify");
    assert_eq!(verified.first_broken, None);
    assert!(verified.rows >= 21);

    use sea_orm::ConnectionTrait;
    assert!(
        db.execute_unprepared("UPDATE audit_events SET outcome = 'x'")
            .await
            .is_err(),
        "the trigger keeps the log append-only"
    );
    db.execute_unprepared("DROP TRIGGER audit_events_append_only ON audit_events")
        .await
        .expect("drop trigger");
    let fifth = app
        .scalar("SELECT id FROM audit_events ORDER BY id OFFSET 4 LIMIT 1")
        .await;
    db.execute_unprepared(&format!(
        "UPDATE audit_events SET actor_id = actor_id + 1000 WHERE id = {fifth}"
    ))
    .await
    .expect("edit");
    assert_eq!(
        audit::verify(&db).await.expect("verify").first_broken,
        Some(fifth)
    );
}

#[tokio::test]
async fn health_data_imports_jobs_and_rollups_work_on_postgresql() {
    use crate::health::{finished_import, import, iso, rollups_match_recomputation};
    let pg = PgServer::start();
    if std::env::var("HALE_TEST_LOGS").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("warn").try_init();
    }
    let app = TestApp::start_with(&[("HALE_DATABASE_URL", &pg.url)]).await;
    // A second server on the same database: two workers claim jobs.
    let blobs = app.dir.path().join("blobs").display().to_string();
    let _second =
        TestApp::start_with(&[("HALE_DATABASE_URL", &pg.url), ("HALE_BLOBS_ROOT", &blobs)]).await;
    let (client, person) = app.signed_in_client("pg-health").await;
    rollups_match_recomputation(&app, &client, &person).await;

    let mut csv = String::from("time,kind,value,unit\n");
    for i in 0..2500 {
        csv.push_str(&format!(
            "{},weight,{},kg\n",
            iso(3600 * i + 60),
            70 + i % 5
        ));
    }
    csv.push_str(&format!("{},weight,9999,kg\n", iso(30)));
    let id = import(&app, &client, "weights.csv", csv.into_bytes()).await;
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(
        (view["imported"].clone(), view["rejected"].clone()),
        (2500.into(), 1.into())
    );
    app.settle_jobs().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM (SELECT job_id FROM job_runs GROUP BY job_id HAVING COUNT(*) > 1) t")
            .await,
        0,
        "no job ran twice"
    );
}

#[tokio::test]
async fn medications_reminders_and_deliveries_work_on_postgresql() {
    use crate::meds::{add, daily, json_of, set_zone};
    use crate::notify::{Inbox, all_channels, due_now_and_late, enqueue_reminder_runs};
    use reqwest::StatusCode;
    use serde_json::json;
    let pg = PgServer::start();
    let inbox = Inbox::start(0);
    let mut settings = inbox.settings();
    settings.push(("HALE_DATABASE_URL", pg.url.clone()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::start_with(&pairs).await;
    // A second server on the same database: two workers run reminders and deliveries.
    let _second = TestApp::start_with(&pairs).await;
    let (ann, _) = app.signed_in_client("pg-meds").await;
    assert_eq!(set_zone(&app, &ann, "Europe/London").await, StatusCode::OK);
    all_channels(&app, &ann, &inbox, false).await;
    // Saving the settings again updates the one row (upsert).
    all_channels(&app, &ann, &inbox, true).await;
    assert_eq!(app.count("notify_prefs").await, 1);
    let (now, late) = due_now_and_late();
    assert_eq!(set_zone(&app, &ann, "UTC").await, StatusCode::OK);
    let mut input = daily("Metformin", &[&now, &late]);
    input["supply"] = json!(5);
    input["low_supply"] = json!(4);
    let id = add(&app, &ann, input).await;
    enqueue_reminder_runs(&app, 20).await;
    app.wait_until(
        "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')",
        |n| n == 0,
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notifications").await, 2);
    inbox.wait_for("email", 2).await;
    inbox.wait_for("push", 4).await;
    inbox.wait_for("sms", 2).await;
    // A dose logged twice from one device is stored once, and lowers the supply once.
    let today = json_of(app.call(&ann, "meds/today", &[]).await).await;
    let slot = today["doses"][0]["slot"].clone();
    let dose = json!({ "patient_id": null, "dose": { "medication_id": id, "slot": slot, "status": "taken", "client_id": "pg-device-0001" } });
    for _ in 0..2 {
        assert_eq!(
            app.call_json(&ann, "meds/log", dose.clone()).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(app.count("dose_logs").await, 1);
    assert_eq!(
        app.scalar("SELECT CAST(supply AS BIGINT) FROM medications")
            .await,
        4
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'refill_low'")
            .await,
        1
    );
    let list = json_of(app.call(&ann, "meds/list", &[("query", "metf")]).await).await;
    assert_eq!(list["medications"][0]["week"]["taken"], 1);
    let history = json_of(app.call(&ann, "meds/get", &[("id", &id.to_string())]).await).await;
    assert_eq!(history["history"][0]["change"], "created");
}

#[tokio::test]
async fn files_studies_search_and_quotas_work_on_postgresql() {
    use crate::files::{STUDY, study, upload};
    use hale_server::demo::files::pdf;
    use hale_server::demo::synthetic_dicom::{self, Encoding};
    use reqwest::StatusCode;
    let pg = PgServer::start();
    if std::env::var("HALE_TEST_LOGS").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("warn").try_init();
    }
    let app = TestApp::start_with(&[
        ("HALE_DATABASE_URL", &pg.url),
        ("HALE_FILES_QUOTA_BYTES", "3145728"),
    ])
    .await;
    let (client, _) = app.signed_in_client("pg-files").await;
    for bytes in synthetic_dicom::series(STUDY, &format!("{STUDY}.1"), 2, Encoding::Rle) {
        assert_eq!(
            upload(&app, &client, "ct.dcm", &bytes).await.0,
            StatusCode::OK
        );
    }
    let (_, first) = upload(&app, &client, "r.pdf", &pdf(&["pg"])).await;
    let id = first["file_ids"][0].as_i64().unwrap().to_string();
    let (_, again) = upload(&app, &client, "copy.pdf", &pdf(&["pg"])).await;
    assert_eq!(
        again["duplicates"][0].as_i64().unwrap().to_string(),
        id,
        "stored once"
    );
    let save = app
        .call(
            &client,
            "files/save",
            &[
                ("id", &id),
                ("title", "Lipids 50%_off"),
                ("category", "lab_report"),
                ("date", "2026-01-02"),
                ("tags", "heart"),
            ],
        )
        .await;
    assert_eq!(save.status(), StatusCode::OK);
    for (query, found) in [
        ("heart", 1),
        ("50%", 1),
        ("_off", 1),
        ("0%_", 1),
        ("5_%", 0),
        ("ct chest", 0),
    ] {
        let list: serde_json::Value = app
            .call(&client, "files/list", &[("query", query)])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["files"].as_array().unwrap().len(), found, "{query}");
    }
    let list: serde_json::Value = app
        .call(&client, "files/list", &[("query", "chest")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["studies"][0]["instances"], 2,
        "a study found by its description"
    );
    let detail = study(&app, &client, STUDY).await;
    let link = detail["series"][0]["instances"][0]["frame_link"]
        .as_str()
        .unwrap();
    assert_eq!(
        crate::files::frame(&app, &client, link, 0, None).await.0,
        512
    );
    // Some KiB used of 3 MiB: a 3 MiB file does not fit.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(3 << 20, b' ');
    let (status, _) = upload(&app, &client, "big.pdf", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("files").await, 3);
}
