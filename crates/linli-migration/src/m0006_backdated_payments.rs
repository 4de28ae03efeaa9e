//! A waiver can come from a backdated payment (补录): the payment that proposed it, so the
//! counter shows what a payment left awaiting approval and an approved waiver knows where the
//! late fee it returns came from. Nullable: waivers requested by hand have none.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::big_integer_null;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite cannot add a foreign key to an existing table; the payment path is the only
        // writer of this column and names a payment of the same house it has just written.
        m.alter_table(Table::alter().table("adjustments").add_column(big_integer_null("payment_id")).take()).await?;
        m.create_index(index("adjustments", "payment", &["payment_id"])).await?;
        m.create_index(index("adjustments", "house_state", &["house_id", "state"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_adjustments_house_state").table("adjustments").to_owned()).await?;
        m.drop_index(Index::drop().name("ix_adjustments_payment").table("adjustments").to_owned()).await?;
        m.alter_table(Table::alter().table("adjustments").drop_column("payment_id").take()).await
    }
}
