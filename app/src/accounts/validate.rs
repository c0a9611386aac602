//! Validation of what people type into the account forms. The server is the
//! authority; the same rules can run in the browser for early feedback.

use crate::error::AppError;

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Bounds the work of hashing: argon2 cost grows with the input.
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_LOCAL_PART_CHARS: usize = 64;

/// Characters that show nothing (zero-width, joiners, soft hyphen, byte
/// order mark) or turn text around (bidi controls): refused in addresses.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

/// The script of a letter, coarsely: enough to see a domain label that
/// mixes Latin with Cyrillic or Greek look-alikes.
fn script(c: char) -> Option<u8> {
    Some(match c {
        'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => 1,
        '\u{0370}'..='\u{03FF}' => 2,
        '\u{0400}'..='\u{052F}' => 3,
        '\u{0530}'..='\u{058F}' => 4,
        '\u{0590}'..='\u{05FF}' => 5,
        '\u{0600}'..='\u{06FF}' => 6,
        // Han, kana and Hangul mix within one name (Japanese, Korean).
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' => 7,
        c if c.is_alphabetic() => 8,
        _ => return None,
    })
}

fn is_single_script(label: &str) -> bool {
    let mut scripts = label.chars().filter_map(script);
    match scripts.next() {
        Some(first) => scripts.all(|s| s == first),
        None => true,
    }
}

/// Normalises an email address (Unicode compatibility forms folded, e.g.
/// full-width letters, then trimmed and lower-cased) and checks its shape.
/// Addresses with invisible characters or a domain label that mixes
/// scripts are refused.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    if raw.chars().any(is_invisible) {
        return Err(AppError::InvalidEmail);
    }
    #[cfg(feature = "ssr")]
    let raw = {
        use unicode_normalization::UnicodeNormalization as _;
        raw.nfkc().collect::<String>()
    };
    let email = raw.trim().to_lowercase();
    let valid = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.chars().count() <= MAX_LOCAL_PART_CHARS
                    && !local.starts_with('.')
                    && !local.ends_with('.')
                    && !local.contains("..")
                    && !domain.contains('@')
                    && domain.contains('.')
                    && domain.split('.').all(|label| {
                        !label.is_empty()
                            && !label.starts_with('-')
                            && !label.ends_with('-')
                            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                            && is_single_script(label)
                    })
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(AppError::InvalidEmail)
    }
}

/// Words that make up most guessed passwords (checked once digits,
/// symbols and repeats are taken off the ends).
const COMMON_WORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssword",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "iloveyou",
    "welcome",
    "letmein",
    "admin",
    "administrator",
    "abc",
    "abcdef",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "master",
    "shadow",
    "superman",
    "trustno",
    "hello",
    "freedom",
    "whatever",
    "secret",
    "login",
    "starwars",
    "changeme",
    "hale",
    "health",
    "doctor",
    "patient",
    "mypassword",
    "passwordpassword",
    "qwertyqwerty",
    "abcdefghijkl",
    "qazwsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "q1w2e3r4",
    "q1w2e3r4t5y6",
];

/// Whether the text is a run like `123456789012` or `abcdefghijkl`.
fn is_sequence(text: &str) -> bool {
    let codes: Vec<u32> = text.chars().map(u32::from).collect();
    codes.len() >= 4 && {
        let steps: Vec<i64> = codes
            .windows(2)
            .map(|w| i64::from(w[1]) - i64::from(w[0]))
            .collect();
        steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1)
    }
}

/// Checks a new password: its length in characters (so that any script
/// counts fairly; up to 256, well beyond a 64-character passphrase), and
/// that it is not one that is guessed first — a common word with digits
/// around it, a run of keys or numbers, a few characters repeated, only
/// spaces, or built from the account's own email or name (`context`).
pub fn check_new_password(password: &str, context: &[&str]) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AppError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AppError::PasswordTooLong {
            max: MAX_PASSWORD_CHARS,
        });
    }
    let lower = password.to_lowercase();
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    let core: String = lower
        .trim_matches(|c: char| !c.is_alphabetic())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let folded: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let context_words = context
        .iter()
        .flat_map(|c| {
            let c = c.trim().to_lowercase();
            let local = c.split('@').next().unwrap_or_default().to_owned();
            [c, local]
        })
        .filter(|w| w.chars().count() >= 4)
        .collect::<Vec<_>>();
    let weak = distinct.len() < 5
        || password.trim().is_empty()
        || is_sequence(&folded)
        || core.is_empty()
        || COMMON_WORDS.contains(&core.as_str())
        || COMMON_WORDS.iter().any(|w| {
            w.len() >= 6
                && folded.starts_with(w)
                && !folded[w.len()..].chars().any(char::is_alphabetic)
        })
        || context_words.iter().any(|w| {
            let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            !w.is_empty() && (folded.contains(&w) && folded.len() < w.len() + 6)
        });
    if weak {
        Err(AppError::PasswordTooCommon)
    } else {
        Ok(())
    }
}

