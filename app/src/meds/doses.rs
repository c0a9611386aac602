//! The rules of doses: adherence, the Today page (the day's doses, as-needed
//! medications, the month's calendar), logging a dose taken or skipped
//! (once per scheduled dose, once per device id) and undoing it.

use super::checks::{bad_dose, begin_change, valid_client_id};
use super::schedule::ScheduleKind;
use super::slots::{self, Slot};
use super::store::{self, LogRow, MedRow, NewLog};
use super::{
    Adherence, CalendarDay, DoseInput, DoseLogged, DoseState, DoseView, PrnView, TodayView,
};
use crate::access::gate::{self, Read, Write, kinds::Medications};
use crate::clock::parse_date;
use crate::db::now_ms;
use crate::error::AppError;
use crate::identity::Actor;
use crate::refusals::MedProblem;
use chrono::{Datelike, Duration, NaiveDate};
use jiff::tz::TimeZone;
use sea_orm::{DatabaseConnection, TransactionTrait};

/// A dose counts as late this long after its time.
pub const LATE_AFTER_MS: i64 = 60 * 60 * 1000;

/// Scheduled doses and their logs over local dates `[from, to]`, as counts.
pub fn adherence(
    med: &MedRow,
    zone: &TimeZone,
    logs: &[LogRow],
    from: NaiveDate,
    to: NaiveDate,
    now_ms: i64,
) -> Option<Adherence> {
    if med.input.schedule.kind == ScheduleKind::AsNeeded {
        return None;
    }
    let mut counts = Adherence::default();
    let today = crate::clock::local(zone, now_ms).0;
    let mut day = from;
    while day <= to {
        for slot in slots::slots_on(&med.input.schedule, med.start, med.end, zone, day) {
            if slot.due_ms > now_ms {
                continue;
            }
            match find_log(logs, med.id, &slot.key) {
                Some(log) => {
                    counts.expected += 1;
                    if log.taken {
                        counts.taken += 1;
                    } else {
                        counts.skipped += 1;
                    }
                }
                // A dose not logged is missed once its day is over; until
                // then it may still be taken (a new medication's first day
                // is not 0 %).
                None if day < today => counts.expected += 1,
                None => {}
            }
        }
        day = day.succ_opt()?;
    }
    Some(counts)
}

fn find_log<'a>(logs: &'a [LogRow], med: i64, slot: &str) -> Option<&'a LogRow> {
    logs.iter()
        .find(|l| l.medication_id == med && l.slot.as_deref() == Some(slot))
}

fn dose_view(
    med: &MedRow,
    slot: &Slot,
    log: Option<&LogRow>,
    zone: &TimeZone,
    now: i64,
) -> DoseView {
    let state = match log {
        Some(log) if log.taken => DoseState::Taken,
        Some(_) => DoseState::Skipped,
        None if slot.due_ms > now => DoseState::Upcoming,
        None if now - slot.due_ms <= LATE_AFTER_MS => DoseState::Due,
        None => DoseState::Late,
    };
    DoseView {
        medication_id: med.id,
        name: med.input.name.clone(),
        strength: med.input.strength.clone(),
        form: med.input.form.clone(),
        slot: slot.key.clone(),
        time: slot.time.format("%H:%M").to_string(),
        due_ms: slot.due_ms,
        amount: slot.amount,
        state,
        log_id: log.map(|l| l.id),
        logged_time: log.map(|l| {
            crate::clock::local(zone, l.at_ms)
                .1
                .format("%H:%M")
                .to_string()
        }),
        reason: log.and_then(|l| l.reason.clone()),
    }
}

