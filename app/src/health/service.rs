//! The health-data rules, whichever door a request came in by (the API,
//! a server function, an import job): check access, validate, store, read.

use super::kind::{Combine, Kind};
use super::nights;
use super::reading::{Comparator, NewReading, Reading, ReadingProblem};
use super::rollups::{self, Bucket};
use super::store::{self, LatestReading};
use super::{
    CardView, DashboardView, IngestReport, ItemError, Latest, Point, Resolution, SeriesView,
    UnitPrefs,
};
use crate::access::gate::{self, Read, Write, kinds::Medications, kinds::Vitals};
use crate::db::statement;
use crate::error::AppError;
use crate::identity::Actor;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

/// Checks and stores a batch. Items that fail their checks are reported by
/// index; the good ones are stored (duplicates are counted, not stored twice).
pub async fn ingest(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    items: Vec<Result<NewReading, ReadingProblem>>,
    default_source: &str,
) -> Result<IngestReport, AppError> {
    if items.len() > super::MAX_BATCH {
        return Err(AppError::BatchTooLarge {
            max: super::MAX_BATCH,
        });
    }
    let proof = gate::check::<Vitals, Write>(db, actor, patient_id, None).await?;
    let now = Utc::now();
    let mut report = IngestReport {
        received: items.len(),
        ..IngestReport::default()
    };
    let mut by_source: BTreeMap<String, Vec<Reading>> = BTreeMap::new();
    for (index, item) in items.into_iter().enumerate() {
        match item.and_then(|new| Ok((new.check(now)?, new.source))) {
            Ok((reading, source)) => {
                let source = match source.map(|s| s.trim().to_owned()) {
                    Some(s) if !s.is_empty() => s,
                    _ => default_source.to_owned(),
                };
                by_source.entry(source).or_default().push(reading);
            }
            Err(problem @ ReadingProblem::NotAReading { .. }) => {
                report.skipped.push(ItemError::reading(index, problem))
            }
            Err(problem) => report.rejected.push(ItemError::reading(index, problem)),
        }
    }
    // The batch is stored whole or not at all, whatever its sources.
    let batch: Vec<(&str, &[Reading])> = by_source
        .iter()
        .map(|(source, readings)| (source.as_str(), readings.as_slice()))
        .collect();
    let written = store::insert_sources(db, &proof, &batch, None).await?;
    report.stored = written.stored;
    report.duplicates = written.duplicates;
    report.removed = written.removed;
    Ok(report)
}

/// Why a typed reading was not saved: the reading itself (the form words it
/// in the reader's language), or anything else.
#[derive(Debug)]
pub enum ManualRefusal {
    Reading(super::ReadingProblem),
    Other(AppError),
}

impl From<AppError> for ManualRefusal {
    fn from(error: AppError) -> Self {
        ManualRefusal::Other(error)
    }
}

impl From<sea_orm::DbErr> for ManualRefusal {
    fn from(error: sea_orm::DbErr) -> Self {
        ManualRefusal::Other(error.into())
    }
}

/// One reading typed into a form.
pub async fn add_manual(
    db: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    reading: NewReading,
) -> Result<bool, ManualRefusal> {
    let reading = reading.check(Utc::now()).map_err(ManualRefusal::Reading)?;
    let proof = gate::check::<Vitals, Write>(db, actor, patient_id, None).await?;
    let written = store::insert(db, &proof, &[reading], "manual", None).await?;
    Ok(written.stored == 1)
}

/// The unit preferences of an account (the viewer's, also on a patient's page).
pub async fn prefs(db: &DatabaseConnection, account_id: i64) -> Result<UnitPrefs, AppError> {
    use sea_orm::FromQueryResult as _;
    let stored = UnitPrefs::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT weight, glucose, temperature, distance FROM health_preferences WHERE patient_id = ?",
        [account_id.into()],
    ))
    .one(db)
    .await?;
    Ok(stored.unwrap_or_default())
}

