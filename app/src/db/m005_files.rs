//! Migration 6: medical images, photos and documents. A file's bytes live in
//! the blob store, sealed with its own data key; the row keeps that key
//! wrapped by the master key (never the master key itself). Times are Unix ms.

use super::m002_identity::{account_ref, index, maybe_text, references_account, table, text};
use super::m003_health::{big, long_text, maybe_big};
use sea_orm::sea_query::ColumnDef;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

fn maybe_int(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).integer().to_owned()
}

pub async fn files(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute(
        &table("files")
            .col(account_ref("patient_id"))
            // photo | dicom | document
            .col(text("kind", 10))
            .col(text("media_type", 60))
            .col(text("title", 200))
            .col(text("category", 20))
            // Lower-case tags, space-separated, with a space at each end (` a b `).
            .col(long_text("tags"))
            .col(maybe_text("doc_date", 10))
            .col(big("size"))
            .col(text("sha256", 64))
            .col(text("blob_key", 120))
            .col(long_text("wrapped_key"))
            .col(maybe_text("thumb_key", 120))
            .col(ColumnDef::new("thumb_wrapped_key").text().to_owned())
            .col(maybe_int("width"))
            .col(maybe_int("height"))
            // DICOM: the hierarchy and what the viewer needs (JSON `files::DicomInfo`).
            .col(maybe_text("study_uid", 64))
            .col(maybe_text("series_uid", 64))
            .col(maybe_text("sop_uid", 64))
            .col(maybe_int("instance_number"))
            .col(ColumnDef::new("dicom").text().to_owned())
            .col(ColumnDef::new("created_by").big_integer().to_owned())
            .col(big("created_ms"))
            .foreign_key(&mut references_account("files", "patient_id"))
            .to_owned(),
    )
    .await?;
    // The same file uploaded twice by one patient is stored once.
    index(tx, "files", &["patient_id", "sha256"], true).await?;
    index(
        tx,
        "files",
        &["patient_id", "study_uid", "series_uid"],
        false,
    )
    .await?;
    index(tx, "files", &["blob_key"], false).await?;

    tx.execute(
        &table("uploads")
            .col(text("token", 64))
            .col(account_ref("patient_id"))
            .col(
                ColumnDef::new("account_id")
                    .big_integer()
                    .not_null()
                    .to_owned(),
            )
            .col(text("name", 200))
            .col(big("size"))
            // Parts stored so far (each `files::PART_BYTES`, the last one shorter).
            .col(big("parts"))
            .col(maybe_text("kind", 10))
            .col(text("blob_key", 120))
            .col(long_text("wrapped_key"))
            .col(big("created_ms"))
            .col(big("updated_ms"))
            .col(maybe_big("finished_ms"))
            .foreign_key(&mut references_account("uploads", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "uploads", &["token"], true).await?;
    index(tx, "uploads", &["patient_id"], false).await?;
    Ok(())
}
