//! Notifications: the outbox every message goes through (email, SMS, in-app), and each user's
//! choice of channels per kind of message.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, integer, json, string, string_null, text, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("messages")
                .col(big_pk_auto("id"))
                .col(big_integer("company_id"))
                .col(big_integer_null("project_id"))
                .col(big_integer_null("user_id"))
                .col(string("channel"))
                .col(string("address"))
                .col(string("kind"))
                .col(string("locale"))
                .col(json("params"))
                .col(text("subject"))
                .col(text("body"))
                .col(text_null("html"))
                .col(string_null("sms_template"))
                .col(string_null("dedupe_key").unique_key())
                .col(string("state"))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .col(string_null("provider_id"))
                .col(timestamp_with_time_zone("send_after"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("messages", "company_id", "companies"))
                .take(),
        )
        .await?;
        m.create_index(index("messages", "user_channel", &["user_id", "channel", "id"])).await?;
        m.create_index(index("messages", "company", &["company_id", "id"])).await?;
        m.create_index(index("messages", "state", &["state", "send_after"])).await?;

        m.create_table(
            Table::create()
                .table("notification_preferences")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("kind"))
                .col(string("channels"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("notification_preferences", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("notification_preferences", "user_kind", &["user_id", "kind"]).unique().take()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notification_preferences").take()).await?;
        m.drop_table(Table::drop().table("messages").take()).await
    }
}
