//! The notification settings: SMTP, the SMS provider and Web Push.

use super::keys::Layers;
use super::{ConfigError, SiteConfig, parse_bool};
use hale_app::notify::settings::NotifySettings;

pub fn settings(layers: &Layers, site: &SiteConfig) -> Result<NotifySettings, ConfigError> {
    let optional = |key: &str| layers.optional(key);
    let smtp_url = layers.parsed("notify.smtp_url", None, "an smtp:// or smtps:// URL", |v| {
        (v.starts_with("smtp://") || v.starts_with("smtps://")).then(|| Some(v.to_owned()))
    })?;
    let sms_url = layers.parsed("notify.sms_url", None, "an http:// or https:// URL", |v| {
        (v.starts_with("http://") || v.starts_with("https://")).then(|| Some(v.to_owned()))
    })?;
    let host = site
        .public_url
        .as_deref()
        .and_then(|u| u.split("//").nth(1))
        .map(|h| h.split([':', '/']).next().unwrap_or(h).to_owned())
        .filter(|h| h.contains('.'))
        .unwrap_or_else(|| "hale.invalid".into());
    Ok(NotifySettings {
        smtp_url,
        email_from: optional("notify.email_from")
            .unwrap_or_else(|| format!("Hale <no-reply@{host}>")),
        sms_url,
        sms_token: optional("notify.sms_token"),
        push_subject: optional("notify.push_subject")
            .unwrap_or_else(|| format!("mailto:admin@{host}")),
        allow_http_push: layers.parsed(
            "notify.allow_http_push",
            false,
            "true or false",
            parse_bool,
        )?,
        public_origin: site.public_origin(),
    })
}
