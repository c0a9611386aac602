//! Imports of Apple Health exports and CSV files, as rows: the patient's
//! imports with their progress and summary, and cancelling one. The upload
//! that starts an import is `import_upload`; the job that runs it,
//! `import_job`. Cancelling removes every reading the import added; a
//! retried job starts from a clean slate, so counts stay exact.

use super::ImportView;
use crate::access::gate::{Proof, Read, Write, kinds::Vitals};
use crate::db::{now_ms, statement};
use crate::error::AppError;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};

pub const JOB: &str = "import";

#[derive(FromQueryResult)]
pub(super) struct ImportRow {
    pub patient_id: i64,
    pub format: String,
    pub blob_key: String,
    pub state: String,
}

pub(super) async fn row(db: &impl ConnectionTrait, id: i64) -> Result<Option<ImportRow>, DbErr> {
    ImportRow::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT patient_id, format, blob_key, state FROM imports WHERE id = ?",
        [id.into()],
    ))
    .one(db)
    .await
}

/// An import row as the database holds it (its problems as JSON).
#[derive(FromQueryResult)]
struct Stored {
    id: i64,
    format: String,
    file_name: String,
    state: String,
    bytes_total: i64,
    bytes_done: i64,
    imported: i64,
    duplicates: i64,
    rejected: i64,
    skipped: i64,
    problems: Option<String>,
    created_ms: i64,
    finished_ms: Option<i64>,
}

impl From<Stored> for ImportView {
    fn from(row: Stored) -> Self {
        ImportView {
            id: row.id,
            format: row.format,
            file_name: row.file_name,
            state: row.state,
            bytes_total: row.bytes_total,
            bytes_done: row.bytes_done,
            imported: row.imported,
            duplicates: row.duplicates,
            rejected: row.rejected,
            skipped: row.skipped,
            problems: row
                .problems
                .and_then(|p| serde_json::from_str(&p).ok())
                .unwrap_or_default(),
            created_ms: row.created_ms,
            finished_ms: row.finished_ms,
        }
    }
}

const COLUMNS: &str = "id, format, file_name, state, bytes_total, bytes_done, imported, \
    duplicates, rejected, skipped, problems, created_ms, finished_ms";

/// The patient's imports, newest first.
pub async fn list(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
) -> Result<Vec<ImportView>, DbErr> {
    Ok(Stored::find_by_statement(statement(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM imports WHERE patient_id = ? ORDER BY id DESC LIMIT 20"),
        [proof.patient_id().into()],
    ))
    .all(db)
    .await?
    .into_iter()
    .map(ImportView::from)
    .collect())
}

/// One import of the patient.
pub async fn one(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
    id: i64,
) -> Result<ImportView, AppError> {
    Stored::find_by_statement(statement(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM imports WHERE id = ? AND patient_id = ?"),
        [id.into(), proof.patient_id().into()],
    ))
    .one(db)
    .await?
    .map(ImportView::from)
    .ok_or(AppError::NotFound)
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
