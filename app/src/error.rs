//! The error type that crosses the wire from server functions to the browser.
//!
//! Each variant is a user-safe condition the UI can translate; internal detail
//! never travels here (it is logged once on the server and becomes `Internal`).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Enter a valid email address.")]
    InvalidEmail,
    #[error("Use a password of at least {min} characters.")]
    PasswordTooShort { min: usize },
    #[error("Use a password of at most {max} characters.")]
    PasswordTooLong { max: usize },
    #[error(
        "Choose a less common password: not a common word with numbers, a run of keys, repeated characters, or your email or name."
    )]
    PasswordTooCommon,
    #[error("Too many attempts. Wait {minutes} minutes and try again.")]
    TooManyRequests { minutes: u32 },
    #[error("Enter your name (1 to {max} characters).")]
    InvalidName { max: usize },
    #[error("An account with this email already exists. Sign in instead.")]
    EmailTaken,
    #[error("The email or password is not correct.")]
    BadCredentials,
    #[error("Sign in to continue.")]
    NotSignedIn,
    #[error("That language is not supported.")]
    UnsupportedLocale,
    #[error("You do not have access to this patient's data.")]
    NoAccess,
    #[error("Your access to this patient's data has ended.")]
    GrantExpired,
    #[error("Turn on two-step verification before opening patient data.")]
    MfaRequired,
    #[error("This token does not allow {scope}.")]
    MissingScope { scope: String },
    #[error("That item does not exist or is not yours.")]
    NotFound,
    #[error("Too many failed sign-ins. Wait 15 minutes and try again.")]
    TooManyAttempts,
    #[error("That code is not correct.")]
    BadMfaCode,
    #[error("This sign-in step has expired. Please start again.")]
    SignInExpired,
    #[error("This invitation code is not valid, was used already or has expired.")]
    InvitationInvalid,
    #[error("Your account cannot do this.")]
    WrongRole,
    #[error("Choose at least one kind of data to share.")]
    NoPermissionsChosen,
    #[error("Choose a date from today on.")]
    DateInPast,
    #[error("Give a reason of at least {min} characters.")]
    ReasonRequired { min: usize },
    #[error("Name the token (1 to {max} characters).")]
    InvalidTokenName { max: usize },
    #[error("Choose at least one scope from the list.")]
    InvalidScopes,
    #[error("That sign-in provider is not available.")]
    ProviderUnknown,
    #[error("Signing in with the provider did not succeed. Please try again.")]
    ProviderFailed,
    #[error("The provider did not share a verified email address.")]
    ProviderNoEmail,
    #[error("Two-step verification is already on.")]
    MfaAlreadyOn,
    #[error("Two-step verification is not on.")]
    MfaNotOn,
    #[error("Type at least {min} characters to search.")]
    SearchTooShort { min: usize },
    #[error("Type at most {max} characters to search.")]
    SearchTooLong { max: usize },
    #[error("The request's fields are missing or not of the right kind.")]
    BadArguments,
    #[error("The access token is missing, unknown, expired or revoked.")]
    TokenInvalid,
    #[error("This reading cannot be saved: {reason}.")]
    InvalidReading {
        reason: crate::refusals::ReadingProblem,
    },
    #[error("A batch holds at most {max} items.")]
    BatchTooLarge { max: usize },
    #[error("The request body cannot be read: {reason}.")]
    BadPayload {
        reason: crate::refusals::PayloadProblem,
    },
    #[error("Choose a CSV file or an Apple Health export.xml (at most {max_mb} MB).")]
    ImportInvalid { max_mb: u64 },
    #[error(
        "This file is not accepted for import ({what}): choose an Apple Health export (export.zip or export.xml) or a CSV file with the columns time, kind, value, unit."
    )]
    ImportNotAccepted { what: String },
    #[error("This import has already finished.")]
    ImportFinished,
    #[error("Choose a target between {min} and {max}.")]
    GoalOutOfRange { min: u32, max: u32 },
    #[error("This medication cannot be saved: {reason}.")]
    InvalidMedication { reason: crate::refusals::MedProblem },
    #[error("This dose cannot be logged: {reason}.")]
    InvalidDose { reason: crate::refusals::MedProblem },
    #[error("That would be more than {max} doses today, the most this medication allows.")]
    PrnLimit { max: u32 },
    #[error("This dose is already logged. Undo it first to change it.")]
    DoseAlreadyLogged,
    #[error("These settings cannot be saved: {reason}.")]
    InvalidSettings {
        reason: crate::refusals::SettingsProblem,
    },
    #[error("This device's push subscription is not valid: {reason}.")]
    BadPushSubscription {
        reason: crate::refusals::PushProblem,
    },
    #[error("This file cannot be kept: {reason}.")]
    FileRefused {
        reason: crate::refusals::FileProblem,
    },
    #[error("This image cannot be shown: {reason}.")]
    FrameUnavailable {
        reason: crate::refusals::FileProblem,
    },
    #[error("This file is larger than {max_mb} MB, the most accepted for its type.")]
    FileTooLarge { max_mb: u64 },
    #[error("There is not enough room: {free_mb} MB of your storage is free.")]
    QuotaExceeded { free_mb: u64 },
    #[error("This upload is missing parts; send part {next} next.")]
    UploadIncomplete { next: u64 },
    #[error("This link has expired. Open the file again from its page.")]
    LinkExpired,
    #[error("This link is not valid.")]
    LinkInvalid,
    #[error("Hale's storage is full, so nothing was saved. Please try again later.")]
    StorageFull,
    #[error("The request is larger than this server accepts.")]
    TooLarge,
    #[error("Hale is busy. Please try again in a few seconds.")]
    Busy,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request did not reach the server function or its answer could not be read.
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status that this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::InvalidEmail
            | AppError::PasswordTooShort { .. }
            | AppError::PasswordTooLong { .. }
            | AppError::InvalidName { .. }
            | AppError::PasswordTooCommon
            | AppError::UnsupportedLocale
            | AppError::NoPermissionsChosen
            | AppError::DateInPast
            | AppError::ReasonRequired { .. }
            | AppError::InvalidTokenName { .. }
            | AppError::InvalidScopes
            | AppError::SearchTooShort { .. }
            | AppError::SearchTooLong { .. }
            | AppError::ProviderNoEmail
            | AppError::InvalidReading { .. }
            | AppError::ImportInvalid { .. }
            | AppError::ImportNotAccepted { .. }
            | AppError::GoalOutOfRange { .. }
            | AppError::InvalidMedication { .. }
            | AppError::InvalidDose { .. }
            | AppError::InvalidSettings { .. }
            | AppError::BadPushSubscription { .. }
            | AppError::FileRefused { .. }
            | AppError::FrameUnavailable { .. } => 422,
            AppError::FileTooLarge { .. } | AppError::QuotaExceeded { .. } => 413,
            AppError::UploadIncomplete { .. } => 409,
            AppError::LinkExpired | AppError::LinkInvalid => 403,
            AppError::PrnLimit { .. } | AppError::DoseAlreadyLogged => 409,
            AppError::BatchTooLarge { .. } => 413,
            AppError::BadPayload { .. } | AppError::BadArguments => 400,
            AppError::ImportFinished => 409,
            AppError::NoAccess
            | AppError::GrantExpired
            | AppError::MfaRequired
            | AppError::MissingScope { .. }
            | AppError::WrongRole => 403,
            AppError::NotFound | AppError::InvitationInvalid | AppError::ProviderUnknown => 404,
            AppError::TooManyAttempts | AppError::TooManyRequests { .. } => 429,
            AppError::BadMfaCode
            | AppError::SignInExpired
            | AppError::ProviderFailed
            | AppError::TokenInvalid => 401,
            AppError::MfaAlreadyOn | AppError::MfaNotOn => 409,
            AppError::EmailTaken => 409,
            AppError::BadCredentials | AppError::NotSignedIn => 401,
            AppError::Internal => 500,
            AppError::StorageFull => 507,
            AppError::TooLarge => 413,
            AppError::Busy => 503,
            AppError::Transport(_) => 400,
        }
    }

    /// How long to wait before trying again, for the answers that say so.
    pub fn retry_after_s(&self) -> Option<u32> {
        match self {
            AppError::TooManyAttempts => Some(15 * 60),
            AppError::TooManyRequests { minutes } => Some(minutes * 60),
            AppError::Busy => Some(2),
            AppError::StorageFull => Some(60),
            _ => None,
        }
    }

    /// Sets this error's status (and `Retry-After`) on the server function's
    /// response, then returns it.
    #[cfg(feature = "ssr")]
    pub fn respond(self) -> Self {
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(
                http::StatusCode::from_u16(self.status_code())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let Some(seconds) = self.retry_after_s() {
                options.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that cannot be read are the caller's mistake: a 400
            // with a plain message, not the framework's text.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                #[cfg(feature = "ssr")]
                return AppError::BadArguments.respond();
                #[cfg(not(feature = "ssr"))]
                AppError::BadArguments
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::db::health::is_storage_full(&err) {
            crate::db::health::note_full();
            tracing::error!(error = %err, "the database's disk is full");
            return AppError::StorageFull;
        }
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

/// An error as an HTTP answer from a door of the server crate: its status
/// and `{"error": "<the user-safe message>"}`; a 401 names the Bearer scheme.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status =
            http::StatusCode::from_u16(self.status_code()).unwrap_or(http::StatusCode::BAD_REQUEST);
        // `error`: the English wording; `refusal`: the same as data, for a
        // client that words it in its reader's language.
        let body = serde_json::json!({ "error": self.to_string(), "refusal": self });
        let mut response = (status, axum::Json(body)).into_response();
        if status == http::StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer realm=\"hale\""),
            );
        }
        if let Some(seconds) = self.retry_after_s() {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}
