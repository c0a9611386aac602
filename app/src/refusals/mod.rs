//! Why the server refuses something, as data: the server decides, the page
//! words it in the reader's language (and re-words it when the language
//! changes), and `Display` is the same wording in English for the REST API and
//! the logs. The words live once, in `app/locales/*.json`.

mod files;
mod meds;
mod readings;
mod settings;

pub use files::{FileProblem, stored as stored_file_problem};
pub use meds::{MedField, MedProblem};
pub use readings::{ImportProblem, ItemRefusal, Malformation, ReadingProblem, kind_name};
pub use settings::SettingsProblem;

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
