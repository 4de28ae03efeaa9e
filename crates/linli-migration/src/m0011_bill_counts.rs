//! `bill_counts`: a project's bills per period start, kept by the transactions that insert
//! bills (they are never deleted). The console's bill list, unfiltered or by month, takes its
//! total from here instead of counting: at 100,000 houses a year of bills is 2.4 M rows, and
//! counting them on every page made the list answer a few times a second (issue 11).

use sea_orm_migration::prelude::*;

use sea_orm_migration::schema::{big_integer, date};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bill_counts")
                .col(big_integer("project_id"))
                .col(date("period_start"))
                .col(big_integer("bills"))
                .primary_key(Index::create().col("project_id").col("period_start"))
                .take(),
        )
        .await?;
        // The bills already there, counted once.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO bill_counts (project_id, period_start, bills) \
                 SELECT project_id, period_start, COUNT(*) FROM bills GROUP BY project_id, period_start",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("bill_counts").take()).await
    }
}
