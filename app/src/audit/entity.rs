//! Database rows of the audit log and of security events.

use crate::db::plain_entity;

/// Something an administrator should look at (a burst of failed sign-ins,
/// break-glass access, a refused forged sign-in).
pub mod security_event {
    super::plain_entity!("security_events", {
        pub at: ChronoDateTimeUtc,
        pub kind: String,
        pub account_id: Option<i64>,
        pub patient_id: Option<i64>,
        /// Ids and reasons only; never health data.
        pub detail: String,
        pub acknowledged_at: Option<ChronoDateTimeUtc>,
    });
}

/// One access decision or access, chained to the row before it by hash.
pub mod audit_event {
    super::plain_entity!("audit_events", {
        pub at: ChronoDateTimeUtc,
        pub actor_id: Option<i64>,
        pub patient_id: Option<i64>,
        pub category: String,
        pub record_id: Option<String>,
        pub action: String,
        pub outcome: String,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        pub prev_hash: String,
        pub hash: String,
    });
}
