//! Who is asking, and for what: the leaf types that accounts, access and
//! every area share. [`Role`] and [`CurrentUser`] are what the browser knows
//! of the signed-in person; [`Category`] and [`Action`] name what a grant or
//! a token scope covers; on the server an [`Actor`] is one request's asker,
//! with the [`ClientMeta`] it came from. Nothing here imports an area.

use serde::{Deserialize, Serialize};

/// What a person does in Hale. Patients sign up themselves; staff are invited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    Clinician,
    Coach,
    Caregiver,
    Administrator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Clinician => "clinician",
            Role::Coach => "coach",
            Role::Caregiver => "caregiver",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        [
            Role::Patient,
            Role::Clinician,
            Role::Coach,
            Role::Caregiver,
            Role::Administrator,
        ]
        .into_iter()
        .find(|role| role.as_str() == value)
    }
}

/// The signed-in user as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub locale: Option<String>,
}

/// The kinds of health data a grant can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Vitals,
    Medications,
    Records,
    Documents,
    Messages,
    Appointments,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Vitals,
        Category::Medications,
        Category::Records,
        Category::Documents,
        Category::Messages,
        Category::Appointments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Vitals => "vitals",
            Category::Medications => "medications",
            Category::Records => "records",
            Category::Documents => "documents",
            Category::Messages => "messages",
            Category::Appointments => "appointments",
        }
    }

    pub fn parse(value: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == value)
    }

    /// The API-token scope that names this category (`observations` for vitals).
    pub fn scope_name(self) -> &'static str {
        match self {
            Category::Vitals => "observations",
            other => other.as_str(),
        }
    }
}

/// Reading or writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Write,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
        }
    }
}

#[cfg(feature = "ssr")]
pub use server::{Actor, ClientMeta};

#[cfg(feature = "ssr")]
mod server {
    use super::Role;

    /// Who is asking: a signed-in browser session or an API token.
    #[derive(Debug, Clone)]
    pub struct Actor {
        pub account_id: i64,
        pub role: Role,
        /// The session passed a second factor (for a token: its account has MFA on).
        pub mfa: bool,
        /// The scopes of the API token the request carried; `None` for a session.
        pub scopes: Option<Vec<String>>,
        pub client: ClientMeta,
    }

    impl Actor {
        pub fn is_staff(&self) -> bool {
            matches!(
                self.role,
                Role::Clinician | Role::Coach | Role::Administrator
            )
        }

        /// An administrator in their own session (not through a token) that
        /// passed a second factor — what every administration function needs.
        pub fn require_administrator(&self) -> Result<(), crate::error::AppError> {
            if self.role != Role::Administrator || self.scopes.is_some() {
                return Err(crate::error::AppError::WrongRole);
            }
            if !self.mfa {
                return Err(crate::error::AppError::MfaRequired);
            }
            Ok(())
        }

        pub(crate) fn has_scope(&self, scope: &str) -> bool {
            self.scopes
                .as_ref()
                .is_none_or(|scopes| scopes.iter().any(|s| s == scope))
        }
    }

    /// Where a sign-in came from, kept with the session for the user to review.
    #[derive(Debug, Clone, Default)]
    pub struct ClientMeta {
        pub user_agent: Option<String>,
        pub ip: Option<String>,
    }
}
