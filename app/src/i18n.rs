//! Translations (English and Traditional Chinese), generated at build time by
//! `leptos_i18n_build` from `app/locales/*.json`.

#![allow(missing_docs, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use i18n::*;

/// The name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "hale_locale";

/// Maps a stored or requested language tag to a supported locale.
pub fn locale_from_tag(tag: &str) -> Option<Locale> {
    match tag {
        "en" => Some(Locale::en),
        "zh-TW" => Some(Locale::zh_TW),
        _ => None,
    }
}

/// The language tag of a locale, as stored on an account and in the cookie.
pub fn locale_tag(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en",
        Locale::zh_TW => "zh-TW",
    }
}
