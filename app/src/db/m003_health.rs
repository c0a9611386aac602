//! Migration 4: health data and background jobs. Observations (times as Unix
//! seconds, values in one canonical unit per kind), their hourly and daily
//! rollups with the hours waiting to be rolled up, imports, goals, per-patient
//! unit preferences, in-app notifications, and the durable job queue with its
//! run log and periodic schedules. Job times are Unix milliseconds.

use super::m002_identity::{account_ref, index, maybe_text, references_account, table, text};
use sea_orm::sea_query::{ColumnDef, Table};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

pub(super) fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().to_owned()
}

pub(super) fn maybe_big(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().to_owned()
}

pub(super) fn double(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).double().not_null().to_owned()
}

pub(super) fn maybe_double(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).double().to_owned()
}

pub(super) fn long_text(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().to_owned()
}

pub async fn health_and_jobs(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute(
        &table("observations")
            .col(account_ref("patient_id"))
            .col(text("kind", 24))
            .col(big("start_s"))
            .col(big("end_s"))
            .col(double("value"))
            .col(maybe_double("value2"))
            .col(text("source", 120))
            .col(maybe_big("import_id"))
            .col(big("recorded_ms"))
            .foreign_key(&mut references_account("observations", "patient_id"))
            .to_owned(),
    )
    .await?;
    // One reading per patient, kind and instant: the deduplication key.
    index(tx, "observations", &["patient_id", "kind", "start_s"], true).await?;
    index(tx, "observations", &["import_id"], false).await?;

    tx.execute(
        &table("observation_rollups")
            .col(account_ref("patient_id"))
            .col(text("kind", 24))
            .col(text("period", 1))
            .col(big("bucket_s"))
            .col(big("count"))
            .col(double("min"))
            .col(double("max"))
            .col(double("sum"))
            .col(double("sum2"))
            .col(big("in_range"))
            .foreign_key(&mut references_account("observation_rollups", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(
        tx,
        "observation_rollups",
        &["patient_id", "kind", "period", "bucket_s"],
        true,
    )
    .await?;

    // Hours whose rollups are stale; `token` changes at every new mark, so
    // a rollup job deletes only the marks it has seen.
    tx.execute(
        &table("rollup_marks")
            .col(account_ref("patient_id"))
            .col(text("kind", 24))
            .col(big("hour_s"))
            .col(big("token"))
            .foreign_key(&mut references_account("rollup_marks", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "rollup_marks", &["patient_id", "kind", "hour_s"], true).await?;

    tx.execute(
        &table("imports")
            .col(account_ref("patient_id"))
            .col(account_ref("uploaded_by"))
            .col(text("format", 12))
            .col(text("file_name", 200))
            .col(text("blob_key", 200))
            .col(big("bytes_total"))
            .col(big("bytes_done"))
            .col(text("state", 12))
            .col(big("imported"))
            .col(big("duplicates"))
            .col(big("rejected"))
            .col(big("skipped"))
            .col(long_text("problems"))
            .col(big("created_ms"))
            .col(maybe_big("finished_ms"))
            .foreign_key(&mut references_account("imports", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "imports", &["patient_id"], false).await?;

    tx.execute(
        &table("goals")
            .col(account_ref("patient_id"))
            .col(text("kind", 24))
            .col(double("target"))
            .col(big("created_ms"))
            .col(maybe_big("reached_day_s"))
            .foreign_key(&mut references_account("goals", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "goals", &["patient_id", "kind"], true).await?;

    tx.execute(
        &table("health_preferences")
            .col(account_ref("patient_id"))
            .col(text("weight", 8))
            .col(text("glucose", 8))
            .col(text("temperature", 8))
            .col(text("distance", 8))
            .foreign_key(&mut references_account("health_preferences", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "health_preferences", &["patient_id"], true).await?;

    tx.execute(
        &table("notifications")
            .col(account_ref("account_id"))
            .col(text("kind", 32))
            .col(long_text("params"))
            .col(text("dedup_key", 120))
            .col(big("created_ms"))
            .col(maybe_big("read_ms"))
            .foreign_key(&mut references_account("notifications", "account_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "notifications", &["account_id", "dedup_key"], true).await?;

    tx.execute(
        &table("jobs")
            .col(text("kind", 40))
            .col(long_text("payload"))
            .col(text("state", 12))
            .col(ColumnDef::new("attempts").integer().not_null().to_owned())
            .col(
                ColumnDef::new("max_attempts")
                    .integer()
                    .not_null()
                    .to_owned(),
            )
            .col(big("run_at_ms"))
            .col(maybe_text("lease_owner", 64))
            .col(maybe_big("lease_until_ms"))
            .col(long_text("last_error"))
            .col(maybe_text("dedup_key", 120))
            .col(big("created_ms"))
            .col(maybe_big("finished_ms"))
            .to_owned(),
    )
    .await?;
    index(tx, "jobs", &["state", "run_at_ms"], false).await?;
    // At most one queued job per key (a job already running does not count).
    tx.execute_unprepared(
        "CREATE UNIQUE INDEX jobs_queued_dedup ON jobs (dedup_key) WHERE state = 'queued'",
    )
    .await?;

    tx.execute(
        &table("job_runs")
            .col(big("job_id"))
            .col(text("worker", 64))
            .col(ColumnDef::new("attempt").integer().not_null().to_owned())
            .col(big("started_ms"))
            .col(maybe_big("finished_ms"))
            .col(maybe_text("outcome", 12))
            .col(long_text("error"))
            .to_owned(),
    )
    .await?;
    index(tx, "job_runs", &["job_id"], false).await?;

    tx.execute(
        &Table::create()
            .table("job_schedules")
            .col(
                ColumnDef::new("name")
                    .string_len(40)
                    .not_null()
                    .primary_key()
                    .to_owned(),
            )
            .col(text("kind", 40))
            .col(big("every_s"))
            .col(big("next_run_ms"))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Migration 8: a reading's status (FHIR's final, preliminary, amended,
/// corrected) and, when its value is a bound, the comparator (`<`, `<=`,
/// `>=`, `>`).
pub async fn observation_status(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    for column in [
        ColumnDef::new("status")
            .string_len(16)
            .not_null()
            .default("final")
            .to_owned(),
        ColumnDef::new("comparator").string_len(2).to_owned(),
    ] {
        tx.execute(
            &Table::alter()
                .table("observations")
                .add_column(column)
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// Sleep counts in the hour it ended: its rollups are dropped and every
/// hour holding the end of a night is marked, so the rollup sweep
/// recomputes them.
pub async fn sleep_by_its_end(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute_unprepared("DELETE FROM observation_rollups WHERE kind = 'sleep'")
        .await?;
    tx.execute_unprepared(
        "INSERT INTO rollup_marks (patient_id, kind, hour_s, token) \
         SELECT DISTINCT patient_id, kind, (end_s / 3600) * 3600, 0 FROM observations \
         WHERE kind = 'sleep' ON CONFLICT (patient_id, kind, hour_s) DO NOTHING",
    )
    .await?;
    Ok(())
}
