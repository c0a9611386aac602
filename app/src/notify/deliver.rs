//! The delivery job: one notification to one channel (one device for Web
//! Push). A failure is recorded on the delivery (without personal data) and
//! returned, so the job queue retries it with backoff; a delivery already
//! sent is not sent again when its job runs twice.

use super::messages::{Rendered, render};
use super::{email, push, sms};
use crate::db::{now_ms, statement};
use crate::state::AppState;
use sea_orm::{ConnectionTrait, FromQueryResult};

pub const JOB: &str = "deliver";

/// One HTTP client for the SMS provider's API (an address the operator
/// configured), handed to the SMS channel; push endpoints, which browsers
/// choose, get a client pinned to their checked address (`outbound`).
fn http_client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

struct Delivery {
    id: i64,
    channel: String,
    target_id: i64,
    state: String,
    kind: String,
    params: serde_json::Value,
    email: String,
    locale: String,
    phone: String,
    show_details: bool,
}

/// A delivery with what it needs, as the database holds it.
#[derive(FromQueryResult)]
struct Stored {
    id: i64,
    channel: String,
    target_id: i64,
    state: String,
    kind: String,
    params: Option<String>,
    email: Option<String>,
    locale: Option<String>,
    phone: Option<String>,
    show_details: Option<i32>,
}

impl From<Stored> for Delivery {
    fn from(row: Stored) -> Self {
        Delivery {
            id: row.id,
            channel: row.channel,
            target_id: row.target_id,
            state: row.state,
            kind: row.kind,
            params: row
                .params
                .and_then(|p| serde_json::from_str(&p).ok())
                .unwrap_or_default(),
            email: row.email.unwrap_or_default(),
            locale: row.locale.unwrap_or_default(),
            phone: row.phone.unwrap_or_default(),
            show_details: row.show_details.unwrap_or(0) != 0,
        }
    }
}

async fn load(state: &AppState, id: i64) -> Result<Option<Delivery>, String> {
    Stored::find_by_statement(statement(
        state.db.get_database_backend(),
        "SELECT d.id, d.channel, d.target_id, d.state, n.kind, n.params, a.email, a.locale, \
         p.phone, p.show_details FROM deliveries d \
         JOIN notifications n ON n.id = d.notification_id \
         JOIN accounts a ON a.id = d.account_id \
         LEFT JOIN notify_prefs p ON p.account_id = d.account_id WHERE d.id = ?",
        [id.into()],
    ))
    .one(&state.db)
    .await
    .map(|row| row.map(Delivery::from))
    .map_err(|e| e.to_string())
}

async fn mark(
    state: &AppState,
    id: i64,
    new_state: &str,
    error: Option<&str>,
) -> Result<(), String> {
    let sent = (new_state == "sent").then(now_ms);
    state
        .db
        .execute_raw(statement(
            state.db.get_database_backend(),
            "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, sent_ms = ? \
             WHERE id = ?",
            [
                new_state.into(),
                error
                    .map(|e| e.chars().take(200).collect::<String>())
                    .into(),
                sent.into(),
                id.into(),
            ],
        ))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn push_payload(text: &Rendered, tag: &str) -> Vec<u8> {
    serde_json::json!({ "title": text.title, "body": text.body, "url": text.url, "tag": tag })
        .to_string()
        .into_bytes()
}

/// Runs one delivery (`payload`: its id).
pub async fn run_job(state: &AppState, payload: &str) -> Result<(), String> {
    let id: i64 = payload
        .trim()
        .parse()
        .map_err(|_| "bad delivery id".to_owned())?;
    let Some(d) = load(state, id).await? else {
        return Ok(());
    };
    if matches!(d.state.as_str(), "sent" | "gone" | "skipped") {
        return Ok(());
    }
    let settings = &state.notify;
    let text = render(&d.kind, &d.params, &d.locale, d.show_details);
    let zh = d.locale.eq_ignore_ascii_case("zh-TW");
    let outcome: Result<&str, String> = match d.channel.as_str() {
        "email" if settings.smtp_url.is_none() => Ok("skipped"),
        "email" => match email::message(settings, &d.email, &text, zh) {
            Ok(message) => email::send(settings, message).await.map(|()| "sent"),
            Err(reason) => {
                mark(state, d.id, "failed", Some(&reason)).await?;
                return Ok(());
            }
        },
        "sms" if settings.sms_url.is_none() => Ok("skipped"),
        "sms" => match sms::send(
            http_client(),
            settings,
            &d.phone,
            &format!("{}: {}", text.title, text.body),
        )
        .await
        {
            Ok(()) => Ok("sent"),
            Err(sms::SmsError::Retry(reason)) => Err(reason),
            Err(sms::SmsError::Refused(reason)) => {
                mark(state, d.id, "failed", Some(&reason)).await?;
                return Ok(());
            }
        },
        "push" => {
            let tag = format!("{}-{}", d.kind, d.id);
            let payload = push_payload(&text, &tag);
            match push::send(&state.db, settings, d.target_id, &payload).await {
                Ok(push::Sent::Ok) => Ok("sent"),
                Ok(push::Sent::Gone) => Ok("gone"),
                Err(reason) => Err(reason),
            }
        }
        other => Err(format!("unknown channel {other}")),
    };
    match outcome {
        Ok(new_state) => mark(state, d.id, new_state, None).await,
        Err(reason) => {
            mark(state, d.id, "failed", Some(&reason)).await?;
            Err(reason)
        }
    }
}

/// The account's last deliveries (the settings page shows whether channels work).
pub async fn recent(
    db: &sea_orm::DatabaseConnection,
    account_id: i64,
) -> Result<Vec<super::DeliveryView>, sea_orm::DbErr> {
    super::DeliveryView::find_by_statement(statement(
        db.get_database_backend(),
        "SELECT channel, state, attempts, created_ms FROM deliveries WHERE account_id = ? \
         ORDER BY id DESC LIMIT 10",
        [account_id.into()],
    ))
    .all(db)
    .await
}
