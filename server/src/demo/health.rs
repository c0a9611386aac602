//! A year of realistic health data for the demo patient: heart rate every
//! minute (lower at night, higher in the afternoon, a workout most days),
//! steps per hour of the waking day, weekly weight drifting down, glucose
//! before and after meals, a morning blood pressure twice a week, and a
//! night's sleep. Deterministic (a fixed seed); written once.

use hale_app::access::gate::{self, Write, kinds::Vitals};
use hale_app::error::AppError;
use hale_app::health::kind::Kind;
use hale_app::health::reading::Reading;
use hale_app::health::{rollups, store};
use sea_orm::DatabaseConnection;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// A small deterministic generator (SplitMix64): the same demo every time.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / u64::MAX as f64
    }

    /// Roughly normal, mean 0, deviation 1.
    fn gauss(&mut self) -> f64 {
        (0..4).map(|_| self.next()).sum::<f64>() * 1.7320508 - 3.4641016
    }
}

fn reading(kind: Kind, at: i64, value: f64, value2: Option<f64>) -> Reading {
    Reading {
        kind,
        start_s: at,
        end_s: at,
        value: (value * 10.0).round() / 10.0,
        value2,
        status: Default::default(),
        comparator: None,
    }
}

/// Every reading of the demo year ending at `today` (a UTC midnight).
pub fn year(today: i64) -> Vec<Reading> {
    let mut noise = Noise(0x4841_4c45);
    let start = today - 365 * DAY;
    let mut out = Vec::with_capacity(540_000);
    let mut weight = 78.0;
    for day in 0..366 {
        let midnight = start + day * DAY;
        let workout_hour = if noise.next() < 0.7 {
            Some(17 + (noise.next() * 2.0) as i64)
        } else {
            None
        };
        let mut heart = 62.0;
        for minute in 0..1440 {
            let at = midnight + minute * MINUTE;
            if at >= today + 12 * HOUR {
                break;
            }
            let hour = minute / 60;
            let base = match hour {
                0..=5 => 54.0,
                6..=8 => 64.0,
                9..=16 => 72.0,
                17..=21 => 70.0,
                _ => 60.0,
            };
            let effort = if Some(hour) == workout_hour {
                55.0
            } else {
                0.0
            };
            heart += (base + effort - heart) * 0.15 + noise.gauss() * 1.5;
            out.push(reading(Kind::HeartRate, at, heart.clamp(40.0, 190.0), None));
        }
        for hour in 7..22 {
            let at = midnight + hour * HOUR + 30 * MINUTE;
            if at >= today + 12 * HOUR {
                break;
            }
            let walk = if Some(hour) == workout_hour {
                3500.0
            } else {
                450.0
            };
            let steps = (walk + noise.gauss() * 150.0).max(0.0).round();
            out.push(reading(Kind::Steps, at, steps, None));
        }
        if day % 7 == 0 {
            weight += -0.05 + noise.gauss() * 0.3;
            out.push(reading(Kind::Weight, midnight + 7 * HOUR, weight, None));
        }
        for (hour, meal) in [
            (7, false),
            (9, true),
            (12, false),
            (14, true),
            (19, false),
            (21, true),
        ] {
            let at = midnight + hour * HOUR + 5 * MINUTE;
            if at >= today + 12 * HOUR {
                break;
            }
            let level = if meal { 150.0 } else { 98.0 } + noise.gauss() * 18.0;
            out.push(reading(Kind::Glucose, at, level.clamp(55.0, 320.0), None));
        }
        if day % 3 == 0 {
            let at = midnight + 7 * HOUR + 15 * MINUTE;
            let systolic = 124.0 + noise.gauss() * 7.0;
            let diastolic = 80.0 + noise.gauss() * 5.0;
            out.push(reading(
                Kind::BloodPressure,
                at,
                systolic.round(),
                Some(diastolic.round()),
            ));
        }
        if day > 0 {
            let asleep = midnight - HOUR + (noise.next() * 90.0) as i64 * MINUTE;
            let length = ((6.5 + noise.gauss() * 0.6) * 60.0).round() as i64;
            if asleep + length * MINUTE <= today + 12 * HOUR {
                out.push(Reading {
                    kind: Kind::Sleep,
                    start_s: asleep,
                    end_s: asleep + length * MINUTE,
                    value: length as f64,
                    value2: None,
                    status: Default::default(),
                    comparator: None,
                });
            }
        }
    }
    out
}

/// Writes the demo year for a patient who has no readings yet; rolls it up.
pub async fn seed(db: &DatabaseConnection, patient_id: i64) -> Result<bool, AppError> {
    use sea_orm::ConnectionTrait as _;
    let existing = db
        .query_one_raw(hale_app::db::statement(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM observations WHERE patient_id = ?",
            [patient_id.into()],
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if existing > 0 {
        return Ok(false);
    }
    let proof = gate::for_job::<Vitals, Write>(db, patient_id, "demo").await?;
    let now = chrono::Utc::now().timestamp();
    let today = now.div_euclid(DAY) * DAY;
    let readings: Vec<Reading> = year(today).into_iter().filter(|r| r.end_s <= now).collect();
    let mut by_kind_sleep = Vec::new();
    let mut others = Vec::new();
    for r in readings {
        if r.kind == Kind::Sleep {
            by_kind_sleep.push(r);
        } else {
            others.push(r);
        }
    }
    store::insert(db, &proof, &others, "Demo Watch", None).await?;
    store::insert(db, &proof, &by_kind_sleep, "Demo Sleep Tracker", None).await?;
    rollups::rebuild(db, patient_id).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_year_has_a_reading_every_minute_and_plausible_values() {
        let today = 1_790_000_000 / DAY * DAY;
        let year = year(today);
        let hearts: Vec<&Reading> = year.iter().filter(|r| r.kind == Kind::HeartRate).collect();
        assert!(hearts.len() >= 525_600, "{}", hearts.len());
        assert!(hearts.windows(2).all(|w| w[1].start_s - w[0].start_s == 60));
        let now = chrono::Utc::now();
        for r in &year {
            let new = hale_app::health::NewReading {
                kind: r.kind.as_str().into(),
                time: chrono::DateTime::from_timestamp(r.start_s, 0)
                    .unwrap()
                    .to_rfc3339(),
                end: (r.end_s != r.start_s).then(|| {
                    chrono::DateTime::from_timestamp(r.end_s, 0)
                        .unwrap()
                        .to_rfc3339()
                }),
                value: r.value,
                value2: r.value2,
                unit: r.kind.canonical_unit().into(),
                source: None,
                status: None,
                comparator: None,
            };
            assert!(new.check(now).is_ok(), "{r:?}");
        }
        let glucose = year.iter().filter(|r| r.kind == Kind::Glucose).count();
        assert!(glucose > 365 * 5, "{glucose}");
        assert!(year.iter().filter(|r| r.kind == Kind::Weight).count() >= 52);
    }
}
