//! Payment orders (`linli-payments`): a resident pays their house's bills through a channel, and
//! the channel's notifications settle them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use linli_billing::PaymentChannel;
use linli_core::Id;
use linli_core::{Page, PageRequest};
use linli_payments::{NewOrder, NewOrderRefund, NotifyAnswer, OrderDetail, OrderFilter, PaymentOrder, PaymentRefund};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, CurrentUser};
use crate::routes::billing::bills::idempotency_key;

mod reconcile;

/// Asks the channel to collect what my house owes (or `amount_fen`; more than owed is kept as
/// prepaid balance): the order with the QR code's content (`code_url`), payable for two hours.
/// The same `Idempotency-Key` answers the same order. 422 `not_available` for a channel the
/// office has not configured, `nothing_due` when the house owes nothing; 503 when the channel
/// did not answer.
#[utoipa::path(post, path = "/api/v1/my/houses/{id}/payment-orders", tag = "payments", params(("id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 100, pattern = "^[!-~]+$", description = "a retry with the same key answers the same order")),
    request_body = NewOrder,
    responses((status = 201, body = PaymentOrder), (status = 401, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn create_my_payment_order(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewOrder>,
) -> ApiResult<(StatusCode, Json<PaymentOrder>)> {
    let key = idempotency_key(&headers)?;
    let resident = app.people.resident_of(&user.authz, id).await?;
    Ok((StatusCode::CREATED, Json(app.payments.create_for_resident(&resident, new, key).await?)))
}

/// One of my house's payment orders: the page polls it until it is paid.
#[utoipa::path(get, path = "/api/v1/my/houses/{id}/payment-orders/{order_id}", tag = "payments",
    params(("id" = i64, Path), ("order_id" = i64, Path)),
    responses((status = 200, body = PaymentOrder), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_my_payment_order(
    State(app): State<App>,
    user: CurrentUser,
    Path((id, order_id)): Path<(Id, Id)>,
) -> ApiResult<Json<PaymentOrder>> {
    let resident = app.people.resident_of(&user.authz, id).await?;
    Ok(Json(app.payments.resident_order(&resident, order_id).await?))
}

/// Payment orders of the projects the user may read bills of, newest first (收款订单).
#[utoipa::path(get, path = "/api/v1/payment-orders", tag = "payments", params(OrderFilter, PageRequest),
    responses((status = 200, body = Page<PaymentOrder>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn list_payment_orders(
    State(app): State<App>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<OrderFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<PaymentOrder>>> {
    Ok(Json(app.payments.orders(&user.authz, &filter, page.clamped()).await?))
}

/// An order with its refunds and what is left to refund.
#[utoipa::path(get, path = "/api/v1/payment-orders/{id}", tag = "payments", params(("id" = i64, Path)),
    responses((status = 200, body = OrderDetail), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
async fn get_payment_order(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
) -> ApiResult<Json<OrderDetail>> {
    Ok(Json(app.payments.order_detail(&user.authz, id).await?))
}

/// Returns money of a paid order to the payer through its channel (退款原路返回): a manager's
/// decision with a reason. 422 `exceeds_paid` beyond what the order paid less its other
/// refunds, `exceeds_balance` beyond what the house still holds as prepaid balance (a bill it
/// paid must be adjusted first), `not_paid` for an unpaid order. The answer's state is
/// `refunded`, `failed` (the channel refused; the money is back in the balance) or `pending`
/// (the channel has not finished; asked again every minute).
#[utoipa::path(post, path = "/api/v1/payment-orders/{id}/refunds", tag = "payments", params(("id" = i64, Path)),
    request_body = NewOrderRefund,
    responses((status = 201, body = PaymentRefund), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn refund_payment_order(
    State(app): State<App>,
    user: CurrentUser,
    Path(id): Path<Id>,
    ApiJson(new): ApiJson<NewOrderRefund>,
) -> ApiResult<(StatusCode, Json<PaymentRefund>)> {
    Ok((StatusCode::CREATED, Json(app.payments.refund(&user.authz, id, new).await?)))
}

/// The channels payment orders can go through here.
#[utoipa::path(get, path = "/api/v1/payment-channels", tag = "payments",
    responses((status = 200, body = Vec<PaymentChannel>), (status = 401, body = Problem)))]
async fn list_payment_channels(State(app): State<App>, _user: CurrentUser) -> Json<Vec<PaymentChannel>> {
    Json(app.payments.channels())
}

/// WeChat Pay's payment notifications (`notify_url`). Signed by WeChat Pay and encrypted with the
/// APIv3 key; no session. 204 when handled (or nothing to do); 401 when the signature, its
/// timestamp or the merchant is not ours (logged); 503 to be sent again when it could not be
/// recorded now. WeChat Pay reads only the status: any answer but 2xx brings the notification
/// again on its schedule.
#[utoipa::path(post, path = "/api/v1/channels/wechat/notify", tag = "payments", security(()),
    request_body(content = String, content_type = "application/json", description = "the notification as WeChat Pay sends it"),
    responses((status = 204, description = "handled"), (status = 401, body = Problem), (status = 503, body = Problem)))]
async fn wechat_notify(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let headers: Vec<(String, String)> =
        headers.iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned()))).collect();
    match app.payments.notify(PaymentChannel::Wechat, &headers, &body).await {
        NotifyAnswer::Ack => StatusCode::NO_CONTENT.into_response(),
        answer => refusal(answer),
    }
}

/// The form Alipay posts to `notify_url` (the fields every notification has; others such as
/// `seller_id` come too, and the signature covers every field but `sign` and `sign_type`). Documentation only: the handler verifies the raw body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct AlipayNotification {
    notify_time: String,
    notify_type: String,
    notify_id: String,
    app_id: String,
    sign_type: String,
    sign: String,
    trade_no: String,
    out_trade_no: String,
    trade_status: String,
    total_amount: String,
}

