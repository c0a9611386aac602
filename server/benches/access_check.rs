//! `cargo xtask bench`: the access check, against this machine's limit
//! measured in the same run on the same SQLite file.
//!
//! - `gate::check` (read the facts, decide, append a hash-chained audit row in
//!   its own transaction) vs the limit: one raw single-row INSERT of the same
//!   width in its own transaction — the one durable write every audited
//!   request needs anyway;
//! - `hale audit verify` (read every row, recompute its SHA-256 chain) vs
//!   reading the same rows without hashing.

use hale_app::access::gate::{self, Read, kinds};
use hale_app::audit;
use hale_app::audit::entity::audit_event;
use sea_orm::{
    ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Statement, TransactionTrait,
};
use std::time::{Duration, Instant};

const CHECKS: usize = 3_000;

mod support;

fn main() {
    support::block_on(run());
}

fn report(name: &str, ours: (f64, Duration), limit: (f64, Duration), unit: &str) {
    println!(
        "{name}\n    ours  {:>10.0} {unit}/s (p50 {:>7.3} ms)\n    limit {:>10.0} {unit}/s (p50 {:>7.3} ms)\n    ratio {:.2}x of the machine's limit",
        ours.0,
        ours.1.as_secs_f64() * 1e3,
        limit.0,
        limit.1.as_secs_f64() * 1e3,
        ours.0 / limit.0
    );
}

/// Runs `op` `n` times one after the other: (per second, p50).
async fn measure<F, Fut>(n: usize, mut op: F) -> (f64, Duration)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        op(i).await;
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    (
        n as f64 / total.as_secs_f64(),
        support::percentile(&times, 0.5),
    )
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, actor) = support::db_with_patient(dir.path()).await;
    db.execute_unprepared(
        "CREATE TABLE limit_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, \
         actor_id INTEGER, patient_id INTEGER, category TEXT NOT NULL, record_id TEXT, \
         action TEXT NOT NULL, outcome TEXT NOT NULL, ip TEXT, user_agent TEXT, \
         prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
    )
    .await
    .expect("limit table");

    // Warm both paths up.
    for _ in 0..50 {
        gate::check::<kinds::Vitals, Read>(&db, &actor, actor.account_id, None)
            .await
            .expect("check");
    }
    let ours = measure(CHECKS, |i| {
        let (db, actor) = (&db, &actor);
        async move {
            let record = format!("obs-{i}");
            gate::check::<kinds::Vitals, Read>(db, actor, actor.account_id, Some(&record))
                .await
                .expect("check");
        }
    })
    .await;
    let hash = "0".repeat(64);
    let limit = measure(CHECKS, |i| {
        let (db, hash) = (&db, &hash);
        async move {
            let tx = db.begin().await.expect("begin");
            tx.execute_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                "INSERT INTO limit_rows (at, actor_id, patient_id, category, record_id, action, \
                 outcome, ip, user_agent, prev_hash, hash) \
                 VALUES (?, ?, ?, 'vitals', ?, 'read', 'allowed_own', '127.0.0.1', 'hale-bench', ?, ?)",
                [
                    chrono::Utc::now().to_rfc3339().into(),
                    1i64.into(),
                    1i64.into(),
                    format!("obs-{i}").into(),
                    hash.clone().into(),
                    hash.clone().into(),
                ],
            ))
            .await
            .expect("insert");
            tx.commit().await.expect("commit");
        }
    })
    .await;
    report(
        "access check + audit append (one at a time)",
        ours,
        limit,
        "checks",
    );

    let rows = CHECKS as f64 + 50.0;
    let started = Instant::now();
    let verified = audit::verify(&db).await.expect("verify");
    let ours_verify = started.elapsed();
    assert_eq!(verified.first_broken, None);
    let started = Instant::now();
    let mut pages = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Id)
        .paginate(&db, 1000);
    let mut read = 0usize;
    while let Some(page) = pages.fetch_and_next().await.expect("page") {
        read += page.len();
    }
    let limit_verify = started.elapsed();
    assert_eq!(read as u64, verified.rows);
    report(
        "hale audit verify",
        (rows / ours_verify.as_secs_f64(), ours_verify),
        (rows / limit_verify.as_secs_f64(), limit_verify),
        "rows",
    );
}
