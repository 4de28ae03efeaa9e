//! Aliyun's `dysmsapi` as far as `SendSms` goes, with both of its signatures:
//!
//! - ACS3-HMAC-SHA256 (what Aliyun's current SDKs send): `x-acs-*` headers and an
//!   `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` header, the
//!   parameters in the query string or a form body;
//! - the RPC signature v1 (HMAC-SHA1): every parameter, common ones included, in the query (GET)
//!   or a form body (POST).
//!
//! Each is checked with the configured secret; answers carry Aliyun's error codes and HTTP statuses.

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State as Shared};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use chrono::{NaiveDateTime, Utc};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::json;

use super::{
    SentSms, SimulatorConfig, SimulatorHandle, State, THROTTLE_TEMPLATES, mainland_mobile, render_named, serve,
};
use crate::sms::aliyun::{ACS3, API_VERSION, Acs3Request, TIMESTAMP_FORMAT, hashed_payload, sign, sign_acs3};
use crate::sms::form::parse_form;

/// Starts an Aliyun SMS simulator on `cfg.bind`.
pub async fn start_aliyun(cfg: SimulatorConfig) -> std::io::Result<SimulatorHandle> {
    let bind = cfg.bind;
    let state = State::new(cfg);
    let log = state.log.clone();
    serve(bind, router(state), log).await
}

/// The simulator speaks Aliyun's protocol; it is not part of Linli's OpenAPI document.
#[allow(clippy::disallowed_methods)]
fn router(state: Arc<State>) -> Router {
    Router::new().route("/", any(handle)).with_state(state)
}

/// An answer other than OK: Aliyun's HTTP status, code and message.
struct Refusal {
    status: StatusCode,
    code: String,
    message: String,
}

fn refuse(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Refusal {
    Refusal { status, code: code.into(), message: message.into() }
}

/// Business refusals come with HTTP 200 and the reason in `Code`, as Aliyun answers them.
fn refuse_isv(code: &str, message: impl Into<String>) -> Refusal {
    refuse(StatusCode::OK, code, message)
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({
            "RequestId": request_id(),
            "HostId": "dysmsapi.aliyuncs.com",
            "Code": self.code,
            "Message": self.message,
        });
        (self.status, axum::Json(body)).into_response()
    }
}

fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

async fn handle(
    Shared(state): Shared<Arc<State>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = match headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(authorization) => {
            acs3(&state, &method, query.as_deref().unwrap_or(""), &headers, authorization, &body).await
        }
        None => v1(&state, &method, query.as_deref().unwrap_or(""), &body).await,
    };
    match result {
        Ok(params) => match send_sms(&state, &params).await {
            Ok(biz_id) => {
                axum::Json(json!({"RequestId": request_id(), "Message": "OK", "BizId": biz_id, "Code": "OK"}))
                    .into_response()
            }
            Err(refusal) => refusal.into_response(),
        },
        Err(refusal) => refusal.into_response(),
    }
}

/// Parameter lookup in a request's list, first occurrence.
fn lookup<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn missing(name: &str) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, format!("Missing{name}"), format!("{name} is mandatory for this action."))
}

fn unknown_action() -> Refusal {
    refuse(
        StatusCode::NOT_FOUND,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    )
}

fn unknown_version() -> Refusal {
    refuse(StatusCode::BAD_REQUEST, "InvalidVersion", "Specified parameter Version is not valid.")
}

fn unknown_key() -> Refusal {
    refuse(StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
}

/// Checks a request's date (`Timestamp` or `x-acs-date`) against the simulator's clock.
fn check_date(state: &State, date: &str) -> Result<(), Refusal> {
    let Ok(sent_at) = NaiveDateTime::parse_from_str(date, TIMESTAMP_FORMAT) else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ));
    };
    if state.timestamp_is_fresh(sent_at.and_utc()) {
        Ok(())
    } else {
        Err(refuse(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ))
    }
}

async fn check_nonce(state: &State, nonce: &str) -> Result<(), Refusal> {
    if state.first_use_of_nonce(nonce).await {
        Ok(())
    } else {
        Err(refuse(StatusCode::BAD_REQUEST, "SignatureNonceUsed", "Specified signature nonce was used already."))
    }
}

fn signature_mismatch(string_to_sign: &str) -> Refusal {
    refuse(
        StatusCode::BAD_REQUEST,
        "SignatureDoesNotMatch",
        format!("Specified signature does not match our calculation. server string to sign is:{string_to_sign}"),
    )
}

