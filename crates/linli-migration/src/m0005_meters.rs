//! Meters and their readings (抄表). Quantities (registers, multipliers, consumptions) are exact
//! decimals with at most three places, stored as integer thousandths (`*_x1000`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, date, string, string_null, timestamp_with_time_zone,
};

use crate::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ts(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("meters")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                // None: a shared meter.
                .col(big_integer_null("house_id"))
                // A house meter's building, or a shared meter's scope (none: the whole project).
                .col(big_integer_null("building_id"))
                .col(string("kind"))
                .col(string("number"))
                .col(big_integer("multiplier_x1000"))
                .col(string_null("apportion"))
                .col(big_integer_null("max_consumption_x1000"))
                .col(big_integer("initial_value_x1000"))
                .col(string_null("location"))
                .col(boolean("active").default(true))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("meters", "project_id", "projects"))
                .foreign_key(&mut fk("meters", "house_id", "houses"))
                .foreign_key(&mut fk("meters", "building_id", "buildings"))
                .take(),
        )
        .await?;
        m.create_index(index("meters", "project_number", &["project_id", "number"]).unique().take()).await?;
        m.create_index(index("meters", "project_kind", &["project_id", "kind"])).await?;
        m.create_index(index("meters", "house", &["house_id"])).await?;

        m.create_table(
            Table::create()
                .table("meter_readings")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("meter_id"))
                // `YYYY-MM`: sorts as text.
                .col(string("period"))
                .col(big_integer("value_x1000"))
                .col(date("read_on"))
                .col(big_integer("previous_x1000"))
                .col(big_integer("consumption_x1000"))
                .col(string("state"))
                // Comma-separated flags, empty for none.
                .col(string("flags").default(""))
                .col(big_integer_null("old_final_x1000"))
                .col(big_integer_null("new_initial_x1000"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("meter_readings", "project_id", "projects"))
                .foreign_key(&mut fk("meter_readings", "meter_id", "meters"))
                .take(),
        )
        .await?;
        m.create_index(index("meter_readings", "meter_period", &["meter_id", "period"]).unique().take()).await?;
        m.create_index(index("meter_readings", "project_period", &["project_id", "period"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("meter_readings").take()).await?;
        m.drop_table(Table::drop().table("meters").take()).await
    }
}
