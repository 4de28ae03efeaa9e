//! Billing reports, on screen or as XLSX (`?format=xlsx`).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use linli_billing::report_sheet::{arrears_xlsx, collection_xlsx, income_xlsx};
use linli_billing::{ArrearsReport, CollectionRow, IncomeRow};
use linli_core::{Id, date};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::download::{XLSX, attachment};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, CurrentUser};

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum Format {
    #[default]
    Json,
    Xlsx,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ArrearsQuery {
    project_id: Id,
    /// Today by default.
    #[serde(default, deserialize_with = "date::any::opt_day")]
    as_of: Option<NaiveDate>,
    #[serde(default)]
    #[param(inline)]
    format: Format,
}

/// Overdue principal by building and age (1–3, 4–6, 7–12, over 12 months).
#[utoipa::path(get, path = "/api/v1/reports/arrears", tag = "billing", params(ArrearsQuery),
    responses((status = 200, description = "The report as JSON, or as XLSX with `format=xlsx`", content(
        (ArrearsReport = "application/json"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn get_arrears_report(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<ArrearsQuery>,
) -> ApiResult<Response> {
    let r = app.billing.reports.arrears(&user.authz, q.project_id, q.as_of).await?;
    Ok(match q.format {
        Format::Json => Json(r).into_response(),
        Format::Xlsx => attachment(arrears_xlsx(&r)?, XLSX, &format!("欠费报表-{}.xlsx", r.as_of)),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CollectionQuery {
    project_id: Id,
    #[param(minimum = 2000, maximum = 2100)]
    year: i32,
    #[serde(default)]
    #[param(inline)]
    format: Format,
}

/// Billed and collected per month (of the bill's period) and fee item, with the rate.
#[utoipa::path(get, path = "/api/v1/reports/collection", tag = "billing", params(CollectionQuery),
    responses((status = 200, description = "The report as JSON, or as XLSX with `format=xlsx`", content(
        (Vec<CollectionRow> = "application/json"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn get_collection_report(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<CollectionQuery>,
) -> ApiResult<Response> {
    let rows = app.billing.reports.collection(&user.authz, q.project_id, q.year).await?;
    Ok(match q.format {
        Format::Json => Json(rows).into_response(),
        Format::Xlsx => attachment(collection_xlsx(&rows)?, XLSX, &format!("收缴率-{}.xlsx", q.year)),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct IncomeQuery {
    project_id: Id,
    #[serde(deserialize_with = "date::record::day")]
    from: NaiveDate,
    #[serde(deserialize_with = "date::record::day")]
    to: NaiveDate,
    #[serde(default)]
    #[param(inline)]
    format: Format,
}

/// Money applied to bills between two days, by fee item and payment channel.
#[utoipa::path(get, path = "/api/v1/reports/income", tag = "billing", params(IncomeQuery),
    responses((status = 200, description = "The report as JSON, or as XLSX with `format=xlsx`", content(
        (Vec<IncomeRow> = "application/json"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn get_income_report(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<IncomeQuery>,
) -> ApiResult<Response> {
    let rows = app.billing.reports.income(&user.authz, q.project_id, q.from, q.to).await?;
    Ok(match q.format {
        Format::Json => Json(rows).into_response(),
        Format::Xlsx => attachment(income_xlsx(&rows)?, XLSX, &format!("收入汇总-{}-{}.xlsx", q.from, q.to)),
    })
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(get_arrears_report))
        .routes(routes!(get_collection_report))
        .routes(routes!(get_income_report))
}
