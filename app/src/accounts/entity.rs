//! Database rows of accounts and sessions. They never leave the server:
//! convert to [`super::CurrentUser`] before anything crosses the wire.

pub mod account {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "accounts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// Lower-cased; unique.
        #[sea_orm(unique)]
        pub email: String,
        pub display_name: String,
        /// Argon2id PHC string; `None` for accounts that only sign in elsewhere.
        pub password_hash: Option<String>,
        pub role: String,
        pub locale: Option<String>,
        pub created_at: ChronoDateTimeUtc,
        pub disabled_at: Option<ChronoDateTimeUtc>,
        /// Base32 TOTP secret; set at enrolment, confirmed by `mfa_enabled_at`.
        pub mfa_secret: Option<String>,
        pub mfa_enabled_at: Option<ChronoDateTimeUtc>,
        /// The last TOTP time step accepted: a code works once.
        pub mfa_last_step: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::session::Entity")]
        Session,
    }

    impl Related<super::session::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Session.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// SHA-256 of the cookie's token, hex; the token itself is never stored.
        #[sea_orm(unique)]
        pub token_hash: String,
        pub account_id: i64,
        pub created_at: ChronoDateTimeUtc,
        pub last_seen_at: ChronoDateTimeUtc,
        /// Absolute end of the session, whatever the activity.
        pub expires_at: ChronoDateTimeUtc,
        pub user_agent: Option<String>,
        pub ip: Option<String>,
        /// When this session passed a second factor (TOTP or a recovery code).
        pub mfa_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::account::Entity",
            from = "Column::AccountId",
            to = "super::account::Column::Id",
            on_delete = "Cascade"
        )]
        Account,
    }

    impl Related<super::account::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Account.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One-time recovery codes for a lost authenticator (SHA-256 of each code).
pub mod recovery_code {
    crate::db::plain_entity!("recovery_codes", {
        pub account_id: i64,
        pub code_hash: String,
        pub used_at: Option<ChronoDateTimeUtc>,
    });
}

/// An account's identity at an OpenID Connect provider (`iss` + `sub`).
pub mod external_identity {
    crate::db::plain_entity!("external_identities", {
        pub account_id: i64,
        pub provider: String,
        pub subject: String,
        pub created_at: ChronoDateTimeUtc,
    });
}

/// A provider sign-in between the redirect and the callback.
pub mod oidc_login {
    crate::db::plain_entity!("oidc_logins", {
        pub state_hash: String,
        pub provider: String,
        pub nonce: String,
        pub pkce_verifier: String,
        pub created_at: ChronoDateTimeUtc,
    });
}

/// A sign-in waiting for its second step (`purpose`: `mfa` or `link`).
pub mod pending_signin {
    crate::db::plain_entity!("pending_signins", {
        pub token_hash: String,
        pub account_id: Option<i64>,
        pub purpose: String,
        pub provider: Option<String>,
        pub subject: Option<String>,
        pub expires_at: ChronoDateTimeUtc,
    });
}

/// An administrator's invitation for a clinician, coach or administrator.
pub mod staff_invitation {
    crate::db::plain_entity!("staff_invitations", {
        pub code_hash: String,
        pub email: String,
        pub role: String,
        pub created_by: i64,
        pub created_at: ChronoDateTimeUtc,
        pub expires_at: ChronoDateTimeUtc,
        pub redeemed_at: Option<ChronoDateTimeUtc>,
    });
}

/// A personal access token (only its SHA-256 is kept).
pub mod api_token {
    crate::db::plain_entity!("api_tokens", {
        pub account_id: i64,
        pub name: String,
        pub token_hash: String,
        /// Space-separated scopes, e.g. `observations:write`.
        pub scopes: String,
        pub created_at: ChronoDateTimeUtc,
        pub last_used_at: Option<ChronoDateTimeUtc>,
        pub expires_at: Option<ChronoDateTimeUtc>,
        pub revoked_at: Option<ChronoDateTimeUtc>,
    });
}

/// A failed sign-in: a hash of the email tried and the client address.
pub mod sign_in_failure {
    crate::db::plain_entity!("sign_in_failures", {
        pub subject_hash: String,
        pub ip: String,
        pub at: ChronoDateTimeUtc,
    });
}
