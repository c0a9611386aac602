//! The database: connecting (SQLite by default, PostgreSQL by URL) and the
//! ordered migrations that run at start and with `hale migrate`.

pub mod backup;
pub mod health;
mod m002_identity;
mod m003_health;
mod m004_meds;
mod m005_files;
mod migrations;

pub use migrations::{MIGRATIONS, migrate};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use std::time::Duration;

/// Connects to the database at `url`. A SQLite file (and its folder) is
/// created if missing and switched to WAL mode, so that readers never wait
/// for the writer. On SQLite this is the one writer connection: writes are
/// serialised in this process, and a connection that comes back from a
/// failed statement still inside a transaction (a COMMIT refused by a full
/// disk, say) is closed rather than reused, so that no later write lands in
/// a transaction that is never committed.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file_path(url)
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|err| DbErr::Custom(format!("cannot create {}: {err}", parent.display())))?;
    }
    let mut options = base_options(url);
    if sqlite_file_path(url).is_some() || url.starts_with("sqlite:") {
        options
            .max_connections(1)
            .map_sqlx_sqlite_opts(|o| o.busy_timeout(BUSY_TIMEOUT))
            .map_sqlx_sqlite_pool_opts(|pool| pool.after_release(|conn, _| Box::pin(clean(conn))));
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

/// How long a SQLite statement waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn base_options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    options
}

/// Whether a SQLite connection may go back to the pool: it must be outside
/// any transaction — as sqlx counts them (a queued rollback is flushed
/// first) and as SQLite itself knows it (a `BEGIN` must succeed).
async fn clean(conn: &mut sea_orm::sqlx::SqliteConnection) -> Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::{Connection as _, Executor as _};
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a database connection came back inside a transaction; it is closed");
        return Ok(false);
    }
    if conn.execute("BEGIN").await.is_err() {
        tracing::warn!(
            "a database connection holds a transaction sqlx does not know; it is closed"
        );
        return Ok(false);
    }
    conn.execute("ROLLBACK").await?;
    Ok(true)
}

/// Readers for the hot read paths: on SQLite a pool of `connections`
/// read-only connections (default one per core, at least two) beside the
/// one writer, so that reads run on every core in WAL mode; on PostgreSQL
/// (or with 0 connections) the same pool as `db`.
pub async fn connect_readers(
    url: &str,
    db: &DatabaseConnection,
    connections: Option<u32>,
) -> Result<DatabaseConnection, DbErr> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    let connections = connections.unwrap_or(cores.max(2));
    if db.get_database_backend() != DbBackend::Sqlite
        || sqlite_file_path(url).is_none()
        || connections == 0
    {
        return Ok(db.clone());
    }
    let mut options = base_options(url);
    options
        .max_connections(connections)
        .map_sqlx_sqlite_opts(|o| o.read_only(true).busy_timeout(BUSY_TIMEOUT));
    Database::connect(options).await
}

/// The folder of a SQLite database file (None for PostgreSQL or in memory).
pub fn local_folder(url: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(sqlite_file_path(url)?);
    Some(match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => std::path::PathBuf::from("."),
    })
}

/// The file of a `sqlite:` URL, unless it is an in-memory database.
fn sqlite_file_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Answers whether the database is reachable and can write (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    health::check(db).await
}

/// A raw statement written with `?` placeholders, numbered (`$1`, ...) for
/// PostgreSQL. Raw SQL is kept for the hot paths (batched inserts, rollups,
/// the job queue) where one statement does the work of many.
pub fn statement(
    backend: DbBackend,
    sql: &str,
    values: impl IntoIterator<Item = sea_orm::Value>,
) -> sea_orm::Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut numbered = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                numbered.push('$');
                numbered.push_str(&n.to_string());
            } else {
                numbered.push(c);
            }
        }
        numbered
    } else {
        sql.to_owned()
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Declares a table of rows that belong to an account and need no relations
/// to be queried: the entity, its empty relation set and default behaviour.
macro_rules! plain_entity {
    ($table:literal, { $($field:tt)* }) => {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            $($field)*
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}
pub(crate) use plain_entity;

#[cfg(test)]
mod tests {
    use super::sqlite_file_path;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file_path("sqlite://data/hale.db?mode=rwc"),
            Some("data/hale.db")
        );
        assert_eq!(sqlite_file_path("sqlite:/tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://h/db"), None);
    }
}
