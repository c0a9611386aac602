//! Accounts and sessions: sign-up, sign-in, sign-out and the signed-in user.
//!
//! Wire types and validation compile on both sides; the services that touch
//! the database are in the server-only `service` and `sessions` modules.

mod api;
mod components;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sessions;

pub use api::*;
pub use components::{SignInPage, SignOutButton, SignUpPage};

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
