//! Database rows of care-team access.

use crate::db::plain_entity;

/// A patient's invitation to join their care team, redeemed with a code.
pub mod care_invitation {
    super::plain_entity!("care_invitations", {
        pub patient_id: i64,
        pub code_hash: String,
        /// When set, only the account with this email may redeem the code.
        pub email: Option<String>,
        pub permissions: String,
        pub grant_until: Option<Date>,
        pub created_at: ChronoDateTimeUtc,
        pub expires_at: ChronoDateTimeUtc,
        pub redeemed_at: Option<ChronoDateTimeUtc>,
        pub redeemed_by: Option<i64>,
    });
}

/// What a care-team member may do with one patient's data.
pub mod care_grant {
    super::plain_entity!("care_grants", {
        pub patient_id: i64,
        pub grantee_id: i64,
        pub permissions: String,
        /// Last day the grant holds (inclusive), if it ends.
        pub until: Option<Date>,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
        pub revoked_at: Option<ChronoDateTimeUtc>,
    });
}

/// An administrator's time-limited emergency access to one patient.
pub mod break_glass {
    super::plain_entity!("break_glass", {
        pub admin_id: i64,
        pub patient_id: i64,
        pub reason: String,
        pub created_at: ChronoDateTimeUtc,
        pub expires_at: ChronoDateTimeUtc,
    });
}
