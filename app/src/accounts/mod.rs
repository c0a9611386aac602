//! Accounts and sessions: sign-up, sign-in, sign-out and the signed-in user.
//!
//! Wire types and validation compile on both sides; the services that touch
//! the database are in the server-only `service` and `sessions` modules.

mod api;
mod components;
mod language;
mod security_api;
mod security_page;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
mod hashing;
#[cfg(feature = "ssr")]
pub mod mfa;
#[cfg(feature = "ssr")]
pub mod oidc;
#[cfg(feature = "ssr")]
pub mod pending;
#[cfg(feature = "ssr")]
pub mod secrets;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod signin;
#[cfg(feature = "ssr")]
pub mod staff;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;

pub use api::*;
pub use components::{JoinStaffPage, SignInPage, SignOutButton, SignUpPage, VerifyCodePage};
pub use language::LanguageSwitcher;
pub use security_api::*;
pub use security_page::SecurityPage;

use crate::identity::Role;
use serde::{Deserialize, Serialize};

/// One of my sessions, for the security page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i64,
    pub device: String,
    pub ip: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    pub current: bool,
}

/// One of my API tokens (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What the security page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySummary {
    pub has_password: bool,
    pub mfa_on: bool,
    /// MFA is required before this account sees patient data.
    pub mfa_required: bool,
    pub sessions: Vec<SessionView>,
    pub tokens: Vec<TokenView>,
    pub all_scopes: Vec<String>,
    pub linked_providers: Vec<String>,
}

/// A new TOTP secret to scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaEnrolment {
    pub secret: String,
    pub qr_svg: String,
}

/// A configured sign-in provider, for the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLink {
    pub id: String,
    pub name: String,
}

/// An account as an administrator sees it when searching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub mfa_on: bool,
}
