use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_core::{Id, Page};
use linli_property::{BuildingNode, NewProject, Project, ProjectPatch, ProjectStats};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};
use linli_core::PageRequest;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Part of the name.
    pub q: Option<String>,
}

/// Projects the caller is granted.
#[utoipa::path(get, path = "/api/v1/projects", tag = "property", params(ProjectQuery, PageRequest),
    responses((status = 200, body = Page<Project>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_projects(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ProjectQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Project>>> {
    Ok(Json(app.projects.list(&user.authz, q.q.as_deref(), page).await?))
}

/// Creates a project (company-wide `property.project.create`).
#[utoipa::path(post, path = "/api/v1/projects", tag = "property", request_body = NewProject,
    responses((status = 201, body = Project), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_project(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewProject>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    Ok((StatusCode::CREATED, Json(app.projects.create(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "property", params(("id" = i64, Path)),
    responses((status = 200, body = Project), (status = 404, body = Problem)))]
async fn get_project(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Project>> {
    Ok(Json(app.projects.get(&user.authz, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "property", params(("id" = i64, Path)), request_body = ProjectPatch,
    responses((status = 200, body = Project), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_project(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<ProjectPatch>,
) -> ApiResult<Json<Project>> {
    Ok(Json(app.projects.update(&user.authz, id, patch).await?))
}

/// Buildings with their units and house counts, for the console's tree.
#[utoipa::path(get, path = "/api/v1/projects/{id}/structure", tag = "property", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<BuildingNode>), (status = 404, body = Problem)))]
async fn project_structure(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<BuildingNode>>> {
    Ok(Json(app.structure.structure(&user.authz, id).await?))
}

/// Counts a manager sees on the project's card.
#[utoipa::path(get, path = "/api/v1/projects/{id}/stats", tag = "property", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectStats), (status = 404, body = Problem)))]
async fn project_stats(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<ProjectStats>> {
    Ok(Json(app.structure.stats(&user.authz, id).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(project_structure))
        .routes(routes!(project_stats))
}
