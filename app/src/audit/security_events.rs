//! Security events: what an administrator should look at. Details carry ids
//! and reasons, never health data.

pub use super::entity::security_event;
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, QueryOrder, QuerySelect, Set,
};

/// The kinds of event, as stored.
pub mod kind {
    pub const SIGN_IN_BURST: &str = "sign_in_burst";
    pub const BREAK_GLASS: &str = "break_glass";
    pub const FORGED_SIGN_IN: &str = "forged_sign_in";
}

/// Records one event.
pub async fn raise(
    db: &DatabaseConnection,
    kind: &str,
    account_id: Option<i64>,
    patient_id: Option<i64>,
    detail: &str,
) -> Result<(), DbErr> {
    tracing::warn!(kind, account_id, patient_id, "security event");
    security_event::ActiveModel {
        at: Set(chrono::Utc::now()),
        kind: Set(kind.to_owned()),
        account_id: Set(account_id),
        patient_id: Set(patient_id),
        detail: Set(detail.chars().take(500).collect()),
        acknowledged_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// The latest events, newest first.
pub async fn latest(
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<security_event::Model>, DbErr> {
    security_event::Entity::find()
        .order_by_desc(security_event::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
