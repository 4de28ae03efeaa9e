//! The one place that turns a list scope into SQL, so every module filters the same way.

use linli_core::{Error, Granted, Id, ProjectSet, Result, Scope};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::OrInternal;

use crate::entity::project;

/// Rows whose `col` is a project the scope allows. With `company_level_rows`, rows whose project
/// is null (company-level records) are included for a company-wide scope only.
pub(crate) fn project_condition(scope: &Scope, col: impl ColumnTrait, company_level_rows: bool) -> Condition {
    match scope.projects() {
        ProjectSet::All => {
            let company_projects = Query::select()
                .column(project::Column::Id)
                .from(project::Entity)
                .and_where(Expr::col(project::Column::CompanyId).eq(scope.company_id()))
                .to_owned();
            let mut c = Condition::any().add(col.in_subquery(company_projects));
            if company_level_rows {
                c = c.add(col.is_null());
            }
            c
        }
        ProjectSet::Only(ids) => Condition::all().add(col.is_in(ids.iter().copied())),
    }
}

/// Whether `project_id` is one of the scope's projects (and its company's).
pub(crate) async fn in_scope(c: &impl ConnectionTrait, scope: &Scope, project_id: Id) -> Result<bool> {
    if !scope.allows(project_id) {
        return Ok(false);
    }
    let found = project::Entity::find_by_id(project_id)
        .filter(project::Column::CompanyId.eq(scope.company_id()))
        .one(c)
        .await
        .or_internal()?;
    Ok(found.is_some())
}

/// The granted project exists in the actor's company (a proof names a project id; the id could
/// be another company's).
pub(crate) async fn ensure_project(c: &impl ConnectionTrait, granted: &Granted) -> Result<()> {
    project::Entity::find_by_id(granted.project_id())
        .filter(project::Column::CompanyId.eq(granted.company_id()))
        .one(c)
        .await
        .or_internal()?
        .map(|_| ())
        .ok_or_else(|| Error::not_found("project", granted.project_id()))
}
