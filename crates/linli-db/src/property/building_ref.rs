//! Buildings as equipment sees them: an id and a name within a project. Read with plain queries
//! on `buildings` because the property module owns that table's mapping.

use std::collections::HashMap;

use linli_core::{Id, Result};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

use crate::error::OrInternal;

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// The names of the buildings `ids`.
pub(crate) async fn names(c: &impl ConnectionTrait, ids: impl IntoIterator<Item = Id>) -> Result<HashMap<Id, String>> {
    let mut ids: Vec<Id> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let q = Query::select()
        .columns([col("id"), col("name")])
        .from(col("buildings"))
        .and_where(Expr::col(col("id")).is_in(ids))
        .to_owned();
    let mut out = HashMap::new();
    for row in c.query_all(&q).await.or_internal()? {
        out.insert(row.try_get::<i64>("", "id").or_internal()?, row.try_get::<String>("", "name").or_internal()?);
    }
    Ok(out)
}

/// The building's name when it is in the project.
pub(crate) async fn in_project(c: &impl ConnectionTrait, project_id: Id, id: Id) -> Result<Option<String>> {
    let q = Query::select()
        .column(col("name"))
        .from(col("buildings"))
        .and_where(Expr::col(col("id")).eq(id))
        .and_where(Expr::col(col("project_id")).eq(project_id))
        .to_owned();
    match c.query_one(&q).await.or_internal()? {
        Some(row) => Ok(Some(row.try_get::<String>("", "name").or_internal()?)),
        None => Ok(None),
    }
}
