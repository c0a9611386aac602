//! Migration 2: identity and access. MFA and sign-in providers on accounts,
//! care-team invitations and grants, staff invitations, API tokens, sign-in
//! throttling, security events, break-glass access and the hash-chained
//! audit log (append-only: triggers refuse UPDATE and DELETE).

use sea_orm::sea_query::{
    ColumnDef, ForeignKey, ForeignKeyAction, ForeignKeyCreateStatement, Index, Table,
    TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr};

pub(super) fn id() -> ColumnDef {
    ColumnDef::new("id")
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn at(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn maybe_at(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().to_owned()
}

pub(super) fn text(name: &'static str, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).not_null().to_owned()
}

pub(super) fn maybe_text(name: &'static str, len: u32) -> ColumnDef {
    ColumnDef::new(name).string_len(len).to_owned()
}

pub(super) fn account_ref(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().to_owned()
}

pub(super) fn references_account(
    table: &'static str,
    column: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to("accounts", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

pub(super) fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).col(id()).to_owned()
}

pub(super) async fn index(
    tx: &DatabaseTransaction,
    table: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create()
        .name(format!("{table}_{}", columns.join("_")))
        .table(table)
        .to_owned();
    for column in columns {
        statement.col(*column);
    }
    if unique {
        statement.unique();
    }
    tx.execute(&statement).await.map(|_| ())
}

pub async fn identity_and_access(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    // SQLite takes one new column per ALTER TABLE.
    for column in [maybe_text("mfa_secret", 64), maybe_at("mfa_enabled_at")] {
        tx.execute(
            &Table::alter()
                .table("accounts")
                .add_column(column)
                .to_owned(),
        )
        .await?;
    }
    tx.execute(
        &Table::alter()
            .table("sessions")
            .add_column(maybe_at("mfa_at"))
            .to_owned(),
    )
    .await?;

    tx.execute(
        &table("recovery_codes")
            .col(account_ref("account_id"))
            .col(text("code_hash", 64))
            .col(maybe_at("used_at"))
            .foreign_key(&mut references_account("recovery_codes", "account_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "recovery_codes", &["account_id"], false).await?;

    tx.execute(
        &table("external_identities")
            .col(account_ref("account_id"))
            .col(text("provider", 64))
            .col(text("subject", 255))
            .col(at("created_at"))
            .foreign_key(&mut references_account("external_identities", "account_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "external_identities", &["provider", "subject"], true).await?;

    // An OpenID Connect sign-in between the redirect and the callback.
    tx.execute(
        &table("oidc_logins")
            .col(text("state_hash", 64).unique_key().to_owned())
            .col(text("provider", 64))
            .col(text("nonce", 128))
            .col(text("pkce_verifier", 128))
            .col(at("created_at"))
            .to_owned(),
    )
    .await?;

    // A sign-in waiting for a second step: a TOTP code, or a password that
    // proves the local account a new provider identity is to be linked to.
    tx.execute(
        &table("pending_signins")
            .col(text("token_hash", 64).unique_key().to_owned())
            .col(ColumnDef::new("account_id").big_integer())
            .col(text("purpose", 16))
            .col(maybe_text("provider", 64))
            .col(maybe_text("subject", 255))
            .col(at("expires_at"))
            .to_owned(),
    )
    .await?;

    tx.execute(
        &table("care_invitations")
            .col(account_ref("patient_id"))
            .col(text("code_hash", 64).unique_key().to_owned())
            .col(maybe_text("email", 254))
            .col(text("permissions", 200))
            .col(ColumnDef::new("grant_until").date())
            .col(at("created_at"))
            .col(at("expires_at"))
            .col(maybe_at("redeemed_at"))
            .col(ColumnDef::new("redeemed_by").big_integer())
            .foreign_key(&mut references_account("care_invitations", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "care_invitations", &["patient_id"], false).await?;

    tx.execute(
        &table("care_grants")
            .col(account_ref("patient_id"))
            .col(account_ref("grantee_id"))
            .col(text("permissions", 200))
            .col(ColumnDef::new("until").date())
            .col(at("created_at"))
            .col(at("updated_at"))
            .col(maybe_at("revoked_at"))
            .foreign_key(&mut references_account("care_grants", "patient_id"))
            .foreign_key(&mut references_account("care_grants", "grantee_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "care_grants", &["patient_id"], false).await?;
    index(tx, "care_grants", &["grantee_id"], false).await?;

    tx.execute(
        &table("staff_invitations")
            .col(text("code_hash", 64).unique_key().to_owned())
            .col(text("email", 254))
            .col(text("role", 32))
            .col(account_ref("created_by"))
            .col(at("created_at"))
            .col(at("expires_at"))
            .col(maybe_at("redeemed_at"))
            .to_owned(),
    )
    .await?;

    tx.execute(
        &table("api_tokens")
            .col(account_ref("account_id"))
            .col(text("name", 100))
            .col(text("token_hash", 64).unique_key().to_owned())
            .col(text("scopes", 400))
            .col(at("created_at"))
            .col(maybe_at("last_used_at"))
            .col(maybe_at("expires_at"))
            .col(maybe_at("revoked_at"))
            .foreign_key(&mut references_account("api_tokens", "account_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "api_tokens", &["account_id"], false).await?;

    // Failed sign-ins, by who was tried (a hash of the email) and from where.
    tx.execute(
        &table("sign_in_failures")
            .col(text("subject_hash", 64))
            .col(text("ip", 64))
            .col(at("at"))
            .to_owned(),
    )
    .await?;
    index(tx, "sign_in_failures", &["subject_hash", "at"], false).await?;
    index(tx, "sign_in_failures", &["ip", "at"], false).await?;

    tx.execute(
        &table("security_events")
            .col(at("at"))
            .col(text("kind", 32))
            .col(ColumnDef::new("account_id").big_integer())
            .col(ColumnDef::new("patient_id").big_integer())
            .col(text("detail", 500))
            .col(maybe_at("acknowledged_at"))
            .to_owned(),
    )
    .await?;

    tx.execute(
        &table("break_glass")
            .col(account_ref("admin_id"))
            .col(account_ref("patient_id"))
            .col(text("reason", 500))
            .col(at("created_at"))
            .col(at("expires_at"))
            .foreign_key(&mut references_account("break_glass", "admin_id"))
            .foreign_key(&mut references_account("break_glass", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "break_glass", &["patient_id", "admin_id"], false).await?;

    tx.execute(
        &table("audit_events")
            .col(at("at"))
            .col(ColumnDef::new("actor_id").big_integer())
            .col(ColumnDef::new("patient_id").big_integer())
            .col(text("category", 32))
            .col(maybe_text("record_id", 64))
            .col(text("action", 32))
            .col(text("outcome", 32))
            .col(maybe_text("ip", 64))
            .col(maybe_text("user_agent", 200))
            .col(text("prev_hash", 64))
            .col(text("hash", 64))
            .to_owned(),
    )
    .await?;
    index(tx, "audit_events", &["patient_id", "at"], false).await?;
    append_only(tx).await
}

/// Migration 3: the last TOTP time step accepted per account, so that a code
/// works once (RFC 6238 §5.2).
pub async fn totp_last_step(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute(
        &Table::alter()
            .table("accounts")
            .add_column(ColumnDef::new("mfa_last_step").big_integer())
            .to_owned(),
    )
    .await
    .map(|_| ())
}

/// Refuses UPDATE and DELETE on the audit log. Someone with the database's
/// owner rights can still drop the triggers: the hash chain tells.
async fn append_only(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    match tx.get_database_backend() {
        DbBackend::Postgres => {
            tx.execute_unprepared(
                "CREATE FUNCTION hale_audit_append_only() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql",
            )
            .await?;
            tx.execute_unprepared(
                "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events \
                 FOR EACH ROW EXECUTE FUNCTION hale_audit_append_only()",
            )
            .await?;
        }
        _ => {
            for verb in ["UPDATE", "DELETE"] {
                tx.execute_unprepared(&format!(
                    "CREATE TRIGGER audit_events_no_{} BEFORE {verb} ON audit_events \
                     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
                    verb.to_lowercase()
                ))
                .await?;
            }
        }
    }
    Ok(())
}

/// Migration 9: attempts counted by the throttles (`crate::throttle`): a
/// bucket, a hashed key (an account, an address, a token), and when.
pub async fn throttle_hits(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute(
        &table("throttle_hits")
            .col(text("bucket", 32))
            .col(text("key_hash", 64))
            .col(ColumnDef::new("at_ms").big_integer().not_null())
            .to_owned(),
    )
    .await?;
    index(tx, "throttle_hits", &["bucket", "key_hash", "at_ms"], false).await?;
    index(tx, "throttle_hits", &["at_ms"], false).await
}
