//! Why a device's Web Push subscription is refused.

use crate::i18n::{Locale, text_in};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushProblem {
    EndpointTooLong,
    EndpointNotUrl,
    EndpointNotHttps,
    /// This machine, a private network or a link-local address.
    EndpointNotPublic,
    KeyNotBase64,
    SecretNotBase64,
    SecretLength,
    KeyNotUncompressed,
    KeyNotOnCurve,
    /// The trial key agreement could not be made (no randomness).
    KeyUnchecked,
}

impl PushProblem {
    /// One of each kind, for the check that every one is worded in both
    /// languages.
    #[cfg(test)]
    pub const EXAMPLES: &[PushProblem] = &[
        PushProblem::EndpointTooLong,
        PushProblem::EndpointNotUrl,
        PushProblem::EndpointNotHttps,
        PushProblem::EndpointNotPublic,
        PushProblem::KeyNotBase64,
        PushProblem::SecretNotBase64,
        PushProblem::SecretLength,
        PushProblem::KeyNotUncompressed,
        PushProblem::KeyNotOnCurve,
        PushProblem::KeyUnchecked,
    ];

    /// The reason in `locale`'s words.
    pub fn worded(self, locale: Locale) -> String {
        match self {
            PushProblem::EndpointTooLong => text_in!(locale, errors.push_endpoint_too_long),
            PushProblem::EndpointNotUrl => text_in!(locale, errors.push_endpoint_not_url),
            PushProblem::EndpointNotHttps => text_in!(locale, errors.push_endpoint_not_https),
            PushProblem::EndpointNotPublic => text_in!(locale, errors.push_endpoint_not_public),
            PushProblem::KeyNotBase64 => text_in!(locale, errors.push_key_not_base64),
            PushProblem::SecretNotBase64 => text_in!(locale, errors.push_secret_not_base64),
            PushProblem::SecretLength => text_in!(locale, errors.push_secret_length),
            PushProblem::KeyNotUncompressed => {
                text_in!(locale, errors.push_key_not_uncompressed)
            }
            PushProblem::KeyNotOnCurve => text_in!(locale, errors.push_key_not_on_curve),
            PushProblem::KeyUnchecked => text_in!(locale, errors.push_key_unchecked),
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_push_refusal_is_worded_in_traditional_chinese() {
        for &problem in PushProblem::EXAMPLES {
            super::super::tests::assert_worded_in_chinese(
                &problem.worded(Locale::zh_TW),
                &["https", "URL", "p256dh", "auth", "base64url", "P-256"],
                &format!("{problem:?}"),
            );
        }
        assert_eq!(
            PushProblem::SecretLength.to_string(),
            "the auth secret is not 16 bytes"
        );
    }
}
