//! Reading the audit log for people: a patient's access history (who else
//! touched their data, with the actors' names) and the security events an
//! administrator reviews.

use super::{AccessEntry, SecurityEventView};
use crate::audit::entity::audit_event;
use crate::identity::Role;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Who else touched this patient's data, newest first.
pub async fn history_of(
    db: &DatabaseConnection,
    patient_id: i64,
    limit: u64,
) -> Result<Vec<AccessEntry>, DbErr> {
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::PatientId.eq(patient_id))
        .filter(
            Condition::any()
                .add(audit_event::Column::ActorId.ne(patient_id))
                .add(audit_event::Column::ActorId.is_null()),
        )
        .order_by_desc(audit_event::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let actors =
        crate::accounts::service::by_ids(db, rows.iter().filter_map(|r| r.actor_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let actor = row.actor_id.and_then(|id| actors.get(&id));
            AccessEntry {
                at: row.at,
                actor_name: actor.map(|a| a.display_name.clone()).unwrap_or_default(),
                actor_role: actor.and_then(|a| Role::parse(&a.role)),
                category: row.category,
                action: row.action,
                outcome: row.outcome,
            }
        })
        .collect())
}

/// The latest security events, newest first.
pub async fn security_events(
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<SecurityEventView>, DbErr> {
    Ok(crate::audit::security_events::latest(db, limit)
        .await?
        .into_iter()
        .map(|e| SecurityEventView {
            id: e.id,
            at: e.at,
            kind: e.kind,
            account_id: e.account_id,
            patient_id: e.patient_id,
            detail: e.detail,
        })
        .collect())
}
