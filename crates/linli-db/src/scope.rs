//! The one place that turns a list scope into SQL, so every module filters the same way.

use linli_core::{ProjectSet, Scope};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition};

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
