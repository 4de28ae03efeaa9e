//! Bills, a house's account, payments at the counter, and adjustments that need an approver.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use linli_billing::{
    Adjustment, AdjustmentState, Bill, BillDetail, BillFilter, CounterPayment, HouseAccount, NewAdjustment, NewCharge,
    NewRefund, Receipt,
};
use linli_core::{Error, Id, Page, PageRequest, date};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AsOf {
    /// The day late fees are computed up to (included); today by default.
    #[serde(default, deserialize_with = "date::any::opt_day")]
    as_of: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/bills", tag = "billing", params(BillFilter, PageRequest),
    responses((status = 200, body = Page<Bill>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_bills(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<BillFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Bill>>> {
    Ok(Json(app.billing.payments.bills(&user.authz, &filter, page.clamped()).await?))
}

/// A bill with its lines, its ledger entries and its late fee explained day by day.
#[utoipa::path(get, path = "/api/v1/bills/{id}", tag = "billing", params(("id" = i64, Path), AsOf),
    responses((status = 200, body = BillDetail), (status = 404, body = Problem)))]
async fn get_bill(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<BillDetail>> {
    Ok(Json(app.billing.payments.bill(&user.authz, id, q.as_of).await?))
}

/// What a house owes as of a day: open bills with their late fees, and its prepaid balances.
#[utoipa::path(get, path = "/api/v1/houses/{id}/account", tag = "billing", params(("id" = i64, Path), AsOf),
    responses((status = 200, body = HouseAccount), (status = 404, body = Problem)))]
async fn get_house_account(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<HouseAccount>> {
    Ok(Json(app.billing.payments.account(&user.authz, id, q.as_of).await?))
}

/// Money received for a house, recorded today. It becomes the house's prepaid balance, late
/// fees accrued up to today are posted, and the balance pays its open bills in the project's
/// order. `received_on` may be up to a year earlier (补录); the late fee the earlier day would
/// have saved is not taken off but proposed as waivers (`waivers_proposed`) that someone else
/// with `billing.adjustment.approve` must approve. A `received_on` after today, more than a
/// year back or not `YYYY-MM-DD` is 422. The same `Idempotency-Key` answers the same receipt
/// and records nothing new. The receipt takes the next number of the project's receipt book
/// (`receipt_no`), and the payment joins the cashier's open till session. A `card` payment
/// needs its POS slip's `reference`.
#[utoipa::path(post, path = "/api/v1/houses/{id}/payments", tag = "billing", params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 100, pattern = "^[!-~]+$", description = "a retry with the same key records nothing new")),
    request_body = CounterPayment,
    responses((status = 201, body = Receipt), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_house_payment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<CounterPayment>,
) -> ApiResult<(StatusCode, Json<Receipt>)> {
    let key = idempotency_key(&headers)?;
    Ok((StatusCode::CREATED, Json(app.billing.payments.pay_at_counter(&user.authz, id, new, key).await?)))
}

/// The house's statement (对账单) as a printable HTML page: open bills, their lines and late
/// fees span by span, the total due and the prepaid balance.
#[utoipa::path(get, path = "/api/v1/houses/{id}/statement", tag = "billing", params(("id" = i64, Path), AsOf),
    responses((status = 200, description = "printable HTML", content_type = "text/html"), (status = 404, body = Problem)))]
async fn get_house_statement(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Response> {
    let html = app.billing.documents.statement(&user.authz, id, q.as_of).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], html)
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct NoticeQuery {
    building_id: Id,
    /// `YYYY-MM`.
    #[serde(deserialize_with = "date::billing::month")]
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    period: String,
}

/// Bill notices (缴费通知单) of a building for a month, one printable page per house.
#[utoipa::path(get, path = "/api/v1/bill-notices", tag = "billing", params(NoticeQuery),
    responses((status = 200, description = "printable HTML", content_type = "text/html"), (status = 404, body = Problem)))]
async fn get_bill_notices(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<NoticeQuery>,
) -> ApiResult<Response> {
    let html = app.billing.documents.notices(&user.authz, q.building_id, &q.period).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], html)
        .into_response())
}

