use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

/// An [`AppError`] in the reader's language.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || match &error {
        AppError::InvalidEmail => t_string!(i18n, errors.invalid_email).to_string(),
        AppError::PasswordTooShort { min } => {
            t_string!(i18n, errors.password_too_short, min = *min).to_string()
        }
        AppError::PasswordTooLong { max } => {
            t_string!(i18n, errors.password_too_long, max = *max).to_string()
        }
        AppError::InvalidName { max } => {
            t_string!(i18n, errors.invalid_name, max = *max).to_string()
        }
        AppError::EmailTaken => t_string!(i18n, errors.email_taken).to_string(),
        AppError::BadCredentials => t_string!(i18n, errors.bad_credentials).to_string(),
        AppError::NotSignedIn => t_string!(i18n, errors.not_signed_in).to_string(),
        AppError::UnsupportedLocale => t_string!(i18n, errors.unsupported_locale).to_string(),
        AppError::Internal => t_string!(i18n, errors.internal).to_string(),
        AppError::Transport(_) => t_string!(i18n, errors.transport).to_string(),
    };
    view! { <p class="error-message">{text}</p> }
}
