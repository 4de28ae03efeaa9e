//! The counter (收银台): receipt books (收据本) that number every payment per project, voided
//! receipts (作废) and reprints on the payment itself, and the cashiers' till sessions (交班).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, integer, string, string_null, timestamp_with_time_zone,
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
                .table("receipt_books")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(string("name"))
                .col(string("prefix"))
                .col(big_integer("first_no"))
                .col(big_integer("last_no"))
                .col(big_integer("next_no"))
                .col(boolean("electronic"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("receipt_books", "project_id", "projects"))
                .take(),
        )
        .await?;
        m.create_index(index("receipt_books", "project_prefix", &["project_id", "prefix"]).unique().take()).await?;

        m.create_table(
            Table::create()
                .table("till_sessions")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("cashier_id"))
                // `project:cashier` while open, null once closed: one open session each.
                .col(string_null("open_key").unique_key())
                .col(big_integer("opening_float_fen"))
                .col(timestamp_with_time_zone("opened_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(big_integer_null("counted_cash_fen"))
                .col(big_integer_null("expected_cash_fen"))
                .col(big_integer_null("closed_by"))
                .col(string_null("note"))
                .foreign_key(&mut fk("till_sessions", "project_id", "projects"))
                .foreign_key(&mut fk("till_sessions", "cashier_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("till_sessions", "project_opened", &["project_id", "opened_at"])).await?;

        // One column a statement: SQLite adds them one at a time.
        let columns = [
            ColumnDef::new("receipt_book_id").big_integer().null().take(),
            ColumnDef::new("till_session_id").big_integer().null().take(),
            ColumnDef::new("reference").string().null().take(),
            ColumnDef::new("voided_at").timestamp_with_time_zone().null().take(),
            ColumnDef::new("voided_by").big_integer().null().take(),
            ColumnDef::new("void_reason").string().null().take(),
            integer("prints").default(0).take(),
        ];
        for c in columns {
            m.alter_table(Table::alter().table("payments").add_column(c).take()).await?;
        }
        m.create_index(index("payments", "till_session", &["till_session_id"])).await?;
        m.create_index(index("payments", "project_created", &["project_id", "created_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_payments_project_created").table("payments").to_owned()).await?;
        m.drop_index(Index::drop().name("ix_payments_till_session").table("payments").to_owned()).await?;
        for c in ["prints", "void_reason", "voided_by", "voided_at", "reference", "till_session_id", "receipt_book_id"]
        {
            m.alter_table(Table::alter().table("payments").drop_column(c).take()).await?;
        }
        m.drop_table(Table::drop().table("till_sessions").take()).await?;
        m.drop_table(Table::drop().table("receipt_books").take()).await
    }
}
