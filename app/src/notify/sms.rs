//! SMS through a provider's HTTP API, off unless `notify.sms_url` is set.
//! The request (documented in the README): `POST <sms_url>` with
//! `Content-Type: application/json`, `Authorization: Bearer <sms_token>` when
//! a token is set, and the body `{"to": "+447700900123", "text": "…"}`.
//! Any 2xx answer is success; 429 and 5xx are retried; other answers fail.

use super::settings::NotifySettings;

/// How an SMS send ended when it did not succeed.
pub enum SmsError {
    /// Worth trying again later.
    Retry(String),
    /// The provider refused the request for good.
    Refused(String),
}

/// Sends one SMS with the delivery job's client.
pub async fn send(
    client: &reqwest::Client,
    settings: &NotifySettings,
    to: &str,
    text: &str,
) -> Result<(), SmsError> {
    let url = settings
        .sms_url
        .as_deref()
        .ok_or_else(|| SmsError::Refused("SMS is not configured".into()))?;
    let body = serde_json::json!({ "to": to, "text": text }).to_string();
    let mut request = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(token) = &settings.sms_token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let response = request
        .send()
        .await
        .map_err(|_| SmsError::Retry("the SMS provider cannot be reached".into()))?;
    let status = response.status().as_u16();
    match status {
        200..=299 => Ok(()),
        429 | 500..=599 => Err(SmsError::Retry(format!(
            "the SMS provider answered {status}"
        ))),
        _ => Err(SmsError::Refused(format!(
            "the SMS provider answered {status}"
        ))),
    }
}
