//! The audit log [ssr]: one row per access decision, each carrying the
//! SHA-256 of the row before it, so that an edited, inserted or deleted row
//! breaks the chain (`hale audit verify`). Rows hold ids, categories and
//! outcomes only. Accounts (sign-ins, staff changes) and access (every gate
//! decision) both write here, so it sits below both; a patient's access
//! history, which names the actors, is read in `access::history`.
//!
//! Security events — what an administrator should look at — live beside it.

pub mod entity;
pub mod security_events;

use crate::identity::ClientMeta;
use chrono::{DateTime, SubsecRound as _, Utc};
use entity::audit_event;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryOrder, Set, TransactionTrait,
};
use sha2::{Digest as _, Sha256};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to be appended to the log.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub actor_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub category: &'a str,
    pub record_id: Option<&'a str>,
    pub action: &'a str,
    pub outcome: &'a str,
    pub client: &'a ClientMeta,
}

/// Appends one event. Appends are serialised (a lock in this process, an
/// advisory lock on PostgreSQL, SQLite's single writer) so that the chain
/// never forks, also with several server processes on one database.
pub async fn record(db: &DatabaseConnection, event: AuditEvent<'_>) -> Result<(), DbErr> {
    static APPEND: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _guard = APPEND.lock().await;
    let mut attempt = 0;
    loop {
        match append(db, &event).await {
            Ok(()) => return Ok(()),
            // Another process appended between our read and our write.
            Err(err) if attempt < 20 && is_contention(&err) => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
            }
            Err(err) => return Err(err),
        }
    }
}

fn is_contention(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("database is locked") || text.contains("busy")
}

async fn append(db: &DatabaseConnection, event: &AuditEvent<'_>) -> Result<(), DbErr> {
    let tx = db.begin().await?;
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SELECT pg_advisory_xact_lock(72431)")
            .await?;
    }
    let prev_hash = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .one(&tx)
        .await?
        .map(|row| row.hash)
        .unwrap_or_else(|| GENESIS.to_owned());
    let mut row = audit_event::Model {
        id: 0,
        at: Utc::now().trunc_subsecs(6),
        actor_id: event.actor_id,
        patient_id: event.patient_id,
        category: event.category.to_owned(),
        record_id: event.record_id.map(|r| r.chars().take(64).collect()),
        action: event.action.to_owned(),
        outcome: event.outcome.to_owned(),
        ip: event.client.ip.clone(),
        user_agent: event
            .client
            .user_agent
            .as_ref()
            .map(|ua| ua.chars().take(200).collect()),
        prev_hash,
        hash: String::new(),
    };
    row.hash = chain_hash(&row);
    audit_event::ActiveModel {
        at: Set(row.at),
        actor_id: Set(row.actor_id),
        patient_id: Set(row.patient_id),
        category: Set(row.category),
        record_id: Set(row.record_id),
        action: Set(row.action),
        outcome: Set(row.outcome),
        ip: Set(row.ip),
        user_agent: Set(row.user_agent),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    tx.commit().await
}

/// The hash of a row: SHA-256 over its previous hash and every field, each
/// length-prefixed so that no two different rows hash alike.
pub fn chain_hash(row: &audit_event::Model) -> String {
    let mut hasher = Sha256::new();
    let mut field = |value: &str| {
        hasher.update(value.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(value.as_bytes());
    };
    let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    field(&row.prev_hash);
    field(&timestamp(row.at));
    field(&number(row.actor_id));
    field(&number(row.patient_id));
    field(&row.category);
    field(row.record_id.as_deref().unwrap_or_default());
    field(&row.action);
    field(&row.outcome);
    field(row.ip.as_deref().unwrap_or_default());
    field(row.user_agent.as_deref().unwrap_or_default());
    hex(&hasher.finalize())
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub rows: u64,
    /// The id of the first row whose hash or link does not match.
    pub first_broken: Option<i64>,
}

/// Recomputes every row's hash and link, oldest first, a page at a time.
pub async fn verify(db: &DatabaseConnection) -> Result<Verification, DbErr> {
    let mut pages = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Id)
        .paginate(db, 1000);
    let mut expected_prev = GENESIS.to_owned();
    let mut rows = 0;
    while let Some(page) = pages.fetch_and_next().await? {
        for row in page {
            rows += 1;
            if row.prev_hash != expected_prev || chain_hash(&row) != row.hash {
                return Ok(Verification {
                    rows,
                    first_broken: Some(row.id),
                });
            }
            expected_prev = row.hash;
        }
    }
    Ok(Verification {
        rows,
        first_broken: None,
    })
}