/// A password as it is hashed: in Unicode's composed form (NFC), so that
/// the same characters typed on two keyboards are the same password.
#[cfg(feature = "ssr")]
pub fn password_for_hashing(password: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    password.nfc().collect()
}

/// Trims a display name and checks it is present, bounded and printable.
pub fn normalize_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        Err(AppError::InvalidName {
            max: MAX_NAME_CHARS,
        })
    } else {
        Ok(name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Ada.Lovelace@Example.ORG ").unwrap(),
            "ada.lovelace@example.org"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@@example.org",
            "ada lovelace@example.org",
            "ada@exa mple.org",
            ".ada@example.org",
            "ada..l@example.org",
            "ada@-example.org",
            "ada@example..org",
        ] {
            assert_eq!(normalize_email(bad), Err(AppError::InvalidEmail), "{bad:?}");
        }
    }

    #[test]
    fn passwords_shorter_than_twelve_characters_are_refused() {
        assert_eq!(
            check_new_password("elevenchars", &[]),
            Err(AppError::PasswordTooShort { min: 12 })
        );
        assert_eq!(check_new_password("twelve chars", &[]), Ok(()));
        // Counted in characters, not bytes: 12 CJK characters are enough.
        assert_eq!(check_new_password("一二三四五六七八九十百千", &[]), Ok(()));
        assert_eq!(
            check_new_password(&"x".repeat(MAX_PASSWORD_CHARS + 1), &[]),
            Err(AppError::PasswordTooLong {
                max: MAX_PASSWORD_CHARS
            })
        );
    }

    #[test]
    fn common_and_context_passwords_are_refused_and_passphrases_kept() {
        let email = "ada.lovelace@example.org";
        for weak in [
            "password123456",
            "Password1234!",
            "            ",
            "aaaaaaaaaaaa",
            "121212121212",
            "123456789012",
            "abcdefghijkl",
            "qwertyuiop12",
            "1q2w3e4r5t6y",
            "iloveyou1234",
            "ada.lovelace@example.org",
            "adalovelace1",
            "Ada Lovelace 1",
        ] {
            assert_eq!(
                check_new_password(weak, &[email, "Ada Lovelace"]),
                Err(AppError::PasswordTooCommon),
                "{weak:?}"
            );
        }
        let passphrase = "correct horse battery staple, on a rainy Tuesday in Tainan!";
        assert!(passphrase.chars().count() >= 64 - 8);
        for good in [
            "twelve chars",
            passphrase,
            &"a long passphrase ".repeat(4),
            "我的密碼是一隻藍色的貓咪",
        ] {
            assert_eq!(
                check_new_password(good, &[email, "Ada Lovelace"]),
                Ok(()),
                "{good:?}"
            );
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn emails_are_folded_and_invisible_or_mixed_script_ones_refused() {
        assert_eq!(
            normalize_email("ＡＤＡ＠ｅｘａｍｐｌｅ．ｏｒｇ").unwrap(),
            "ada@example.org"
        );
        for bad in [
            "ada\u{200B}@example.org",
            "ada@exam\u{200D}ple.org",
            "\u{202E}ada@example.org",
            "ada@ex\u{0430}mple.org",
            "ada@\u{feff}example.org",
        ] {
            assert_eq!(normalize_email(bad), Err(AppError::InvalidEmail), "{bad:?}");
        }
        assert_eq!(normalize_email("ada@例え.jp").unwrap(), "ada@例え.jp");
        assert_eq!(
            password_for_hashing("cafe\u{301} au lait!"),
            "caf\u{e9} au lait!"
        );
    }

    #[test]
    fn names_must_be_present_and_bounded() {
        assert_eq!(normalize_name("  Ada  ").unwrap(), "Ada");
        assert!(normalize_name("   ").is_err());
        assert!(normalize_name(&"a".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(normalize_name("Ada\u{0}").is_err());
    }
}