/// The parameters the RPC signature v1 needs on top of the business ones.
const V1_REQUIRED: [&str; 8] = [
    "AccessKeyId",
    "Action",
    "Version",
    "Signature",
    "SignatureNonce",
    "Timestamp",
    "SignatureMethod",
    "SignatureVersion",
];

/// RPC signature v1, in the order Aliyun checks: parameters, key, timestamp, signature, nonce,
/// action. Answers all the request's parameters.
async fn v1(state: &State, method: &Method, query: &str, body: &[u8]) -> Result<Vec<(String, String)>, Refusal> {
    let mut params = parse_form(query);
    if method == Method::POST {
        params.extend(parse_form(&String::from_utf8_lossy(body)));
    }
    if let Some(name) = V1_REQUIRED.iter().find(|name| lookup(&params, name).is_none_or(str::is_empty)) {
        return Err(missing(name));
    }
    let value = |name: &str| lookup(&params, name).unwrap_or_default();
    if value("AccessKeyId") != state.cfg.key_id {
        return Err(unknown_key());
    }
    check_date(state, value("Timestamp"))?;
    let expected = sign(method.as_str(), &params, &state.cfg.secret);
    if expected.signature != value("Signature") {
        return Err(signature_mismatch(&expected.string_to_sign));
    }
    check_nonce(state, value("SignatureNonce")).await?;
    if value("Action") != "SendSms" {
        return Err(unknown_action());
    }
    if value("Version") != API_VERSION {
        return Err(unknown_version());
    }
    Ok(params)
}

/// The parts of `Authorization: ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=hex`.
struct Acs3Authorization<'a> {
    access_key_id: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_acs3(value: &str) -> Option<Acs3Authorization<'_>> {
    let fields = value.strip_prefix(ACS3)?.strip_prefix(' ')?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for field in fields.split(',').map(str::trim) {
        let (name, value) = field.split_once('=')?;
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let signed_headers: Vec<&str> = signed_headers?.split(';').collect();
    Some(Acs3Authorization {
        access_key_id: credential.filter(|c| !c.is_empty())?,
        signed_headers,
        signature: signature.filter(|s| !s.is_empty())?,
    })
}

/// The `x-acs-*` headers a V3 request must carry (and sign).
const ACS3_HEADERS: [&str; 5] =
    ["x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"];

fn incomplete_signature(why: &str) -> Refusal {
    refuse(
        StatusCode::BAD_REQUEST,
        "IncompleteSignature",
        format!("The request signature does not conform to Aliyun standards. {why}"),
    )
}

/// ACS3-HMAC-SHA256, in the order Aliyun checks: the header's form and the signed headers, key,
/// date, body hash, signature, nonce, action and version. Answers the business parameters: the
/// query's and a form body's.
async fn acs3(
    state: &State,
    method: &Method,
    query: &str,
    headers: &HeaderMap,
    authorization: &str,
    body: &[u8],
) -> Result<Vec<(String, String)>, Refusal> {
    let auth = parse_acs3(authorization).ok_or_else(|| incomplete_signature("Check the Authorization header."))?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(name) = ACS3_HEADERS.iter().find(|name| header(name).is_none_or(str::is_empty)) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            format!("{name} is mandatory for this action."),
        ));
    }
    // `host`, every `x-acs-*` header and the body's type must be signed; whatever else the client
    // chose to sign (its SDK may sign `accept` or `user-agent`) is checked as well.
    let must_sign = headers
        .keys()
        .map(axum::http::HeaderName::as_str)
        .filter(|name| *name == "host" || *name == "content-type" || name.starts_with("x-acs-"));
    for name in must_sign {
        if !auth.signed_headers.contains(&name) {
            return Err(incomplete_signature(&format!("SignedHeaders lacks {name}.")));
        }
    }
    let mut signed = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let values: Vec<&str> = headers.get_all(*name).iter().filter_map(|v| v.to_str().ok()).collect();
        if values.is_empty() || *name != name.to_ascii_lowercase() {
            return Err(incomplete_signature(&format!("Signed header {name} is not in the request.")));
        }
        signed.extend(values.into_iter().map(|v| ((*name).to_owned(), v.to_owned())));
    }
    if auth.access_key_id != state.cfg.key_id {
        return Err(unknown_key());
    }
    let value = |name: &str| header(name).unwrap_or_default();
    check_date(state, value("x-acs-date"))?;
    let mut params = parse_form(query);
    let expected = sign_acs3(
        &Acs3Request { method: method.as_str(), path: "/", query: &params, headers: &signed, payload: body },
        auth.access_key_id,
        &state.cfg.secret,
    );
    if value("x-acs-content-sha256") != hashed_payload(body) || expected.signature != auth.signature {
        return Err(signature_mismatch(&expected.string_to_sign));
    }
    check_nonce(state, value("x-acs-signature-nonce")).await?;
    if value("x-acs-action") != "SendSms" {
        return Err(unknown_action());
    }
    if value("x-acs-version") != API_VERSION {
        return Err(unknown_version());
    }
    let form = header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        params.extend(parse_form(&String::from_utf8_lossy(body)));
    }
    Ok(params)
}

