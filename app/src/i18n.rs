//! Translations (English and Traditional Chinese), generated at build time by
//! `leptos_i18n_build` from `app/locales/*.json`.

#![allow(missing_docs, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use i18n::*;

/// A key's text in `locale`, each language's text a constant of its own.
///
/// `td_string!` with a locale known only at run time reads the string out of
/// the locale's table of every text; where a `match` picks among several keys
/// the optimiser may merge those reads into one indexed read, and then the
/// whole table (every page's words, in both languages) has to ship in the
/// first WASM module. Here each text is evaluated at compile time, so only
/// the words used are kept, in the part of the code that uses them. For keys
/// with placeholders use `td_string!`.
macro_rules! text_in {
    ($locale:expr, $($key:ident).+) => {
        match $locale {
            $crate::i18n::Locale::en => {
                const { $crate::i18n::Locale::en.get_keys_const().$($key()).+.inner() }
            }
            $crate::i18n::Locale::zh_TW => {
                const { $crate::i18n::Locale::zh_TW.get_keys_const().$($key()).+.inner() }
            }
        }
    };
}
pub(crate) use text_in;

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

/// Both languages complete: the same keys, the same placeholders, and no
/// English left in the Traditional Chinese text.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use serde_json::Value;
    use std::collections::{BTreeMap, BTreeSet};

    fn flatten(prefix: &str, value: &Value, into: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    flatten(&format!("{prefix}{key}."), inner, into);
                }
            }
            other => {
                let text = other
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or(other.to_string());
                into.insert(prefix.trim_end_matches('.').to_owned(), text);
            }
        }
    }

    fn locale(text: &str) -> BTreeMap<String, String> {
        let mut keys = BTreeMap::new();
        flatten(
            "",
            &serde_json::from_str(text).expect("a locale file"),
            &mut keys,
        );
        keys
    }

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split("{{")
            .skip(1)
            .filter_map(|rest| rest.split("}}").next())
            .map(|name| name.trim().to_owned())
            .collect()
    }

    /// Names, formats and literal file words that stay as they are.
    const KEPT: &[&str] = &[
        "Hale", "export", "CSV", "Apple", "xml", "zip", "ZIP", "time", "kind", "value", "unit",
        "PDF", "API", "DICOM", "English", "Enter", "App", "Excel", "bpm", "mmHg", "RxNorm", "Asia",
        "Taipei", "JPEG", "PNG", "WebP", "FHIR", "LOINC", "OpenID", "Connect", "iPhone", "Health",
        "HEIC", "UID", "DICM",
        // The REST API's and Web Push's own names: JSON keys and encodings.
        "JSON", "Bundle", "entry", "name", "size", "https", "auth", "base", "url",
    ];

    #[test]
    fn both_languages_have_every_key_with_the_same_placeholders_and_no_english_is_left() {
        let en = locale(include_str!("../locales/en.json"));
        let zh = locale(include_str!("../locales/zh-TW.json"));
        let en_keys: BTreeSet<&String> = en.keys().collect();
        let zh_keys: BTreeSet<&String> = zh.keys().collect();
        assert_eq!(
            en_keys.symmetric_difference(&zh_keys).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys in one language only"
        );
        for (key, english) in &en {
            assert_eq!(
                placeholders(english),
                placeholders(&zh[key]),
                "placeholders of {key}"
            );
        }
        let mut english_left = Vec::new();
        for (key, text) in &zh {
            let words = text
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 3 && !KEPT.contains(w));
            let outside: String = text
                .split("{{")
                .map(|p| p.split("}}").last().unwrap_or(""))
                .collect();
            if words.clone().any(|w| outside.contains(w)) {
                english_left.push(format!("{key}: {text}"));
            }
        }
        assert!(
            english_left.is_empty(),
            "English in zh-TW:\n{}",
            english_left.join("\n")
        );
    }
}
