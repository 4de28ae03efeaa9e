//! Attempt counters for every rate limit (sign-in, searching by ID number, binding codes): one
//! row per (purpose, key) with the count of its open window. In the database so that every
//! instance on one PostgreSQL counts against the same limits. Times are Unix seconds.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, string};

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("throttle_counters")
                .col(string("purpose"))
                .col(string("subject"))
                .col(big_integer("count"))
                .col(big_integer("window_started_at"))
                .col(big_integer("resets_at"))
                .primary_key(Index::create().col("purpose").col("subject"))
                .take(),
        )
        .await?;
        m.create_index(index("throttle_counters", "resets_at", &["resets_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("throttle_counters").take()).await
    }
}