pub async fn set_prefs(
    db: &DatabaseConnection,
    account_id: i64,
    prefs: UnitPrefs,
) -> Result<(), AppError> {
    let prefs = prefs.checked().ok_or(AppError::InvalidReading {
        reason: ReadingProblem::UnitChoice,
    })?;
    db.execute_raw(statement(
        db.get_database_backend(),
        "INSERT INTO health_preferences (patient_id, weight, glucose, temperature, distance) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (patient_id) DO UPDATE SET weight = excluded.weight, \
         glucose = excluded.glucose, temperature = excluded.temperature, distance = excluded.distance",
        [
            account_id.into(),
            prefs.weight.into(),
            prefs.glucose.into(),
            prefs.temperature.into(),
            prefs.distance.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The figure of a bucket: its total (counts) or mean (levels).
pub fn figure(kind: Kind, bucket: &Bucket) -> f64 {
    match kind.combine() {
        Combine::Sum => bucket.sum,
        Combine::Mean => bucket.sum / bucket.count.max(1) as f64,
    }
}

/// The dashboard of a patient: a card per kind, goals, unit preferences,
/// and for one's own the unread notifications in `locale` (they can name
/// medications: reading them is an audited read of those). The access
/// checks write through `db`; the figures are read through `reads`.
pub async fn dashboard(
    db: &DatabaseConnection,
    reads: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    locale: &str,
) -> Result<DashboardView, AppError> {
    let proof = gate::check::<Vitals, Read>(db, actor, patient_id, None).await?;
    let own = actor.account_id == patient_id;
    let notifications = if own {
        gate::check::<Medications, Read>(db, actor, patient_id, Some("notifications")).await?;
        crate::notify::service::list(reads, patient_id, locale, 20)
            .await?
            .items
            .into_iter()
            .filter(|n| !n.read)
            .take(5)
            .collect()
    } else {
        Vec::new()
    };
    let db = reads;
    let latest: BTreeMap<Kind, LatestReading> =
        store::latest(db, &proof).await?.into_iter().collect();
    let today = Utc::now().timestamp().div_euclid(DAY) * DAY;
    let from = today - 13 * DAY;
    let offset_s = zone_offset_s(db, patient_id).await?;
    let mut cards = Vec::new();
    for kind in Kind::ALL {
        let days = nights::days(db, &proof, kind, today - 27 * DAY, today + DAY, offset_s).await?;
        let by_day: BTreeMap<i64, f64> =
            days.iter().map(|b| (b.start_s, figure(kind, b))).collect();
        let spark = (0..14)
            .map(|i| by_day.get(&(from + i * DAY)).copied())
            .collect();
        let mean_of = |start: i64| {
            let values: Vec<f64> = (0..7)
                .filter_map(|i| by_day.get(&(start + i * DAY)).copied())
                .collect();
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
        };
        let trend_pct = match (mean_of(today - 6 * DAY), mean_of(today - 13 * DAY)) {
            (Some(now), Some(before)) if before.abs() > f64::EPSILON => {
                Some((now - before) / before * 100.0)
            }
            _ => None,
        };
        let latest = match (kind.combine(), latest.get(&kind)) {
            (_, None) => None,
            (Combine::Mean, Some(r)) => Some(Latest {
                at_s: r.start_s,
                value: r.value,
                value2: r.value2,
                day_total: false,
                comparator: r
                    .comparator
                    .as_deref()
                    .and_then(|c| Comparator::parse(c).ok()),
            }),
            // Totals: the last day with data (today's so far), not one reading.
            (Combine::Sum, Some(r)) => {
                let last_day = match days.iter().rev().find(|b| b.count > 0) {
                    Some(b) => Some(*b),
                    None => {
                        let day = (r.end_s + offset_s).div_euclid(DAY) * DAY;
                        nights::days(db, &proof, kind, day - DAY, day + DAY, offset_s)
                            .await?
                            .pop()
                    }
                };
                last_day.map(|b| Latest {
                    at_s: b.start_s,
                    value: b.sum,
                    value2: None,
                    day_total: true,
                    comparator: None,
                })
            }
        };
        cards.push(CardView {
            kind,
            latest,
            trend_pct,
            spark,
        });
    }
    Ok(DashboardView {
        patient_id,
        patient_name: if own {
            None
        } else {
            crate::accounts::service::find_by_id(db, patient_id)
                .await
                .ok()
                .map(|a| a.display_name)
        },
        cards,
        goals: super::goals::progress(db, &proof).await?,
        prefs: prefs(db, actor.account_id).await?,
        notifications,
    })
}

/// How far east of UTC the patient's zone is now (nights are dated by it).
async fn zone_offset_s(db: &DatabaseConnection, patient_id: i64) -> Result<i64, AppError> {
    let zone = crate::clock::zone_of(db, patient_id).await?.zone;
    Ok(i64::from(zone.to_offset(jiff::Timestamp::now()).seconds()))
}

/// How finely to read `[from, to)`: raw readings for two days or less of
/// levels, hours up to two months, days beyond.
pub fn resolution_for(kind: Kind, from_s: i64, to_s: i64) -> Resolution {
    let span = to_s - from_s;
    if span <= 2 * DAY && kind.combine() == Combine::Mean {
        Resolution::Raw
    } else if span <= 62 * DAY && !kind.is_session() {
        Resolution::Hour
    } else {
        Resolution::Day
    }
}

/// The most raw points a chart reads.
const RAW_LIMIT: u64 = 5000;

/// A chart's series: long ranges from rollups, short ones from raw points.
/// The access check writes through `db`; the points are read through `reads`.
#[allow(clippy::too_many_arguments)]
pub async fn series(
    db: &DatabaseConnection,
    reads: &DatabaseConnection,
    actor: &Actor,
    patient_id: i64,
    kind: Kind,
    from_s: i64,
    to_s: i64,
) -> Result<SeriesView, AppError> {
    if to_s <= from_s || to_s - from_s > 5 * 366 * DAY {
        return Err(AppError::InvalidReading {
            reason: ReadingProblem::RangeTooLong,
        });
    }
    let proof = gate::check::<Vitals, Read>(db, actor, patient_id, None).await?;
    let db = reads;
    let resolution = resolution_for(kind, from_s, to_s);
    let (points, in_range_pct) = match resolution {
        Resolution::Raw => {
            let rows = store::readings(db, &proof, kind, from_s, to_s, RAW_LIMIT).await?;
            let in_range = (kind == Kind::Glucose && !rows.is_empty()).then(|| {
                let (low, high) = super::kind::GLUCOSE_TARGET;
                let n = rows
                    .iter()
                    .filter(|r| r.value >= low && r.value <= high)
                    .count();
                n as f64 / rows.len() as f64 * 100.0
            });
            let points = rows
                .into_iter()
                .map(|r| Point {
                    start_s: r.start_s,
                    end_s: r.end_s,
                    value: r.value,
                    min: r.value,
                    max: r.value,
                    value2: r.value2,
                    count: 1,
                })
                .collect();
            (points, in_range)
        }
        Resolution::Hour | Resolution::Day => {
            let (period, width) = if resolution == Resolution::Hour {
                ('h', 3600)
            } else {
                ('d', DAY)
            };
            let from = from_s.div_euclid(width) * width;
            let buckets = if period == 'd' {
                let offset_s = zone_offset_s(db, patient_id).await?;
                nights::days(db, &proof, kind, from, to_s, offset_s).await?
            } else {
                rollups::buckets(db, &proof, kind, period, from, to_s).await?
            };
            let count: i64 = buckets.iter().map(|b| b.count).sum();
            let in_range = (kind == Kind::Glucose && count > 0).then(|| {
                buckets.iter().map(|b| b.in_range).sum::<i64>() as f64 / count as f64 * 100.0
            });
            let points = buckets
                .iter()
                .map(|b| Point {
                    start_s: b.start_s,
                    end_s: b.start_s + width,
                    value: figure(kind, b),
                    min: b.min,
                    max: b.max,
                    value2: (kind == Kind::BloodPressure).then(|| b.sum2 / b.count.max(1) as f64),
                    count: b.count,
                })
                .collect();
            (points, in_range)
        }
    };
    Ok(SeriesView {
        kind,
        resolution,
        from_s,
        to_s,
        points,
        in_range_pct,
        prefs: prefs(db, actor.account_id).await?,
    })
}
