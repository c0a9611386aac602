//! A person's notification settings: channels, phone number, quiet hours,
//! whether reminders outside the app name the medication, and the time zone
//! that schedules and quiet hours are kept in.

use crate::clock::parse_time;
use crate::db::{now_ms, statement};
use crate::error::AppError;
use crate::refusals::SettingsProblem;
use chrono::Timelike;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prefs {
    pub time_zone: Option<String>,
    pub email: bool,
    pub sms: bool,
    pub push: bool,
    pub phone: String,
    /// Minutes after local midnight.
    pub quiet: Option<(u32, u32)>,
    pub show_details: bool,
}

impl Prefs {
    /// Without a saved row: Web Push on (it needs a device to be added), email and SMS off.
    fn defaults() -> Prefs {
        Prefs {
            push: true,
            ..Prefs::default()
        }
    }

    /// How long a delivery waits at `now` for the quiet hours to end (0 outside them).
    pub fn quiet_delay_ms(&self, now: i64) -> i64 {
        let Some((from, to)) = self.quiet else {
            return 0;
        };
        let zone = crate::clock::zone_or_utc(self.time_zone.as_deref());
        let (_, time) = crate::clock::local(&zone, now);
        let minute = time.hour() * 60 + time.minute();
        let quiet = if from <= to {
            (from..to).contains(&minute)
        } else {
            minute >= from || minute < to
        };
        if !quiet {
            return 0;
        }
        let wait_min = (to + 24 * 60 - minute) % (24 * 60);
        i64::from(wait_min) * 60_000
    }
}

/// The settings as the database holds them (flags as 0/1).
#[derive(FromQueryResult)]
struct Stored {
    time_zone: Option<String>,
    email: i32,
    sms: i32,
    push: i32,
    phone: Option<String>,
    quiet_from_min: Option<i32>,
    quiet_to_min: Option<i32>,
    show_details: i32,
}

impl From<Stored> for Prefs {
    fn from(row: Stored) -> Self {
        Prefs {
            time_zone: row.time_zone,
            email: row.email != 0,
            sms: row.sms != 0,
            push: row.push != 0,
            phone: row.phone.unwrap_or_default(),
            quiet: row
                .quiet_from_min
                .zip(row.quiet_to_min)
                .map(|(f, t)| (f as u32, t as u32)),
            show_details: row.show_details != 0,
        }
    }
}

/// The account's settings (defaults when none were saved).
pub async fn load(db: &impl ConnectionTrait, account_id: i64) -> Result<Prefs, DbErr> {
    let stored = Stored::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT time_zone, email, sms, push, phone, quiet_from_min, quiet_to_min, show_details \
         FROM notify_prefs WHERE account_id = ?",
        [account_id.into()],
    ))
    .one(db)
    .await?;
    Ok(stored.map(Prefs::from).unwrap_or_else(Prefs::defaults))
}

fn invalid(reason: SettingsProblem) -> AppError {
    AppError::InvalidSettings { reason }
}

