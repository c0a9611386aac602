//! Why the server refuses something, as data: the server decides, the page
//! words it in the reader's language (and re-words it when the language
//! changes), and `Display` is the same wording in English for the REST API and
//! the logs. The words live once, in `app/locales/*.json`.

mod files;
mod meds;
mod payload;
mod push;
mod readings;
mod settings;

pub use files::{FileProblem, stored as stored_file_problem};
pub use meds::{MedField, MedProblem};
pub use payload::PayloadProblem;
pub use push::PushProblem;
pub use readings::{ImportProblem, ItemRefusal, Malformation, ReadingProblem, kind_name};
pub use settings::SettingsProblem;

/// `Display` of a refusal is its English wording, as the REST API and the
/// logs give it (a reading's is its own: see `readings`).
macro_rules! displayed_in_english {
    ($($refusal:ty),+) => {$(
        impl std::fmt::Display for $refusal {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.worded(crate::i18n::Locale::en))
            }
        }
    )+};
}

displayed_in_english!(
    FileProblem,
    MedProblem,
    PayloadProblem,
    PushProblem,
    SettingsProblem
);

#[cfg(test)]
pub(crate) mod tests {
    /// A refusal in Traditional Chinese has no Latin letters but the codes
    /// and formats in `codes` (and what a placeholder brings from the data).
    pub fn assert_worded_in_chinese(chinese: &str, codes: &[&str], what: &str) {
        let mut words = chinese.to_owned();
        for code in codes {
            words = words.replace(code, "");
        }
        assert!(!chinese.is_empty(), "{what} has no words");
        assert!(
            !words.chars().any(|c| c.is_ascii_alphabetic()),
            "{what} reads {chinese:?}"
        );
    }
}
