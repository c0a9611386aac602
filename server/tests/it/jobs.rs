//! The job queue: a job runs once when two server processes share one
//! database; failures are retried with backoff, then dead, and visible to
//! administrators, who can put a dead job back.

use crate::harness::{SecondProcess, TestApp};
use hale_app::jobs::queue::{self, NewJob};
use reqwest::StatusCode;

#[tokio::test]
async fn each_job_runs_once_with_two_server_processes_on_one_database() {
    let app = TestApp::start().await;
    let _second = SecondProcess::start(&app, &[]);
    let (_, person) = app.signed_in_client("jobs").await;
    let patient_id = app
        .scalar(&format!(
            "SELECT id FROM accounts WHERE email = '{}'",
            person.email
        ))
        .await;
    // Wait until the second process's worker is up (its schedules are registered).
    app.wait_until("SELECT COUNT(*) FROM job_schedules", |n| n >= 2)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let db = app.db().await;
    for _ in 0..300 {
        queue::enqueue(
            &db,
            NewJob::new(
                hale_app::health::rollups::JOB,
                format!("{{\"patient_id\":{patient_id}}}"),
            ),
        )
        .await
        .unwrap();
    }
    app.wait_until(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'rollup' AND state = 'done'",
        |n| n == 300,
    )
    .await;
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'rollup'"
        )
        .await,
        300,
        "one run per job"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM (SELECT job_id FROM job_runs GROUP BY job_id HAVING COUNT(*) > 1) t"
        )
        .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(DISTINCT worker) FROM job_runs")
            .await,
        2,
        "both processes took jobs"
    );
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_then_dead_and_an_administrator_can_retry_it() {
    let app = TestApp::start().await;
    let db = app.db().await;
    let mut job = NewJob::new("no_such_job", "{}".into());
    job.max_attempts = 2;
    queue::enqueue(&db, job).await.unwrap();
    app.wait_until("SELECT COUNT(*) FROM jobs WHERE state = 'dead'", |n| n == 1)
        .await;
    let runs = app
        .scalar("SELECT COUNT(*) FROM job_runs WHERE outcome IN ('retry', 'dead')")
        .await;
    assert_eq!(runs, 2, "two attempts");
    // The second attempt waited for the backoff (2 s) after the first.
    let gap = app
        .scalar("SELECT MAX(started_ms) - MIN(started_ms) FROM job_runs")
        .await;
    assert!(gap >= 1900, "backoff {gap} ms");

    let (admin, person) = app
        .staff_client("ops", hale_app::identity::Role::Administrator)
        .await;
    app.enrol_mfa(&admin, &person.password).await;
    let overview: serde_json::Value = app
        .call(&admin, "admin/jobs", &[])
        .await
        .json()
        .await
        .unwrap();
    let dead = &overview["troubled"][0];
    assert_eq!(dead["state"], "dead");
    assert!(
        dead["last_error"].as_str().unwrap().contains("no handler"),
        "{overview}"
    );
    // Patients do not see the queue.
    let (patient, _) = app.signed_in_client("curious").await;
    assert_eq!(
        app.call(&patient, "admin/jobs", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let id = dead["id"].as_i64().unwrap().to_string();
    let response = app
        .call(&admin, "admin/retry_job", &[("job_id", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    app.wait_until("SELECT COUNT(*) FROM job_runs", |n| n >= 3)
        .await;
}

#[tokio::test]
async fn a_schedule_enqueues_its_job_once_however_many_workers_look() {
    let app = TestApp::start().await;
    let db = app.db().await;
    app.wait_until("SELECT COUNT(*) FROM job_schedules", |n| n >= 2)
        .await;
    app.execute("UPDATE job_schedules SET next_run_ms = 0 WHERE name = 'jobs_prune'")
        .await;
    // Many lookers at once, plus the app's own worker.
    let mut lookers = Vec::new();
    for _ in 0..8 {
        let db = db.clone();
        lookers.push(tokio::spawn(async move {
            queue::run_due_schedules(&db).await.unwrap()
        }));
    }
    for looker in lookers {
        looker.await.unwrap();
    }
    app.wait_until(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'jobs_prune' AND state = 'done'",
        |n| n >= 1,
    )
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'jobs_prune'")
            .await,
        1
    );
}