/// The business part of `SendSms`, once the request is authenticated.
async fn send_sms(state: &State, params: &[(String, String)]) -> Result<String, Refusal> {
    if let Some(name) =
        ["PhoneNumbers", "SignName", "TemplateCode"].iter().find(|name| lookup(params, name).is_none_or(str::is_empty))
    {
        return Err(missing(name));
    }
    let value = |name: &str| lookup(params, name).unwrap_or_default();
    let phones: Option<Vec<String>> = value("PhoneNumbers").split(',').map(|p| mainland_mobile(p.trim())).collect();
    let Some(phones) = phones else {
        return Err(refuse_isv("isv.MOBILE_NUMBER_ILLEGAL", "手机号码格式错误"));
    };
    let sign_name = value("SignName");
    if !state.sign_is_approved(sign_name) {
        return Err(refuse_isv("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)"));
    }
    let limit = state.cfg.max_per_phone_per_minute;
    let template_code = value("TemplateCode");
    if THROTTLE_TEMPLATES.contains(&template_code) {
        return Err(refuse_isv("isv.BUSINESS_LIMIT_CONTROL", format!("触发分钟级流控Permits:{limit}")));
    }
    let Some(template) = state.cfg.templates.get(template_code) else {
        return Err(refuse_isv("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)"));
    };
    let template_params = match lookup(params, "TemplateParam") {
        None | Some("") => Vec::new(),
        Some(text) => match serde_json::from_str::<OrderedStrings>(text) {
            Ok(OrderedStrings(pairs)) => pairs,
            Err(_) => return Err(refuse_isv("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")),
        },
    };
    let body = render_named(template, &template_params)
        .map_err(|name| refuse_isv("isv.TEMPLATE_MISSING_PARAMETERS", format!("模板缺少变量: {name}")))?;
    for phone in &phones {
        if !state.admit(phone).await {
            return Err(refuse_isv("isv.BUSINESS_LIMIT_CONTROL", format!("触发分钟级流控Permits:{limit}")));
        }
    }

    // Aliyun's BizId: a long number, `^0`, one per request whatever the count of numbers.
    let biz_id = format!("{:018}^0", uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000_000_000);
    for phone in phones {
        state
            .log
            .push(SentSms {
                provider: "aliyun",
                message_id: biz_id.clone(),
                phone,
                sign_name: sign_name.to_owned(),
                template_code: template_code.to_owned(),
                params: template_params.clone(),
                text: format!("【{sign_name}】{body}"),
                received_at: Utc::now(),
            })
            .await;
    }
    Ok(biz_id)
}

/// A JSON object of strings, in the request's order (Aliyun rejects non-string values).
struct OrderedStrings(Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedStrings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = OrderedStrings;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedStrings, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(OrderedStrings(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_param_keeps_the_order_it_was_written_in() {
        let OrderedStrings(pairs) = serde_json::from_str(r#"{"name":"张三","amount":"1.00"}"#).unwrap();
        assert_eq!(pairs, vec![("name".into(), "张三".into()), ("amount".into(), "1.00".into())]);
        assert!(serde_json::from_str::<OrderedStrings>(r#"{"amount":1}"#).is_err());
    }

    #[test]
    fn the_acs3_authorization_header_is_read_into_its_parts() {
        let auth =
            parse_acs3("ACS3-HMAC-SHA256 Credential=LTAI5t,SignedHeaders=host;x-acs-action,Signature=abc").unwrap();
        assert_eq!((auth.access_key_id, auth.signature), ("LTAI5t", "abc"));
        assert_eq!(auth.signed_headers, ["host", "x-acs-action"]);
        assert!(parse_acs3("ACS3-HMAC-SHA256 Credential=LTAI5t,SignedHeaders=host").is_none());
        assert!(parse_acs3("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abc").is_none());
        assert!(parse_acs3("TC3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=abc").is_none());
    }
}
