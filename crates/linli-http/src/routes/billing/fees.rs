//! Fee items (收费项目), their standards and assignments, a project's allocation order, and
//! billing runs (计费批次).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use linli_billing::{AllocationOrder, Assignment, FeeItem, NewAssignment, NewFeeItem, NewStandard, Run, Standard};
use linli_core::{Id, Page, PageRequest, date};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ProjectQuery {
    project_id: Option<Id>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RequiredProject {
    project_id: Id,
}

/// The fee items of the caller's projects.
#[utoipa::path(get, path = "/api/v1/fee-items", tag = "billing", params(ProjectQuery),
    responses((status = 200, body = Vec<FeeItem>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list_fee_items(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> ApiResult<Json<Vec<FeeItem>>> {
    Ok(Json(app.billing.fees.fee_items(&user.authz, q.project_id).await?))
}

#[utoipa::path(post, path = "/api/v1/fee-items", tag = "billing", request_body = NewFeeItem,
    responses((status = 201, body = FeeItem), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
async fn create_fee_item(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewFeeItem>,
) -> ApiResult<(StatusCode, Json<FeeItem>)> {
    Ok((StatusCode::CREATED, Json(app.billing.fees.create_fee_item(&user.authz, new).await?)))
}

/// The item's prices over time.
#[utoipa::path(get, path = "/api/v1/fee-items/{id}/standards", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Standard>), (status = 404, body = Problem)))]
async fn list_fee_standards(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<Standard>>> {
    Ok(Json(app.billing.fees.standards(&user.authz, id).await?))
}

/// A price from a date. The open standard of the same use and level ends the day before; bills
/// already issued keep their price.
#[utoipa::path(post, path = "/api/v1/fee-items/{id}/standards", tag = "billing", params(("id" = i64, Path)),
    request_body = NewStandard,
    responses((status = 201, body = Standard), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn create_fee_standard(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewStandard>,
) -> ApiResult<(StatusCode, Json<Standard>)> {
    Ok((StatusCode::CREATED, Json(app.billing.fees.add_standard(&user.authz, id, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/fee-items/{id}/assignments", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Assignment>), (status = 404, body = Problem)))]
async fn list_fee_assignments(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Vec<Assignment>>> {
    Ok(Json(app.billing.fees.assignments(&user.authz, id).await?))
}

/// Applies the item to the whole project, a building, a house use or one house.
#[utoipa::path(post, path = "/api/v1/fee-items/{id}/assignments", tag = "billing", params(("id" = i64, Path)),
    request_body = NewAssignment,
    responses((status = 201, body = Assignment), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn create_fee_assignment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewAssignment>,
) -> ApiResult<(StatusCode, Json<Assignment>)> {
    Ok((StatusCode::CREATED, Json(app.billing.fees.add_assignment(&user.authz, id, new).await?)))
}

/// How payments are spent: oldest bill first by default, late fees after principal.
#[utoipa::path(get, path = "/api/v1/billing-settings", tag = "billing", params(RequiredProject),
    responses((status = 200, body = AllocationOrder), (status = 403, body = Problem)))]
async fn get_billing_settings(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<RequiredProject>,
) -> ApiResult<Json<AllocationOrder>> {
    Ok(Json(app.billing.fees.allocation_order(&user.authz, q.project_id).await?))
}

#[utoipa::path(put, path = "/api/v1/billing-settings", tag = "billing", params(RequiredProject),
    request_body = AllocationOrder,
    responses((status = 200, body = AllocationOrder), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn put_billing_settings(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<RequiredProject>,
    ApiJson(order): ApiJson<AllocationOrder>,
) -> ApiResult<Json<AllocationOrder>> {
    app.billing.fees.set_allocation_order(&user.authz, q.project_id, order).await?;
    Ok(Json(order))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NewRun {
    project_id: Id,
    /// `YYYY-MM`.
    #[serde(deserialize_with = "date::billing::month")]
    #[schema(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    period: String,
    /// Only these items; empty = every active item whose cycle starts that month.
    #[serde(default)]
    fee_item_ids: Vec<Id>,
}

/// Computes a run and keeps it as a preview: counts, totals per item and the houses that could
/// not be billed. Nothing is billed until it is confirmed.
#[utoipa::path(post, path = "/api/v1/billing-runs", tag = "billing", request_body = NewRun,
    responses((status = 201, body = Run), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_billing_run(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewRun>,
) -> ApiResult<(StatusCode, Json<Run>)> {
    let run = app.billing.runs.preview_run(&user.authz, new.project_id, &new.period, &new.fee_item_ids).await?;
    Ok((StatusCode::CREATED, Json(run)))
}

#[utoipa::path(get, path = "/api/v1/billing-runs", tag = "billing", params(ProjectQuery, PageRequest),
    responses((status = 200, body = Page<Run>), (status = 403, body = Problem)))]
async fn list_billing_runs(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ProjectQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Run>>> {
    Ok(Json(app.billing.runs.runs(&user.authz, q.project_id, page.clamped()).await?))
}

#[utoipa::path(get, path = "/api/v1/billing-runs/{id}", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = Run), (status = 404, body = Problem)))]
async fn get_billing_run(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Run>> {
    Ok(Json(app.billing.runs.run(&user.authz, id).await?))
}

/// Confirms a preview; a background job writes the bills (running → completed). Confirming
/// twice answers 409 `run_not_preview`.
#[utoipa::path(post, path = "/api/v1/billing-runs/{id}/confirm", tag = "billing", params(("id" = i64, Path)),
    responses((status = 202, body = Run), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn confirm_billing_run(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<(StatusCode, Json<Run>)> {
    Ok((StatusCode::ACCEPTED, Json(app.billing.runs.confirm_run(&user.authz, id).await?)))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_fee_items, create_fee_item))
        .routes(routes!(list_fee_standards, create_fee_standard))
        .routes(routes!(list_fee_assignments, create_fee_assignment))
        .routes(routes!(get_billing_settings, put_billing_settings))
        .routes(routes!(list_billing_runs, create_billing_run))
        .routes(routes!(get_billing_run))
        .routes(routes!(confirm_billing_run))
}
