//! Migration 5: medications (with their change history and dose log) and the
//! notification service (preferences, Web Push subscriptions, deliveries per
//! channel, and server keys such as the VAPID key pair). Times are Unix ms.

use super::m002_identity::{account_ref, index, maybe_text, references_account, table, text};
use super::m003_health::{big, double, long_text, maybe_big, maybe_double};
use sea_orm::sea_query::{ColumnDef, ForeignKey, ForeignKeyAction};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

fn int(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).integer().not_null().to_owned()
}

fn maybe_int(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).integer().to_owned()
}

fn medication_ref() -> ColumnDef {
    ColumnDef::new("medication_id")
        .big_integer()
        .not_null()
        .to_owned()
}

fn references_medication(table: &'static str) -> sea_orm::sea_query::ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, "medication_id")
        .to("medications", "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

pub async fn medications_and_notifications(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    tx.execute(
        &table("medications")
            .col(account_ref("patient_id"))
            .col(text("name", 120))
            .col(text("strength", 60))
            .col(text("form", 30))
            .col(long_text("instructions"))
            .col(maybe_text("prescriber", 120))
            .col(maybe_text("rxnorm", 16))
            .col(text("start_date", 10))
            .col(maybe_text("end_date", 10))
            .col(text("status", 10))
            // The schedule as JSON (`meds::Schedule`).
            .col(long_text("schedule"))
            .col(maybe_double("supply"))
            .col(maybe_double("low_supply"))
            .col(int("refills"))
            .col(big("created_ms"))
            .col(big("updated_ms"))
            .foreign_key(&mut references_account("medications", "patient_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "medications", &["patient_id", "status"], false).await?;

    tx.execute(
        &table("medication_changes")
            .col(medication_ref())
            .col(account_ref("patient_id"))
            .col(ColumnDef::new("actor_id").big_integer().to_owned())
            .col(text("change", 16))
            .col(long_text("detail"))
            .col(big("at_ms"))
            .foreign_key(&mut references_medication("medication_changes"))
            .to_owned(),
    )
    .await?;
    index(tx, "medication_changes", &["medication_id"], false).await?;

    tx.execute(
        &table("dose_logs")
            .col(medication_ref())
            .col(account_ref("patient_id"))
            // The scheduled dose it answers: local `YYYY-MM-DDTHH:MM`; none for as-needed doses.
            .col(maybe_text("slot", 16))
            .col(maybe_big("due_ms"))
            .col(text("status", 8))
            .col(big("at_ms"))
            .col(double("amount"))
            .col(maybe_text("reason", 200))
            // The device's id for the log (offline queue): the same id is stored once.
            .col(maybe_text("client_id", 64))
            .col(ColumnDef::new("logged_by").big_integer().to_owned())
            .col(big("created_ms"))
            .foreign_key(&mut references_medication("dose_logs"))
            .to_owned(),
    )
    .await?;
    index(tx, "dose_logs", &["medication_id", "slot"], true).await?;
    index(tx, "dose_logs", &["patient_id", "client_id"], true).await?;
    index(tx, "dose_logs", &["patient_id", "at_ms"], false).await?;

    tx.execute(
        &table("notify_prefs")
            .col(account_ref("account_id"))
            .col(maybe_text("time_zone", 64))
            .col(int("email"))
            .col(int("sms"))
            .col(int("push"))
            .col(maybe_text("phone", 20))
            .col(maybe_int("quiet_from_min"))
            .col(maybe_int("quiet_to_min"))
            .col(int("show_details"))
            .col(big("updated_ms"))
            .foreign_key(&mut references_account("notify_prefs", "account_id"))
            .to_owned(),
    )
    .await?;
    index(tx, "notify_prefs", &["account_id"], true).await?;

    tx.execute(
        &table("push_subscriptions")
            .col(account_ref("account_id"))
            .col(long_text("endpoint"))
            .col(text("endpoint_hash", 64))
            .col(text("p256dh", 100))
            .col(text("auth", 40))
            .col(text("label", 120))
            .col(big("created_ms"))
            .col(maybe_big("last_ok_ms"))
            .foreign_key(&mut references_account("push_subscriptions", "account_id"))
            .to_owned(),
    )
    .await?;
    index(
        tx,
        "push_subscriptions",
        &["account_id", "endpoint_hash"],
        true,
    )
    .await?;

    tx.execute(
        &table("deliveries")
            .col(
                ColumnDef::new("notification_id")
                    .big_integer()
                    .not_null()
                    .to_owned(),
            )
            .col(account_ref("account_id"))
            .col(text("channel", 8))
            .col(big("target_id"))
            .col(text("state", 10))
            .col(int("attempts"))
            .col(maybe_text("last_error", 200))
            .col(big("created_ms"))
            .col(maybe_big("sent_ms"))
            .foreign_key(
                &mut ForeignKey::create()
                    .from("deliveries", "notification_id")
                    .to("notifications", "id")
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    index(
        tx,
        "deliveries",
        &["notification_id", "channel", "target_id"],
        true,
    )
    .await?;

    tx.execute(
        &sea_orm::sea_query::Table::create()
            .table("server_keys")
            .col(text("name", 40).primary_key().to_owned())
            .col(long_text("value"))
            .col(big("created_ms"))
            .to_owned(),
    )
    .await?;
    Ok(())
}
