//! Basic information: project details, buildings, units, houses, people (owners, residents) with
//! encrypted ID numbers, ownerships and occupancies with history, equipment archives, attachments,
//! and the one-time codes residents bind their account to a house with.
//! Areas are stored as integer hundredths of a square metre (`*_x100`), exact to two decimals.

use sea_orm_migration::prelude::*;

use crate::util::{fk, index};
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, date, date_null, integer, integer_null, string, string_null, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ts(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for col in [
            string_null("address"),
            big_integer_null("land_area_x100"),
            big_integer_null("building_area_x100"),
            string("time_zone").default("Asia/Shanghai").take(),
            string_null("contact_name"),
            string_null("contact_phone"),
        ] {
            let mut col = col;
            m.alter_table(Table::alter().table("projects").add_column(&mut col).take()).await?;
        }

        m.create_table(
            Table::create()
                .table("buildings")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(string("name"))
                .col(integer("floors_above").default(1))
                .col(integer("floors_below").default(0))
                .col(integer("elevator_count").default(0))
                .col(string("kind"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("buildings", "project_id", "projects"))
                .take(),
        )
        .await?;
        m.create_index(index("buildings", "project_name", &["project_id", "name"]).unique().take()).await?;

        m.create_table(
            Table::create()
                .table("units")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("building_id"))
                .col(string("name"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("units", "project_id", "projects"))
                .foreign_key(&mut fk("units", "building_id", "buildings"))
                .take(),
        )
        .await?;
        m.create_index(index("units", "building_name", &["building_id", "name"]).unique().take()).await?;

        // `unit_id` 0 means the house is directly in its building (shops, villas), so the unique
        // index works on both databases without NULL semantics.
        m.create_table(
            Table::create()
                .table("houses")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("building_id"))
                .col(big_integer("unit_id").default(0))
                .col(string("number"))
                .col(integer("floor"))
                .col(string_null("layout"))
                .col(big_integer("gross_area_x100"))
                .col(big_integer_null("inner_area_x100"))
                .col(string_null("orientation"))
                .col(string("usage"))
                .col(string("state"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("houses", "project_id", "projects"))
                .foreign_key(&mut fk("houses", "building_id", "buildings"))
                .take(),
        )
        .await?;
        m.create_index(index("houses", "place", &["building_id", "unit_id", "number"]).unique().take()).await?;
        m.create_index(index("houses", "project_state", &["project_id", "state"])).await?;

        m.create_table(
            Table::create()
                .table("persons")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(string("kind"))
                .col(string("name"))
                .col(string_null("phone"))
                .col(string_null("phone2"))
                .col(string_null("id_type"))
                .col(text_null("id_number_enc"))
                .col(string_null("id_number_index"))
                .col(string_null("id_number_masked"))
                .col(string_null("gender"))
                .col(string_null("emergency_contact"))
                .col(string_null("emergency_phone"))
                .col(text_null("bank_account_enc"))
                .col(string_null("bank_account_index"))
                .col(string_null("bank_account_masked"))
                .col(text_null("notes"))
                .col(big_integer_null("user_id"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("persons", "project_id", "projects"))
                .foreign_key(&mut fk("persons", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("persons", "project_name", &["project_id", "name"])).await?;
        m.create_index(index("persons", "phone", &["phone"])).await?;
        m.create_index(index("persons", "id_number_index", &["id_number_index"])).await?;

        // Ownership of a house; `ended_on` set when the house changes hands (history stays).
        m.create_table(
            Table::create()
                .table("ownerships")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(big_integer("person_id"))
                .col(integer("share_bp").default(10000))
                .col(date("started_on"))
                .col(date_null("ended_on"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("ownerships", "project_id", "projects"))
                .foreign_key(&mut fk("ownerships", "house_id", "houses"))
                .foreign_key(&mut fk("ownerships", "person_id", "persons"))
                .take(),
        )
        .await?;
        m.create_index(index("ownerships", "house", &["house_id"])).await?;
        m.create_index(index("ownerships", "person", &["person_id"])).await?;

        // A stay in a house (owner, family member or tenant) from move-in to move-out.
        m.create_table(
            Table::create()
                .table("occupancies")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("house_id"))
                .col(big_integer("person_id"))
                .col(string("relation"))
                .col(date("moved_in_on"))
                .col(date_null("moved_out_on"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("occupancies", "project_id", "projects"))
                .foreign_key(&mut fk("occupancies", "house_id", "houses"))
                .foreign_key(&mut fk("occupancies", "person_id", "persons"))
                .take(),
        )
        .await?;
        m.create_index(index("occupancies", "house", &["house_id"])).await?;
        m.create_index(index("occupancies", "person", &["person_id"])).await?;

        m.create_table(
            Table::create()
                .table("equipment_categories")
                .col(big_pk_auto("id"))
                .col(big_integer("company_id"))
                .col(big_integer_null("parent_id"))
                .col(string("code"))
                .col(string("name_zh"))
                .col(string("name_en"))
                .foreign_key(&mut fk("equipment_categories", "company_id", "companies"))
                .take(),
        )
        .await?;
        m.create_index(index("equipment_categories", "code", &["company_id", "code"]).unique().take()).await?;

        m.create_table(
            Table::create()
                .table("equipment")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(big_integer("category_id"))
                .col(string("code"))
                .col(string("name"))
                .col(string_null("brand"))
                .col(string_null("model"))
                .col(string_null("serial_number"))
                .col(string_null("supplier"))
                .col(date_null("purchased_on"))
                .col(big_integer_null("purchase_price_fen"))
                .col(big_integer_null("building_id"))
                .col(string_null("location"))
                .col(date_null("warranty_until"))
                .col(string_null("cycle_unit"))
                .col(integer_null("cycle_every"))
                .col(date_null("last_maintained_on"))
                .col(date_null("next_maintenance_on"))
                .col(string("state"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("equipment", "project_id", "projects"))
                .foreign_key(&mut fk("equipment", "category_id", "equipment_categories"))
                .foreign_key(&mut fk("equipment", "building_id", "buildings"))
                .take(),
        )
        .await?;
        m.create_index(index("equipment", "project_code", &["project_id", "code"]).unique().take()).await?;
        m.create_index(index("equipment", "next_maintenance", &["project_id", "next_maintenance_on"])).await?;

        m.create_table(
            Table::create()
                .table("attachments")
                .col(big_pk_auto("id"))
                .col(big_integer("project_id"))
                .col(string("entity"))
                .col(big_integer("entity_id"))
                .col(string("file_name"))
                .col(string("content_type"))
                .col(big_integer("size"))
                .col(string("sha256"))
                .col(string("storage_key"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("attachments", "project_id", "projects"))
                .take(),
        )
        .await?;
        m.create_index(index("attachments", "entity", &["entity", "entity_id"])).await?;

        m.create_table(
            Table::create()
                .table("binding_codes")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("phone"))
                .col(string("code_hash"))
                .col(integer("attempts").default(0))
                .col(ts("expires_at"))
                .col(ts_null("used_at"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("binding_codes", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("binding_codes", "user", &["user_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "binding_codes",
            "attachments",
            "equipment",
            "equipment_categories",
            "occupancies",
            "ownerships",
            "persons",
            "houses",
            "units",
            "buildings",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        for c in ["address", "land_area_x100", "building_area_x100", "time_zone", "contact_name", "contact_phone"] {
            m.alter_table(Table::alter().table("projects").drop_column(c).take()).await?;
        }
        Ok(())
    }
}

fn ts_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}
