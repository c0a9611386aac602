//! Dose reminders: a periodic job looks at active scheduled medications and
//! sends one reminder when a dose falls due and one follow-up when it is
//! still not logged half an hour later. Each reminder's notification key
//! names the medication and the dose, and the notification table keeps one
//! row per key, so a dose is never reminded twice — after a restart, when
//! jobs overlap, or with several server processes.

use super::schedule::ScheduleKind;
use super::slots;
use super::store::med_row;
use crate::access::gate::{self, Read, kinds::Medications};
use crate::db::{now_ms, statement};
use crate::notify::service::{Message, exists, send};
use crate::notify::{DOSE_DUE, DOSE_FOLLOW_UP};
use crate::state::AppState;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

pub const JOB: &str = "reminders";
/// A reminder is sent when its time comes, within this window (the job runs
/// every minute; a server that was down longer sends no stale reminders).
const WINDOW_MS: i64 = 10 * 60 * 1000;
/// The follow-up comes this long after the dose's time.
pub const FOLLOW_UP_MS: i64 = 30 * 60 * 1000;

/// The job: reminders and follow-ups for the doses due now.
pub async fn run(state: &AppState) -> Result<(), String> {
    run_at(&state.db, now_ms())
        .await
        .map(|_| ())
        .map_err(|err| err.to_string())
}

async fn logged(db: &DatabaseConnection, med: i64, slot: &str) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT id FROM dose_logs WHERE medication_id = ? AND slot = ?",
            [med.into(), slot.into()],
        ))
        .await?
        .is_some())
}

/// Sends what is due at `now` (Unix ms); answers how many reminders were new.
pub async fn run_at(db: &DatabaseConnection, now: i64) -> Result<u32, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT m.*, p.time_zone AS patient_zone FROM medications m \
             LEFT JOIN notify_prefs p ON p.account_id = m.patient_id WHERE m.status = 'active'",
            [],
        ))
        .await?;
    let mut sent = 0;
    for row in rows {
        let med = med_row(&row)?;
        if med.input.schedule.kind == ScheduleKind::AsNeeded {
            continue;
        }
        let patient_id: i64 = row.try_get("", "patient_id")?;
        let zone_name: Option<String> = row.try_get("", "patient_zone")?;
        let zone = crate::clock::zone_or_utc(zone_name.as_deref());
        let (today, _) = crate::clock::local(&zone, now);
        let yesterday = today.pred_opt().unwrap_or(today);
        for day in [yesterday, today] {
            for slot in slots::slots_on(&med.input.schedule, med.start, med.end, &zone, day) {
                let due = (now - WINDOW_MS..=now).contains(&slot.due_ms);
                let follow = (now - WINDOW_MS..=now).contains(&(slot.due_ms + FOLLOW_UP_MS));
                if !(due || follow) || logged(db, med.id, &slot.key).await? {
                    continue;
                }
                let (kind, key) = if follow {
                    (DOSE_FOLLOW_UP, format!("dose-late:{}:{}", med.id, slot.key))
                } else {
                    (DOSE_DUE, format!("dose:{}:{}", med.id, slot.key))
                };
                if exists(db, patient_id, &key).await? {
                    continue;
                }
                let record = format!("reminder:{}:{}", med.id, slot.key);
                // The schedule a checked request saved is read for the reminder: audited.
                if gate::for_job::<Medications, Read>(db, patient_id, &record)
                    .await
                    .is_err()
                {
                    continue;
                }
                let params = serde_json::json!({
                    "time": slot.time.format("%H:%M").to_string(),
                    "med": format!("{} {}", med.input.name, med.input.strength).trim().to_owned(),
                    "slot": slot.key,
                });
                let message = Message {
                    kind,
                    params,
                    dedup_key: key,
                };
                if send(db, patient_id, message).await? {
                    sent += 1;
                }
            }
        }
    }
    if sent > 0 {
        crate::jobs::queue::wake();
    }
    Ok(sent)
}
