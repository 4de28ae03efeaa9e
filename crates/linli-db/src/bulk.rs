//! Statements over many rows at once, where sea-query has no shape for them.

use linli_core::Result;
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::error::OrInternal;

/// `UPDATE table SET … FROM (VALUES (…), (…)) AS v WHERE …`: each row's new values in one
/// statement instead of one UPDATE per row. `set` and `on` name the values `v.column1`,
/// `v.column2`… (both SQLite ≥ 3.33 and PostgreSQL name a VALUES list's columns so). Every row
/// has the same number of values; they are bound, never spliced.
pub(crate) async fn update_from_values(
    c: &impl ConnectionTrait,
    table: &str,
    set: &str,
    on: &str,
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let Some(width) = rows.first().map(Vec::len) else { return Ok(()) };
    let backend = c.get_database_backend();
    // Far below SQLite's 32,766 bound values and PostgreSQL's 65,535.
    let per_statement = (4_000 / width.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        let mut n = 0;
        let tuples: Vec<String> = chunk
            .iter()
            .map(|row| {
                let marks: Vec<String> = row
                    .iter()
                    .map(|_| {
                        n += 1;
                        match backend {
                            DbBackend::Postgres => format!("${n}"),
                            _ => "?".to_owned(),
                        }
                    })
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!("UPDATE {table} SET {set} FROM (VALUES {}) AS v WHERE {on}", tuples.join(", "));
        let values: Vec<Value> = chunk.into_iter().flatten().collect();
        c.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.or_internal()?;
    }
    Ok(())
}