/// Alipay's asynchronous notifications (`notify_url`), a form signed RSA2 by Alipay; no
/// session. `success` (text) when handled or nothing to do, which stops Alipay sending it; 401
/// when the signature, the app or the seller is not ours (logged); 503 to be sent again when it
/// could not be recorded now. Alipay reads only whether the body is exactly `success`.
#[utoipa::path(post, path = "/api/v1/channels/alipay/notify", tag = "payments", security(()),
    request_body(content = AlipayNotification, content_type = "application/x-www-form-urlencoded", description = "the notification as Alipay sends it"),
    responses((status = 200, body = String, content_type = "text/plain", description = "`success`"),
              (status = 401, body = Problem), (status = 503, body = Problem)))]
async fn alipay_notify(State(app): State<App>, body: Bytes) -> Response {
    match app.payments.notify(PaymentChannel::Alipay, &[], &body).await {
        NotifyAnswer::Ack => {
            ([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], "success").into_response()
        }
        answer => refusal(answer),
    }
}

/// A notification not taken now, answered as every refusal is (problem+json): the channels read
/// only that it is not their success answer.
fn refusal(answer: NotifyAnswer) -> Response {
    match answer {
        NotifyAnswer::Retry => ApiError::from(linli_core::Error::Unavailable { retry_after_secs: 15 }).into_response(),
        _ => ApiError::from(linli_core::Error::Unauthenticated(linli_core::Code::Unauthenticated)).into_response(),
    }
}

pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(create_my_payment_order))
        .routes(routes!(get_my_payment_order))
        .routes(routes!(list_payment_channels))
        .routes(routes!(list_payment_orders))
        .routes(routes!(get_payment_order))
        .routes(routes!(refund_payment_order))
        .routes(routes!(wechat_notify))
        .routes(routes!(alipay_notify))
        .merge(reconcile::router())
}
