//! Meters and readings (抄表): the register of meters, a period's reading sheet, entering
//! readings one batch at a time or from a spreadsheet, confirming flagged ones, replacements, and
//! the usage billing charges.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use linli_core::{Id, Page, PageRequest};
use linli_import::ImportReport;
use linli_meters::{
    Meter, MeterFilter, MeterKind, MeterPatch, NewMeter, Reading, ReadingFilter, ReadingOutcome, ReadingsBatch,
    Replacement, SheetRow, UsageRow,
};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser, MAX_IMPORT_BODY, SheetUpload};

/// The meters of the caller's projects, ordered by number.
#[utoipa::path(get, path = "/api/v1/meters", tag = "meters", params(MeterFilter, PageRequest),
    responses((status = 200, body = Page<Meter>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn list_meters(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<MeterFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Meter>>> {
    Ok(Json(app.meters.list(&user.authz, &filter, page.clamped()).await?))
}

/// Registers a house meter (with `house_id`) or a shared meter of a building or the project.
#[utoipa::path(post, path = "/api/v1/meters", tag = "meters", request_body = NewMeter,
    responses((status = 201, body = Meter), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_meter(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewMeter>,
) -> ApiResult<(StatusCode, Json<Meter>)> {
    Ok((StatusCode::CREATED, Json(app.meters.create(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/meters/{id}", tag = "meters", params(("id" = i64, Path)),
    responses((status = 200, body = Meter), (status = 404, body = Problem)))]
async fn get_meter(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Meter>> {
    Ok(Json(app.meters.get(&user.authz, id).await?))
}

/// Changes the named fields; `null` clears an optional one. House and kind cannot change.
#[utoipa::path(patch, path = "/api/v1/meters/{id}", tag = "meters", params(("id" = i64, Path)), request_body = MeterPatch,
    responses((status = 200, body = Meter), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_meter(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(patch): ApiJson<MeterPatch>,
) -> ApiResult<Json<Meter>> {
    Ok(Json(app.meters.update(&user.authz, id, patch).await?))
}

/// Stored readings, newest period first.
#[utoipa::path(get, path = "/api/v1/meter-readings", tag = "meters", params(ReadingFilter, PageRequest),
    responses((status = 200, body = Page<Reading>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn list_readings(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<ReadingFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Reading>>> {
    Ok(Json(app.meters.readings(&user.authz, &filter, page.clamped()).await?))
}

/// Enters a period's readings. Each row is checked and stored on its own and answered in order:
/// `created`/`updated` with the reading and its flags (a flagged reading waits for
/// confirmation), `unchanged`, or `failed` with field errors.
#[utoipa::path(post, path = "/api/v1/meter-readings", tag = "meters", request_body = ReadingsBatch,
    responses((status = 200, body = Vec<ReadingOutcome>), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn enter_readings(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(batch): ApiJson<ReadingsBatch>,
) -> ApiResult<Json<Vec<ReadingOutcome>>> {
    Ok(Json(app.meters.enter(&user.authz, batch).await?))
}

#[utoipa::path(get, path = "/api/v1/meter-readings/{id}", tag = "meters", params(("id" = i64, Path)),
    responses((status = 200, body = Reading), (status = 404, body = Problem)))]
async fn get_reading(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Reading>> {
    Ok(Json(app.meters.reading(&user.authz, id).await?))
}

/// Accepts a flagged reading; a lower reading is accepted as the meter restarted at 0.
#[utoipa::path(post, path = "/api/v1/meter-readings/{id}/confirm", tag = "meters", params(("id" = i64, Path)),
    responses((status = 200, body = Reading), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
async fn confirm_reading(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Reading>> {
    Ok(Json(app.meters.confirm(&user.authz, id).await?))
}

/// Refuses a flagged reading: it does not count and the period may be read again.
#[utoipa::path(post, path = "/api/v1/meter-readings/{id}/reject", tag = "meters", params(("id" = i64, Path)),
    responses((status = 200, body = Reading), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
async fn reject_reading(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<Reading>> {
    Ok(Json(app.meters.reject(&user.authz, id).await?))
}

/// Records that the meter was replaced in the reading's period (换表): the old meter's final
/// register and the new one's initial register. The reading is checked again.
#[utoipa::path(post, path = "/api/v1/meter-readings/{id}/replacement", tag = "meters", params(("id" = i64, Path)),
    request_body = Replacement,
    responses((status = 200, body = Reading), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn replace_meter(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(r): ApiJson<Replacement>,
) -> ApiResult<Json<Reading>> {
    Ok(Json(app.meters.replace(&user.authz, id, r).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    pub project_id: Id,
    /// `YYYY-MM`.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub period: String,
    pub kind: Option<MeterKind>,
    pub building_id: Option<Id>,
    /// Only the meters still to read (no reading, or a rejected one).
    #[serde(default)]
    pub unread: bool,
}

/// The reading sheet (抄表单) of a period: every active meter with the register it is read from
/// and its reading, if any.
#[utoipa::path(get, path = "/api/v1/meter-readings/sheet", tag = "meters", params(SheetQuery),
    responses((status = 200, body = Vec<SheetRow>), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn reading_sheet(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<SheetQuery>,
) -> ApiResult<Json<Vec<SheetRow>>> {
    Ok(Json(app.meters.sheet(&user.authz, q.project_id, &q.period, q.kind, q.building_id, q.unread).await?))
}

/// The reading sheet as XLSX to fill in and import back.
#[utoipa::path(get, path = "/api/v1/meter-readings/sheet.xlsx", tag = "meters", params(SheetQuery),
    responses((status = 200, description = "XLSX file"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reading_sheet_xlsx(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<SheetQuery>,
) -> ApiResult<Response> {
    let bytes = app.meters.sheet_xlsx(&user.authz, q.project_id, &q.period, q.kind).await?;
    Ok(crate::download::attachment(bytes, crate::download::XLSX, &format!("抄表单-{}.xlsx", q.period)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadingImportQuery {
    pub project_id: Id,
    /// `YYYY-MM`.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub period: String,
    /// Check and count without saving.
    #[serde(default)]
    pub dry_run: bool,
}

// Deserialize only for `deny_unknown_fields`: the document says the form has no other fields.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ReadingUpload {
    /// A `.xlsx` or `.csv` file laid out like the reading sheet.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
}

/// Imports a period's readings: rows are matched to meters by number (表号); valid rows are
/// saved even when others fail; importing the same file again changes nothing.
#[utoipa::path(post, path = "/api/v1/meter-readings/import", tag = "meters", params(ReadingImportQuery),
    request_body(content = ReadingUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportReport), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 413, description = "`body_too_large`, `spreadsheet_too_large` or `too_many_rows`", body = Problem),
              (status = 422, body = Problem)))]
async fn import_readings(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ReadingImportQuery>,
    SheetUpload { file_name: name, bytes }: SheetUpload,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(app.meters.import(&user.authz, q.project_id, &q.period, &name, &bytes, q.dry_run).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    pub project_id: Id,
    /// `YYYY-MM`.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub period: String,
    pub kind: MeterKind,
}

/// Each house's accepted consumption of the period and its apportioned share (公摊) of shared
/// meters: what metered fees are billed on.
#[utoipa::path(get, path = "/api/v1/meter-usage", tag = "meters", params(UsageQuery),
    responses((status = 200, body = Vec<UsageRow>), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn meter_usage(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<UsageQuery>,
) -> ApiResult<Json<Vec<UsageRow>>> {
    Ok(Json(app.meters.usage_rows(&user.authz, q.project_id, &q.period, q.kind).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_meters, create_meter))
        .routes(routes!(get_meter, update_meter))
        .routes(routes!(list_readings, enter_readings))
        .routes(routes!(reading_sheet))
        .routes(routes!(reading_sheet_xlsx))
        .merge(OpenApiRouter::new().routes(routes!(import_readings)).layer(DefaultBodyLimit::max(MAX_IMPORT_BODY)))
        .routes(routes!(get_reading))
        .routes(routes!(confirm_reading))
        .routes(routes!(reject_reading))
        .routes(routes!(replace_meter))
        .routes(routes!(meter_usage))
}
