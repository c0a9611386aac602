//! The notification service every area uses: a notification is written once
//! (its key makes it unique) to the in-app list, and a delivery per channel
//! the person chose (Web Push to each of their devices, email over SMTP, SMS
//! through a provider's HTTP API) is queued as a job, retried with backoff,
//! held back during quiet hours. Messages carry no health details unless the
//! person asked for them.

use serde::{Deserialize, Serialize};

mod api;
pub use api::*;

mod components;
#[cfg(feature = "hydrate")]
mod device;
pub use components::{NotificationBell, NotificationSettingsPage, NotificationsPage};

#[cfg(feature = "ssr")]
pub mod deliver;
#[cfg(feature = "ssr")]
pub mod email;
#[cfg(feature = "ssr")]
pub mod messages;
#[cfg(feature = "ssr")]
pub mod prefs;
#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod sms;

/// The kinds of notification.
pub const DOSE_DUE: &str = "dose_due";
pub const DOSE_FOLLOW_UP: &str = "dose_follow_up";
pub const REFILL_LOW: &str = "refill_low";
pub const GOAL_REACHED: &str = "goal_reached";
pub const TEST: &str = "test";

/// A notification in the in-app list, rendered in the reader's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationItem {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where it leads in the app.
    pub url: String,
    pub created_ms: i64,
    pub read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationList {
    pub items: Vec<NotificationItem>,
    pub unread: u32,
}

/// A device that receives Web Push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::FromQueryResult))]
pub struct DeviceView {
    pub id: i64,
    pub label: String,
    pub created_ms: i64,
    pub last_ok_ms: Option<i64>,
}

/// A channel's last deliveries, for the settings page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::FromQueryResult))]
pub struct DeliveryView {
    pub channel: String,
    pub state: String,
    pub attempts: i32,
    pub created_ms: i64,
}

/// A person's notification settings and what the server offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrefsView {
    pub time_zone: String,
    pub email: bool,
    pub sms: bool,
    pub push: bool,
    pub phone: String,
    /// Quiet hours, local `HH:MM` (both empty: none).
    pub quiet_from: String,
    pub quiet_to: String,
    /// Name medications in reminders sent outside the app.
    pub show_details: bool,
    pub email_available: bool,
    pub sms_available: bool,
    /// The server's VAPID public key (base64url) for `pushManager.subscribe`.
    pub vapid_public_key: String,
    /// The same key's bytes, as the browser's API takes them.
    pub vapid_key_bytes: Vec<u8>,
    pub devices: Vec<DeviceView>,
    pub recent: Vec<DeliveryView>,
}
