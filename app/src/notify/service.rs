//! Writing a notification once and queueing its deliveries; the in-app list.

use super::prefs;
use super::{NotificationItem, NotificationList};
use crate::db::{now_ms, statement};
use crate::jobs::queue::{NewJob, enqueue};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionSession as _, TransactionTrait};

/// What to tell someone: a kind, its parameters (rendered per channel and
/// language by `messages`), and the key that makes it happen once.
#[derive(Debug, Clone)]
pub struct Message {
    pub kind: &'static str,
    pub params: serde_json::Value,
    pub dedup_key: String,
}

/// Attempts per delivery before it is given up (backoff 2 s, 4 s, … between).
pub const DELIVERY_ATTEMPTS: i32 = 6;

/// Whether a notification with this key exists for the account.
pub async fn exists(db: &impl ConnectionTrait, account_id: i64, key: &str) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT id FROM notifications WHERE account_id = ? AND dedup_key = ?",
            [account_id.into(), key.into()],
        ))
        .await?
        .is_some())
}

/// Writes the notification unless its key exists, and queues a delivery for
/// each channel the person chose (after their quiet hours). Answers whether
/// it was new. All in one transaction: a notification never lacks its deliveries.
pub async fn send<C>(db: &C, account_id: i64, message: Message) -> Result<bool, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let tx = db.begin().await?;
    let backend = tx.get_database_backend();
    let now = now_ms();
    let inserted = tx
        .query_one_raw(statement(
            backend,
            "INSERT INTO notifications (account_id, kind, params, dedup_key, created_ms) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            [
                account_id.into(),
                message.kind.into(),
                message.params.to_string().into(),
                message.dedup_key.into(),
                now.into(),
            ],
        ))
        .await?;
    let Some(row) = inserted else {
        tx.rollback().await?;
        return Ok(false);
    };
    let notification_id: i64 = row.try_get("", "id")?;
    let prefs = prefs::load(&tx, account_id).await?;
    let delay_ms = prefs.quiet_delay_ms(now);
    let mut targets: Vec<(&str, i64)> = Vec::new();
    if prefs.email {
        targets.push(("email", 0));
    }
    if prefs.sms && !prefs.phone.is_empty() {
        targets.push(("sms", 0));
    }
    if prefs.push {
        for id in super::push::subscription_ids(&tx, account_id).await? {
            targets.push(("push", id));
        }
    }
    for (channel, target) in targets {
        let row = tx
            .query_one_raw(statement(
                backend,
                "INSERT INTO deliveries (notification_id, account_id, channel, target_id, state, \
                 attempts, created_ms) VALUES (?, ?, ?, ?, 'pending', 0, ?) RETURNING id",
                [
                    notification_id.into(),
                    account_id.into(),
                    channel.into(),
                    target.into(),
                    now.into(),
                ],
            ))
            .await?
            .ok_or_else(|| DbErr::Custom("INSERT … RETURNING gave no row".into()))?;
        let delivery_id: i64 = row.try_get("", "id")?;
        let mut job = NewJob::new(super::deliver::JOB, delivery_id.to_string());
        job.max_attempts = DELIVERY_ATTEMPTS;
        job.delay_ms = delay_ms;
        enqueue(&tx, job).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// A stored notification: the one read model of notifications, whichever
/// page shows them (the list, the bell, the dashboard).
#[derive(Debug, Clone, FromQueryResult)]
pub struct Stored {
    pub id: i64,
    pub kind: String,
    params: Option<String>,
    pub created_ms: i64,
    read_ms: Option<i64>,
}

impl Stored {
    /// What the kind's words are filled with (`Null` when none).
    pub fn params(&self) -> serde_json::Value {
        self.params
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    pub fn is_read(&self) -> bool {
        self.read_ms.is_some()
    }

    /// In the reader's language, details included (it is shown in the app).
    fn item(&self, locale: &str) -> NotificationItem {
        let text = super::messages::render(&self.kind, &self.params(), locale, true);
        NotificationItem {
            id: self.id,
            kind: self.kind.clone(),
            title: text.title,
            body: text.body,
            url: text.url,
            created_ms: self.created_ms,
            read: self.is_read(),
        }
    }
}

/// The account's latest notifications, newest first.
pub async fn latest(
    db: &impl ConnectionTrait,
    account_id: i64,
    limit: u32,
) -> Result<Vec<Stored>, DbErr> {
    Stored::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT id, kind, params, created_ms, read_ms FROM notifications \
         WHERE account_id = ? ORDER BY id DESC LIMIT ?",
        [account_id.into(), i64::from(limit).into()],
    ))
    .all(db)
    .await
}

/// The account's latest notifications in its language, with the unread count.
pub async fn list(
    db: &impl ConnectionTrait,
    account_id: i64,
    locale: &str,
    limit: u32,
) -> Result<NotificationList, DbErr> {
    let items = latest(db, account_id, limit)
        .await?
        .iter()
        .map(|stored| stored.item(locale))
        .collect();
    Ok(NotificationList {
        items,
        unread: unread(db, account_id).await?,
    })
}

pub async fn unread(db: &impl ConnectionTrait, account_id: i64) -> Result<u32, DbErr> {
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM notifications WHERE account_id = ? AND read_ms IS NULL",
            [account_id.into()],
        ))
        .await?;
    let n: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
    Ok(n.clamp(0, i64::from(u32::MAX)) as u32)
}

/// Marks all of the account's notifications read.
pub async fn mark_all_read(db: &impl ConnectionTrait, account_id: i64) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db.get_database_backend(),
        "UPDATE notifications SET read_ms = ? WHERE account_id = ? AND read_ms IS NULL",
        [now_ms().into(), account_id.into()],
    ))
    .await?;
    Ok(())
}

/// Marks one of the account's notifications read (`NotFound` for another's).
pub async fn mark_read(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<(), crate::error::AppError> {
    let result = db
        .execute_raw(statement(
            db.get_database_backend(),
            "UPDATE notifications SET read_ms = ? WHERE id = ? AND account_id = ?",
            [now_ms().into(), id.into(), account_id.into()],
        ))
        .await?;
    if result.rows_affected() == 0 {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(())
}
