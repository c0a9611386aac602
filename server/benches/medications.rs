//! `cargo xtask bench`: medications and reminders, against this machine's
//! limit measured in the same run on the same SQLite file.
//!
//! - the reminder pass the worker makes every minute, over 20,000 active
//!   scheduled medications with nothing due (schedules parsed, each dose's
//!   instant computed in its patient's zone) vs the limit: the same rows read
//!   by the same query without looking at them;
//! - reminders that fall due: 2,000 doses each written once as a notification
//!   with an email delivery and its job, vs the limit: the same number of raw
//!   single-row notification INSERTs in one transaction;
//! - the Today page's data for a patient with 6 medications and two months of
//!   logs (access check and audit included), p50/p95, vs the limit: the two
//!   reads it needs, raw.

use hale_app::meds::{DoseInput, MedicationInput, Schedule, doses, service as meds};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use std::time::{Duration, Instant};

mod support;

const SCANNED: usize = 20_000;
const DUE: usize = 2_000;
const TODAY_RUNS: usize = 300;

fn main() {
    support::block_on(run());
}

fn report(name: &str, ours: Duration, limit: Duration, what: &str) {
    println!(
        "{name}\n    ours  {:>9.1} ms {what}\n    limit {:>9.1} ms\n    ratio {:.2}x of the machine's limit",
        ours.as_secs_f64() * 1e3,
        limit.as_secs_f64() * 1e3,
        limit.as_secs_f64() / ours.as_secs_f64()
    );
}

