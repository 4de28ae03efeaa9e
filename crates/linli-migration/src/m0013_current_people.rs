//! The dashboard counts the distinct owners and residents of a project whose ownership or stay
//! has not ended. Without an index on the project that read every ownership and stay of the
//! database for each request (62 dashboards a second at 100,000 houses, issue 11). These partial
//! indexes hold only the current rows, in person order, so the count reads one range of one
//! index and needs no sort for DISTINCT. Both SQLite and PostgreSQL have partial indexes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OWNERS: &str = "CREATE INDEX ix_ownerships_current ON ownerships (project_id, person_id) WHERE ended_on IS NULL";
const RESIDENTS: &str =
    "CREATE INDEX ix_occupancies_current ON occupancies (project_id, person_id) WHERE moved_out_on IS NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let c = m.get_connection();
        c.execute_unprepared(OWNERS).await?;
        c.execute_unprepared(RESIDENTS).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let c = m.get_connection();
        c.execute_unprepared("DROP INDEX ix_ownerships_current").await?;
        c.execute_unprepared("DROP INDEX ix_occupancies_current").await?;
        Ok(())
    }
}
