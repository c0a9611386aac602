//! Doses logged without a network: kept on the device (localStorage) and
//! sent when the network returns. Each carries a random id made on the
//! device; the server stores one log per id, so a dose sent twice (the
//! answer was lost, two tabs flushed at once) is still logged once.

use super::{DoseInput, log_dose};
use crate::error::AppError;

/// How a log ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Saved,
    /// No network: kept on the device.
    Queued,
    Refused(AppError),
}

#[cfg(feature = "hydrate")]
const KEY: &str = "hale.dose-queue";

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The doses waiting on this device.
pub fn queued() -> Vec<DoseInput> {
    #[cfg(feature = "hydrate")]
    {
        storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Vec::new()
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn keep(queue: &[DoseInput]) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = storage() {
        let text = serde_json::to_string(queue).unwrap_or_else(|_| "[]".into());
        let _ = storage.set_item(KEY, &text);
    }
}

/// A random id for a log, made on the device.
pub fn client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let part = || {
            format!(
                "{:08x}",
                (js_sys::Math::random() * f64::from(u32::MAX)) as u32
            )
        };
        format!("{}-{}-{}-{}", part(), part(), part(), part())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// Sends a dose; without a network it is queued on the device.
pub async fn send(mut dose: DoseInput) -> Sent {
    if dose.client_id.is_empty() {
        dose.client_id = client_id();
    }
    match log_dose(None, dose.clone()).await {
        Ok(_) => Sent::Saved,
        Err(AppError::Transport(_)) => {
            let mut queue = queued();
            queue.push(dose);
            keep(&queue);
            Sent::Queued
        }
        Err(error) => Sent::Refused(error),
    }
}

/// Sends the queued doses in order; stops at the first that still finds no
/// network. Answers the refusals (a dose logged meanwhile, a stopped medication).
pub async fn flush() -> Vec<AppError> {
    let mut refused = Vec::new();
    loop {
        let queue = queued();
        let Some(first) = queue.first().cloned() else {
            break;
        };
        match log_dose(None, first.clone()).await {
            Err(AppError::Transport(_)) => break,
            Ok(_) => {}
            Err(error) => refused.push(error),
        }
        let rest: Vec<DoseInput> = queued()
            .into_iter()
            .filter(|d| d.client_id != first.client_id)
            .collect();
        keep(&rest);
    }
    refused
}
