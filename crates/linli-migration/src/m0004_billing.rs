//! Billing: fee items and their standards, which houses an item applies to, billing runs, bills,
//! the append-only ledger, prepaid balances, payments at the counter and approved adjustments.
//! Prices and rates are decimal strings; money is integer fen.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, date, date_null, integer, json, string, string_null, text,
    text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("billing_settings")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id").unique_key())
                .col(string("bill_order"))
                .col(string("late_fee_order"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("billing_settings", "project_id", "projects"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("fee_items")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(string("code"))
                .col(string("name"))
                .col(string("kind"))
                .col(string("cycle"))
                .col(integer("due_day"))
                .col(string("area_basis"))
                .col(string_null("meter_kind"))
                .col(string("loss_rate"))
                .col(string_null("vacancy_rate"))
                .col(string("late_fee_rate"))
                .col(integer("late_fee_grace_days"))
                .col(string_null("late_fee_cap_rate"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("fee_items", "project_id", "projects"))
                .take(),
        )
        .await?;
        m.create_index(index("fee_items", "project_code", &["project_id", "code"]).unique().take()).await?;

        m.create_table(
            Table::create()
                .table("fee_standards")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("fee_item_id"))
                .col(string_null("house_usage"))
                .col(string_null("service_level"))
                .col(date("effective_from"))
                .col(date_null("effective_to"))
                .col(string("price"))
                .col(json("tiers"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("fee_standards", "project_id", "projects"))
                .foreign_key(&mut fk("fee_standards", "fee_item_id", "fee_items"))
                .take(),
        )
        .await?;
        m.create_index(index("fee_standards", "item", &["fee_item_id", "effective_from"])).await?;

        m.create_table(
            Table::create()
                .table("fee_assignments")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("fee_item_id"))
                .col(string("target"))
                .col(big_integer_null("building_id"))
                .col(string_null("house_usage"))
                .col(big_integer_null("house_id"))
                .col(string_null("service_level"))
                .col(integer("quantity").default(1))
                .col(string_null("label"))
                .col(date_null("starts_on"))
                .col(date_null("ends_on"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("fee_assignments", "project_id", "projects"))
                .foreign_key(&mut fk("fee_assignments", "fee_item_id", "fee_items"))
                .foreign_key(&mut fk("fee_assignments", "building_id", "buildings"))
                .foreign_key(&mut fk("fee_assignments", "house_id", "houses"))
                .take(),
        )
        .await?;
        m.create_index(index("fee_assignments", "item", &["fee_item_id"])).await?;

        m.create_table(
            Table::create()
                .table("billing_runs")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(string("period"))
                .col(date("period_start"))
                .col(json("fee_item_ids"))
                .col(string("state"))
                .col(big_integer("bills").default(0))
                .col(big_integer("total_fen").default(0))
                .col(json("problems"))
                .col(big_integer("created_by"))
                .col(big_integer_null("confirmed_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut fk("billing_runs", "project_id", "projects"))
                .take(),
        )
        .await?;
        m.create_index(index("billing_runs", "project_period", &["project_id", "period"])).await?;

        m.create_table(
            Table::create()
                .table("bills")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("building_id"))
                .col(big_integer("house_id"))
                .col(big_integer("fee_item_id"))
                .col(big_integer_null("run_id"))
                // `{fee item}/{period start}/{house}`: a second run or a resumed one cannot add it again.
                .col(string("bill_key").unique_key())
                .col(date("period_start"))
                .col(date("period_end"))
                .col(date("due_on"))
                .col(big_integer("amount_fen"))
                .col(json("lines"))
                .col(string("late_fee_rate"))
                .col(integer("late_fee_grace_days"))
                .col(string_null("late_fee_cap_rate"))
                .col(text_null("note"))
                // Caches of the ledger, kept in the same transaction and proven by `linli check ledger`.
                .col(big_integer("principal_due_fen"))
                .col(big_integer("late_fee_due_fen").default(0))
                .col(date_null("settled_on"))
                .col(timestamp_with_time_zone("issued_at"))
                .foreign_key(&mut fk("bills", "project_id", "projects"))
                .foreign_key(&mut fk("bills", "building_id", "buildings"))
                .foreign_key(&mut fk("bills", "house_id", "houses"))
                .foreign_key(&mut fk("bills", "fee_item_id", "fee_items"))
                .take(),
        )
        .await?;
        m.create_index(index("bills", "house", &["house_id", "due_on"])).await?;
        m.create_index(index("bills", "project_period", &["project_id", "period_start"])).await?;
        m.create_index(index("bills", "project_due", &["project_id", "due_on"])).await?;
        m.create_index(index("bills", "run", &["run_id"])).await?;

        m.create_table(
            Table::create()
                .table("payments")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(string("channel"))
                .col(big_integer("amount_fen"))
                .col(date("received_on"))
                .col(big_integer_null("earmark_fee_item_id"))
                .col(string("receipt_no").unique_key())
                .col(string_null("idempotency_key").unique_key())
                .col(string_null("payer"))
                .col(text_null("note"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("payments", "project_id", "projects"))
                .foreign_key(&mut fk("payments", "house_id", "houses"))
                .take(),
        )
        .await?;
        m.create_index(index("payments", "project_received", &["project_id", "received_on"])).await?;
        m.create_index(index("payments", "house", &["house_id"])).await?;

        m.create_table(
            Table::create()
                .table("adjustments")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(big_integer("bill_id"))
                .col(string("kind"))
                .col(big_integer("amount_fen"))
                .col(text("reason"))
                .col(string("state"))
                .col(big_integer("requested_by"))
                .col(timestamp_with_time_zone("requested_at"))
                .col(big_integer_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .foreign_key(&mut fk("adjustments", "project_id", "projects"))
                .foreign_key(&mut fk("adjustments", "bill_id", "bills"))
                .take(),
        )
        .await?;
        m.create_index(index("adjustments", "project_state", &["project_id", "state"])).await?;

        m.create_table(
            Table::create()
                .table("ledger_entries")
                .col(big_pk_auto("id"))
                .col(string("entry_key").unique_key())
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(big_integer_null("bill_id"))
                .col(big_integer_null("fee_item_id"))
                .col(string("kind"))
                .col(big_integer("principal_fen"))
                .col(big_integer("late_fee_fen"))
                .col(big_integer("balance_fen"))
                // Which prepaid balance `balance_fen` moves: 0 general, else the earmarked fee item.
                .col(big_integer("earmark").default(0))
                .col(date("effective_on"))
                .col(big_integer_null("payment_id"))
                .col(big_integer_null("adjustment_id"))
                .col(string_null("channel"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(string("seal"))
                .foreign_key(&mut fk("ledger_entries", "project_id", "projects"))
                .foreign_key(&mut fk("ledger_entries", "house_id", "houses"))
                .foreign_key(&mut fk("ledger_entries", "bill_id", "bills"))
                .take(),
        )
        .await?;
        m.create_index(index("ledger_entries", "bill", &["bill_id"])).await?;
        m.create_index(index("ledger_entries", "house", &["house_id", "effective_on"])).await?;
        m.create_index(index("ledger_entries", "project_kind", &["project_id", "kind", "effective_on"])).await?;
        m.create_index(index("ledger_entries", "payment", &["payment_id"])).await?;

        // A house's prepaid balance, general (`fee_item_id` 0) or earmarked to one item.
        m.create_table(
            Table::create()
                .table("house_balances")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(big_integer("fee_item_id"))
                .col(big_integer("amount_fen"))
                .foreign_key(&mut fk("house_balances", "project_id", "projects"))
                .foreign_key(&mut fk("house_balances", "house_id", "houses"))
                .take(),
        )
        .await?;
        m.create_index(index("house_balances", "house_item", &["house_id", "fee_item_id"]).unique().take()).await?;

        append_only(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "house_balances",
            "ledger_entries",
            "adjustments",
            "payments",
            "bills",
            "billing_runs",
            "fee_assignments",
            "fee_standards",
            "fee_items",
            "billing_settings",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared("DROP FUNCTION ledger_entries_append_only()").await?;
        }
        Ok(())
    }
}

/// The database itself refuses to change or delete a ledger entry. Someone with the rights to
/// drop the trigger can still do it, which is what the entries' seals catch.
async fn append_only(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    match m.get_database_backend() {
        DatabaseBackend::Sqlite => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER ledger_entries_no_{lower} BEFORE {op} ON ledger_entries \
                     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;",
                    lower = op.to_lowercase()
                ))
                .await?;
            }
        }
        _ => {
            db.execute_unprepared(
                "CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$;",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries \
                 FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();",
            )
            .await?;
        }
    }
    Ok(())
}
