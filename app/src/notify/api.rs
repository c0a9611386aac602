//! Server functions of notifications: the in-app list, settings, devices.

// The settings form has eight fields, each its own input.
#![allow(clippy::too_many_arguments)]

use super::{NotificationList, PrefsView};
use crate::error::AppError;
use leptos::prelude::*;

/// The latest notifications in the reader's language, with the unread count.
#[server(endpoint = "notify/list")]
pub async fn list_notifications() -> Result<NotificationList, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    // A patient's notifications can name medications: reading them is an audited read.
    if me.user.role == crate::identity::Role::Patient {
        crate::access::gate::check::<
            crate::access::gate::kinds::Medications,
            crate::access::gate::Read,
        >(&state.db, &me.actor(), me.user.id, Some("notifications"))
        .await
        .map_err(AppError::respond)?;
    }
    let locale = me.user.locale.clone().unwrap_or_else(|| "en".into());
    Ok(super::service::list(&state.db, me.user.id, &locale, 50).await?)
}

/// How many notifications are unread (the bell).
#[server(endpoint = "notify/unread")]
pub async fn unread_count() -> Result<u32, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    Ok(super::service::unread(&state.db, me.user.id).await?)
}

/// Marks one of one's notifications read.
#[server(endpoint = "notifications/read")]
pub async fn mark_notification_read(notification_id: i64) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    super::service::mark_read(&state.db, me.user.id, notification_id)
        .await
        .map_err(AppError::respond)
}

#[server(endpoint = "notify/read_all")]
pub async fn mark_all_read() -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    Ok(super::service::mark_all_read(&state.db, me.user.id).await?)
}

/// The settings page: choices, devices, what the server offers.
#[server(endpoint = "notify/prefs")]
pub async fn notify_prefs() -> Result<PrefsView, AppError> {
    use chrono::Timelike as _;
    let (state, me) = crate::request::signed_in_state()?;
    use base64::Engine as _;
    let prefs = super::prefs::load(&state.db, me.user.id).await?;
    let vapid_public_key = super::push::vapid_public_key(&state.db).await?;
    let vapid_key_bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&vapid_public_key)
        .unwrap_or_default();
    let hhmm = |m: u32| {
        chrono::NaiveTime::from_hms_opt(m / 60, m % 60, 0)
            .map(|t| format!("{:02}:{:02}", t.hour(), t.minute()))
            .unwrap_or_default()
    };
    Ok(PrefsView {
        time_zone: prefs.time_zone.unwrap_or_default(),
        email: prefs.email,
        sms: prefs.sms,
        push: prefs.push,
        phone: prefs.phone,
        quiet_from: prefs.quiet.map(|q| hhmm(q.0)).unwrap_or_default(),
        quiet_to: prefs.quiet.map(|q| hhmm(q.1)).unwrap_or_default(),
        show_details: prefs.show_details,
        email_available: state.notify.smtp_url.is_some(),
        sms_available: state.notify.sms_url.is_some(),
        vapid_public_key,
        vapid_key_bytes,
        devices: super::push::devices(&state.db, me.user.id).await?,
        recent: super::deliver::recent(&state.db, me.user.id).await?,
    })
}

/// Saves the settings (checkboxes send `on` when ticked).
#[server(endpoint = "notify/save_prefs")]
pub async fn save_notify_prefs(
    time_zone: String,
    email: Option<String>,
    sms: Option<String>,
    push: Option<String>,
    phone: Option<String>,
    quiet_from: Option<String>,
    quiet_to: Option<String>,
    show_details: Option<String>,
) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    let on = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty() && v != "false");
    let input = super::prefs::PrefsInput {
        time_zone,
        email: on(&email),
        sms: on(&sms),
        push: on(&push),
        phone: phone.unwrap_or_default(),
        quiet_from: quiet_from.unwrap_or_default(),
        quiet_to: quiet_to.unwrap_or_default(),
        show_details: on(&show_details),
    };
    super::prefs::save(&state.db, me.user.id, input)
        .await
        .map_err(AppError::respond)
}

/// Adds this device's push subscription (from `pushManager.subscribe`).
#[server(endpoint = "notify/subscribe")]
pub async fn subscribe_push(
    endpoint: String,
    p256dh: String,
    auth: String,
    label: Option<String>,
) -> Result<i64, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    super::push::subscribe(
        &state.db,
        me.user.id,
        &endpoint,
        &p256dh,
        &auth,
        label.as_deref().unwrap_or(""),
        state.notify.allow_http_push,
    )
    .await
    .map_err(AppError::respond)
}

/// Removes a device.
#[server(endpoint = "notify/unsubscribe")]
pub async fn unsubscribe_push(id: i64) -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    super::push::unsubscribe(&state.db, me.user.id, id)
        .await
        .map_err(AppError::respond)
}

/// Sends a test notification through every chosen channel.
#[server(endpoint = "notify/test")]
pub async fn send_test_notification() -> Result<(), AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    let message = super::service::Message {
        kind: super::TEST,
        params: serde_json::Value::Null,
        // At most one test a minute: a button pressed again sends no second SMS or email.
        dedup_key: format!("test:{}", crate::db::now_ms() / 60_000),
    };
    super::service::send(&state.db, me.user.id, message).await?;
    crate::jobs::queue::wake();
    Ok(())
}

/// The browser's time zone, taken when the account has none yet (sent by
/// the frame on a new account's first page); answers whether it was taken.
#[server(endpoint = "notify/adopt_zone")]
pub async fn adopt_time_zone(zone: String) -> Result<bool, AppError> {
    let (state, me) = crate::request::signed_in_state()?;
    super::prefs::adopt_time_zone(&state.db, me.user.id, &zone)
        .await
        .map_err(AppError::respond)
}