async fn insert_meds(db: &DatabaseConnection, patient: i64, n: usize, time: &str) {
    let schedule = format!(r#"{{"kind":"times","times":["{time}"],"dose":1}}"#);
    let tx = db.begin().await.expect("tx");
    for chunk in 0..n.div_ceil(500) {
        let rows = (0..500.min(n - chunk * 500))
            .map(|i| {
                format!(
                    "({patient}, 'Medication {}', '10 mg', 'tablet', '2020-01-01', 'active', '{schedule}', 0, 0, 0)",
                    chunk * 500 + i
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        tx.execute_unprepared(&format!(
            "INSERT INTO medications (patient_id, name, strength, form, start_date, status, \
             schedule, refills, created_ms, updated_ms) VALUES {rows}"
        ))
        .await
        .expect("insert medications");
    }
    tx.commit().await.expect("commit");
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, actor) = support::db_with_patient(dir.path()).await;
    hale_app::notify::prefs::set_time_zone(&db, actor.account_id, "Europe/London")
        .await
        .expect("zone");

    // 1. The minute's pass with nothing due: every schedule three hours away.
    let now = chrono::Utc::now();
    let later = (now + chrono::Duration::hours(3))
        .format("%H:%M")
        .to_string();
    insert_meds(&db, actor.account_id, SCANNED, &later).await;
    let started = Instant::now();
    let sent = hale_app::meds::reminders::run_at(&db, now.timestamp_millis())
        .await
        .expect("reminders");
    let ours = started.elapsed();
    assert_eq!(sent, 0);
    let started = Instant::now();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT m.*, p.time_zone AS patient_zone FROM medications m \
             LEFT JOIN notify_prefs p ON p.account_id = m.patient_id WHERE m.status = 'active'",
        ))
        .await
        .expect("raw scan");
    let limit = started.elapsed();
    assert_eq!(rows.len(), SCANNED);
    report(
        &format!("reminder pass over {SCANNED} active medications (nothing due)"),
        ours,
        limit,
        &format!(
            "({:.1} µs per medication)",
            ours.as_secs_f64() * 1e6 / SCANNED as f64
        ),
    );
    db.execute_unprepared("DELETE FROM medications")
        .await
        .expect("clear");

    // 2. Doses falling due: each a notification, once, with an email delivery queued.
    hale_app::notify::prefs::save(
        &db,
        actor.account_id,
        hale_app::notify::prefs::PrefsInput {
            time_zone: "UTC".into(),
            email: true,
            ..Default::default()
        },
    )
    .await
    .expect("prefs");
    let due = now.format("%H:%M").to_string();
    insert_meds(&db, actor.account_id, DUE, &due).await;
    let started = Instant::now();
    let sent = hale_app::meds::reminders::run_at(&db, now.timestamp_millis())
        .await
        .expect("reminders");
    let ours = started.elapsed();
    assert_eq!(sent as usize, DUE);
    db.execute_unprepared(
        "CREATE TABLE limit_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER, \
         kind TEXT, params TEXT, dedup_key TEXT, created_ms INTEGER)",
    )
    .await
    .expect("limit table");
    let started = Instant::now();
    let tx = db.begin().await.expect("tx");
    for i in 0..DUE {
        tx.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO limit_notes (account_id, kind, params, dedup_key, created_ms) VALUES (?, ?, ?, ?, ?)",
            [
                actor.account_id.into(),
                "dose_due".into(),
                "{}".into(),
                format!("k{i}").into(),
                0i64.into(),
            ],
        ))
        .await
        .expect("raw insert");
    }
    tx.commit().await.expect("commit");
    let limit = started.elapsed();
    report(
        &format!("{DUE} reminders falling due (notification once + email delivery + job)"),
        ours,
        limit,
        &format!("({:.0} reminders/s)", DUE as f64 / ours.as_secs_f64()),
    );
    // Each reminder is durable on its own (an audited read, then the notification with its
    // deliveries): two commits. The limit for that shape: the same INSERT, one commit each.
    let started = Instant::now();
    for i in 0..DUE {
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO limit_notes (account_id, kind, params, dedup_key, created_ms) VALUES (?, ?, ?, ?, ?)",
            [
                actor.account_id.into(),
                "dose_due".into(),
                "{}".into(),
                format!("c{i}").into(),
                0i64.into(),
            ],
        ))
        .await
        .expect("raw insert");
    }
    let per_commit = started.elapsed();
    println!(
        "    limit {:>9.1} ms with one commit per row
    ratio {:.2}x of that limit (ours commits twice per reminder)",
        per_commit.as_secs_f64() * 1e3,
        per_commit.as_secs_f64() / ours.as_secs_f64()
    );
    db.execute_unprepared("DELETE FROM medications")
        .await
        .expect("clear");

    // 3. The Today page: 6 medications, two months of twice-daily logs.
    let today = now.date_naive();
    let mut ids = Vec::new();
    for n in 0..6 {
        let input = MedicationInput {
            name: format!("Medication {n}"),
            strength: "10 mg".into(),
            form: "tablet".into(),
            start_date: (today - chrono::Duration::days(90))
                .format("%Y-%m-%d")
                .to_string(),
            schedule: Schedule {
                times: vec!["08:00".into(), "20:00".into()],
                dose: 1.0,
                ..Schedule::default()
            },
            ..MedicationInput::default()
        };
        ids.push(
            meds::save(&db, &actor, actor.account_id, None, input)
                .await
                .expect("save"),
        );
    }
    for back in 1..60i64 {
        for id in &ids {
            for time in ["08:00", "20:00"] {
                let slot = format!(
                    "{}T{time}",
                    (today - chrono::Duration::days(back)).format("%Y-%m-%d")
                );
                let dose = DoseInput {
                    medication_id: *id,
                    slot,
                    status: "taken".into(),
                    ..DoseInput::default()
                };
                doses::log_dose(&db, &actor, actor.account_id, dose)
                    .await
                    .expect("log");
            }
        }
    }
    let mut ours = Vec::with_capacity(TODAY_RUNS);
    for _ in 0..TODAY_RUNS {
        let started = Instant::now();
        doses::today(&db, &db, &actor, actor.account_id, None)
            .await
            .expect("today");
        ours.push(started.elapsed());
    }
    ours.sort();
    let mut limit = Vec::with_capacity(TODAY_RUNS);
    let month = today.format("%Y-%m").to_string();
    for _ in 0..TODAY_RUNS {
        let started = Instant::now();
        db.query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT * FROM medications WHERE patient_id = ?",
            [actor.account_id.into()],
        ))
        .await
        .expect("raw");
        db.query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT * FROM dose_logs WHERE patient_id = ? AND slot >= ? AND slot < ?",
            [
                actor.account_id.into(),
                month.clone().into(),
                format!("{month}~").into(),
            ],
        ))
        .await
        .expect("raw");
        limit.push(started.elapsed());
    }
    limit.sort();
    println!(
        "Today page data (6 medications, a month of logs, calendar, access check + audit)\n    ours  p50 {:>7.3} ms  p95 {:>7.3} ms\n    limit p50 {:>7.3} ms  p95 {:>7.3} ms (the two raw reads)\n    ratio {:.2}x of the machine's limit (p50)",
        support::percentile(&ours, 0.5).as_secs_f64() * 1e3,
        support::percentile(&ours, 0.95).as_secs_f64() * 1e3,
        support::percentile(&limit, 0.5).as_secs_f64() * 1e3,
        support::percentile(&limit, 0.95).as_secs_f64() * 1e3,
        support::percentile(&limit, 0.5).as_secs_f64()
            / support::percentile(&ours, 0.5).as_secs_f64()
    );
}
