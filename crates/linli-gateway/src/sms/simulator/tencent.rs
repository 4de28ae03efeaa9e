//! Tencent Cloud's `sms.tencentcloudapi.com` as far as `SendSms` goes: a JSON POST, or the GET form
//! Tencent's SDKs can send (the parameters in the query string, lists as `PhoneNumberSet.0=…`),
//! with `X-TC-*` headers (`X-TC-Region` required, as the real service requires it),
//! TC3-HMAC-SHA256 checked with the configured key over the headers, query and body as received,
//! every answer HTTP 200 with `Response.Error` or a `SendStatusSet` entry per number.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State as Shared};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{
    SentSms, SimulatorConfig, SimulatorHandle, State, THROTTLE_TEMPLATES, mainland_mobile, render_numbered, serve,
};
use crate::sms::form::parse_form;
use crate::sms::tencent::{ACTION, ALGORITHM, API_VERSION, SERVICE, SendSmsBody, Tc3Request, sign, utc_date};

/// The regions Tencent Cloud SMS serves (`X-TC-Region`).
const SMS_REGIONS: [&str; 3] = ["ap-beijing", "ap-guangzhou", "ap-nanjing"];

/// Starts a Tencent Cloud SMS simulator on `cfg.bind`.
pub async fn start_tencent(cfg: SimulatorConfig) -> std::io::Result<SimulatorHandle> {
    let bind = cfg.bind;
    let state = State::new(cfg);
    let log = state.log.clone();
    serve(bind, router(state), log).await
}

/// The simulator speaks Tencent's protocol; it is not part of Linli's OpenAPI document.
#[allow(clippy::disallowed_methods)]
fn router(state: Arc<State>) -> Router {
    Router::new().route("/", any(handle)).with_state(state)
}

/// A whole-request refusal: `Response.Error`.
struct ApiError {
    code: &'static str,
    message: String,
}

fn error(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError { code, message: message.into() }
}

fn answer(mut response: Value) -> Response {
    response["RequestId"] = json!(uuid::Uuid::new_v4().to_string());
    axum::Json(json!({ "Response": response })).into_response()
}

async fn handle(
    Shared(state): Shared<Arc<State>>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match send_sms(&state, &method, query.as_deref().unwrap_or(""), &headers, &body).await {
        Ok(statuses) => answer(json!({ "SendStatusSet": statuses })),
        Err(ApiError { code, message }) => answer(json!({ "Error": { "Code": code, "Message": message } })),
    }
}

/// The parts of `Authorization: TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
/// SignedHeaders=…, Signature=…`.
struct Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let fields = value.strip_prefix(ALGORITHM)?.trim_start();
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
    let mut scope = credential?.split('/');
    let (secret_id, date, service) = (scope.next()?, scope.next()?, scope.next()?);
    if scope.next()? != "tc3_request" || scope.next().is_some() {
        return None;
    }
    Some(Authorization { secret_id, date, service, signed_headers: signed_headers?, signature: signature? })
}

