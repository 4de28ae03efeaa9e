//! The simulator's HTTP side: one handler that checks the `Authorization` as WeChat does (scheme,
//! merchant, certificate serial, ±300 s, signature over the request as received), dispatches on
//! method and path, and signs the answer with the platform key: by public key id when the request
//! named it in `Wechatpay-Serial`, otherwise by certificate serial. Bill files go out unsigned,
//! as WeChat's do.
//!
//! Error codes are WeChat's where its API v3 pages list them; `ORDERPAID` (closing or reordering a
//! paid order) is the code of its v2 API, the v3 pages we read do not name one.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::bill;
use super::state::{self, Order, RefundRecord, Shared, random_alphanumeric};
use crate::pay::wechat::model::{
    BillType, CloseRequest, OrderRequest, RefundRequest, RefundStatus, TradeBillAnswer, TradeState,
};
use crate::pay::wechat::sign::{
    Authorization, HEADER_SERIAL, PUB_KEY_ID_PREFIX, SignatureHeaders, TIMESTAMP_WINDOW_SECS,
};

// The workspace's rule (routes through OpenApiRouter) is for Linli's own API, not a stand-in
// for someone else's.
#[allow(clippy::disallowed_methods)]
pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/scan/{out_trade_no}", axum::routing::get(scan_page).post(scan_pay))
        .fallback(handle)
        .with_state(shared)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Response {
    axum::response::Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;max-width:28em;margin:2em auto;text-align:center\">{body}</body></html>",
        escape(title)
    ))
    .into_response()
}

/// What the payer's WeChat shows after scanning a Native code: the order and a pay button.
/// It stands in for the phone; the simulator's `code_url` points here.
async fn scan_page(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(out_trade_no): axum::extract::Path<String>,
) -> Response {
    let book = shared.book.lock().await;
    let Some(order) = book.orders.get(&out_trade_no) else {
        return (StatusCode::NOT_FOUND, "订单不存在").into_response();
    };
    let total = crate::pay::wechat::trade_bill::fen_to_yuan(order.request.amount.total);
    let action = if order.state == TradeState::NotPay {
        format!(
            "<form method=\"post\" action=\"/scan/{}\"><button style=\"font-size:1.2em;padding:.5em 2em\" data-testid=\"wechat-sim-pay\">确认支付</button></form>",
            escape(&out_trade_no)
        )
    } else {
        format!("<p data-testid=\"wechat-sim-state\">{}</p>", escape(&format!("{:?}", order.state)))
    };
    page(
        "微信支付（模拟器）",
        &format!(
            "<h1>微信支付（模拟器）</h1><p>{}</p><p style=\"font-size:2em\">￥{total}</p><p>商户号 {}</p>{action}",
            escape(&order.request.description),
            escape(&shared.cfg.mchid)
        ),
    )
}

/// The payer confirms: paid, and the notification goes out on its schedule.
async fn scan_pay(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(out_trade_no): axum::extract::Path<String>,
) -> Response {
    match state::pay(&shared, &out_trade_no, super::Faults::none()).await {
        Ok(_) => page("支付成功", "<h1 data-testid=\"wechat-sim-paid\">支付成功</h1><p>可以回到邻里查看账单了</p>"),
        Err(e) => page("微信支付", &format!("<p>{}</p>", escape(&e.to_string()))),
    }
}

