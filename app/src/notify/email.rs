//! Email over SMTP (lettre): a plain-text part and an HTML part.

use super::messages::Rendered;
use super::settings::NotifySettings;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The message for `to`, in the person's language.
pub fn message(
    settings: &NotifySettings,
    to: &str,
    text: &Rendered,
    zh: bool,
) -> Result<Message, String> {
    let from: Mailbox = settings
        .email_from
        .parse()
        .map_err(|_| "the sender address is not valid".to_owned())?;
    let to: Mailbox = to
        .parse()
        .map_err(|_| "the address is not valid".to_owned())?;
    let link = format!("{}{}", settings.public_origin, text.url);
    let (open, footer) = if zh {
        (
            "在 Hale 中開啟",
            "您收到這封郵件是因為您在 Hale 的通知設定中開啟了電子郵件。",
        )
    } else {
        (
            "Open Hale",
            "You get this email because email is on in your Hale notification settings.",
        )
    };
    let plain = format!(
        "{}\n\n{}\n\n{open}: {link}\n\n{footer}\n",
        text.title, text.body
    );
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><body style=\"font-family:sans-serif\">\
         <h1 style=\"font-size:1.2em\">{title}</h1><p>{body}</p>\
         <p><a href=\"{link}\">{open}</a></p><p style=\"color:#666;font-size:.85em\">{footer}</p>\
         </body></html>",
        lang = if zh { "zh-Hant-TW" } else { "en" },
        title = escape(&text.title),
        body = escape(&text.body),
        link = escape(&link),
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(format!("Hale: {}", text.title))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    lettre::message::SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(plain),
                )
                .singlepart(
                    lettre::message::SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map_err(|_| "the message cannot be built".to_owned())
}

/// Sends through the configured SMTP server. Errors name the SMTP answer, never the address.
pub async fn send(settings: &NotifySettings, message: Message) -> Result<(), String> {
    let url = settings
        .smtp_url
        .as_deref()
        .ok_or("email is not configured")?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|_| "the SMTP URL is not valid".to_owned())?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|err| match err.status() {
            Some(code) => format!("the SMTP server answered {code}"),
            None if err.is_permanent() => "the SMTP server refused the message".to_owned(),
            None => "the SMTP server cannot be reached".to_owned(),
        })
}
