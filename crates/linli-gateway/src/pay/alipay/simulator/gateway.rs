//! The simulator's HTTP side: `/gateway.do` (the Open Platform gateway), the cashier pages a
//! scan or a wap.pay opens, and the bill download.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::bill_file;
use super::notify::Faults;
use super::state::{Refusal, Shared};
use crate::pay::alipay::client::encode_form;
use crate::pay::alipay::model::{BILL_TYPE_TRADE, TradeStatus, fen_to_yuan, method, parse_timestamp, timestamp};
use crate::pay::alipay::sign::{self, answer_body, notification_content, response_root};

// The workspace's rule (routes through OpenApiRouter) is for Linli's own API, not a stand-in
// for someone else's.
#[allow(clippy::disallowed_methods)]
pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/gateway.do", any(gateway))
        .route("/qr/{trade_no}", get(cashier))
        .route("/cashier/{trade_no}/pay", post(cashier_pay))
        .route("/bill/trade/{file}", get(bill))
        .with_state(shared)
}

const METHODS: [&str; 6] =
    [method::PRECREATE, method::WAP_PAY, method::QUERY, method::CLOSE, method::REFUND, method::BILL_DOWNLOAD_URL];

/// A JSON answer under `root`, signed with the simulator's Alipay key.
fn answer(shared: &Shared, root: &str, content: &Value) -> Response {
    let content = content.to_string();
    let sign = shared.sign(&content);
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json;charset=utf-8")], answer_body(root, &content, &sign))
        .into_response()
}

/// An authenticated request: its method, parameters and `biz_content`.
struct Request {
    method: &'static str,
    params: Vec<(String, String)>,
    biz: Map<String, Value>,
}

impl Request {
    fn param(&self, name: &str) -> Option<&str> {
        lookup(&self.params, name)
    }
}

fn lookup<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// The checks Alipay's gateway makes before a method runs, in its order. The error carries the
/// method when it was known, so the refusal goes under that method's root.
fn authenticate(shared: &Shared, params: Vec<(String, String)>) -> Result<Request, (Option<&'static str>, Refusal)> {
    let known = lookup(&params, "method").and_then(|m| METHODS.iter().find(|known| **known == m).copied());
    let fail = |refusal: Refusal| Err((known, refusal));
    for (i, (name, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(earlier, _)| earlier == name) {
            return fail(Refusal::invalid("isv.invalid-parameter", format!("参数重复: {name}")));
        }
    }
    for (name, sub_code) in [
        ("app_id", "isv.missing-app-id"),
        ("method", "isv.missing-method"),
        ("sign_type", "isv.missing-signature-type"),
        ("sign", "isv.missing-signature"),
        ("timestamp", "isv.missing-timestamp"),
        ("version", "isv.missing-version"),
    ] {
        if lookup(&params, name).is_none() {
            return fail(Refusal::missing(sub_code, format!("缺少 {name} 参数")));
        }
    }
    let value = |name: &str| lookup(&params, name).unwrap_or_default();
    if value("app_id") != shared.cfg.app_id {
        return fail(Refusal::invalid("isv.invalid-app-id", "无效的AppID参数"));
    }
    let Some(method) = known else {
        return fail(Refusal::invalid("isv.invalid-method", "不存在的方法名"));
    };
    if lookup(&params, "format").is_some_and(|f| !f.eq_ignore_ascii_case("JSON")) {
        return fail(Refusal::invalid("isv.invalid-format", "无效的数据格式"));
    }
    if lookup(&params, "charset").is_some_and(|c| !c.eq_ignore_ascii_case("utf-8")) {
        return fail(Refusal::invalid("isv.invalid-charset", "字符集错误 (simulator: utf-8 only)"));
    }
    if value("sign_type") != "RSA2" {
        return fail(Refusal::invalid("isv.invalid-signature-type", "无效的签名类型"));
    }
    if parse_timestamp(value("timestamp")).is_none() {
        return fail(Refusal::invalid("isv.invalid-timestamp", "非法的时间戳参数"));
    }
    if value("version") != "1.0" {
        return fail(Refusal::invalid("isv.invalid-version", "无效的版本号"));
    }
    if !sign::verify_request(&params, value("sign"), &shared.cfg.app_public_key) {
        return fail(Refusal::invalid(
            "isv.invalid-signature",
            format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
                sign::request_content(&params)
            ),
        ));
    }
    let Ok(Value::Object(biz)) = serde_json::from_str::<Value>(lookup(&params, "biz_content").unwrap_or("{}")) else {
        return fail(Refusal::invalid("isv.invalid-parameter", "biz_content 不是 JSON 对象"));
    };
    Ok(Request { method, params, biz })
}

/// The query string and, for a form POST, the body: where Alipay's SDKs put the parameters.
fn request_params(method: &Method, query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("application/x-www-form-urlencoded"));
    if method == Method::POST && is_form {
        params.extend(form_urlencoded::parse(body).into_owned());
    }
    params
}

