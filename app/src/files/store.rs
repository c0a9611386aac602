//! The files repository: file rows (metadata, the wrapped data key, DICOM
//! hierarchy) and uploads in progress. Reads and writes of a patient's files
//! take the access check's proof; [`patient_of`] only answers whose a file is,
//! so that the check can be made.

use super::DicomInfo;
use crate::access::gate::{AccessMode, Proof, Write, kinds::Documents};
use crate::db::{now_ms, statement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};

/// A file as stored.
#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: i64,
    pub patient_id: i64,
    pub kind: String,
    pub media_type: String,
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub doc_date: Option<String>,
    pub size: u64,
    pub sha256: String,
    pub blob_key: String,
    pub wrapped_key: String,
    pub thumb: Option<(String, String)>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub study_uid: Option<String>,
    pub series_uid: Option<String>,
    pub instance_number: Option<i32>,
    pub dicom: Option<DicomInfo>,
    pub created_ms: i64,
}

const COLUMNS: &str = "id, patient_id, kind, media_type, title, category, tags, doc_date, size, \
     sha256, blob_key, wrapped_key, thumb_key, thumb_wrapped_key, width, height, study_uid, \
     series_uid, instance_number, dicom, created_ms";

/// A file row as the database holds it.
#[derive(FromQueryResult)]
struct Stored {
    id: i64,
    patient_id: i64,
    kind: String,
    media_type: String,
    title: String,
    category: String,
    tags: Option<String>,
    doc_date: Option<String>,
    size: i64,
    sha256: String,
    blob_key: String,
    wrapped_key: String,
    thumb_key: Option<String>,
    thumb_wrapped_key: Option<String>,
    width: Option<i32>,
    height: Option<i32>,
    study_uid: Option<String>,
    series_uid: Option<String>,
    instance_number: Option<i32>,
    dicom: Option<String>,
    created_ms: i64,
}

impl From<Stored> for FileRow {
    fn from(row: Stored) -> Self {
        let dimension = |v: Option<i32>| v.map(|v| v.max(0) as u32);
        FileRow {
            id: row.id,
            patient_id: row.patient_id,
            kind: row.kind,
            media_type: row.media_type,
            title: row.title,
            category: row.category,
            tags: row
                .tags
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            doc_date: row.doc_date,
            size: row.size.max(0) as u64,
            sha256: row.sha256,
            blob_key: row.blob_key,
            wrapped_key: row.wrapped_key,
            thumb: row.thumb_key.zip(row.thumb_wrapped_key),
            width: dimension(row.width),
            height: dimension(row.height),
            study_uid: row.study_uid,
            series_uid: row.series_uid,
            instance_number: row.instance_number,
            dicom: row.dicom.and_then(|json| serde_json::from_str(&json).ok()),
            created_ms: row.created_ms,
        }
    }
}

/// The files a `WHERE …` clause (with its values) selects.
async fn select(
    db: &impl ConnectionTrait,
    clause: &str,
    values: Vec<Value>,
) -> Result<Vec<FileRow>, DbErr> {
    Ok(Stored::find_by_statement(statement(
        db.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM files {clause}"),
        values,
    ))
    .all(db)
    .await?
    .into_iter()
    .map(FileRow::from)
    .collect())
}

/// Tags as stored: ` a b ` (so that `LIKE '% a %'` finds a whole tag).
pub fn stored_tags(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(" {} ", tags.join(" "))
    }
}

/// A file to insert (its blob is already written).
pub struct NewFile {
    pub kind: &'static str,
    pub media_type: String,
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub doc_date: Option<String>,
    pub size: u64,
    pub sha256: String,
    pub blob_key: String,
    pub wrapped_key: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub dicom: Option<(String, String, String, Option<i32>, DicomInfo)>,
}

/// Inserts a file; `None` when the patient already has a file with these bytes.
pub async fn insert(
    db: &impl ConnectionTrait,
    proof: &Proof<Documents, Write>,
    file: NewFile,
) -> Result<Option<i64>, DbErr> {
    let (study, series, sop, number, info) = match file.dicom {
        Some((study, series, sop, number, info)) => (
            Some(study),
            Some(series),
            Some(sop),
            number,
            Some(serde_json::to_string(&info).unwrap_or_default()),
        ),
        None => (None, None, None, None, None),
    };
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "INSERT INTO files (patient_id, kind, media_type, title, category, tags, doc_date, \
             size, sha256, blob_key, wrapped_key, width, height, study_uid, series_uid, sop_uid, \
             instance_number, dicom, created_by, created_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT DO NOTHING RETURNING id",
            [
                proof.patient_id().into(),
                file.kind.into(),
                file.media_type.into(),
                file.title.into(),
                file.category.into(),
                stored_tags(&file.tags).into(),
                file.doc_date.into(),
                (file.size as i64).into(),
                file.sha256.into(),
                file.blob_key.into(),
                file.wrapped_key.into(),
                file.width.map(|w| w as i32).into(),
                file.height.map(|h| h as i32).into(),
                study.into(),
                series.into(),
                sop.into(),
                number.into(),
                info.into(),
                proof.actor_id().into(),
                now_ms().into(),
            ],
        ))
        .await?;
    row.map(|r| r.try_get("", "id")).transpose()
}

