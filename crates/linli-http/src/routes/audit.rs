use axum::Json;
use axum::extract::State;
use linli_audit::{AuditEntry, AuditFilter};
use linli_core::{Id, Page};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, CurrentUser, page};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub project_id: Option<Id>,
    pub actor_id: Option<Id>,
    /// Entity name, e.g. `project`, `user`.
    pub entity: Option<String>,
    pub entity_id: Option<Id>,
    /// Action prefix, e.g. `auth.user`.
    pub action: Option<String>,
    pub page: Option<u64>,
    pub page_size: Option<u64>,
}

/// Every change, newest first, within the caller's projects.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem)))]
async fn list_audit_log(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let filter = AuditFilter {
        project_id: q.project_id,
        actor_id: q.actor_id,
        entity: q.entity,
        entity_id: q.entity_id,
        action: q.action,
    };
    Ok(Json(app.audit.list(&user.authz, &filter, page(q.page, q.page_size)).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(list_audit_log))
}