async fn gateway(
    State(shared): State<Arc<Shared>>,
    http_method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = request_params(&http_method, query.as_deref(), &headers, &body);
    let request = match authenticate(&shared, params) {
        Ok(request) => request,
        Err((Some(method::WAP_PAY), refusal)) => return error_page(&refusal),
        Err((known, refusal)) => {
            let root = known.map_or_else(|| "error_response".to_owned(), response_root);
            return answer(&shared, &root, &refusal.content());
        }
    };
    let outcome = match request.method {
        method::PRECREATE => shared.precreate(&request.biz, request.param("notify_url")).await,
        method::WAP_PAY => {
            return match shared.wap_pay(&request.biz, request.param("notify_url"), request.param("return_url")).await {
                Ok(trade_no) => cashier_page(&shared, &trade_no).await,
                Err(refusal) => error_page(&refusal),
            };
        }
        method::QUERY => shared.query(&request.biz).await,
        method::CLOSE => shared.close(&request.biz).await,
        method::REFUND => shared.refund(&request.biz).await,
        _ => bill_url(&shared, &request.biz),
    };
    let content = outcome.unwrap_or_else(|refusal| refusal.content());
    answer(&shared, &response_root(request.method), &content)
}

/// `alipay.data.dataservice.bill.downloadurl.query`: a day's bill exists once the day is over.
fn bill_url(shared: &Shared, biz: &Map<String, Value>) -> Result<Value, Refusal> {
    let text = |name: &str| biz.get(name).and_then(Value::as_str).unwrap_or_default();
    if text("bill_type") != BILL_TYPE_TRADE {
        return Err(Refusal::invalid("isv.invalid-parameter", "bill_type 不支持 (simulator: trade only)"));
    }
    let date = NaiveDate::parse_from_str(text("bill_date"), "%Y-%m-%d")
        .map_err(|_| Refusal::invalid("isv.invalid-parameter", "bill_date 格式错误"))?;
    if date >= shared.today() {
        return Err(Refusal::business("isp.bill_not_exist", "账单不存在"));
    }
    Ok(serde_json::json!({
        "code": "10000",
        "msg": "Success",
        "bill_download_url": format!("{}/bill/trade/{date}.csv.zip", shared.base_url),
    }))
}

async fn bill(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let date = file.strip_suffix(".csv.zip").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let Some(date) = date.filter(|d| *d < shared.today()) else {
        return (StatusCode::NOT_FOUND, "no such bill").into_response();
    };
    let account = format!("{}0156", shared.cfg.seller_id);
    let bytes = bill_file::zip(&account, &shared.orders.lock().await, date, shared.now());
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/zip")], bytes).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;max-width:28em;margin:2em auto\">{body}</body></html>",
        escape(title)
    ))
    .into_response()
}

fn error_page(refusal: &Refusal) -> Response {
    page(
        "支付宝 - 出错了",
        &format!("<h1>出错了</h1><p>{} {}</p><p>{}</p>", refusal.code, refusal.sub_code, escape(&refusal.sub_msg)),
    )
}

/// The page the payer's phone shows after scanning or opening a wap.pay URL.
async fn cashier_page(shared: &Shared, trade_no: &str) -> Response {
    let Some(order) = shared.order_by_trade_no(trade_no).await else {
        return (StatusCode::NOT_FOUND, "交易不存在").into_response();
    };
    let action = if order.status == TradeStatus::WaitBuyerPay {
        format!("<form method=\"post\" action=\"/cashier/{trade_no}/pay\"><button>确认付款</button></form>")
    } else {
        format!("<p>{}</p>", order.status)
    };
    page(
        "支付宝收银台（模拟）",
        &format!(
            "<h1>{}</h1><p style=\"font-size:2em\">￥{}</p><p>收款方：{}</p>{action}",
            escape(&order.subject),
            fen_to_yuan(order.total_fen),
            escape(&shared.cfg.seller_id)
        ),
    )
}

/// Scanning the QR code: the order now exists for query and close.
async fn cashier(State(shared): State<Arc<Shared>>, Path(trade_no): Path<String>) -> Response {
    if let Some(order) = shared.order_by_trade_no(&trade_no).await {
        let _ = shared.scan(&order.out_trade_no).await;
    }
    cashier_page(&shared, &trade_no).await
}

/// The payer confirms: paid, notified, and sent back to `return_url` with the signed result.
async fn cashier_pay(State(shared): State<Arc<Shared>>, Path(trade_no): Path<String>) -> Response {
    let Some(order) = shared.order_by_trade_no(&trade_no).await else {
        return (StatusCode::NOT_FOUND, "交易不存在").into_response();
    };
    if let Err(err) = Shared::pay(&shared, &order.out_trade_no, Faults::default()).await {
        return page("支付宝", &format!("<p>{}</p>", escape(&err.to_string())));
    }
    let Some(return_url) = &order.return_url else {
        return page("支付成功", "<h1>支付成功</h1>");
    };
    let cfg = &shared.cfg;
    let mut params: Vec<(String, String)> = [
        ("charset", "utf-8".to_owned()),
        ("out_trade_no", order.out_trade_no.clone()),
        ("method", format!("{}.return", method::WAP_PAY)),
        ("total_amount", fen_to_yuan(order.total_fen)),
        ("trade_no", order.trade_no.clone()),
        ("auth_app_id", cfg.app_id.clone()),
        ("version", "1.0".to_owned()),
        ("app_id", cfg.app_id.clone()),
        ("seller_id", cfg.seller_id.clone()),
        ("timestamp", timestamp(shared.now())),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect();
    let sign = shared.sign(&notification_content(&params));
    params.push(("sign".to_owned(), sign));
    params.push(("sign_type".to_owned(), "RSA2".to_owned()));
    let separator = if return_url.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{return_url}{separator}{}", encode_form(&params))).into_response()
}