/// What one request is answered with, before signing.
enum Answer {
    Json(StatusCode, Value),
    NoContent,
    /// A bill file: unsigned.
    File(Vec<u8>),
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Answer {
    Answer::Json(status, json!({ "code": code, "message": message.into() }))
}

fn ok(value: impl serde::Serialize) -> Answer {
    Answer::Json(StatusCode::OK, serde_json::to_value(value).expect("answers serialise"))
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let by_public_key = headers
        .get(HEADER_SERIAL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|serial| serial.starts_with(PUB_KEY_ID_PREFIX));
    let answer = match dispatch(&shared, &method, &uri, &headers, &body).await {
        Ok(answer) | Err(answer) => answer,
    };
    respond(&shared, answer, by_public_key)
}

async fn dispatch(
    shared: &Arc<Shared>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Answer, Answer> {
    let body =
        std::str::from_utf8(body).map_err(|_| error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "请求体不是 UTF-8"))?;
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    authenticate(shared, method.as_str(), path_and_query, headers, body)?;
    let query = parse_query(uri.query().unwrap_or(""));
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["v3", "pay", "transactions", kind @ ("native" | "jsapi")]) => create_order(shared, kind, body).await,
        ("GET", ["v3", "pay", "transactions", "out-trade-no", no]) => {
            check_mchid(shared, query.get("mchid"))?;
            let book = shared.book.lock().await;
            let order = book.orders.get(*no).ok_or_else(order_not_found)?;
            Ok(ok(order.transaction(&shared.cfg)))
        }
        ("GET", ["v3", "pay", "transactions", "id", id]) => {
            check_mchid(shared, query.get("mchid"))?;
            let book = shared.book.lock().await;
            let order = book.order_by_transaction_id(id).ok_or_else(order_not_found)?;
            Ok(ok(order.transaction(&shared.cfg)))
        }
        ("POST", ["v3", "pay", "transactions", "out-trade-no", no, "close"]) => close(shared, no, body).await,
        ("POST", ["v3", "refund", "domestic", "refunds"]) => refund(shared, body).await,
        ("GET", ["v3", "refund", "domestic", "refunds", no]) => {
            let no = percent_encoding::percent_decode_str(no).decode_utf8_lossy();
            let book = shared.book.lock().await;
            let record = book
                .refunds
                .get(no.as_ref())
                .ok_or_else(|| error(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "退款单不存在"))?;
            Ok(ok(record.answer()))
        }
        ("GET", ["v3", "bill", "tradebill"]) => trade_bill(shared, &query).await,
        ("GET", ["v3", "billdownload", "file"]) => {
            let book = shared.book.lock().await;
            let file = query.get("token").and_then(|token| book.bills.get(token));
            let file = file.ok_or_else(|| error(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "账单文件不存在"))?;
            Ok(Answer::File(file.clone()))
        }
        _ => Err(error(StatusCode::NOT_FOUND, "NOT_FOUND", format!("{method} {} 不存在", uri.path()))),
    }
}

/// WeChat's gateway checks: a readable header for this merchant and certificate, a fresh
/// timestamp, and a signature over exactly what arrived.
fn authenticate(
    shared: &Shared,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &str,
) -> Result<(), Answer> {
    let cfg = &shared.cfg;
    let sign_error = |message: &str| error(StatusCode::UNAUTHORIZED, "SIGN_ERROR", message);
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| sign_error("缺少 Authorization 请求头"))?;
    let auth = Authorization::parse(value).map_err(|e| sign_error(&format!("Authorization 格式错误: {e}")))?;
    if auth.mchid != cfg.mchid {
        return Err(sign_error("商户号与请求头不匹配"));
    }
    if !auth.serial_no.eq_ignore_ascii_case(&cfg.merchant_serial_no) {
        return Err(sign_error("商户证书序列号有误"));
    }
    if (Utc::now().timestamp() - auth.timestamp).abs() > TIMESTAMP_WINDOW_SECS {
        return Err(sign_error("请求时间戳已过期"));
    }
    if !auth.verify(&cfg.merchant_public_key, method, path_and_query, body) {
        return Err(sign_error("签名错误"));
    }
    Ok(())
}

fn respond(shared: &Shared, answer: Answer, by_public_key: bool) -> Response {
    let (status, body, content_type, signed) = match answer {
        Answer::Json(status, value) => {
            (status, serde_json::to_vec(&value).expect("JSON serialises"), Some("application/json"), true)
        }
        Answer::NoContent => (StatusCode::NO_CONTENT, Vec::new(), None, true),
        Answer::File(bytes) => (StatusCode::OK, bytes, Some("text/plain; charset=utf-8"), false),
    };
    let mut headers = HeaderMap::new();
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().simple().to_string()) {
        headers.insert("Request-ID", id);
    }
    if let Some(content_type) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    if signed {
        let cfg = &shared.cfg;
        let serial = if by_public_key { &cfg.platform_public_key_id } else { &cfg.platform_certificate_serial };
        let nonce = random_alphanumeric(32);
        match SignatureHeaders::sign(&cfg.platform_key, serial, Utc::now().timestamp(), &nonce, &body) {
            Ok(signature) => signature.insert_into(&mut headers),
            // WeChat never answers unsigned with success; the client treats this as a failure.
            Err(err) => return (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
        }
    }
    (status, headers, body).into_response()
}

