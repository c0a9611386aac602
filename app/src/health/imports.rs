//! Imports of Apple Health exports and CSV files, as rows: the patient's
//! imports with their progress and summary, and cancelling one. The upload
//! that starts an import is `import_upload`; the job that runs it,
//! `import_job`. Cancelling removes every reading the import added; a
//! retried job starts from a clean slate, so counts stay exact.

use super::ImportView;
use crate::access::gate::{Proof, Read, Write, kinds::Vitals};
use crate::db::{now_ms, statement};
use crate::error::AppError;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

pub const JOB: &str = "import";

pub(super) struct ImportRow {
    pub patient_id: i64,
    pub format: String,
    pub blob_key: String,
    pub state: String,
}

pub(super) async fn row(db: &impl ConnectionTrait, id: i64) -> Result<Option<ImportRow>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT patient_id, format, blob_key, state FROM imports WHERE id = ?",
            [id.into()],
        ))
        .await?;
    row.map(|row| {
        Ok(ImportRow {
            patient_id: row.try_get("", "patient_id")?,
            format: row.try_get("", "format")?,
            blob_key: row.try_get("", "blob_key")?,
            state: row.try_get("", "state")?,
        })
    })
    .transpose()
}

fn view(row: &sea_orm::QueryResult) -> Result<ImportView, DbErr> {
    let problems: Option<String> = row.try_get("", "problems")?;
    Ok(ImportView {
        id: row.try_get("", "id")?,
        format: row.try_get("", "format")?,
        file_name: row.try_get("", "file_name")?,
        state: row.try_get("", "state")?,
        bytes_total: row.try_get("", "bytes_total")?,
        bytes_done: row.try_get("", "bytes_done")?,
        imported: row.try_get("", "imported")?,
        duplicates: row.try_get("", "duplicates")?,
        rejected: row.try_get("", "rejected")?,
        skipped: row.try_get("", "skipped")?,
        problems: problems
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default(),
        created_ms: row.try_get("", "created_ms")?,
        finished_ms: row.try_get("", "finished_ms")?,
    })
}

const COLUMNS: &str = "id, format, file_name, state, bytes_total, bytes_done, imported, \
    duplicates, rejected, skipped, problems, created_ms, finished_ms";

/// The patient's imports, newest first.
pub async fn list(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
) -> Result<Vec<ImportView>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM imports WHERE patient_id = ? ORDER BY id DESC LIMIT 20"
            ),
            [proof.patient_id().into()],
        ))
        .await?;
    rows.iter().map(view).collect()
}

/// One import of the patient.
pub async fn one(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
    id: i64,
) -> Result<ImportView, AppError> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            &format!("SELECT {COLUMNS} FROM imports WHERE id = ? AND patient_id = ?"),
            [id.into(), proof.patient_id().into()],
        ))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view(&row)?)
}

/// Cancels an import that has not finished; its job removes what it added.
pub async fn cancel(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    id: i64,
) -> Result<(), AppError> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE imports SET state = 'cancelled', finished_ms = ? WHERE id = ? \
             AND patient_id = ? AND state IN ('queued', 'running')",
            [now_ms().into(), id.into(), proof.patient_id().into()],
        ))
        .await?;
    if result.rows_affected() == 1 {
        return Ok(());
    }
    let exists = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT id FROM imports WHERE id = ? AND patient_id = ?",
            [id.into(), proof.patient_id().into()],
        ))
        .await?
        .is_some();
    Err(if exists {
        AppError::ImportFinished
    } else {
        AppError::NotFound
    })
}
