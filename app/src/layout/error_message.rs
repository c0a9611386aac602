use crate::error::AppError;
use crate::i18n::*;
use crate::refusals::{MedField, MedProblem};
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
        AppError::NoAccess => t_string!(i18n, errors.no_access).to_string(),
        AppError::GrantExpired => t_string!(i18n, errors.grant_expired).to_string(),
        AppError::MfaRequired => t_string!(i18n, errors.mfa_required).to_string(),
        AppError::MissingScope { scope } => {
            t_string!(i18n, errors.missing_scope, scope = scope.clone()).to_string()
        }
        AppError::NotFound => t_string!(i18n, errors.not_found).to_string(),
        AppError::TooManyAttempts => t_string!(i18n, errors.too_many_attempts).to_string(),
        AppError::TooManyRequests { minutes } => {
            t_string!(i18n, errors.too_many_requests, minutes = *minutes).to_string()
        }
        AppError::PasswordTooCommon => t_string!(i18n, errors.password_too_common).to_string(),
        AppError::BadMfaCode => t_string!(i18n, errors.bad_mfa_code).to_string(),
        AppError::SignInExpired => t_string!(i18n, errors.sign_in_expired).to_string(),
        AppError::InvitationInvalid => t_string!(i18n, errors.invitation_invalid).to_string(),
        AppError::WrongRole => t_string!(i18n, errors.wrong_role).to_string(),
        AppError::NoPermissionsChosen => t_string!(i18n, errors.no_permissions_chosen).to_string(),
        AppError::DateInPast => t_string!(i18n, errors.date_in_past).to_string(),
        AppError::ReasonRequired { min } => {
            t_string!(i18n, errors.reason_required, min = *min).to_string()
        }
        AppError::InvalidTokenName { max } => {
            t_string!(i18n, errors.invalid_token_name, max = *max).to_string()
        }
        AppError::InvalidScopes => t_string!(i18n, errors.invalid_scopes).to_string(),
        AppError::ProviderUnknown => t_string!(i18n, errors.provider_unknown).to_string(),
        AppError::ProviderFailed => t_string!(i18n, errors.provider_failed).to_string(),
        AppError::ProviderNoEmail => t_string!(i18n, errors.provider_no_email).to_string(),
        AppError::MfaAlreadyOn => t_string!(i18n, errors.mfa_already_on).to_string(),
        AppError::MfaNotOn => t_string!(i18n, errors.mfa_not_on).to_string(),
        AppError::SearchTooShort { min } => {
            t_string!(i18n, errors.search_too_short, min = *min).to_string()
        }
        AppError::SearchTooLong { max } => {
            t_string!(i18n, errors.search_too_long, max = *max).to_string()
        }
        AppError::BadArguments => t_string!(i18n, errors.bad_arguments).to_string(),
        AppError::TokenInvalid => t_string!(i18n, errors.token_invalid).to_string(),
        AppError::InvalidReading { reason } => {
            t_string!(i18n, errors.invalid_reading, reason = reason.clone()).to_string()
        }
        AppError::BatchTooLarge { max } => {
            t_string!(i18n, errors.batch_too_large, max = *max).to_string()
        }
        AppError::BadPayload { reason } => {
            t_string!(i18n, errors.bad_payload, reason = reason.clone()).to_string()
        }
        AppError::ImportInvalid { max_mb } => {
            t_string!(i18n, errors.import_invalid, max_mb = *max_mb).to_string()
        }
        AppError::ImportNotAccepted { what } => match what.as_str() {
            "empty" => t_string!(i18n, health.upload_empty).to_string(),
            "pdf" => t_string!(i18n, health.upload_pdf).to_string(),
            "photo" => t_string!(i18n, health.upload_photo).to_string(),
            "spreadsheet" => t_string!(i18n, health.upload_spreadsheet).to_string(),
            _ => t_string!(i18n, health.upload_invalid).to_string(),
        },
        AppError::ImportFinished => t_string!(i18n, errors.import_finished).to_string(),
        AppError::GoalOutOfRange { min, max } => {
            t_string!(i18n, errors.goal_out_of_range, min = *min, max = *max).to_string()
        }
        AppError::InvalidMedication { reason } => t_string!(
            i18n,
            errors.invalid_medication,
            reason = med_problem(i18n.get_locale(), *reason)
        )
        .to_string(),
        AppError::FrameUnavailable { reason } => {
            t_string!(i18n, errors.frame_unavailable, reason = reason.clone()).to_string()
        }
        AppError::FileRefused { reason } => {
            t_string!(i18n, errors.file_refused, reason = reason.clone()).to_string()
        }
        AppError::FileTooLarge { max_mb } => {
            t_string!(i18n, errors.file_too_large, max_mb = *max_mb).to_string()
        }
        AppError::QuotaExceeded { free_mb } => {
            t_string!(i18n, errors.quota_exceeded, free_mb = *free_mb).to_string()
        }
        AppError::UploadIncomplete { next } => {
            t_string!(i18n, errors.upload_incomplete, next = *next).to_string()
        }
        AppError::LinkExpired => t_string!(i18n, errors.link_expired).to_string(),
        AppError::LinkInvalid => t_string!(i18n, errors.link_invalid).to_string(),
        AppError::InvalidDose { reason } => t_string!(
            i18n,
            errors.invalid_dose,
            reason = med_problem(i18n.get_locale(), *reason)
        )
        .to_string(),
        AppError::PrnLimit { max } => t_string!(i18n, errors.prn_limit, max = *max).to_string(),
        AppError::DoseAlreadyLogged => t_string!(i18n, errors.dose_already_logged).to_string(),
        AppError::InvalidSettings { reason } => {
            t_string!(i18n, errors.invalid_settings, reason = reason.clone()).to_string()
        }
        AppError::BadPushSubscription { reason } => {
            t_string!(i18n, errors.bad_push_subscription, reason = reason.clone()).to_string()
        }
        AppError::StorageFull => t_string!(i18n, errors.storage_full).to_string(),
        AppError::Busy => t_string!(i18n, errors.busy).to_string(),
        AppError::TooLarge => t_string!(i18n, errors.too_large).to_string(),
        AppError::Internal => t_string!(i18n, errors.internal).to_string(),
        AppError::Transport(_) => t_string!(i18n, errors.transport).to_string(),
    };
    view! { <p class="error-message">{text}</p> }
}