/// Charges a one-off fee (装修押金, 门禁卡…) to the house now. The same `Idempotency-Key` charges once.
#[utoipa::path(post, path = "/api/v1/houses/{id}/charges", tag = "billing", params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 100, pattern = "^[!-~]+$", description = "a retry with the same key charges once")),
    request_body = NewCharge,
    responses((status = 201, body = Bill), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn create_house_charge(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewCharge>,
) -> ApiResult<(StatusCode, Json<Bill>)> {
    let key = idempotency_key(&headers)?;
    Ok((StatusCode::CREATED, Json(app.billing.payments.charge_one_off(&user.authz, id, new, key).await?)))
}

/// The `Idempotency-Key` header as the document states it: 1 to 100 visible ASCII characters
/// (`^[!-~]+$`), checked here once for every command that takes one.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Error> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().unwrap_or_default().trim();
    let visible = key.bytes().all(|b| (b'!'..=b'~').contains(&b));
    if key.is_empty() || key.len() > 100 || !visible {
        return Err(Error::invalid("Idempotency-Key", "invalid"));
    }
    Ok(Some(key.to_owned()))
}

/// Returns money from the house's prepaid balance. Needs `billing.adjustment.approve`.
#[utoipa::path(post, path = "/api/v1/houses/{id}/refunds", tag = "billing", params(("id" = i64, Path)),
    request_body = NewRefund,
    responses((status = 201, body = HouseAccount), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn create_house_refund(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewRefund>,
) -> ApiResult<(StatusCode, Json<HouseAccount>)> {
    Ok((StatusCode::CREATED, Json(app.billing.payments.refund(&user.authz, id, new).await?)))
}

/// Asks for a correction or a waiver; nothing changes until another user approves it.
#[utoipa::path(post, path = "/api/v1/bills/{id}/adjustments", tag = "billing", params(("id" = i64, Path)),
    request_body = NewAdjustment,
    responses((status = 201, body = Adjustment), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn create_bill_adjustment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewAdjustment>,
) -> ApiResult<(StatusCode, Json<Adjustment>)> {
    Ok((StatusCode::CREATED, Json(app.billing.adjustments.request_adjustment(&user.authz, id, new).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AdjustmentQuery {
    project_id: Option<Id>,
    state: Option<AdjustmentState>,
}

#[utoipa::path(get, path = "/api/v1/adjustments", tag = "billing", params(AdjustmentQuery, PageRequest),
    responses((status = 200, body = Page<Adjustment>), (status = 403, body = Problem)))]
async fn list_adjustments(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AdjustmentQuery>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<Adjustment>>> {
    Ok(Json(app.billing.adjustments.adjustments(&user.authz, q.project_id, q.state, page.clamped()).await?))
}

/// Approves and writes it to the ledger. The requester cannot approve their own request. A
/// waiver proposed by a backdated payment (`payment_id`) may cover late fee paid meanwhile: that
/// part returns to the house's prepaid balance.
#[utoipa::path(post, path = "/api/v1/adjustments/{id}/approve", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = Adjustment), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn approve_adjustment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(app.billing.adjustments.decide_adjustment(&user.authz, id, true).await?))
}

#[utoipa::path(post, path = "/api/v1/adjustments/{id}/reject", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = Adjustment), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
async fn reject_adjustment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<Adjustment>> {
    Ok(Json(app.billing.adjustments.decide_adjustment(&user.authz, id, false).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_bills))
        .routes(routes!(get_bill))
        .routes(routes!(get_house_account))
        .routes(routes!(create_house_payment))
        .routes(routes!(create_house_refund))
        .routes(routes!(create_house_charge))
        .routes(routes!(get_house_statement))
        .routes(routes!(get_bill_notices))
        .routes(routes!(create_bill_adjustment))
        .routes(routes!(list_adjustments))
        .routes(routes!(approve_adjustment))
        .routes(routes!(reject_adjustment))
}
