//! Indexes for the reads staff and residents make all day at 100,000 houses (issue 11):
//! - `persons.user_id`: a resident's own bindings and every bill message look people up by the
//!   account they are bound to;
//! - the bills still owing, as a partial index: the arrears report and the overdue reminders
//!   read only these (350,000 of 2.4 M bills in the measured data), never the paid ones;
//! - `ledger_marks`: one number per project that every posting transaction moves, so a report
//!   computed from the ledger can be served again until the ledger has changed;
//! - the house list's order (building, unit, floor, then 2 before 10 by the number's length), so
//!   a page is read in index order instead of sorting the whole project per request.

use sea_orm_migration::prelude::*;

use sea_orm_migration::schema::big_integer;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The same text on SQLite and PostgreSQL: both know partial and expression indexes. Queries
/// must repeat `principal_due_fen > 0` as a literal (not a bound value) for the planner to use it.
const OWING: &str = "CREATE INDEX ix_bills_owing ON bills (project_id, building_id, due_on, house_id, principal_due_fen) \
                     WHERE principal_due_fen > 0";
const HOUSE_ORDER: &str =
    "CREATE INDEX ix_houses_list_order ON houses (project_id, building_id, unit_id, floor, length(number), number)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("persons", "user", &["user_id"])).await?;
        m.create_table(
            Table::create()
                .table("ledger_marks")
                .col(big_integer("project_id").primary_key())
                .col(big_integer("mark"))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(OWING).await?;
        db.execute_unprepared(HOUSE_ORDER).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX ix_houses_list_order").await?;
        db.execute_unprepared("DROP INDEX ix_bills_owing").await?;
        m.drop_table(Table::drop().table("ledger_marks").take()).await?;
        m.drop_index(Index::drop().name("ix_persons_user").table("persons").to_owned()).await
    }
}