/// Why a medication or a dose was refused, in the reader's language.
fn med_problem(locale: Locale, problem: MedProblem) -> String {
    use MedProblem::*;
    let field = |field: MedField| match field {
        MedField::Name => td_string!(locale, errors.med_field_name),
        MedField::Strength => td_string!(locale, errors.med_field_strength),
        MedField::Instructions => td_string!(locale, errors.med_field_instructions),
        MedField::Prescriber => td_string!(locale, errors.med_field_prescriber),
        MedField::Supply => td_string!(locale, errors.med_field_supply),
        MedField::RefillLevel => td_string!(locale, errors.med_field_refill_level),
    };
    match problem {
        TooLong { field: f, max } => {
            td_string!(locale, errors.med_too_long, field = field(f), max).to_string()
        }
        OutOfRange { field: f } => {
            td_string!(locale, errors.med_out_of_range, field = field(f)).to_string()
        }
        TooManyTimes { max } => td_string!(locale, errors.med_too_many_times, max).to_string(),
        ReasonTooLong { max } => td_string!(locale, errors.med_reason_too_long, max).to_string(),
        NameMissing => td_string!(locale, errors.med_name_missing).to_string(),
        FormUnknown => td_string!(locale, errors.med_form_unknown).to_string(),
        RxnormFormat => td_string!(locale, errors.med_rxnorm_format).to_string(),
        StartDateMissing => td_string!(locale, errors.med_start_date_missing).to_string(),
        EndDateInvalid => td_string!(locale, errors.med_end_date_invalid).to_string(),
        EndBeforeStart => td_string!(locale, errors.med_end_before_start).to_string(),
        SupplyNeededForRefillLevel => td_string!(locale, errors.med_supply_needed).to_string(),
        DoseAmount => td_string!(locale, errors.med_dose_amount).to_string(),
        Weekdays => td_string!(locale, errors.med_weekdays).to_string(),
        TimesMissing => td_string!(locale, errors.med_times_missing).to_string(),
        TimeFormat => td_string!(locale, errors.med_time_format).to_string(),
        TimeTwice => td_string!(locale, errors.med_time_twice).to_string(),
        IntervalHours => td_string!(locale, errors.med_interval_hours).to_string(),
        FirstTimeMissing => td_string!(locale, errors.med_first_time_missing).to_string(),
        MaxPerDay => td_string!(locale, errors.med_max_per_day).to_string(),
        ChangeDateMissing => td_string!(locale, errors.med_change_date_missing).to_string(),
        ChangeAmount => td_string!(locale, errors.med_change_amount).to_string(),
        ChangeOutsideDates => td_string!(locale, errors.med_change_outside).to_string(),
        ChangesSameDate => td_string!(locale, errors.med_changes_same_date).to_string(),
        RefillAmount => td_string!(locale, errors.med_refill_amount).to_string(),
        RefillNotNumber => td_string!(locale, errors.med_refill_not_number).to_string(),
        RefillWithoutSupply => td_string!(locale, errors.med_refill_without_supply).to_string(),
        DeviceId => td_string!(locale, errors.dose_device_id).to_string(),
        TakenOrSkipped => td_string!(locale, errors.dose_taken_or_skipped).to_string(),
        Stopped => td_string!(locale, errors.dose_stopped).to_string(),
        DateTimeMissing => td_string!(locale, errors.dose_date_time_missing).to_string(),
        InFuture => td_string!(locale, errors.dose_in_future).to_string(),
        SlotMissing => td_string!(locale, errors.dose_slot_missing).to_string(),
        AsNeededOnlyTaken => td_string!(locale, errors.dose_as_needed_only_taken).to_string(),
        NotScheduled => td_string!(locale, errors.dose_not_scheduled).to_string(),
        NotDueYet => td_string!(locale, errors.dose_not_due_yet).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_medication_refusal_is_worded_in_traditional_chinese() {
        use MedProblem::*;
        let every = [
            TooLong {
                field: MedField::Prescriber,
                max: 120,
            },
            OutOfRange {
                field: MedField::RefillLevel,
            },
            TooManyTimes { max: 12 },
            ReasonTooLong { max: 200 },
            NameMissing,
            FormUnknown,
            RxnormFormat,
            StartDateMissing,
            EndDateInvalid,
            EndBeforeStart,
            SupplyNeededForRefillLevel,
            DoseAmount,
            Weekdays,
            TimesMissing,
            TimeFormat,
            TimeTwice,
            IntervalHours,
            FirstTimeMissing,
            MaxPerDay,
            ChangeDateMissing,
            ChangeAmount,
            ChangeOutsideDates,
            ChangesSameDate,
            RefillAmount,
            RefillNotNumber,
            RefillWithoutSupply,
            DeviceId,
            TakenOrSkipped,
            Stopped,
            DateTimeMissing,
            InFuture,
            SlotMissing,
            AsNeededOnlyTaken,
            NotScheduled,
            NotDueYet,
        ];
        for problem in every {
            let english = med_problem(Locale::en, problem);
            assert_eq!(english, problem.to_string(), "the page and the API agree");
            let chinese = med_problem(Locale::zh_TW, problem);
            // Only codes and formats (RxNorm, HH:MM, YYYY-MM-DD) stay in Latin letters.
            let words: String = chinese
                .replace("RxNorm", "")
                .replace("HH:MM", "")
                .replace("YYYY-MM-DD", "");
            assert!(
                !words.chars().any(|c| c.is_ascii_alphabetic()),
                "{problem:?} reads {chinese:?}"
            );
        }
        assert_eq!(
            med_problem(
                Locale::zh_TW,
                TooLong {
                    field: MedField::Name,
                    max: 120
                }
            ),
            "名稱超過 120 個字"
        );
    }
}
