use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_core::{Id, Page};
use linli_property::{Building, BuildingPatch, NewBuilding, NewUnit, Unit, UnitPatch};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};
use linli_core::PageRequest;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BuildingQuery {
    pub project_id: Option<Id>,
}

/// 楼栋 of the caller's projects.
#[utoipa::path(get, path = "/api/v1/buildings", tag = "property", params(BuildingQuery, PageRequest),
    responses((status = 200, body = Page<Building>), (status = 403, body = Problem)))]
async fn list_buildings(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<BuildingQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Building>>> {
    Ok(Json(app.structure.list_buildings(&user.authz, q.project_id, page).await?))
}

#[utoipa::path(post, path = "/api/v1/buildings", tag = "property", request_body = NewBuilding,
    responses((status = 201, body = Building), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_building(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewBuilding>,
) -> ApiResult<(StatusCode, Json<Building>)> {
    Ok((StatusCode::CREATED, Json(app.structure.create_building(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/buildings/{id}", tag = "property", params(("id" = i64, Path)),
    responses((status = 200, body = Building), (status = 404, body = Problem)))]
async fn get_building(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Building>> {
    Ok(Json(app.structure.get_building(&user.authz, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/buildings/{id}", tag = "property", params(("id" = i64, Path)), request_body = BuildingPatch,
    responses((status = 200, body = Building), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_building(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<BuildingPatch>,
) -> ApiResult<Json<Building>> {
    Ok(Json(app.structure.update_building(&user.authz, id, patch).await?))
}

/// Only an empty building (no units, no houses) can be deleted.
#[utoipa::path(delete, path = "/api/v1/buildings/{id}", tag = "property", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_building(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<StatusCode> {
    app.structure.delete_building(&user.authz, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    pub building_id: Option<Id>,
}

/// 单元 of the caller's projects.
#[utoipa::path(get, path = "/api/v1/units", tag = "property", params(UnitQuery, PageRequest),
    responses((status = 200, body = Page<Unit>), (status = 403, body = Problem)))]
async fn list_units(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<UnitQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Unit>>> {
    Ok(Json(app.structure.list_units(&user.authz, q.building_id, page).await?))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "property", request_body = NewUnit,
    responses((status = 201, body = Unit), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_unit(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewUnit>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(app.structure.create_unit(&user.authz, new).await?)))
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "property", params(("id" = i64, Path)), request_body = UnitPatch,
    responses((status = 200, body = Unit), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn rename_unit(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<UnitPatch>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(app.structure.rename_unit(&user.authz, id, patch).await?))
}

#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "property", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_unit(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<StatusCode> {
    app.structure.delete_unit(&user.authz, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_buildings, create_building))
        .routes(routes!(get_building, update_building, delete_building))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(rename_unit, delete_unit))
}
