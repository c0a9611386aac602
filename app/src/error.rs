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
            | AppError::UnsupportedLocale => 422,
            AppError::EmailTaken => 409,
            AppError::BadCredentials | AppError::NotSignedIn => 401,
            AppError::Internal => 500,
            AppError::Transport(_) => 400,
        }
    }

    /// Sets this error's status on the server function's response, then returns it.
    #[cfg(feature = "ssr")]
    pub fn respond(self) -> Self {
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(
                http::StatusCode::from_u16(self.status_code())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}
