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
