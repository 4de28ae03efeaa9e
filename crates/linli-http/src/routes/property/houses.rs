use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_core::{Id, Page};
use linli_property::{House, HouseFilter, HousePatch, HouseState, HouseUsage, NewHouse};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::response::Response;

use crate::App;
use crate::download::{XLSX, attachment};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};
use linli_core::PageRequest;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseQuery {
    pub project_id: Option<Id>,
    pub building_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub floor: Option<i32>,
    pub state: Option<HouseState>,
    pub usage: Option<HouseUsage>,
    /// House number, or an owner's or occupant's name or phone.
    pub q: Option<String>,
}

impl HouseQuery {
    pub fn filter(&self) -> HouseFilter {
        HouseFilter {
            project_id: self.project_id,
            building_id: self.building_id,
            unit_id: self.unit_id,
            floor: self.floor,
            state: self.state,
            usage: self.usage,
            q: self.q.clone(),
        }
    }
}

/// 房屋 of the caller's projects, in building, unit, floor and number order.
#[utoipa::path(get, path = "/api/v1/houses", tag = "property", params(HouseQuery, PageRequest),
    responses((status = 200, body = Page<House>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_houses(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<HouseQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<House>>> {
    Ok(Json(app.structure.list_houses(&user.authz, &q.filter(), page).await?))
}

#[utoipa::path(post, path = "/api/v1/houses", tag = "property", request_body = NewHouse,
    responses((status = 201, body = House), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_house(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewHouse>,
) -> ApiResult<(StatusCode, Json<House>)> {
    Ok((StatusCode::CREATED, Json(app.structure.create_house(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/houses/{id}", tag = "property", params(("id" = i64, Path)),
    responses((status = 200, body = House), (status = 404, body = Problem)))]
async fn get_house(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<House>> {
    Ok(Json(app.structure.get_house(&user.authz, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/houses/{id}", tag = "property", params(("id" = i64, Path)), request_body = HousePatch,
    responses((status = 200, body = House), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_house(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<HousePatch>,
) -> ApiResult<Json<House>> {
    Ok(Json(app.structure.update_house(&user.authz, id, patch).await?))
}

/// Only a house that never had owners or occupants can be deleted.
#[utoipa::path(delete, path = "/api/v1/houses/{id}", tag = "property", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_house(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<StatusCode> {
    app.structure.delete_house(&user.authz, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The houses matching the list's filters as XLSX, in the import template's columns.
#[utoipa::path(get, path = "/api/v1/houses/export", tag = "property", params(HouseQuery),
    responses((status = 200, description = "XLSX file"), (status = 403, body = Problem)))]
async fn export_houses(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<HouseQuery>,
) -> ApiResult<Response> {
    let bytes = app.structure.export_houses(&user.authz, &q.filter()).await?;
    Ok(attachment(bytes, XLSX, "房屋.xlsx"))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(export_houses)).routes(routes!(list_houses, create_house)).routes(routes!(
        get_house,
        update_house,
        delete_house
    ))
}
