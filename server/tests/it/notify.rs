//! The notification service against real receivers on 127.0.0.1 (see
//! `end2end/peers/inbox.mjs`): email to an SMTP server, Web Push to an
//! endpoint that checks the VAPID token and decrypts with an independent
//! RFC 8291 implementation, SMS to a provider-style HTTP API. Reminders are
//! sent once per dose, also with two server processes.

use crate::harness::{Browser, SecondProcess, TestApp};
use crate::meds::{add, daily, json_of, refused_because};
use crate::peers::NodePeer;
use reqwest::StatusCode;
use serde_json::{Value, json};

const SMS_TOKEN: &str = "sms-test-token-123";

pub struct Inbox {
    peer: NodePeer,
}

impl Inbox {
    pub fn start(sms_fail_first: u32) -> Inbox {
        let fail = sms_fail_first.to_string();
        let peer = NodePeer::start(
            "peers/inbox.mjs",
            &[("SMS_TOKEN", SMS_TOKEN), ("SMS_FAIL_FIRST", &fail)],
        );
        Inbox { peer }
    }

    pub fn port(&self, name: &str) -> u64 {
        self.peer.ready[name].as_u64().expect("port")
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port("http_port"))
    }

    /// The settings that point Hale's channels at this inbox.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "HALE_NOTIFY_SMTP_URL",
                format!("smtp://127.0.0.1:{}", self.port("smtp_port")),
            ),
            (
                "HALE_NOTIFY_EMAIL_FROM",
                "Hale <no-reply@hale.example>".into(),
            ),
            ("HALE_NOTIFY_SMS_URL", self.http("/sms")),
            ("HALE_NOTIFY_SMS_TOKEN", SMS_TOKEN.into()),
            ("HALE_NOTIFY_PUSH_SUBJECT", "mailto:ops@hale.example".into()),
            ("HALE_NOTIFY_ALLOW_HTTP_PUSH", "true".into()),
        ]
    }

    pub async fn subscription(&self, gone: bool) -> Value {
        let path = if gone {
            "/subscription?gone=1"
        } else {
            "/subscription"
        };
        reqwest::get(self.http(path))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn messages(&self) -> Vec<Value> {
        reqwest::get(self.http("/messages"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits (up to 30 s) until `count` messages of `channel` arrived.
    pub async fn wait_for(&self, channel: &str, count: usize) -> Vec<Value> {
        for _ in 0..300 {
            let of: Vec<Value> = self
                .messages()
                .await
                .into_iter()
                .filter(|m| m["channel"] == channel)
                .collect();
            if of.len() >= count {
                return of;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{channel}: fewer than {count} messages arrived");
    }
}

pub async fn start_app(inbox: &Inbox) -> TestApp {
    let settings = inbox.settings();
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::start_with(&pairs).await
}

/// Turns on every channel (and a device) for the signed-in patient.
pub async fn all_channels(app: &TestApp, client: &Browser, inbox: &Inbox, details: bool) {
    let mut form = vec![
        ("time_zone", "UTC"),
        ("email", "on"),
        ("sms", "on"),
        ("push", "on"),
        ("phone", "+44 7700 900123"),
    ];
    if details {
        form.push(("show_details", "on"));
    }
    let saved = app.call(client, "notify/save_prefs", &form).await;
    assert_eq!(saved.status(), StatusCode::OK, "save prefs");
    let sub = inbox.subscription(false).await;
    let added = app
        .call(
            client,
            "notify/subscribe",
            &[
                ("endpoint", sub["endpoint"].as_str().unwrap()),
                ("p256dh", sub["keys"]["p256dh"].as_str().unwrap()),
                ("auth", sub["keys"]["auth"].as_str().unwrap()),
                ("label", "Test phone"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK, "subscribe");
}

/// Now and 35 minutes ago as UTC `HH:MM`: one dose due now, one whose follow-up is due.
pub fn due_now_and_late() -> (String, String) {
    let now = chrono::Utc::now();
    let late = now - chrono::Duration::minutes(35);
    (
        now.format("%H:%M").to_string(),
        late.format("%H:%M").to_string(),
    )
}

pub async fn enqueue_reminder_runs(app: &TestApp, n: usize) {
    let db = app.db().await;
    for _ in 0..n {
        hale_app::jobs::queue::enqueue(
            &db,
            hale_app::jobs::queue::NewJob::new(hale_app::meds::reminders::JOB, String::new()),
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn each_channel_delivers_a_private_reminder_to_its_real_receiver() {
    let inbox = Inbox::start(0);
    let app = start_app(&inbox).await;
    let (ann, person) = app.signed_in_client("ann").await;
    all_channels(&app, &ann, &inbox, false).await;
    let (now, late) = due_now_and_late();
    add(&app, &ann, daily("Metformin", &[&now, &late])).await;
    enqueue_reminder_runs(&app, 1).await;

    let emails = inbox.wait_for("email", 2).await;
    let pushes = inbox.wait_for("push", 2).await;
    let texts = inbox.wait_for("sms", 2).await;
    let due_text = format!("Time for your {now} dose.");
    let late_text = format!("Your {late} dose is not logged yet.");
    // Email: to the account's address, plain text and HTML, no medication name.
    let email = emails
        .iter()
        .find(|m| m["text"].as_str().unwrap().contains(&due_text))
        .expect("reminder email");
    assert!(email["to"].as_str().unwrap().contains(&person.email));
    assert_eq!(email["subject"], "Hale: Medication reminder");
    assert!(email["html"].as_str().unwrap().contains(&due_text));
    assert!(email["html"].as_str().unwrap().contains("/today"));
    assert!(
        emails
            .iter()
            .any(|m| m["text"].as_str().unwrap().contains(&late_text))
    );
    // Web Push: the VAPID token verified, the payload decrypted by http_ece.
    for push in &pushes {
        assert!(push["error"].is_null(), "decrypts: {push}");
        assert_eq!(push["vapid"]["ok"], true, "VAPID: {push}");
        assert_eq!(push["vapid"]["sub"], "mailto:ops@hale.example");
        assert_eq!(push["payload"]["url"], "/today");
    }
    assert!(
        pushes
            .iter()
            .any(|p| p["payload"]["body"] == due_text.as_str())
    );
    assert!(
        pushes
            .iter()
            .any(|p| p["payload"]["body"] == late_text.as_str())
    );
    // SMS: the provider's format with the bearer token.
    for text in &texts {
        assert_eq!(text["authorized"], true);
        assert_eq!(text["json"], true);
        assert_eq!(text["to"], "+447700900123");
    }
    assert!(
        texts
            .iter()
            .any(|t| t["text"].as_str().unwrap().ends_with(&due_text))
    );
    // Nothing left the server with the medication's name.
    let all = serde_json::to_string(&inbox.messages().await).unwrap();
    assert!(
        !all.contains("Metformin"),
        "no medication names outside the app"
    );
    // The deliveries are recorded as sent; the in-app list names the medication.
    app.wait_until(
        "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'",
        |n| n == 6,
    )
    .await;
    let list = json_of(app.call(&ann, "notify/list", &[]).await).await;
    assert_eq!(list["unread"], 2);
    assert!(
        list["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("Metformin 500 mg")
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE record_id = 'notifications' \
             AND category = 'medications'"
        )
        .await,
        1,
        "reading notifications that name medications is audited"
    );

    // Opting in to details, in Traditional Chinese: the name is shown, in that language.
    let (bob, _) = app.signed_in_client("bob").await;
    assert_eq!(
        app.call(&bob, "accounts/save_locale", &[("locale", "zh-TW")])
            .await
            .status(),
        StatusCode::OK
    );
    all_channels(&app, &bob, &inbox, true).await;
    add(&app, &bob, daily("Lisinopril", &[&now])).await;
    enqueue_reminder_runs(&app, 1).await;
    let emails = inbox.wait_for("email", 3).await;
    let chinese = emails
        .iter()
        .find(|m| m["subject"] == "Hale: 服藥提醒")
        .expect("zh-TW email");
    assert!(
        chinese["text"]
            .as_str()
            .unwrap()
            .contains(&format!("該服用 {now} 的 Lisinopril 500 mg 了。"))
    );
    let pushes = inbox.wait_for("push", 3).await;
    assert!(pushes.iter().any(|p| {
        p["payload"]["body"]
            .as_str()
            .unwrap_or("")
            .contains("Lisinopril")
    }));
}

#[tokio::test]
async fn reminders_are_sent_once_per_dose_with_two_server_processes() {
    let inbox = Inbox::start(0);
    let app = start_app(&inbox).await;
    let settings = inbox.settings();
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let _second = SecondProcess::start(&app, &pairs);
    let (ann, _) = app.signed_in_client("ann").await;
    let saved = app
        .call(
            &ann,
            "notify/save_prefs",
            &[("time_zone", "UTC"), ("email", "on"), ("push", "on")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let (now, late) = due_now_and_late();
    for n in 0..5 {
        add(
            &app,
            &ann,
            daily(&format!("Medication {n}"), &[&now, &late]),
        )
        .await;
    }
    app.wait_until("SELECT COUNT(*) FROM job_schedules", |n| n >= 3)
        .await;
    // 40 overlapping reminder runs, claimed by both processes' workers, plus the service called directly.
    enqueue_reminder_runs(&app, 40).await;
    let db = app.db().await;
    let direct: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                hale_app::meds::reminders::run_at(&db, hale_app::db::now_ms()).await
            })
        })
        .collect();
    for task in direct {
        task.await.unwrap().unwrap();
    }
    app.wait_until(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'reminders' AND state = 'done'",
        |n| n >= 40,
    )
    .await;
    app.wait_until(
        "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')",
        |n| n == 0,
    )
    .await;
    // 5 medications × (a reminder + a follow-up), one notification and one email each.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notifications").await, 10);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'dose_due'")
            .await,
        5
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM deliveries WHERE channel = 'email'")
            .await,
        10
    );
    let emails = inbox.wait_for("email", 10).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        inbox
            .messages()
            .await
            .iter()
            .filter(|m| m["channel"] == "email")
            .count(),
        10
    );
    // (Each process links to its own address; the message lines are the same.)
    let mut bodies: Vec<String> = emails
        .iter()
        .map(|m| {
            m["text"]
                .as_str()
                .unwrap()
                .lines()
                .nth(2)
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(
        bodies.len(),
        2,
        "the same two texts (due, late), five times each: {bodies:?}"
    );
    assert!(
        app.scalar("SELECT COUNT(DISTINCT worker) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE j.kind = 'reminders'")
            .await
            >= 2,
        "both processes ran reminder jobs"
    );
    // A logged dose gets no follow-up: log the late dose of a new medication, run again.
    let id = add(&app, &ann, daily("Logged", &[&late])).await;
    let today = json_of(app.call(&ann, "meds/today", &[]).await).await;
    let slot = today["doses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["medication_id"] == id)
        .unwrap()["slot"]
        .clone();
    let logged = app
        .call_json(&ann, "meds/log", json!({ "patient_id": null, "dose": { "medication_id": id, "slot": slot, "status": "taken" } }))
        .await;
    assert_eq!(logged.status(), StatusCode::OK);
    hale_app::meds::reminders::run_at(&db, hale_app::db::now_ms())
        .await
        .unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notifications").await, 10);
}

#[tokio::test]
async fn bad_push_subscriptions_are_refused_and_gone_ones_are_removed() {
    let inbox = Inbox::start(0);
    let app = start_app(&inbox).await;
    let (ann, _) = app.signed_in_client("ann").await;
    let good = inbox.subscription(false).await;
    let endpoint = good["endpoint"].as_str().unwrap();
    let p256dh = good["keys"]["p256dh"].as_str().unwrap();
    let auth = good["keys"]["auth"].as_str().unwrap();
    let not_on_curve = format!("B{}", "A".repeat(86));
    use hale_app::refusals::PushProblem;
    let cases: [(&str, &str, &str, PushProblem); 5] = [
        (
            "ftp://push.example/x",
            p256dh,
            auth,
            PushProblem::EndpointNotHttps,
        ),
        (endpoint, "!!not-base64!!", auth, PushProblem::KeyNotBase64),
        (endpoint, &not_on_curve, auth, PushProblem::KeyNotOnCurve),
        (endpoint, "BAAA", auth, PushProblem::KeyNotUncompressed),
        (endpoint, p256dh, "AAAA", PushProblem::SecretLength),
    ];
    for (endpoint, key, secret, expected) in cases {
        let response = app
            .call(
                &ann,
                "notify/subscribe",
                &[("endpoint", endpoint), ("p256dh", key), ("auth", secret)],
            )
            .await;
        // The reason arrives as data, so the page words it in the reader's
        // language (English here through `Display`).
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refusal: hale_app::error::AppError =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(
            refusal,
            hale_app::error::AppError::BadPushSubscription { reason: expected }
        );
    }
    assert_eq!(app.count("push_subscriptions").await, 0);
    // A subscription the push service has dropped (410) is removed at the first send.
    let gone = inbox.subscription(true).await;
    let response = app
        .call(
            &ann,
            "notify/subscribe",
            &[
                ("endpoint", gone["endpoint"].as_str().unwrap()),
                ("p256dh", gone["keys"]["p256dh"].as_str().unwrap()),
                ("auth", gone["keys"]["auth"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.call(&ann, "notify/test", &[]).await.status(),
        StatusCode::OK
    );
    app.wait_until(
        "SELECT COUNT(*) FROM deliveries WHERE state = 'gone'",
        |n| n == 1,
    )
    .await;
    assert_eq!(app.count("push_subscriptions").await, 0);
    // Production settings refuse plain-http endpoints.
    let strict = TestApp::start().await;
    let (carol, _) = strict.signed_in_client("carol").await;
    let response = strict
        .call(
            &carol,
            "notify/subscribe",
            &[("endpoint", endpoint), ("p256dh", p256dh), ("auth", auth)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn failed_deliveries_are_retried_quiet_hours_hold_them_and_bad_settings_are_refused() {
    let inbox = Inbox::start(1);
    let app = start_app(&inbox).await;
    let (ann, _) = app.signed_in_client("ann").await;
    for (form, expected) in [
        (vec![("time_zone", "Nowhere/Land")], "time zone"),
        (vec![("time_zone", "UTC"), ("sms", "on")], "phone number"),
        (
            vec![("time_zone", "UTC"), ("phone", "0770 900")],
            "international",
        ),
        (
            vec![
                ("time_zone", "UTC"),
                ("quiet_from", "22:00"),
                ("quiet_to", ""),
            ],
            "quiet hours",
        ),
    ] {
        let response = app.call(&ann, "notify/save_prefs", &form).await;
        refused_because(response, expected).await;
    }
    assert_eq!(app.count("notify_prefs").await, 0);
    let saved = app
        .call(
            &ann,
            "notify/save_prefs",
            &[
                ("time_zone", "UTC"),
                ("sms", "on"),
                ("phone", "+15551234567"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(
        app.call(&ann, "notify/test", &[]).await.status(),
        StatusCode::OK
    );
    // The provider answers 503 once: the job retries after its backoff and the text arrives once.
    let texts = inbox.wait_for("sms", 1).await;
    assert_eq!(texts[0]["to"], "+15551234567");
    assert_eq!(
        inbox
            .messages()
            .await
            .iter()
            .filter(|m| m["channel"] == "sms-refused")
            .count(),
        1
    );
    app.wait_until(
        "SELECT COUNT(*) FROM deliveries WHERE state = 'sent' AND attempts = 2",
        |n| n == 1,
    )
    .await;

    // Quiet hours around now: the delivery waits for their end.
    let now = chrono::Utc::now();
    let from = (now - chrono::Duration::hours(1))
        .format("%H:%M")
        .to_string();
    let to = (now + chrono::Duration::hours(2))
        .format("%H:%M")
        .to_string();
    let quiet = app
        .call(
            &ann,
            "notify/save_prefs",
            &[
                ("time_zone", "UTC"),
                ("sms", "on"),
                ("phone", "+15551234567"),
                ("quiet_from", &from),
                ("quiet_to", &to),
            ],
        )
        .await;
    assert_eq!(quiet.status(), StatusCode::OK);
    let ann_id = app.scalar("SELECT account_id FROM notifications").await;
    let reminder = hale_app::notify::service::Message {
        kind: hale_app::notify::DOSE_DUE,
        params: json!({ "time": "08:00", "med": "Metformin" }),
        dedup_key: "dose:1:2026-01-01T08:00".into(),
    };
    assert!(
        hale_app::notify::service::send(&app.db().await, ann_id, reminder)
            .await
            .unwrap()
    );
    let wait_ms = app
        .scalar("SELECT MAX(run_at_ms) - MAX(created_ms) FROM jobs WHERE kind = 'deliver' AND state = 'queued'")
        .await;
    assert!(
        wait_ms > 3_600_000,
        "held for the quiet hours: {wait_ms} ms"
    );
    // In-app it is there at once; the bell counts it and marking all read clears it.
    assert_eq!(json_of(app.call(&ann, "notify/unread", &[]).await).await, 2);
    assert_eq!(
        app.call(&ann, "notify/read_all", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(json_of(app.call(&ann, "notify/unread", &[]).await).await, 0);
    // The test button pressed again within the minute sends nothing more (no SMS bill).
    let before = app.count("notifications").await;
    let minute = hale_app::db::now_ms() / 60_000;
    for _ in 0..2 {
        assert_eq!(
            app.call(&ann, "notify/test", &[]).await.status(),
            StatusCode::OK
        );
    }
    if hale_app::db::now_ms() / 60_000 == minute {
        assert!(
            app.count("notifications").await - before <= 1,
            "one test message a minute"
        );
    }
}