/// A phone number in international form: `+` and 8 to 15 digits (spaces and dashes dropped).
pub fn phone_number(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = compact.strip_prefix('+')?;
    ((8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(compact)
}

/// What the settings form sends.
#[derive(Debug, Clone, Default)]
pub struct PrefsInput {
    pub time_zone: String,
    pub email: bool,
    pub sms: bool,
    pub push: bool,
    pub phone: String,
    pub quiet_from: String,
    pub quiet_to: String,
    pub show_details: bool,
}

/// Checks and saves the settings.
pub async fn save(
    db: &impl ConnectionTrait,
    account_id: i64,
    input: PrefsInput,
) -> Result<(), AppError> {
    let zone = input.time_zone.trim();
    if crate::clock::zone(zone).is_none() {
        return Err(invalid(SettingsProblem::ZoneUnknown));
    }
    let phone = match input.phone.trim() {
        "" => None,
        text => Some(phone_number(text).ok_or(invalid(SettingsProblem::PhoneFormat))?),
    };
    if input.sms && phone.is_none() {
        return Err(invalid(SettingsProblem::PhoneMissing));
    }
    let minute = |text: &str| parse_time(text).map(|t| (t.hour() * 60 + t.minute()) as i32);
    let quiet = match (input.quiet_from.trim(), input.quiet_to.trim()) {
        ("", "") => None,
        (from, to) => match (minute(from), minute(to)) {
            (Some(f), Some(t)) if f != t => Some((f, t)),
            _ => return Err(invalid(SettingsProblem::QuietHours)),
        },
    };
    db.execute_raw(statement(
        db.get_database_backend(),
        "INSERT INTO notify_prefs (account_id, time_zone, email, sms, push, phone, quiet_from_min, \
         quiet_to_min, show_details, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (account_id) DO UPDATE SET time_zone = excluded.time_zone, \
         email = excluded.email, sms = excluded.sms, push = excluded.push, phone = excluded.phone, \
         quiet_from_min = excluded.quiet_from_min, quiet_to_min = excluded.quiet_to_min, \
         show_details = excluded.show_details, updated_ms = excluded.updated_ms",
        [
            account_id.into(),
            zone.to_owned().into(),
            i32::from(input.email).into(),
            i32::from(input.sms).into(),
            i32::from(input.push).into(),
            phone.into(),
            quiet.map(|q| q.0).into(),
            quiet.map(|q| q.1).into(),
            i32::from(input.show_details).into(),
            now_ms().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Sets only the time zone (the Today page's "use this zone"); a new row
/// takes the default channels.
pub async fn set_time_zone(
    db: &impl ConnectionTrait,
    account_id: i64,
    zone: &str,
) -> Result<(), AppError> {
    write_zone(db, account_id, zone, false).await.map(|_| ())
}

/// Takes the browser's zone when the account has none yet (a new account's
/// first page); a zone already chosen stays. Answers whether it was taken.
pub async fn adopt_time_zone(
    db: &impl ConnectionTrait,
    account_id: i64,
    zone: &str,
) -> Result<bool, AppError> {
    write_zone(db, account_id, zone, true).await
}

async fn write_zone(
    db: &impl ConnectionTrait,
    account_id: i64,
    zone: &str,
    only_if_unset: bool,
) -> Result<bool, AppError> {
    let zone = zone.trim();
    if crate::clock::zone(zone).is_none() {
        return Err(invalid(SettingsProblem::ZoneUnknown));
    }
    let defaults = Prefs::defaults();
    let keep = if only_if_unset {
        " WHERE notify_prefs.time_zone IS NULL OR notify_prefs.time_zone = ''"
    } else {
        ""
    };
    let written = db
        .execute_raw(statement(
            db.get_database_backend(),
            &format!(
                "INSERT INTO notify_prefs (account_id, time_zone, email, sms, push, show_details, \
                 updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET \
                 time_zone = excluded.time_zone, updated_ms = excluded.updated_ms{keep}"
            ),
            [
                account_id.into(),
                zone.to_owned().into(),
                i32::from(defaults.email).into(),
                i32::from(defaults.sms).into(),
                i32::from(defaults.push).into(),
                i32::from(defaults.show_details).into(),
                now_ms().into(),
            ],
        ))
        .await?;
    Ok(written.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_hold_deliveries_until_they_end() {
        let prefs = Prefs {
            quiet: Some((22 * 60, 7 * 60)),
            time_zone: Some("UTC".into()),
            ..Prefs::default()
        };
        let at = |h: i64, m: i64| (h * 60 + m) * 60_000;
        assert_eq!(prefs.quiet_delay_ms(at(23, 0)), 8 * 3_600_000);
        assert_eq!(prefs.quiet_delay_ms(at(6, 30)), 30 * 60_000);
        assert_eq!(prefs.quiet_delay_ms(at(7, 0)), 0);
        assert_eq!(prefs.quiet_delay_ms(at(12, 0)), 0);
    }

    #[test]
    fn phone_numbers_are_international() {
        assert_eq!(
            phone_number("+44 7700 900-123").as_deref(),
            Some("+447700900123")
        );
        assert!(phone_number("07700 900123").is_none());
        assert!(phone_number("+12").is_none());
    }
}