/// The doses of a local date (today by default), as-needed medications with
/// the day's doses, and the month's calendar. The access check (and its audit
/// event) goes through the writer `db`, the reads through `reads`.
pub async fn today(
    db: &DatabaseConnection,
    reads: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    date: Option<&str>,
) -> Result<TodayView, AppError> {
    let proof = gate::check::<Medications, Read>(db, actor, patient_id, None).await?;
    let crate::clock::PersonZone {
        zone,
        name: zone_name,
        chosen: zone_set,
    } = crate::clock::zone_of(reads, patient_id).await?;
    let now = now_ms();
    let (today, _) = crate::clock::local(&zone, now);
    let day = date.and_then(parse_date).unwrap_or(today);
    let month_start = day.with_day(1).unwrap_or(day);
    let next_month = (month_start + Duration::days(32))
        .with_day(1)
        .unwrap_or(month_start);
    let month_end = next_month.pred_opt().unwrap_or(month_start);
    let window = (
        crate::clock::day_start_ms(&zone, month_start),
        crate::clock::day_start_ms(&zone, next_month),
    );
    let logs = store::logs(reads, &proof, month_start, month_end, window).await?;
    let meds = store::medications(reads, &proof).await?;
    let has_medications = !meds.is_empty();
    let day_window = (
        crate::clock::day_start_ms(&zone, day),
        crate::clock::day_start_ms(&zone, day.succ_opt().unwrap_or(day)),
    );

    let mut doses = Vec::new();
    let mut as_needed = Vec::new();
    for med in meds.iter().filter(|m| m.active) {
        if med.input.schedule.kind == ScheduleKind::AsNeeded {
            if day < med.start || med.end.is_some_and(|end| day > end) {
                continue;
            }
            let taken = logs
                .iter()
                .filter(|l| l.medication_id == med.id && l.slot.is_none() && l.taken)
                .filter(|l| (day_window.0..day_window.1).contains(&l.at_ms))
                .map(|l| {
                    (
                        l.id,
                        crate::clock::local(&zone, l.at_ms)
                            .1
                            .format("%H:%M")
                            .to_string(),
                    )
                })
                .collect();
            as_needed.push(PrnView {
                medication_id: med.id,
                name: med.input.name.clone(),
                strength: med.input.strength.clone(),
                amount: med.input.schedule.dose_on(day),
                max_per_day: med.input.schedule.max_per_day,
                taken,
            });
            continue;
        }
        for slot in slots::slots_on(&med.input.schedule, med.start, med.end, &zone, day) {
            let log = find_log(&logs, med.id, &slot.key);
            doses.push(dose_view(med, &slot, log, &zone, now));
        }
    }
    doses.sort_by(|a, b| (a.due_ms, &a.name).cmp(&(b.due_ms, &b.name)));

    let mut calendar: Vec<Option<CalendarDay>> =
        vec![None; month_start.weekday().num_days_from_monday() as usize];
    let mut date = month_start;
    while date <= month_end {
        let mut counts = Adherence::default();
        for med in meds.iter().filter(|m| m.active) {
            if let Some(c) = adherence(med, &zone, &logs, date, date, now) {
                counts.expected += c.expected;
                counts.taken += c.taken;
                counts.skipped += c.skipped;
            }
        }
        calendar.push(Some(CalendarDay {
            date: date.format("%Y-%m-%d").to_string(),
            counts,
            future: date > today,
            today: date == today,
        }));
        date = date.succ_opt().unwrap_or(month_end + Duration::days(1));
    }
    let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(TodayView {
        date: fmt(day),
        previous: fmt(day.pred_opt().unwrap_or(day)),
        next: fmt(day.succ_opt().unwrap_or(day)),
        is_today: day == today,
        zone: zone_name,
        zone_set,
        doses,
        as_needed,
        calendar,
        has_medications,
    })
}

