//! Reconciliation (对账): a channel's day compared with Linli's books, and each difference
//! (长款, 短款) with what was done about it and who signed the day off.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, date, string, string_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reconciliations")
                .col(big_pk_auto("id"))
                .col(big_integer("company_id"))
                .col(string("channel"))
                .col(date("bill_date"))
                .col(string("state"))
                .col(big_integer("linli_count"))
                .col(big_integer("linli_net_fen"))
                .col(big_integer("channel_count"))
                .col(big_integer("channel_net_fen"))
                .col(big_integer("matched"))
                .col(timestamp_with_time_zone("reconciled_at"))
                .col(big_integer_null("signed_off_by"))
                .col(timestamp_with_time_zone_null("signed_off_at"))
                .col(string_null("sign_off_note"))
                .foreign_key(&mut fk("reconciliations", "company_id", "companies"))
                .foreign_key(&mut fk("reconciliations", "signed_off_by", "users"))
                .take(),
        )
        .await?;
        m.create_index(
            index("reconciliations", "company_channel_day", &["company_id", "channel", "bill_date"]).unique().take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("reconciliation_discrepancies")
                .col(big_pk_auto("id"))
                .col(big_integer("reconciliation_id"))
                .col(string("kind"))
                .col(string("cause"))
                .col(string("record_kind"))
                .col(string("out_no"))
                .col(string("channel_no"))
                .col(big_integer_null("linli_fen"))
                .col(big_integer_null("channel_fen"))
                .col(big_integer_null("order_id"))
                .col(string_null("resolution"))
                .col(string_null("note"))
                .col(big_integer_null("resolved_by"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .foreign_key(&mut fk("reconciliation_discrepancies", "reconciliation_id", "reconciliations"))
                .foreign_key(&mut fk("reconciliation_discrepancies", "order_id", "payment_orders"))
                .foreign_key(&mut fk("reconciliation_discrepancies", "resolved_by", "users"))
                .take(),
        )
        .await?;
        m.create_index(
            index("reconciliation_discrepancies", "day_number", &["reconciliation_id", "record_kind", "out_no"])
                .unique()
                .take(),
        )
        .await?;
        // The day's records are found by when they were paid and refunded.
        m.create_index(index("payment_orders", "paid_at", &["paid_at"])).await?;
        m.create_index(index("payment_refunds", "refunded_at", &["refunded_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_payment_refunds_refunded_at").table("payment_refunds").to_owned()).await?;
        m.drop_index(Index::drop().name("ix_payment_orders_paid_at").table("payment_orders").to_owned()).await?;
        m.drop_table(Table::drop().table("reconciliation_discrepancies").take()).await?;
        m.drop_table(Table::drop().table("reconciliations").take()).await
    }
}
