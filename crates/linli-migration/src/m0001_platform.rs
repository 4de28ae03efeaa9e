//! The platform: companies, projects, users, roles, grants, sessions, login attempts, the audit
//! log and the job queue.

use sea_orm_migration::prelude::*;

use crate::util::{fk, index};
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, integer, json, json_null, string, string_null, string_uniq,
    text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn created_at() -> ColumnDef {
    timestamp_with_time_zone("created_at")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create().table("companies").col(big_pk_auto("id")).col(string("name")).col(created_at()).take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("projects")
                .col(big_pk_auto("id"))
                .col(big_integer("company_id"))
                .col(string("name"))
                .col(string("kind"))
                .col(created_at())
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("projects", "company_id", "companies"))
                .take(),
        )
        .await?;
        m.create_index(index("projects", "company_name", &["company_id", "name"]).unique().take()).await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(big_pk_auto("id"))
                .col(big_integer("company_id"))
                .col(string_uniq("username"))
                .col(string("display_name"))
                .col(string_null("phone"))
                .col(string("password_hash"))
                .col(boolean("disabled").default(false))
                .col(created_at())
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("users", "company_id", "companies"))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("roles")
                .col(string("code").primary_key())
                .col(string("name_zh"))
                .col(string("name_en"))
                .col(text("permissions"))
                .col(boolean("builtin"))
                .take(),
        )
        .await?;

        // `project_id` null: the role holds on every project of the user's company.
        m.create_table(
            Table::create()
                .table("grants")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer_null("project_id"))
                .col(string("role_code"))
                .col(created_at())
                .foreign_key(&mut fk("grants", "user_id", "users"))
                .foreign_key(&mut fk("grants", "project_id", "projects"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .name("fk_grants_role_code")
                        .from("grants", "role_code")
                        .to("roles", "code")
                        .take(),
                )
                .take(),
        )
        .await?;
        m.create_index(index("grants", "user", &["user_id"])).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(big_pk_auto("id"))
                .col(string_uniq("token_hash"))
                .col(string("csrf_token"))
                .col(big_integer("user_id"))
                .col(created_at())
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(string_null("ip"))
                .col(string_null("user_agent"))
                .foreign_key(&mut fk("sessions", "user_id", "users"))
                .take(),
        )
        .await?;
        m.create_index(index("sessions", "user", &["user_id"])).await?;

        m.create_table(
            Table::create()
                .table("login_attempts")
                .col(big_pk_auto("id"))
                .col(string("username"))
                .col(boolean("ok"))
                .col(string_null("ip"))
                .col(timestamp_with_time_zone("at"))
                .take(),
        )
        .await?;
        m.create_index(index("login_attempts", "username_at", &["username", "at"])).await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer("company_id"))
                .col(big_integer_null("actor_id"))
                .col(string_null("actor_name"))
                .col(big_integer_null("project_id"))
                .col(string("action"))
                .col(string("entity"))
                .col(big_integer_null("entity_id"))
                .col(json_null("before"))
                .col(json_null("after"))
                .col(string_null("ip"))
                .take(),
        )
        .await?;
        m.create_index(index("audit_log", "company_id", &["company_id", "id"])).await?;
        m.create_index(index("audit_log", "project_id", &["project_id", "id"])).await?;
        m.create_index(index("audit_log", "entity", &["entity", "entity_id"])).await?;

        m.create_table(
            Table::create()
                .table("jobs")
                .col(big_pk_auto("id"))
                .col(string("kind"))
                .col(json("payload"))
                .col(big_integer_null("project_id"))
                .col(string("state"))
                .col(timestamp_with_time_zone("run_at"))
                .col(integer("attempts").default(0))
                .col(integer("max_attempts"))
                .col(text_null("last_error"))
                .col(string_null("lease_owner"))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(string_null("dedupe_key").unique_key())
                .col(created_at())
                .col(timestamp_with_time_zone("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(index("jobs", "state_run_at", &["state", "run_at"])).await?;

        m.create_table(
            Table::create()
                .table("job_schedules")
                .col(string("name").primary_key())
                .col(string("kind"))
                .col(json("payload"))
                .col(big_integer("every_seconds"))
                .col(timestamp_with_time_zone("next_run_at"))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "job_schedules",
            "jobs",
            "audit_log",
            "login_attempts",
            "sessions",
            "grants",
            "roles",
            "users",
            "projects",
            "companies",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