/// Logs a dose taken or skipped. A repeated `client_id` answers the stored
/// log (the offline queue may send twice); a scheduled dose is logged once.
pub async fn log_dose(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    input: DoseInput,
) -> Result<DoseLogged, AppError> {
    let record = format!("medication:{}", input.medication_id);
    let proof = gate::check::<Medications, Write>(db, actor, patient_id, Some(&record)).await?;
    let client_id = input.client_id.trim();
    if !client_id.is_empty() && !valid_client_id(client_id) {
        return Err(bad_dose(MedProblem::DeviceId));
    }
    if !client_id.is_empty()
        && let Some(log) = store::log_by_client(db, &proof, client_id).await?
    {
        return Ok(DoseLogged {
            log_id: log.id,
            repeated: true,
            supply_low: false,
        });
    }
    let taken = match input.status.as_str() {
        "taken" => true,
        "skipped" => false,
        _ => return Err(bad_dose(MedProblem::TakenOrSkipped)),
    };
    let reason = input.reason.trim();
    if reason.chars().count() > 200 {
        return Err(bad_dose(MedProblem::ReasonTooLong { max: 200 }));
    }
    let med = store::medication(db, &proof, input.medication_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !med.active {
        return Err(bad_dose(MedProblem::Stopped));
    }
    let zone = crate::clock::zone_of(db, patient_id).await?.zone;
    let now = now_ms();
    let at_ms = match input.at.trim() {
        "" => now,
        text => chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .map(|local| crate::clock::instant_ms(&zone, local.date(), local.time()))
            .map_err(|_| bad_dose(MedProblem::DateTimeMissing))?,
    };
    if at_ms > now + 5 * 60 * 1000 {
        return Err(bad_dose(MedProblem::InFuture));
    }
    let (today, _) = crate::clock::local(&zone, now);
    let slot_key = input.slot.trim();
    let (slot, amount) = if slot_key.is_empty() {
        if med.input.schedule.kind != ScheduleKind::AsNeeded {
            return Err(bad_dose(MedProblem::SlotMissing));
        }
        if !taken {
            return Err(bad_dose(MedProblem::AsNeededOnlyTaken));
        }
        let (day, _) = crate::clock::local(&zone, at_ms);
        let window = (
            crate::clock::day_start_ms(&zone, day),
            crate::clock::day_start_ms(&zone, day.succ_opt().unwrap_or(day)),
        );
        let taken_that_day = store::logs(db, &proof, day, day, window)
            .await?
            .iter()
            .filter(|l| l.medication_id == med.id && l.slot.is_none() && l.taken)
            .count() as u32;
        let max = med.input.schedule.max_per_day;
        if taken_that_day + 1 > max {
            return Err(AppError::PrnLimit { max });
        }
        (None, med.input.schedule.dose_on(day))
    } else {
        let (day, _) =
            slots::parse_slot(slot_key).ok_or_else(|| bad_dose(MedProblem::NotScheduled))?;
        if day > today {
            return Err(bad_dose(MedProblem::NotDueYet));
        }
        let slot = slots::slots_on(&med.input.schedule, med.start, med.end, &zone, day)
            .into_iter()
            .find(|s| s.key == slot_key)
            .ok_or_else(|| bad_dose(MedProblem::NotScheduled))?;
        let amount = slot.amount;
        (Some(slot), amount)
    };

    let tx = db.begin().await?;
    let inserted = store::insert_log(
        &tx,
        &proof,
        &NewLog {
            medication_id: med.id,
            slot: slot.as_ref().map(|s| s.key.as_str()),
            due_ms: slot.as_ref().map(|s| s.due_ms),
            taken,
            at_ms,
            amount,
            reason: (!reason.is_empty()).then_some(reason),
            client_id: (!client_id.is_empty()).then_some(client_id),
        },
    )
    .await;
    let log_id = match inserted {
        Ok(id) => id,
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            tx.rollback().await?;
            // Another request stored the same device id first, or the dose is logged.
            if !client_id.is_empty()
                && let Some(log) = store::log_by_client(db, &proof, client_id).await?
            {
                return Ok(DoseLogged {
                    log_id: log.id,
                    repeated: true,
                    supply_low: false,
                });
            }
            return Err(AppError::DoseAlreadyLogged);
        }
        Err(err) => return Err(err.into()),
    };
    let mut supply_low = false;
    let after = match taken {
        true => store::change_supply(&tx, &proof, med.id, -amount, false).await?,
        false => None,
    };
    if let (Some(after), Some(low)) = (after, med.input.low_supply)
        && after <= low
    {
        supply_low = true;
        // The reminder comes once per refill cycle: when the supply first crosses the level.
        if after + amount > low {
            let params = serde_json::json!({ "med": med.input.name, "left": after });
            crate::notify::service::send(
                &tx,
                patient_id,
                crate::notify::service::Message {
                    kind: crate::notify::REFILL_LOW,
                    params,
                    dedup_key: format!("refill:{}:{}", med.id, med.refills),
                },
            )
            .await?;
        }
    }
    crate::jobs::queue::commit_and_wake(tx).await?;
    Ok(DoseLogged {
        log_id,
        repeated: false,
        supply_low,
    })
}

/// Undoes a log: the dose is due again and a taken dose's units go back to the supply.
pub async fn undo(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    log_id: i64,
) -> Result<(), AppError> {
    let (proof, tx) = begin_change(db, actor, patient_id, &format!("dose:{log_id}")).await?;
    let log = store::log(&tx, &proof, log_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::delete_log(&tx, &proof, log_id).await? {
        return Err(AppError::NotFound);
    }
    if log.taken {
        store::change_supply(&tx, &proof, log.medication_id, log.amount, false).await?;
    }
    let what = log.slot.clone().unwrap_or_else(|| "as needed".into());
    store::add_change(&tx, &proof, log.medication_id, "undone", &what).await?;
    tx.commit().await?;
    Ok(())
}
