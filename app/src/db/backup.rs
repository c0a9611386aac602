//! A consistent copy of the database while Hale serves.
//!
//! On SQLite, `VACUUM INTO` writes a compact, self-contained copy in one
//! read transaction: it finishes under continuous writes (the online backup
//! API restarts whenever a page changes and may never finish), and the
//! writers go on meanwhile (WAL). PostgreSQL has its own tools (`pg_dump`,
//! base backups); Hale names them rather than copy a server it does not own.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr};
use std::path::Path;

/// Writes a copy of the SQLite database to `to` (which must not exist).
pub async fn sqlite_copy(db: &DatabaseConnection, to: &Path) -> Result<u64, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(DbErr::Custom(
            "this database is PostgreSQL: back it up with pg_dump or a base backup".into(),
        ));
    }
    if to.exists() {
        return Err(DbErr::Custom(format!(
            "{} exists already; choose a new file",
            to.display()
        )));
    }
    let target = to
        .to_str()
        .ok_or_else(|| DbErr::Custom("the backup path is not valid UTF-8".into()))?;
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [target.into()],
    ))
    .await?;
    std::fs::metadata(to)
        .map(|m| m.len())
        .map_err(|err| DbErr::Custom(format!("the copy was not written: {err}")))
}
