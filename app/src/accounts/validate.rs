//! Validation of what people type into the account forms. The server is the
//! authority; the same rules can run in the browser for early feedback.

use crate::error::AppError;

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Bounds the work of hashing: argon2 cost grows with the input.
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_LOCAL_PART_CHARS: usize = 64;

/// Trims and lower-cases an email address and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
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

/// Checks a new password's length (in characters, so that any script counts fairly).
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(AppError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        })
    } else if chars > MAX_PASSWORD_CHARS {
        Err(AppError::PasswordTooLong {
            max: MAX_PASSWORD_CHARS,
        })
    } else {
        Ok(())
    }
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
            check_new_password("elevenchars"),
            Err(AppError::PasswordTooShort { min: 12 })
        );
        assert_eq!(check_new_password("twelve chars"), Ok(()));
        // Counted in characters, not bytes: 12 CJK characters are enough.
        assert_eq!(check_new_password("一二三四五六七八九十百千"), Ok(()));
        assert_eq!(
            check_new_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)),
            Err(AppError::PasswordTooLong {
                max: MAX_PASSWORD_CHARS
            })
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
