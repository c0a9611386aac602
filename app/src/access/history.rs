//! Reading the audit log for people: a patient's access history (who else
//! touched their data, with the actors' names) and the security events an
//! administrator reviews.

use super::{AccessEntry, HistoryPage, SecurityEventView};
use crate::audit::entity::audit_event;
use crate::identity::Role;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// Entries on one page of the access history.
pub const HISTORY_PAGE: u64 = 50;

fn others_on(patient_id: i64) -> Condition {
    Condition::all()
        .add(audit_event::Column::PatientId.eq(patient_id))
        .add(
            Condition::any()
                .add(audit_event::Column::ActorId.ne(patient_id))
                .add(audit_event::Column::ActorId.is_null()),
        )
}

fn refused(refused: bool) -> Condition {
    if refused {
        Condition::all().add(audit_event::Column::Outcome.like("refused%"))
    } else {
        Condition::all().add(audit_event::Column::Outcome.not_like("refused%"))
    }
}

/// Who else touched this patient's data, newest first: the accesses, or
/// (with `refused`) the refused attempts, a page at a time from `before`
/// (an entry id) back.
pub async fn history_of(
    db: &DatabaseConnection,
    patient_id: i64,
    refused_only: bool,
    before: Option<i64>,
) -> Result<HistoryPage, DbErr> {
    let mut query = audit_event::Entity::find()
        .filter(others_on(patient_id))
        .filter(refused(refused_only));
    if let Some(before) = before {
        query = query.filter(audit_event::Column::Id.lt(before));
    }
    let mut rows = query
        .order_by_desc(audit_event::Column::Id)
        .limit(HISTORY_PAGE + 1)
        .all(db)
        .await?;
    let older = (rows.len() as u64 > HISTORY_PAGE).then(|| {
        rows.truncate(HISTORY_PAGE as usize);
        rows.last().map(|r| r.id).unwrap_or_default()
    });
    let refused_count = audit_event::Entity::find()
        .filter(others_on(patient_id))
        .filter(refused(true))
        .count(db)
        .await?;
    let actors =
        crate::accounts::service::by_ids(db, rows.iter().filter_map(|r| r.actor_id)).await?;
    let entries = rows
        .into_iter()
        .map(|row| {
            let actor = row.actor_id.and_then(|id| actors.get(&id));
            AccessEntry {
                id: row.id,
                at: row.at,
                actor_name: actor.map(|a| a.display_name.clone()).unwrap_or_default(),
                actor_role: actor.and_then(|a| Role::parse(&a.role)),
                category: row.category,
                action: row.action,
                outcome: row.outcome,
            }
        })
        .collect();
    Ok(HistoryPage {
        entries,
        older,
        refused_count,
    })
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
