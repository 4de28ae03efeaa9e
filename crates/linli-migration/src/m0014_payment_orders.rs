//! Payment orders (支付订单): what a resident (or the cashier for them) asks a channel to collect,
//! under a unique `out_trade_no`, and the channels' notifications about them, every one logged
//! with what became of it (settled, a repeat, refused and why).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, string, string_null, text_null, timestamp_with_time_zone,
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
                .table("payment_orders")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(string("channel"))
                .col(string("out_trade_no").unique_key())
                .col(big_integer("amount_fen"))
                .col(string("description"))
                .col(string("state"))
                .col(text_null("code_url"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(string_null("idempotency_key").unique_key())
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                // The channel's own number for the payment (WeChat transaction_id, Alipay trade_no).
                .col(string_null("channel_trade_no").unique_key())
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(big_integer_null("payment_id"))
                .foreign_key(&mut fk("payment_orders", "project_id", "projects"))
                .foreign_key(&mut fk("payment_orders", "house_id", "houses"))
                .foreign_key(&mut fk("payment_orders", "payment_id", "payments"))
                .take(),
        )
        .await?;
        m.create_index(index("payment_orders", "house", &["house_id", "id"])).await?;
        m.create_index(index("payment_orders", "state_expiry", &["state", "expires_at"])).await?;

        m.create_table(
            Table::create()
                .table("payment_notifications")
                .col(big_pk_auto("id"))
                .col(string("channel"))
                // The channel's id of the notification, when it could be read.
                .col(string_null("notification_id"))
                .col(string_null("out_trade_no"))
                .col(big_integer_null("order_id"))
                .col(big_integer_null("amount_fen"))
                // settled, repeated, refused
                .col(string("outcome"))
                .col(string_null("reason"))
                .col(timestamp_with_time_zone("received_at"))
                .take(),
        )
        .await?;
        m.create_index(index("payment_notifications", "order", &["order_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("payment_notifications").take()).await?;
        m.drop_table(Table::drop().table("payment_orders").take()).await
    }
}
