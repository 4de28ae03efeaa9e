//! What still refers to a row about to be deleted. Every delete asks `refuse_if_referenced` inside
//! its transaction, before deleting: the foreign keys are read from the schema's own catalogue
//! (so a table a later migration adds is covered without touching this file), plus the few links
//! kept without a foreign key (`UNDECLARED`). A reference found answers
//! `Error::StillReferenced` naming the kinds that hold the row (409 `still_referenced`).
//! SQLite's "FOREIGN KEY constraint failed" does not say which table, hence the look first; a
//! violation that still happens (a row added meanwhile on PostgreSQL) is translated by
//! `error::internal` to the same error.

use std::collections::BTreeSet;

use linli_core::{Error, Id, Result};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, DbBackend, ExprTrait, Statement};

use crate::error::OrInternal;

/// References without a foreign key: (referenced table, referencing table, column).
/// `houses.unit_id` is 0 for a house directly in its building, so it cannot be a foreign key.
const UNDECLARED: &[(&str, &str, &str)] = &[("units", "houses", "unit_id")];

/// The kind a referencing table's rows are called in the API (and translated by the web app).
pub(crate) fn kind_of(table: &str) -> String {
    match table {
        "equipment" => "equipment".into(),
        "ledger_entries" => "ledger_entry".into(),
        "occupancies" => "occupancy".into(),
        "equipment_categories" => "equipment_category".into(),
        t => t.strip_suffix('s').unwrap_or(t).to_string(),
    }
}

/// Foreign keys that block a delete of `table`'s rows (RESTRICT / NO ACTION; cascades and
/// SET NULL do not): (referencing table, column).
async fn blocking_keys(c: &impl ConnectionTrait, table: &str) -> Result<Vec<(String, String)>> {
    let backend = c.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            r#"SELECT m.name, p."from", p.on_delete FROM sqlite_master m, pragma_foreign_key_list(m.name) p
               WHERE m.type = 'table' AND p."table" = ?"#
        }
        _ => {
            "SELECT cl.relname::text, a.attname::text, c.confdeltype::text FROM pg_constraint c
               JOIN pg_class cl ON cl.oid = c.conrelid
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               JOIN pg_class t ON t.oid = c.confrelid
             WHERE c.contype = 'f' AND t.relname = $1
               AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
        }
    };
    let rows = c.query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()])).await.or_internal()?;
    let mut keys = Vec::new();
    for r in rows {
        let on_delete: String = r.try_get_by_index(2).or_internal()?;
        if matches!(on_delete.as_str(), "RESTRICT" | "NO ACTION" | "r" | "a") {
            keys.push((r.try_get_by_index(0).or_internal()?, r.try_get_by_index(1).or_internal()?));
        }
    }
    keys.extend(UNDECLARED.iter().filter(|(to, ..)| *to == table).map(|(_, t, col)| ((*t).into(), (*col).into())));
    Ok(keys)
}

/// The kinds of rows that refer to `table`'s row `id`, sorted.
pub(crate) async fn referencing_kinds(c: &impl ConnectionTrait, table: &str, id: Id) -> Result<Vec<String>> {
    let mut kinds = BTreeSet::new();
    for (t, col) in blocking_keys(c, table).await? {
        let kind = kind_of(&t);
        if kinds.contains(&kind) {
            continue;
        }
        let q = Query::select()
            .expr(Expr::val(1))
            .from(Alias::new(t.as_str()))
            .and_where(Expr::col(Alias::new(col.as_str())).eq(id))
            .limit(1)
            .to_owned();
        if c.query_one(&q).await.or_internal()?.is_some() {
            kinds.insert(kind);
        }
    }
    Ok(kinds.into_iter().collect())
}

/// `Err(StillReferenced)` while anything refers to `table`'s row `id`. Call it in the deleting
/// transaction, right before the delete.
pub(crate) async fn refuse_if_referenced(c: &impl ConnectionTrait, table: &str, id: Id) -> Result<()> {
    let kinds = referencing_kinds(c, table, id).await?;
    if kinds.is_empty() { Ok(()) } else { Err(Error::StillReferenced(kinds)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_named_by_the_kind_of_their_rows() {
        for (table, kind) in [
            ("bills", "bill"),
            ("meters", "meter"),
            ("houses", "house"),
            ("ledger_entries", "ledger_entry"),
            ("occupancies", "occupancy"),
            ("equipment", "equipment"),
            ("house_balances", "house_balance"),
        ] {
            assert_eq!(kind_of(table), kind);
        }
    }
}
