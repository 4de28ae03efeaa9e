//! Aliyun's `dysmsapi` as far as `SendSms` goes: RPC parameters in the query (GET) or a form body
//! (POST), signature v1 checked with the configured secret, Aliyun's error codes and HTTP statuses.

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State as Shared};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use chrono::{NaiveDateTime, Utc};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::json;

use super::{
    SentSms, SimulatorConfig, SimulatorHandle, State, THROTTLE_TEMPLATES, mainland_mobile, render_named, serve,
};
use crate::sms::aliyun::{API_VERSION, TIMESTAMP_FORMAT, sign};
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

async fn handle(Shared(state): Shared<Arc<State>>, method: Method, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let mut params = parse_form(query.as_deref().unwrap_or(""));
    if method == Method::POST {
        params.extend(parse_form(&String::from_utf8_lossy(&body)));
    }
    match send_sms(&state, method.as_str(), &params).await {
        Ok(biz_id) => axum::Json(json!({"RequestId": request_id(), "Message": "OK", "BizId": biz_id, "Code": "OK"}))
            .into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// The parameters without which Aliyun answers `Missing{Name}`.
const REQUIRED: [&str; 11] = [
    "AccessKeyId",
    "Action",
    "Version",
    "Signature",
    "SignatureNonce",
    "Timestamp",
    "SignatureMethod",
    "SignatureVersion",
    "PhoneNumbers",
    "SignName",
    "TemplateCode",
];

/// Checks in the order Aliyun does: parameters, key, timestamp, signature, nonce, then the business.
async fn send_sms(state: &State, method: &str, params: &[(String, String)]) -> Result<String, Refusal> {
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if let Some(missing) = REQUIRED.iter().find(|name| get(name).is_none_or(str::is_empty)) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("Missing{missing}"),
            format!("{missing} is mandatory for this action."),
        ));
    }
    let value = |name: &str| get(name).unwrap_or_default();

    if value("AccessKeyId") != state.cfg.key_id {
        return Err(refuse(StatusCode::NOT_FOUND, "InvalidAccessKeyId.NotFound", "Specified access key is not found."));
    }
    let Ok(sent_at) = NaiveDateTime::parse_from_str(value("Timestamp"), TIMESTAMP_FORMAT) else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Format",
            "Specified time stamp or date value is not well formatted.",
        ));
    };
    if !state.timestamp_is_fresh(sent_at.and_utc()) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    let expected = sign(method, params, &state.cfg.secret);
    if expected.signature != value("Signature") {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature does not match our calculation. server string to sign is:{}",
                expected.string_to_sign
            ),
        ));
    }
    if !state.first_use_of_nonce(value("SignatureNonce")).await {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    if value("Action") != "SendSms" {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ));
    }
    if value("Version") != API_VERSION {
        return Err(refuse(StatusCode::BAD_REQUEST, "InvalidVersion", "Specified parameter Version is not valid."));
    }

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
    let template_params = match get("TemplateParam") {
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
}
