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
];

/// Runs the migrations that have not run yet; returns the names it ran.
pub async fn migrate(db: &DatabaseConnection) -> Result<Vec<&'static str>, DbErr> {
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
        let tx = db.begin().await?;
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
