//! Sleep per night, on the date the night ended.
//!
//! Sleep arrives as stage segments (a watch writes one per stage, some before
//! midnight, some after), so a calendar day of rollups would cut a night in
//! two and count two on one date. Sleep is rolled up by the hour each record
//! ended (a whole night written as one record lands on the morning too).
//! Here a night is a run of sleep hours with
//! no gap of three hours or more; it counts on the date — in the patient's
//! time zone — of its last hour. A nap is a run of its own, on its own date.
//! Days are named as everywhere else: by their midnight as a UTC instant.

use super::kind::Kind;
use super::rollups::{self, Bucket};
use crate::access::gate::{Proof, Read, kinds::Vitals};
use sea_orm::{DatabaseConnection, DbErr};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// Hours apart by this much or more belong to different nights.
const GAP_S: i64 = 3 * HOUR;

/// Hour buckets (oldest first) gathered into nights, one bucket per date.
pub fn gather(hours: &[Bucket], offset_s: i64) -> Vec<Bucket> {
    let mut dates: Vec<Bucket> = Vec::new();
    let mut run: Option<(Bucket, i64)> = None; // (the night so far, its last hour)
    let close = |night: Bucket, last: i64, dates: &mut Vec<Bucket>| {
        let date = (last + offset_s).div_euclid(DAY) * DAY;
        match dates.last_mut() {
            Some(same) if same.start_s == date => add(same, &night),
            _ => dates.push(Bucket {
                start_s: date,
                ..night
            }),
        }
    };
    for hour in hours {
        run = Some(match run {
            Some((mut night, last)) if hour.start_s - last < GAP_S => {
                add(&mut night, hour);
                (night, hour.start_s)
            }
            Some((night, last)) => {
                close(night, last, &mut dates);
                (*hour, hour.start_s)
            }
            None => (*hour, hour.start_s),
        });
    }
    if let Some((night, last)) = run {
        close(night, last, &mut dates);
    }
    dates
}

fn add(into: &mut Bucket, more: &Bucket) {
    into.count += more.count;
    into.min = into.min.min(more.min);
    into.max = into.max.max(more.max);
    into.sum += more.sum;
    into.sum2 += more.sum2;
    into.in_range += more.in_range;
}

/// Day figures of `kind` for the dates in `[from_s, to_s)`: the daily
/// rollups, or for sleep its nights in a zone `offset_s` east of UTC.
pub async fn days(
    db: &DatabaseConnection,
    proof: &Proof<Vitals, Read>,
    kind: Kind,
    from_s: i64,
    to_s: i64,
    offset_s: i64,
) -> Result<Vec<Bucket>, DbErr> {
    if !kind.is_session() {
        return rollups::buckets(db, proof, kind, 'd', from_s, to_s).await;
    }
    // A night ending on the first date began the evening before; one that
    // began before the end may end after it (and is left for its date).
    let hours = rollups::buckets(db, proof, kind, 'h', from_s - DAY, to_s + DAY).await?;
    Ok(gather(&hours, offset_s)
        .into_iter()
        .filter(|d| d.start_s >= from_s && d.start_s < to_s)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(start_s: i64, minutes: f64) -> Bucket {
        Bucket {
            start_s,
            count: 1,
            min: minutes,
            max: minutes,
            sum: minutes,
            sum2: 0.0,
            in_range: 0,
        }
    }

    #[test]
    fn a_night_across_midnight_counts_once_on_the_morning_it_ended() {
        let d = 20 * DAY;
        // 22:00–07:00, then the next night 23:00–06:00, and a nap at 14:00.
        let mut hours: Vec<Bucket> = (22..31).map(|h| hour(d + h * HOUR, 50.0)).collect();
        hours.push(hour(d + DAY + 14 * HOUR, 30.0));
        hours.extend((23..30).map(|h| hour(d + DAY + h * HOUR, 40.0)));
        let nights = gather(&hours, 0);
        let figures: Vec<(i64, f64)> = nights.iter().map(|n| (n.start_s, n.sum)).collect();
        assert_eq!(
            figures,
            vec![(d + DAY, 9.0 * 50.0 + 30.0), (d + 2 * DAY, 7.0 * 40.0)]
        );
    }

    #[test]
    fn the_date_is_the_patients_own() {
        // Taipei (UTC+8): a night 23:00–07:00 local is 15:00–23:00 UTC the day before.
        let d = 20 * DAY;
        let hours: Vec<Bucket> = (15..23).map(|h| hour(d + h * HOUR, 55.0)).collect();
        assert_eq!(gather(&hours, 8 * HOUR)[0].start_s, d + DAY);
        assert_eq!(gather(&hours, 0)[0].start_s, d);
    }
}
