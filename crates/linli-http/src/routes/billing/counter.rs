//! The counter (收银台): the payment log (收费流水), receipts printed and voided (作废), and the
//! cashiers' till sessions (交班).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use linli_billing::{
    NewTillSession, NewVoid, PaymentFilter, PaymentRow, ReceiptLayout, TillFilter, TillHandOver, TillReport,
    TillSession,
};
use linli_core::{Id, Page, PageRequest};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};

pub(super) fn html(page: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], page).into_response()
}

/// The payment log (收费流水), newest first: every payment with its receipt number, who took it,
/// and whether it was voided (作废 receipts stay listed).
#[utoipa::path(get, path = "/api/v1/payments", tag = "billing", params(PaymentFilter, PageRequest),
    responses((status = 200, body = Page<PaymentRow>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_payments(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<PaymentFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<PaymentRow>>> {
    Ok(Json(app.billing.counter.payments(&user.authz, &filter, page.clamped()).await?))
}

#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = PaymentRow), (status = 404, body = Problem)))]
async fn get_payment(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Json<PaymentRow>> {
    Ok(Json(app.billing.counter.payment(&user.authz, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ReceiptQuery {
    /// `a5` (default) or `thermal` (80 mm).
    #[param(inline)]
    layout: Option<ReceiptLayout>,
}

/// The payment's receipt (收据) as a printable HTML page, A5 or 80 mm thermal. Each request is a
/// printing and is counted: the first is the original, every later one is marked 副本 (copy)
/// with its number; a voided receipt is marked 作废.
#[utoipa::path(get, path = "/api/v1/payments/{id}/receipt", tag = "billing", params(("id" = i64, Path), ReceiptQuery),
    responses((status = 200, description = "printable HTML", content_type = "text/html"), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn get_payment_receipt(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
) -> ApiResult<Response> {
    let layout = q.layout.unwrap_or(ReceiptLayout::A5);
    Ok(html(app.billing.counter.receipt_html(&user.authz, id, layout).await?))
}

/// Voids (作废) a receipt: its payment is reversed by sealed reversal entries (冲正) — the bills
/// owe again, the money leaves the prepaid balance — and the receipt keeps its number, marked
/// voided. Needs `billing.adjustment.approve` (a manager, never the cashier alone) and a reason.
/// Payments from an online channel are refunded instead (`receipt_not_voidable`); one whose
/// money was spent since is `payment_balance_spent`.
#[utoipa::path(post, path = "/api/v1/payments/{id}/void", tag = "billing", params(("id" = i64, Path)),
    request_body = NewVoid,
    responses((status = 200, body = PaymentRow), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn void_payment(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(v): ApiJson<NewVoid>,
) -> ApiResult<Json<PaymentRow>> {
    Ok(Json(app.billing.counter.void(&user.authz, id, v).await?))
}

/// Opens the signed-in cashier's till session (收银班次) in a project with a float of change;
/// the payments they take there while it is open belong to it. A second open one is
/// `till_session_open`.
#[utoipa::path(post, path = "/api/v1/till-sessions", tag = "billing", request_body = NewTillSession,
    responses((status = 201, body = TillSession), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
async fn open_till_session(
    State(app): State<App>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewTillSession>,
) -> ApiResult<(StatusCode, Json<TillSession>)> {
    Ok((StatusCode::CREATED, Json(app.billing.counter.open_till(&user.authz, new).await?)))
}

#[utoipa::path(get, path = "/api/v1/till-sessions", tag = "billing", params(TillFilter, PageRequest),
    responses((status = 200, body = Page<TillSession>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_till_sessions(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<TillFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<TillSession>>> {
    Ok(Json(app.billing.counter.tills(&user.authz, &filter, page.clamped()).await?))
}

/// The shift report (交班报表): takings by channel, voided receipts apart, cash refunded, the
/// cash the drawer should hold (float + cash taken − cash refunded) and, once handed over, what
/// was counted and the difference (短款 short / 长款 over).
#[utoipa::path(get, path = "/api/v1/till-sessions/{id}", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = TillReport), (status = 404, body = Problem)))]
async fn get_till_session(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<TillReport>> {
    Ok(Json(app.billing.counter.till(&user.authz, id).await?))
}

/// The shift report as a printable HTML page.
#[utoipa::path(get, path = "/api/v1/till-sessions/{id}/report", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, description = "printable HTML", content_type = "text/html"), (status = 404, body = Problem)))]
async fn get_till_report(State(app): State<App>, user: CurrentUser, Path(id): Path<Id>) -> ApiResult<Response> {
    Ok(html(app.billing.counter.till_html(&user.authz, id).await?))
}

/// Hand-over (交班): closes the session with the cash counted in the drawer. The session's own
/// cashier, or a user with `billing.adjustment.approve`. A closed one is `till_session_closed`.
#[utoipa::path(post, path = "/api/v1/till-sessions/{id}/close", tag = "billing", params(("id" = i64, Path)),
    request_body = TillHandOver,
    responses((status = 200, body = TillReport), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn close_till_session(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(h): ApiJson<TillHandOver>,
) -> ApiResult<Json<TillReport>> {
    Ok(Json(app.billing.counter.close_till(&user.authz, id, h).await?))
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(list_payments))
        .routes(routes!(get_payment))
        .routes(routes!(get_payment_receipt))
        .routes(routes!(void_payment))
        .routes(routes!(open_till_session, list_till_sessions))
        .routes(routes!(get_till_session))
        .routes(routes!(get_till_report))
        .routes(routes!(close_till_session))
}