fn parse_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
            (decode(name), decode(value))
        })
        .collect()
}

fn param_error(message: impl Into<String>) -> Answer {
    error(StatusCode::BAD_REQUEST, "PARAM_ERROR", message)
}

fn order_not_found() -> Answer {
    error(StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在")
}

fn check_mchid(shared: &Shared, mchid: Option<&String>) -> Result<(), Answer> {
    match mchid {
        Some(mchid) if *mchid == shared.cfg.mchid => Ok(()),
        Some(_) => Err(error(StatusCode::BAD_REQUEST, "MCH_NOT_EXISTS", "商户号不存在")),
        None => Err(param_error("缺少参数 mchid")),
    }
}

async fn create_order(shared: &Shared, kind: &str, body: &str) -> Result<Answer, Answer> {
    let request: OrderRequest = serde_json::from_str(body).map_err(|e| param_error(format!("请求体无法解析: {e}")))?;
    request.validate().map_err(|e| param_error(e.to_string()))?;
    check_mchid(shared, Some(&request.mchid))?;
    if request.appid != shared.cfg.appid {
        return Err(error(StatusCode::BAD_REQUEST, "APPID_MCHID_NOT_MATCH", "AppID和mch_id不匹配"));
    }
    let trade_type = if kind == "jsapi" { "JSAPI" } else { "NATIVE" };
    if trade_type == "JSAPI" && request.payer.is_none() {
        return Err(param_error("缺少参数 payer.openid"));
    }
    let answer_of = |code: &str| {
        if trade_type == "JSAPI" { json!({ "prepay_id": code }) } else { json!({ "code_url": code }) }
    };
    let mut book = shared.book.lock().await;
    if let Some(existing) = book.orders.get(&request.out_trade_no) {
        return match existing.state {
            TradeState::Closed => Err(error(StatusCode::BAD_REQUEST, "ORDER_CLOSED", "订单已关闭")),
            state if state.is_paid() => Err(error(StatusCode::BAD_REQUEST, "ORDERPAID", "订单已支付")),
            // The same order sent again (a retry) gets the same answer.
            _ if existing.request == request && existing.trade_type == trade_type => {
                Ok(Answer::Json(StatusCode::OK, answer_of(&existing.answer)))
            }
            _ => Err(error(StatusCode::BAD_REQUEST, "OUT_TRADE_NO_USED", "商户订单号重复")),
        };
    }
    let code = if trade_type == "JSAPI" {
        format!(
            "wx{}{}",
            Utc::now().with_timezone(&crate::pay::wechat::model::beijing()).format("%d%H%M%S"),
            random_alphanumeric(26)
        )
    } else {
        // A real code reads `weixin://wxpay/bizpayurl?pr=…`, which only WeChat opens; the
        // simulator's opens its scan page in any browser, standing in for the payer's phone.
        format!("{}/scan/{}", shared.base_url, request.out_trade_no)
    };
    let order = Order {
        openid: request.payer.as_ref().map(|payer| payer.openid.clone()),
        request,
        trade_type,
        answer: code.clone(),
        state: TradeState::NotPay,
        transaction_id: None,
        success_time: None,
        refunded: 0,
    };
    book.orders.insert(order.request.out_trade_no.clone(), order);
    Ok(Answer::Json(StatusCode::OK, answer_of(&code)))
}

async fn close(shared: &Shared, out_trade_no: &str, body: &str) -> Result<Answer, Answer> {
    let request: CloseRequest = serde_json::from_str(body).map_err(|e| param_error(format!("请求体无法解析: {e}")))?;
    check_mchid(shared, Some(&request.mchid))?;
    let mut book = shared.book.lock().await;
    let order = book.orders.get_mut(out_trade_no).ok_or_else(order_not_found)?;
    match order.state {
        TradeState::NotPay | TradeState::UserPaying | TradeState::PayError => order.state = TradeState::Closed,
        TradeState::Closed => {}
        _ => return Err(error(StatusCode::BAD_REQUEST, "ORDERPAID", "订单已支付")),
    }
    Ok(Answer::NoContent)
}

async fn refund(shared: &Arc<Shared>, body: &str) -> Result<Answer, Answer> {
    let request: RefundRequest = serde_json::from_str(body).map_err(|e| param_error(format!("请求体无法解析: {e}")))?;
    request.validate().map_err(|e| param_error(e.to_string()))?;
    let now = Utc::now();
    let mut book = shared.book.lock().await;
    let out_trade_no = match (&request.out_trade_no, &request.transaction_id) {
        (Some(no), _) => book.orders.get(no).map(|order| order.request.out_trade_no.clone()),
        (None, Some(id)) => book.order_by_transaction_id(id).map(|order| order.request.out_trade_no.clone()),
        (None, None) => None,
    }
    .ok_or_else(|| error(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "订单不存在"))?;
    if let Some(existing) = book.refunds.get(&request.out_refund_no) {
        // Each out_refund_no is refunded once: a retry gets the same refund.
        return if existing.out_trade_no == out_trade_no {
            Ok(ok(existing.answer()))
        } else {
            Err(error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "商户退款单号已用于其他订单"))
        };
    }
    let refund_id = book.refund_id(now);
    let order = book.orders.get_mut(&out_trade_no).ok_or_else(order_not_found)?;
    if !order.state.is_paid() {
        return Err(error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "订单未支付，不能退款"));
    }
    if request.amount.total != order.total() {
        return Err(param_error("订单金额与原订单不一致"));
    }
    if order.refunded + request.amount.refund > order.total() {
        return Err(error(StatusCode::FORBIDDEN, "NOT_ENOUGH", "申请退款金额超过订单可退金额"));
    }
    order.refunded += request.amount.refund;
    order.state = TradeState::Refund;
    let record = RefundRecord {
        refund_id,
        out_refund_no: request.out_refund_no.clone(),
        out_trade_no,
        transaction_id: order.transaction_id.clone().unwrap_or_default(),
        refund: request.amount.refund,
        total: order.total(),
        status: RefundStatus::Processing,
        created_at: now,
        success_time: None,
        notify_url: request.notify_url.clone().unwrap_or_else(|| order.request.notify_url.clone()),
    };
    let answer = record.answer();
    book.refunds.insert(record.out_refund_no.clone(), record);
    drop(book);
    // The money goes back after the answer, as WeChat's does (PROCESSING, then SUCCESS).
    let shared = Arc::clone(shared);
    let out_refund_no = request.out_refund_no;
    tokio::spawn(async move { state::complete_refund(&shared, &out_refund_no).await });
    Ok(ok(answer))
}

async fn trade_bill(shared: &Shared, query: &HashMap<String, String>) -> Result<Answer, Answer> {
    let date = query
        .get("bill_date")
        .and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok())
        .ok_or_else(|| param_error("bill_date 应为 YYYY-MM-DD"))?;
    let bill_type = match query.get("bill_type").map_or("ALL", String::as_str) {
        "ALL" => BillType::All,
        "SUCCESS" => BillType::Success,
        "REFUND" => BillType::Refund,
        _ => return Err(param_error("bill_type 应为 ALL、SUCCESS 或 REFUND")),
    };
    let mut book = shared.book.lock().await;
    let text = bill::trade_bill(&book, &shared.cfg, date, bill_type)
        .ok_or_else(|| error(StatusCode::BAD_REQUEST, "NO_STATEMENT_EXIST", "该日期无账单"))?;
    let hash_value = hex::encode(Sha1::digest(text.as_bytes()));
    let token = random_alphanumeric(32);
    book.bills.insert(token.clone(), text.into_bytes());
    Ok(ok(TradeBillAnswer {
        hash_type: "SHA1".to_owned(),
        hash_value,
        download_url: format!("{}/v3/billdownload/file?token={token}", shared.base_url),
    }))
}
