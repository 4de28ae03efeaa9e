//! Refunds of paid orders back through their channel (退款原路返回): each one's own number at the
//! channel, its amount and reason, and where it stands.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, string, string_null, timestamp_with_time_zone,
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
                .table("payment_refunds")
                .col(big_pk_auto("id"))
                .col(big_integer("order_id"))
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(string("channel"))
                .col(string("out_refund_no").unique_key())
                .col(big_integer("amount_fen"))
                .col(string("reason"))
                .col(string("state"))
                .col(string_null("channel_refund_no"))
                .col(string_null("failure"))
                .col(big_integer_null("requested_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("refunded_at"))
                .foreign_key(&mut fk("payment_refunds", "order_id", "payment_orders"))
                .foreign_key(&mut fk("payment_refunds", "project_id", "projects"))
                .foreign_key(&mut fk("payment_refunds", "house_id", "houses"))
                .take(),
        )
        .await?;
        m.create_index(index("payment_refunds", "order", &["order_id"])).await?;
        m.create_index(index("payment_refunds", "state", &["state"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("payment_refunds").take()).await
    }
}
