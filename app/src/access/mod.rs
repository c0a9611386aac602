//! Who may see whose health data: care-team invitations and grants, the one
//! access check every read or write of health data passes (it writes every
//! decision to the audit log, `crate::audit`), break-glass access, and a
//! patient's access history.
//!
//! Wire types compile on both sides; `gate`, `grants`, `history` and `entity`
//! are the server-only domain services and persistence.

mod admin_page;
mod api;
mod care_team_page;
mod components;
mod history_page;
mod patients_page;

#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod grants;
#[cfg(feature = "ssr")]
pub mod history;

pub use admin_page::AdminPage;
pub use api::*;
pub use care_team_page::{CareTeamPage, JoinCareTeamPage};
pub use history_page::AccessHistoryPage;
pub use patients_page::{PatientHeader, PatientPage, PatientsPage};

use crate::identity::{Action, Category};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a grant allows in one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub category: Category,
    pub read: bool,
    pub write: bool,
}

/// The categories a grant covers, stored as `vitals:rw medications:r`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions(pub Vec<Permission>);

impl Permissions {
    pub fn allows(&self, category: Category, action: Action) -> bool {
        self.0.iter().any(|p| {
            p.category == category
                && match action {
                    Action::Read => p.read,
                    Action::Write => p.write,
                }
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|p| !p.read && !p.write)
    }

    pub fn encode(&self) -> String {
        self.0
            .iter()
            .filter(|p| p.read || p.write)
            .map(|p| {
                let mode = match (p.read, p.write) {
                    (true, true) => "rw",
                    (true, false) => "r",
                    _ => "w",
                };
                format!("{}:{mode}", p.category.as_str())
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads the stored form; `None` if any part is not understood.
    pub fn decode(value: &str) -> Option<Permissions> {
        let mut out = Vec::new();
        for part in value.split_whitespace() {
            let (category, mode) = part.split_once(':')?;
            let category = Category::parse(category)?;
            let (read, write) = match mode {
                "r" => (true, false),
                "w" => (false, true),
                "rw" => (true, true),
                _ => return None,
            };
            if out.iter().any(|p: &Permission| p.category == category) {
                return None;
            }
            out.push(Permission {
                category,
                read,
                write,
            });
        }
        Some(Permissions(out))
    }

    /// Builds permissions from form checkboxes named `vitals_read`,
    /// `vitals_write`, ... (their values are ignored; presence counts).
    pub fn from_checked(names: &[String]) -> Permissions {
        Permissions(
            Category::ALL
                .into_iter()
                .map(|category| Permission {
                    category,
                    read: names
                        .iter()
                        .any(|n| *n == format!("{}_read", category.as_str())),
                    write: names
                        .iter()
                        .any(|n| *n == format!("{}_write", category.as_str())),
                })
                .filter(|p| p.read || p.write)
                .collect(),
        )
    }
}

/// A grant as the patient sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: i64,
    pub grantee_name: String,
    pub grantee_role: crate::identity::Role,
    pub permissions: Permissions,
    pub until: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// An invitation the patient made that has not been redeemed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: i64,
    pub email: Option<String>,
    pub permissions: Permissions,
    pub grant_until: Option<NaiveDate>,
    pub expires_at: DateTime<Utc>,
}

/// A patient on a care-team member's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientLink {
    pub patient_id: i64,
    pub name: String,
    pub permissions: Permissions,
    pub until: Option<NaiveDate>,
}

/// One line of a patient's access history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub actor_role: Option<crate::identity::Role>,
    pub category: String,
    pub action: String,
    pub outcome: String,
}

/// A page of a patient's access history: accesses and refused attempts
/// are paged apart, so that a flood of refusals cannot push a real access
/// out of view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<AccessEntry>,
    /// Where the next (older) page starts, when there is one.
    pub older: Option<i64>,
    /// Refused attempts by others, in all.
    pub refused_count: u64,
}

/// A security event as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEventView {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    pub account_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_round_trip_through_their_stored_form() {
        let permissions = Permissions(vec![
            Permission {
                category: Category::Vitals,
                read: true,
                write: true,
            },
            Permission {
                category: Category::Medications,
                read: true,
                write: false,
            },
        ]);
        assert_eq!(permissions.encode(), "vitals:rw medications:r");
        assert_eq!(
            Permissions::decode("vitals:rw medications:r"),
            Some(permissions.clone())
        );
        assert!(permissions.allows(Category::Vitals, Action::Write));
        assert!(permissions.allows(Category::Medications, Action::Read));
        assert!(!permissions.allows(Category::Medications, Action::Write));
        assert!(!permissions.allows(Category::Documents, Action::Read));
    }

    #[test]
    fn unknown_or_repeated_parts_are_refused() {
        assert_eq!(Permissions::decode("vitals:x"), None);
        assert_eq!(Permissions::decode("blood:r"), None);
        assert_eq!(Permissions::decode("vitals:r vitals:w"), None);
        assert_eq!(Permissions::decode(""), Some(Permissions::default()));
    }

    #[test]
    fn checkboxes_become_permissions() {
        let checked = vec!["records_read".to_owned(), "vitals_write".to_owned()];
        assert_eq!(
            Permissions::from_checked(&checked).encode(),
            "vitals:w records:r"
        );
    }
}
