//! Why notification settings are refused.

use crate::i18n::{Locale, text_in};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SettingsProblem {
    ZoneUnknown,
    PhoneFormat,
    PhoneMissing,
    QuietHours,
}

impl SettingsProblem {
    /// One of each kind, for the check that every one is worded in both
    /// languages.
    #[cfg(test)]
    pub const EXAMPLES: &[SettingsProblem] = &[
        SettingsProblem::ZoneUnknown,
        SettingsProblem::PhoneFormat,
        SettingsProblem::PhoneMissing,
        SettingsProblem::QuietHours,
    ];

    /// The reason in `locale`'s words.
    pub fn worded(self, locale: Locale) -> String {
        match self {
            SettingsProblem::ZoneUnknown => text_in!(locale, errors.settings_zone_unknown),
            SettingsProblem::PhoneFormat => text_in!(locale, errors.settings_phone_format),
            SettingsProblem::PhoneMissing => text_in!(locale, errors.settings_phone_missing),
            SettingsProblem::QuietHours => text_in!(locale, errors.settings_quiet_hours),
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_settings_refusal_is_worded_in_traditional_chinese() {
        for &problem in SettingsProblem::EXAMPLES {
            super::super::tests::assert_worded_in_chinese(
                &problem.worded(Locale::zh_TW),
                &["Asia/Taipei", "HH:MM"],
                &format!("{problem:?}"),
            );
        }
        assert_eq!(
            SettingsProblem::PhoneMissing.to_string(),
            "add a phone number to get text messages"
        );
    }
}