/// The patient's file with these bytes, if any.
pub async fn by_sha<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Documents, M>,
    sha256: &str,
) -> Result<Option<i64>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT id FROM files WHERE patient_id = ? AND sha256 = ?",
            [proof.patient_id().into(), sha256.into()],
        ))
        .await?;
    row.map(|r| r.try_get("", "id")).transpose()
}

/// Whose file `id` is (to run the access check); `None` when there is no such file.
pub async fn patient_of(db: &impl ConnectionTrait, id: i64) -> Result<Option<i64>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT patient_id FROM files WHERE id = ?",
            [id.into()],
        ))
        .await?;
    row.map(|r| r.try_get("", "patient_id")).transpose()
}

pub async fn get<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Documents, M>,
    id: i64,
) -> Result<Option<FileRow>, DbErr> {
    let found = select(
        db,
        "WHERE id = ? AND patient_id = ?",
        vec![id.into(), proof.patient_id().into()],
    )
    .await?;
    Ok(found.into_iter().next())
}

/// The patient's files; `query` matches the title or a whole tag (case-insensitive).
pub async fn list<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Documents, M>,
    query: &str,
) -> Result<Vec<FileRow>, DbErr> {
    let mut sql = "WHERE patient_id = ?".to_owned();
    let mut values: Vec<Value> = vec![proof.patient_id().into()];
    let query = query.trim().to_lowercase();
    if !query.is_empty() {
        let escaped = query
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql.push_str(
            " AND (LOWER(title) LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\' \
             OR LOWER(COALESCE(dicom, '')) LIKE ? ESCAPE '\\')",
        );
        values.push(format!("%{escaped}%").into());
        values.push(format!("% {escaped}%").into());
        values.push(format!("%\"study_description\":\"%{escaped}%").into());
    }
    sql.push_str(" ORDER BY COALESCE(doc_date, '') DESC, created_ms DESC, instance_number, id");
    select(db, &sql, values).await
}

/// The instances of one study, in series and instance order.
pub async fn study<M: AccessMode>(
    db: &impl ConnectionTrait,
    proof: &Proof<Documents, M>,
    study_uid: &str,
) -> Result<Vec<FileRow>, DbErr> {
    select(
        db,
        "WHERE patient_id = ? AND study_uid = ? ORDER BY series_uid, instance_number, id",
        vec![proof.patient_id().into(), study_uid.into()],
    )
    .await
}

pub async fn update_meta(
    db: &impl ConnectionTrait,
    proof: &Proof<Documents, Write>,
    id: i64,
    title: &str,
    category: &str,
    date: Option<&str>,
    tags: &[String],
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE files SET title = ?, category = ?, doc_date = ?, tags = ? \
             WHERE id = ? AND patient_id = ?",
            [
                title.into(),
                category.into(),
                date.into(),
                stored_tags(tags).into(),
                id.into(),
                proof.patient_id().into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn delete(
    db: &impl ConnectionTrait,
    proof: &Proof<Documents, Write>,
    id: i64,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "DELETE FROM files WHERE id = ? AND patient_id = ?",
            [id.into(), proof.patient_id().into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Bytes the patient keeps, counting uploads still arriving.
pub async fn used_bytes(db: &impl ConnectionTrait, patient_id: i64) -> Result<u64, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT CAST((SELECT COALESCE(SUM(size), 0) FROM files WHERE patient_id = ?) \
             + (SELECT COALESCE(SUM(size), 0) FROM uploads WHERE patient_id = ?) AS BIGINT) AS used",
            [patient_id.into(), patient_id.into()],
        ))
        .await?;
    let used: i64 = match row {
        Some(row) => row.try_get("", "used")?,
        None => 0,
    };
    Ok(used.max(0) as u64)
}

/// Records a file's thumbnail (made by the job).
pub async fn set_thumb(
    db: &impl ConnectionTrait,
    id: i64,
    key: &str,
    wrapped: &str,
) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db.get_database_backend(),
        "UPDATE files SET thumb_key = ?, thumb_wrapped_key = ? WHERE id = ?",
        [key.into(), wrapped.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// A file by id for a background job that a checked request queued.
pub async fn for_job(db: &impl ConnectionTrait, id: i64) -> Result<Option<FileRow>, DbErr> {
    Ok(select(db, "WHERE id = ?", vec![id.into()])
        .await?
        .into_iter()
        .next())
}
