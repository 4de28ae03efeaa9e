use axum::Json;
use axum::extract::State;
use linli_audit::{AuditActor, AuditEntry, AuditFilter};
use linli_core::{Id, Page};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, CurrentUser};
use linli_core::PageRequest;

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
}

/// Every change, newest first, within the caller's projects, with the actor's display name and
/// the object's label as they are now.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(AuditQuery, PageRequest),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem)))]
async fn list_audit_log(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let filter = AuditFilter {
        project_id: q.project_id,
        actor_id: q.actor_id,
        entity: q.entity,
        entity_id: q.entity_id,
        action: q.action,
    };
    Ok(Json(app.audit.list(&user.authz, &filter, page).await?))
}

/// The people who acted in the log the caller may read, by display name: the log's actor filter.
#[utoipa::path(get, path = "/api/v1/audit-log/actors", tag = "audit",
    responses((status = 200, body = Vec<AuditActor>), (status = 403, body = Problem)))]
async fn list_audit_actors(State(app): State<App>, user: CurrentUser) -> ApiResult<Json<Vec<AuditActor>>> {
    Ok(Json(app.audit.actors(&user.authz).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(list_audit_log)).routes(routes!(list_audit_actors))
}
