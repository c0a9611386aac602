//! Migrations, in order. Each runs once, inside a transaction, and is recorded
//! in `hale_migrations`. Migrations are never edited once released: add a new
//! one (expand first, contract in a later release) so that they are safe to run
//! while older instances still serve.

use sea_orm::sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Index, Table};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, Statement, TransactionTrait,
};

type Step = for<'a> fn(
    &'a DatabaseTransaction,
) -> std::pin::Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'a>>;

/// Every migration, oldest first: (name, step).
pub const MIGRATIONS: &[(&str, Step)] = &[
    ("m20261129_000001_accounts_and_sessions", |tx| {
        Box::pin(accounts_and_sessions(tx))
    }),
    ("m20261129_000002_identity_and_access", |tx| {
        Box::pin(super::m002_identity::identity_and_access(tx))
    }),
    ("m20261129_000003_totp_last_step", |tx| {
        Box::pin(super::m002_identity::totp_last_step(tx))
    }),
    ("m20261129_000004_health_and_jobs", |tx| {
        Box::pin(super::m003_health::health_and_jobs(tx))
    }),
    ("m20261129_000005_medications_and_notifications", |tx| {
        Box::pin(super::m004_meds::medications_and_notifications(tx))
    }),
    ("m20261129_000006_files", |tx| {
        Box::pin(super::m005_files::files(tx))
    }),
    ("m20261201_000007_health_probe", |tx| {
        Box::pin(health_probe(tx))
    }),
    ("m20261201_000008_observation_status", |tx| {
        Box::pin(super::m003_health::observation_status(tx))
    }),
    ("m20261201_000009_throttle_hits", |tx| {
        Box::pin(super::m002_identity::throttle_hits(tx))
    }),
    ("m20261201_000010_sleep_by_its_end", |tx| {
        Box::pin(super::m003_health::sleep_by_its_end(tx))
    }),
];

/// Runs the migrations that have not run yet; returns the names it ran.
/// Instances started together migrate once: on PostgreSQL they take turns
/// on an advisory lock held for the whole run; on SQLite each migration's
/// check-and-run holds the write lock (`BEGIN IMMEDIATE`). (72430 is the
/// advisory lock key of migrations; the audit log's appends use 72431.)
pub async fn migrate(db: &DatabaseConnection) -> Result<Vec<&'static str>, DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return run(db).await;
    }
    use sea_orm::sqlx::Executor as _;
    let sqlx_err = |err: sea_orm::sqlx::Error| DbErr::Custom(format!("migration lock: {err}"));
    let mut lock = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(sqlx_err)?;
    lock.execute("SELECT pg_advisory_lock(72430)")
        .await
        .map_err(sqlx_err)?;
    let result = run(db).await;
    let unlocked = lock.execute("SELECT pg_advisory_unlock(72430)").await;
    if unlocked.is_err() {
        // The lock ends with the session: drop the connection rather than return it.
        lock.detach();
    }
    result
}

async fn run(db: &DatabaseConnection) -> Result<Vec<&'static str>, DbErr> {
    let backend = db.get_database_backend();
    db.execute(
        &Table::create()
            .table("hale_migrations")
            .if_not_exists()
            .col(ColumnDef::new("name").string().not_null().primary_key())
            .col(ColumnDef::new("applied_at").string().not_null())
            .to_owned(),
    )
    .await?;
    let mut ran = Vec::new();
    for (name, step) in MIGRATIONS {
        let tx = db
            .begin_with_options(sea_orm::TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        let done = tx
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DbBackend::Postgres => {
                        "SELECT name FROM hale_migrations WHERE name = $1"
                    }
                    _ => "SELECT name FROM hale_migrations WHERE name = ?",
                },
                [(*name).into()],
            ))
            .await?
            .is_some();
        if done {
            tx.rollback().await?;
            continue;
        }
        step(&tx).await?;
        tx.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => {
                    "INSERT INTO hale_migrations (name, applied_at) VALUES ($1, $2)"
                }
                _ => "INSERT INTO hale_migrations (name, applied_at) VALUES (?, ?)",
            },
            [(*name).into(), chrono::Utc::now().to_rfc3339().into()],
        ))
        .await?;
        tx.commit().await?;
        ran.push(*name);
    }
    Ok(ran)
}

async fn accounts_and_sessions(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute(
        &Table::create()
            .table("accounts")
            .col(
                ColumnDef::new("id")
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new("email")
                    .string_len(254)
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new("display_name").string_len(100).not_null())
            .col(ColumnDef::new("password_hash").string())
            .col(ColumnDef::new("role").string_len(32).not_null())
            .col(ColumnDef::new("locale").string_len(16))
            .col(
                ColumnDef::new("created_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new("disabled_at").timestamp_with_time_zone())
            .to_owned(),
    )
    .await?;
    tx.execute(
        &Table::create()
            .table("sessions")
            .col(
                ColumnDef::new("id")
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(
                ColumnDef::new("token_hash")
                    .string_len(64)
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new("account_id").big_integer().not_null())
            .col(
                ColumnDef::new("created_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new("last_seen_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(
                ColumnDef::new("expires_at")
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .col(ColumnDef::new("user_agent").string_len(200))
            .col(ColumnDef::new("ip").string_len(64))
            .foreign_key(
                ForeignKey::create()
                    .from("sessions", "account_id")
                    .to("accounts", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    tx.execute(
        &Index::create()
            .name("sessions_account_id")
            .table("sessions")
            .col("account_id")
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// A one-row table `/readyz` writes to once a write failed for want of
/// space, to learn when the database can write again.
async fn health_probe(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute(
        &Table::create()
            .table("hale_probe")
            .col(ColumnDef::new("id").big_integer().not_null().primary_key())
            .col(ColumnDef::new("at_ms").big_integer().not_null())
            .to_owned(),
    )
    .await?;
    tx.execute_unprepared("INSERT INTO hale_probe (id, at_ms) VALUES (1, 0)")
        .await?;
    Ok(())
}
