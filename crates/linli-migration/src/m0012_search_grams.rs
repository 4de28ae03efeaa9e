//! `search_grams`: the n-grams (`linli_core::grams`) of each person's name and phone and of each
//! house's label, kept by the transactions that write them. `persons?q=` and `houses?q=` read the
//! rows of the query's grams instead of matching `LIKE '%q%'` against every person and house of
//! the project: at 100,000 houses the owner search answered 5 times a second (issue 11). The key
//! leads with the kind and the gram, so a search with or without a project seeks it; the second
//! index serves rewriting one row's grams.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, string};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("search_grams")
                .col(string("kind"))
                .col(string("gram"))
                .col(big_integer("project_id"))
                .col(big_integer("target_id"))
                .primary_key(Index::create().col("kind").col("gram").col("project_id").col("target_id"))
                .take(),
        )
        .await?;
        m.create_index(index("search_grams", "target", &["kind", "target_id"])).await?;
        // The persons and houses already there.
        let c = m.get_connection();
        let backend = c.get_database_backend();
        let persons =
            c.query_all_raw(Statement::from_string(backend, "SELECT id, project_id, name, phone FROM persons")).await?;
        let mut rows = Vec::new();
        for r in persons {
            let (id, project, name, phone): (i64, i64, String, Option<String>) = r.try_get_many_by_index()?;
            rows.extend(
                linli_core::grams::of_person(&name, phone.as_deref()).into_iter().map(|g| ("person", g, project, id)),
            );
        }
        let houses = c
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT h.id, h.project_id, b.name, u.name, h.number FROM houses h \
                 JOIN buildings b ON b.id = h.building_id LEFT JOIN units u ON u.id = h.unit_id",
            ))
            .await?;
        for r in houses {
            let (id, project, building, unit, number): (i64, i64, String, Option<String>, String) =
                r.try_get_many_by_index()?;
            let grams = linli_core::grams::of_house(&building, unit.as_deref(), &number);
            rows.extend(grams.into_iter().map(|g| ("house", g, project, id)));
        }
        for chunk in rows.chunks(1000) {
            let mut tuples = Vec::with_capacity(chunk.len());
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
            for (i, (kind, gram, project, id)) in chunk.iter().enumerate() {
                let n = i * 4;
                tuples.push(match backend {
                    DbBackend::Postgres => format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4),
                    _ => "(?, ?, ?, ?)".to_owned(),
                });
                values.extend([(*kind).into(), gram.clone().into(), (*project).into(), (*id).into()]);
            }
            let sql =
                format!("INSERT INTO search_grams (kind, gram, project_id, target_id) VALUES {}", tuples.join(", "));
            c.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("search_grams").take()).await
    }
}
