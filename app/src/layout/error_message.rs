use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

/// An [`AppError`] in the reader's language.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let locale = i18n.get_locale();
        match &error {
            AppError::InvalidEmail => text_in!(locale, errors.invalid_email).to_string(),
            AppError::PasswordTooShort { min } => {
                t_string!(i18n, errors.password_too_short, min = *min).to_string()
            }
            AppError::PasswordTooLong { max } => {
                t_string!(i18n, errors.password_too_long, max = *max).to_string()
            }
            AppError::InvalidName { max } => {
                t_string!(i18n, errors.invalid_name, max = *max).to_string()
            }
            AppError::EmailTaken => text_in!(locale, errors.email_taken).to_string(),
            AppError::BadCredentials => text_in!(locale, errors.bad_credentials).to_string(),
            AppError::NotSignedIn => text_in!(locale, errors.not_signed_in).to_string(),
            AppError::UnsupportedLocale => text_in!(locale, errors.unsupported_locale).to_string(),
            AppError::NoAccess => text_in!(locale, errors.no_access).to_string(),
            AppError::GrantExpired => text_in!(locale, errors.grant_expired).to_string(),
            AppError::MfaRequired => text_in!(locale, errors.mfa_required).to_string(),
            AppError::MissingScope { scope } => {
                t_string!(i18n, errors.missing_scope, scope = scope.clone()).to_string()
            }
            AppError::NotFound => text_in!(locale, errors.not_found).to_string(),
            AppError::TooManyAttempts => text_in!(locale, errors.too_many_attempts).to_string(),
            AppError::TooManyRequests { minutes } => {
                t_string!(i18n, errors.too_many_requests, minutes = *minutes).to_string()
            }
            AppError::PasswordTooCommon => text_in!(locale, errors.password_too_common).to_string(),
            AppError::BadMfaCode => text_in!(locale, errors.bad_mfa_code).to_string(),
            AppError::SignInExpired => text_in!(locale, errors.sign_in_expired).to_string(),
            AppError::InvitationInvalid => text_in!(locale, errors.invitation_invalid).to_string(),
            AppError::WrongRole => text_in!(locale, errors.wrong_role).to_string(),
            AppError::NoPermissionsChosen => {
                text_in!(locale, errors.no_permissions_chosen).to_string()
            }
            AppError::DateInPast => text_in!(locale, errors.date_in_past).to_string(),
            AppError::ReasonRequired { min } => {
                t_string!(i18n, errors.reason_required, min = *min).to_string()
            }
            AppError::InvalidTokenName { max } => {
                t_string!(i18n, errors.invalid_token_name, max = *max).to_string()
            }
            AppError::InvalidScopes => text_in!(locale, errors.invalid_scopes).to_string(),
            AppError::ProviderUnknown => text_in!(locale, errors.provider_unknown).to_string(),
            AppError::ProviderFailed => text_in!(locale, errors.provider_failed).to_string(),
            AppError::ProviderNoEmail => text_in!(locale, errors.provider_no_email).to_string(),
            AppError::MfaAlreadyOn => text_in!(locale, errors.mfa_already_on).to_string(),
            AppError::MfaNotOn => text_in!(locale, errors.mfa_not_on).to_string(),
            AppError::SearchTooShort { min } => {
                t_string!(i18n, errors.search_too_short, min = *min).to_string()
            }
            AppError::SearchTooLong { max } => {
                t_string!(i18n, errors.search_too_long, max = *max).to_string()
            }
            AppError::BadArguments => text_in!(locale, errors.bad_arguments).to_string(),
            AppError::TokenInvalid => text_in!(locale, errors.token_invalid).to_string(),
            AppError::InvalidReading { reason } => t_string!(
                i18n,
                errors.invalid_reading,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::BatchTooLarge { max } => {
                t_string!(i18n, errors.batch_too_large, max = *max).to_string()
            }
            AppError::BadPayload { reason } => t_string!(
                i18n,
                errors.bad_payload,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::ImportInvalid { max_mb } => {
                t_string!(i18n, errors.import_invalid, max_mb = *max_mb).to_string()
            }
            AppError::ImportNotAccepted { what } => match what.as_str() {
                "empty" => text_in!(locale, health.upload_empty).to_string(),
                "pdf" => text_in!(locale, health.upload_pdf).to_string(),
                "photo" => text_in!(locale, health.upload_photo).to_string(),
                "spreadsheet" => text_in!(locale, health.upload_spreadsheet).to_string(),
                _ => text_in!(locale, health.upload_invalid).to_string(),
            },
            AppError::ImportFinished => text_in!(locale, errors.import_finished).to_string(),
            AppError::GoalOutOfRange { min, max } => {
                t_string!(i18n, errors.goal_out_of_range, min = *min, max = *max).to_string()
            }
            AppError::InvalidMedication { reason } => t_string!(
                i18n,
                errors.invalid_medication,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::FrameUnavailable { reason } => t_string!(
                i18n,
                errors.frame_unavailable,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::FileRefused { reason } => t_string!(
                i18n,
                errors.file_refused,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::FileTooLarge { max_mb } => {
                t_string!(i18n, errors.file_too_large, max_mb = *max_mb).to_string()
            }
            AppError::QuotaExceeded { free_mb } => {
                t_string!(i18n, errors.quota_exceeded, free_mb = *free_mb).to_string()
            }
            AppError::UploadIncomplete { next } => {
                t_string!(i18n, errors.upload_incomplete, next = *next).to_string()
            }
            AppError::LinkExpired => text_in!(locale, errors.link_expired).to_string(),
            AppError::LinkInvalid => text_in!(locale, errors.link_invalid).to_string(),
            AppError::InvalidDose { reason } => t_string!(
                i18n,
                errors.invalid_dose,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::PrnLimit { max } => t_string!(i18n, errors.prn_limit, max = *max).to_string(),
            AppError::DoseAlreadyLogged => text_in!(locale, errors.dose_already_logged).to_string(),
            AppError::InvalidSettings { reason } => t_string!(
                i18n,
                errors.invalid_settings,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::BadPushSubscription { reason } => t_string!(
                i18n,
                errors.bad_push_subscription,
                reason = reason.worded(i18n.get_locale())
            )
            .to_string(),
            AppError::StorageFull => text_in!(locale, errors.storage_full).to_string(),
            AppError::Busy => text_in!(locale, errors.busy).to_string(),
            AppError::TooLarge => text_in!(locale, errors.too_large).to_string(),
            AppError::Internal => text_in!(locale, errors.internal).to_string(),
            AppError::Transport(_) => text_in!(locale, errors.transport).to_string(),
        }
    };
    view! { <p class="error-message">{text}</p> }
}
