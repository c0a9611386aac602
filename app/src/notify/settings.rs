//! What the operator configured for delivery (from `[notify]` and `HALE_NOTIFY_*`).

use std::fmt;

#[derive(Clone, Default)]
pub struct NotifySettings {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required` or `smtps://…`; none: no email.
    pub smtp_url: Option<String>,
    /// The sender of email, e.g. `Hale <no-reply@example.org>`.
    pub email_from: String,
    /// The provider's endpoint for SMS (see README: the request format); none: no SMS.
    pub sms_url: Option<String>,
    /// Sent as `Authorization: Bearer …` to the SMS endpoint.
    pub sms_token: Option<String>,
    /// The VAPID `sub` claim: a `mailto:` or `https:` contact for push services.
    pub push_subject: String,
    /// Accept `http://` push endpoints (tests on loopback only).
    pub allow_http_push: bool,
    /// Where links in messages lead.
    pub public_origin: String,
}

impl fmt::Debug for NotifySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifySettings")
            .field("email", &self.smtp_url.is_some())
            .field("email_from", &self.email_from)
            .field("sms", &self.sms_url.is_some())
            .field("push_subject", &self.push_subject)
            .field("allow_http_push", &self.allow_http_push)
            .finish()
    }
}