/// Checks in the order Tencent's gateway does: headers, key, timestamp, signature, then the SMS
/// service's own rules, the last ones per number.
async fn send_sms(
    state: &State,
    method: &Method,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<Value>, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // GET carries the parameters in the query and signs it; POST signs an empty query and the body.
    let (canonical_query, payload): (&str, &[u8]) = if method == Method::POST {
        ("", body)
    } else if method == Method::GET {
        (query, b"")
    } else {
        return Err(error("InvalidParameter", "The simulator takes POST with a JSON body or GET."));
    };
    let missing =
        |name: &str| error("MissingParameter", format!("The request is missing a required parameter `{name}`."));
    let action = header("x-tc-action").ok_or_else(|| missing("Action"))?;
    let timestamp = header("x-tc-timestamp").ok_or_else(|| missing("Timestamp"))?;
    let region = header("x-tc-region").filter(|r| !r.is_empty()).ok_or_else(|| missing("Region"))?;
    let timestamp: i64 =
        timestamp.parse().map_err(|_| error("InvalidParameterValue", format!("Invalid Timestamp `{timestamp}`.")))?;
    let auth = header("authorization")
        .and_then(parse_authorization)
        .ok_or_else(|| error("AuthFailure.InvalidAuthorization", "Check `Authorization` header."))?;
    if auth.secret_id != state.cfg.key_id {
        return Err(error(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    }
    let sent_at = DateTime::<Utc>::from_timestamp(timestamp, 0).unwrap_or_default();
    if !state.timestamp_is_fresh(sent_at) {
        return Err(error(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired. Timestamp and server time cannot differ by more than {} seconds.",
                state.cfg.timestamp_window.as_secs()
            ),
        ));
    }
    let signature_failure = || {
        error(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    };
    let sign_action = match auth.signed_headers {
        "content-type;host" => false,
        "content-type;host;x-tc-action" => true,
        _ => return Err(signature_failure()),
    };
    if auth.date != utc_date(timestamp) || auth.service != SERVICE {
        return Err(signature_failure());
    }
    let expected = sign(
        &Tc3Request {
            method: method.as_str(),
            host: header(header::HOST.as_str()).unwrap_or_default(),
            query: canonical_query,
            content_type: header(header::CONTENT_TYPE.as_str()).unwrap_or_default(),
            service: SERVICE,
            action,
            payload,
            timestamp,
            sign_action,
        },
        &state.cfg.key_id,
        &state.cfg.secret,
    );
    if expected.signature != auth.signature {
        return Err(signature_failure());
    }
    if action != ACTION {
        return Err(error("InvalidAction", format!("The requested action `{action}` does not exist.")));
    }
    if header("x-tc-version") != Some(API_VERSION) {
        return Err(error("NoSuchVersion", "The requested version does not exist or is not supported."));
    }

    if !SMS_REGIONS.contains(&region) {
        return Err(error("UnsupportedRegion", format!("The `Region` {region} is not supported by this API.")));
    }

    let request: SendSmsBody = if *method == Method::GET {
        from_query(query).map_err(missing)?
    } else {
        serde_json::from_slice(body)
            .map_err(|e| error("FailedOperation.JsonParseFail", format!("Failed to parse the request body: {e}")))?
    };
    if request.sms_sdk_app_id != state.cfg.sms_sdk_app_id {
        return Err(error(
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
            "SmsSdkAppId does not belong to this account.",
        ));
    }
    if request.phone_number_set.is_empty() {
        return Err(error("MissingParameter.EmptyPhoneNumberSet", "PhoneNumberSet is empty."));
    }
    if request.phone_number_set.len() > 200 {
        return Err(error("LimitExceeded.PhoneNumberCountLimit", "At most 200 numbers per request."));
    }
    if !state.sign_is_approved(&request.sign_name) {
        return Err(error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。"));
    }
    let throttled_template = THROTTLE_TEMPLATES.contains(&request.template_id.as_str());
    let text = if throttled_template {
        String::new()
    } else {
        let template = state
            .cfg
            .templates
            .get(&request.template_id)
            .ok_or_else(|| error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。"))?;
        render_numbered(template, &request.template_param_set).map_err(|()| {
            error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "请求内容与审核通过的模板内容不匹配。")
        })?
    };

    let mut statuses = Vec::with_capacity(request.phone_number_set.len());
    for number in &request.phone_number_set {
        let status = |code: &str, message: &str, serial_no: &str| {
            json!({
                "SerialNo": serial_no,
                "PhoneNumber": number,
                "Fee": u8::from(code == "Ok"),
                "SessionContext": "",
                "Code": code,
                "Message": message,
                "IsoCode": "CN",
            })
        };
        let Some(phone) = mainland_mobile(number) else {
            statuses.push(status("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误。", ""));
            continue;
        };
        if throttled_template || !state.admit(&phone).await {
            statuses.push(status("LimitExceeded.DeliveryFrequencyLimit", "下发短信命中了频率限制策略。", ""));
            continue;
        }
        let serial_no = format!("2645:{:020}", uuid::Uuid::new_v4().as_u128() % 100_000_000_000_000_000_000);
        state
            .log
            .push(SentSms {
                provider: "tencent",
                message_id: serial_no.clone(),
                phone,
                sign_name: request.sign_name.clone(),
                template_code: request.template_id.clone(),
                params: request
                    .template_param_set
                    .iter()
                    .enumerate()
                    .map(|(i, v)| ((i + 1).to_string(), v.clone()))
                    .collect(),
                text: format!("【{}】{text}", request.sign_name),
                received_at: Utc::now(),
            })
            .await;
        statuses.push(status("Ok", "send success", &serial_no));
    }
    Ok(statuses)
}

/// The parameters of a GET: `PhoneNumberSet.0=…&SmsSdkAppId=…&TemplateParamSet.0=…`, lists by
/// their index. Err names the first missing parameter.
fn from_query(query: &str) -> Result<SendSmsBody, &'static str> {
    let params = parse_form(query);
    let single = |name: &'static str| {
        params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty()).ok_or(name)
    };
    let list = |prefix: &str| {
        let mut items: Vec<(usize, String)> = params
            .iter()
            .filter_map(|(n, v)| Some((n.strip_prefix(prefix)?.strip_prefix('.')?.parse().ok()?, v.clone())))
            .collect();
        items.sort_by_key(|(i, _)| *i);
        items.into_iter().map(|(_, v)| v).collect::<Vec<_>>()
    };
    Ok(SendSmsBody {
        phone_number_set: list("PhoneNumberSet"),
        sms_sdk_app_id: single("SmsSdkAppId")?,
        sign_name: single("SignName")?,
        template_id: single("TemplateId")?,
        template_param_set: list("TemplateParamSet"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorization_header_is_read_into_its_parts() {
        let auth = parse_authorization(
            "TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/sms/tc3_request, SignedHeaders=content-type;host, Signature=abc",
        )
        .unwrap();
        assert_eq!((auth.secret_id, auth.date, auth.service), ("AKIDx", "2019-02-25", "sms"));
        assert_eq!((auth.signed_headers, auth.signature), ("content-type;host", "abc"));
        assert!(
            parse_authorization("TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/sms, SignedHeaders=a, Signature=b")
                .is_none()
        );
        assert!(parse_authorization("HMAC-SHA1 Credential=x").is_none());
    }

    #[test]
    fn the_get_form_reads_lists_by_their_index() {
        let body = from_query(
            "TemplateParamSet.1=5&PhoneNumberSet.0=%2B8613800138000&SmsSdkAppId=1400006666\
             &SignName=%E9%82%BB%E9%87%8C&TemplateId=1956123&TemplateParamSet.0=123456",
        )
        .unwrap();
        assert_eq!(body.phone_number_set, ["+8613800138000"]);
        assert_eq!(body.template_param_set, ["123456", "5"]);
        assert_eq!((body.sign_name.as_str(), body.template_id.as_str()), ("邻里", "1956123"));
        assert_eq!(from_query("SmsSdkAppId=1&SignName=x").err(), Some("TemplateId"));
    }
}
