//! Goals (daily steps, target weight, glucose in range), their progress
//! today, and the in-app notification when one is reached (once per day;
//! delivery by other channels comes with the notification service).

use super::kind::Kind;
use super::{GoalKind, GoalView};
use crate::access::gate::{Proof, Read, Write, kinds::Vitals};
use crate::db::{now_ms, statement};
use crate::error::AppError;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

const DAY: i64 = 86_400;
/// A day's glucose figure counts once it has this many readings.
const MIN_GLUCOSE_READINGS: i64 = 3;
/// Weight within this many kilograms of the target reaches the goal.
const WEIGHT_TOLERANCE_KG: f64 = 0.5;

pub const GOAL_REACHED: &str = crate::notify::GOAL_REACHED;

fn today() -> i64 {
    Utc::now().timestamp().div_euclid(DAY) * DAY
}

async fn goal_rows(
    db: &DatabaseConnection,
    patient_id: i64,
) -> Result<Vec<(GoalKind, f64, Option<i64>)>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT kind, target, reached_day_s FROM goals WHERE patient_id = ? ORDER BY id",
            [patient_id.into()],
        ))
        .await?;
    let mut goals = Vec::new();
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        if let Some(kind) = GoalKind::parse(&kind) {
            goals.push((
                kind,
                row.try_get("", "target")?,
                row.try_get("", "reached_day_s")?,
            ));
        }
    }
    Ok(goals)
}

/// Today's figure for a goal and whether it is reached.
async fn today_figure(
    db: &DatabaseConnection,
    patient_id: i64,
    goal: GoalKind,
    target: f64,
) -> Result<(Option<f64>, bool), DbErr> {
    let day = today();
    match goal {
        GoalKind::DailySteps | GoalKind::GlucoseInRange => {
            let row = db
                .query_one_raw(statement(
                    db.get_database_backend(),
                    "SELECT count, sum, in_range FROM observation_rollups WHERE patient_id = ? \
                     AND kind = ? AND period = 'd' AND bucket_s = ?",
                    [patient_id.into(), goal.kind().as_str().into(), day.into()],
                ))
                .await?;
            let Some(row) = row else {
                return Ok((None, false));
            };
            let count: i64 = row.try_get("", "count")?;
            if goal == GoalKind::DailySteps {
                let sum: f64 = row.try_get("", "sum")?;
                Ok((Some(sum), sum >= target))
            } else {
                let in_range: i64 = row.try_get("", "in_range")?;
                let pct = in_range as f64 / count.max(1) as f64 * 100.0;
                Ok((Some(pct), count >= MIN_GLUCOSE_READINGS && pct >= target))
            }
        }
        GoalKind::TargetWeight => {
            let row = db
                .query_one_raw(statement(
                    db.get_database_backend(),
                    "SELECT value FROM observations WHERE patient_id = ? AND kind = ? \
                     ORDER BY start_s DESC LIMIT 1",
                    [patient_id.into(), Kind::Weight.as_str().into()],
                ))
                .await?;
            let latest: Option<f64> = row.map(|r| r.try_get("", "value")).transpose()?;
            Ok((
                latest,
                latest.is_some_and(|w| (w - target).abs() <= WEIGHT_TOLERANCE_KG),
            ))
        }
    }
}

fn progress_pct(goal: GoalKind, target: f64, current: Option<f64>) -> f64 {
    let Some(current) = current else { return 0.0 };
    let pct = match goal {
        GoalKind::DailySteps | GoalKind::GlucoseInRange => current / target * 100.0,
        // Closeness to the target weight: 100 % within tolerance, 0 % at 20 % off.
        GoalKind::TargetWeight => {
            let off = ((current - target).abs() - WEIGHT_TOLERANCE_KG).max(0.0);
            100.0 - off / (target * 0.2) * 100.0
        }
    };
    pct.clamp(0.0, 100.0)
}

/// The patient's goals with today's progress.
pub async fn progress(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
) -> Result<Vec<GoalView>, DbErr> {
    let mut views = Vec::new();
    for (kind, target, _) in goal_rows(db, proof.patient_id()).await? {
        let (current, reached) = today_figure(db, proof.patient_id(), kind, target).await?;
        views.push(GoalView {
            kind,
            target,
            current,
            progress_pct: progress_pct(kind, target, current),
            reached,
        });
    }
    Ok(views)
}

/// Sets (or changes) a goal.
pub async fn set(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    goal: GoalKind,
    target: f64,
) -> Result<(), AppError> {
    let (min, max) = goal.range();
    if !target.is_finite() || target < min || target > max {
        return Err(AppError::GoalOutOfRange {
            min: min as u32,
            max: max as u32,
        });
    }
    db.execute_raw(statement(
        db.get_database_backend(),
        "INSERT INTO goals (patient_id, kind, target, created_ms) VALUES (?, ?, ?, ?) \
         ON CONFLICT (patient_id, kind) DO UPDATE SET target = excluded.target, reached_day_s = NULL",
        [
            proof.patient_id().into(),
            goal.as_str().into(),
            target.into(),
            now_ms().into(),
        ],
    ))
    .await?;
    evaluate(db, proof.patient_id()).await?;
    Ok(())
}

pub async fn remove(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Write>,
    goal: GoalKind,
) -> Result<(), AppError> {
    db.execute_raw(statement(
        db.get_database_backend(),
        "DELETE FROM goals WHERE patient_id = ? AND kind = ?",
        [proof.patient_id().into(), goal.as_str().into()],
    ))
    .await?;
    Ok(())
}

/// After new data: notes each goal reached today, once per goal and day,
/// with an in-app notification for the patient.
pub async fn evaluate(db: &DatabaseConnection, patient_id: i64) -> Result<(), DbErr> {
    let day = today();
    for (kind, target, reached_day) in goal_rows(db, patient_id).await? {
        if reached_day == Some(day) {
            continue;
        }
        let (_, reached) = today_figure(db, patient_id, kind, target).await?;
        if !reached {
            continue;
        }
        let moved = db
            .execute_raw(statement(
                db.get_database_backend(),
                "UPDATE goals SET reached_day_s = ? WHERE patient_id = ? AND kind = ? \
                 AND (reached_day_s IS NULL OR reached_day_s <> ?)",
                [
                    day.into(),
                    patient_id.into(),
                    kind.as_str().into(),
                    day.into(),
                ],
            ))
            .await?;
        if moved.rows_affected() == 1 {
            let message = crate::notify::service::Message {
                kind: GOAL_REACHED,
                params: serde_json::json!({ "goal": kind.as_str() }),
                dedup_key: format!("goal:{}:{day}", kind.as_str()),
            };
            crate::notify::service::send(db, patient_id, message).await?;
        }
    }
    Ok(())
}
