//! Tencent Cloud SMS `SendSms`: API 3.0, version 2021-01-11, JSON POST signed with
//! TC3-HMAC-SHA256 ("签名方法 v3"). The signing here is generic over product, action and payload,
//! so it is checked against Tencent's published CVM example as well as used for SMS.

use std::fmt::{self, Write as _};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{SmsError, SmsMessage, SmsProvider, SmsReceipt, host_header, transport_error};
use crate::http::snippet;

pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
pub const DEFAULT_REGION: &str = "ap-guangzhou";
pub const SERVICE: &str = "sms";
pub const ACTION: &str = "SendSms";
pub const API_VERSION: &str = "2021-01-11";
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// Signed as sent: a client library that appends its own charset would break the signature.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

#[derive(Clone)]
pub struct TencentConfig {
    /// Base URL; the simulator's `base_url` in tests and the demo.
    pub endpoint: String,
    pub secret_id: String,
    pub secret_key: String,
    pub region: String,
    /// The SMS application (短信应用) the templates and signs belong to, e.g. `1400006666`.
    pub sms_sdk_app_id: String,
    /// Whole-request timeout; a timeout is a [`SmsError::Transport`].
    pub timeout: Duration,
}

impl TencentConfig {
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>, sms_sdk_app_id: impl Into<String>) -> Self {
        TencentConfig {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            secret_id: secret_id.into(),
            secret_key: secret_key.into(),
            region: DEFAULT_REGION.to_owned(),
            sms_sdk_app_id: sms_sdk_app_id.into(),
            timeout: Duration::from_secs(10),
        }
    }

    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }
}

// The secret must not reach logs through a `{:?}` of the config.
impl fmt::Debug for TencentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentConfig")
            .field("endpoint", &self.endpoint)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("region", &self.region)
            .field("sms_sdk_app_id", &self.sms_sdk_app_id)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// One API 3.0 request, as far as its signature is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Tc3Request<'a> {
    /// `POST` (then `query` is empty) or `GET`.
    pub method: &'a str,
    /// The `Host` header as sent: `sms.tencentcloudapi.com`, or `127.0.0.1:PORT` for a simulator.
    pub host: &'a str,
    pub query: &'a str,
    pub content_type: &'a str,
    /// The product: `sms`, `cvm`…; the first label of the official host.
    pub service: &'a str,
    pub action: &'a str,
    pub payload: &'a [u8],
    /// `X-TC-Timestamp`; the credential date is its UTC date.
    pub timestamp: i64,
    /// Sign `x-tc-action` as a third header (the current revision of Tencent's page does; the SDKs
    /// and this client sign `content-type;host`).
    pub sign_action: bool,
}

/// Every intermediate of the signature, so tests can compare each with a published value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Signed {
    pub hashed_payload: String,
    pub signed_headers: String,
    pub canonical_request: String,
    pub credential_scope: String,
    pub string_to_sign: String,
    pub signature: String,
    /// The `Authorization` header.
    pub authorization: String,
}

/// Signs one request. Pure: the timestamp is an input.
pub fn sign(req: &Tc3Request<'_>, secret_id: &str, secret_key: &str) -> Tc3Signed {
    let mut headers = vec![("content-type", req.content_type.to_owned()), ("host", req.host.to_owned())];
    if req.sign_action {
        headers.push(("x-tc-action", req.action.to_owned()));
    }
    // Names and values lowercased and trimmed, sorted by name (already in order above).
    let canonical_headers = headers.iter().fold(String::new(), |mut out, (name, value)| {
        let _ = writeln!(out, "{name}:{}", value.trim().to_lowercase());
        out
    });
    let signed_headers = headers.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(";");
    let hashed_payload = hex::encode(Sha256::digest(req.payload));
    let canonical_request =
        format!("{}\n/\n{}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}", req.method, req.query);
    let date = utc_date(req.timestamp);
    let credential_scope = format!("{date}/{}/tc3_request", req.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{credential_scope}\n{}",
        req.timestamp,
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, req.service.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&secret_signing, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={secret_id}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}"
    );
    Tc3Signed {
        hashed_payload,
        signed_headers,
        canonical_request,
        credential_scope,
        string_to_sign,
        signature,
        authorization,
    }
}

/// `YYYY-MM-DD` of a Unix timestamp in UTC (never local time: 00:44 in Beijing is yesterday).
pub fn utc_date(timestamp: i64) -> String {
    DateTime::<Utc>::from_timestamp(timestamp, 0).unwrap_or_default().format("%Y-%m-%d").to_string()
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendSmsBody {
    pub phone_number_set: Vec<String>,
    pub sms_sdk_app_id: String,
    pub sign_name: String,
    pub template_id: String,
    #[serde(default)]
    pub template_param_set: Vec<String>,
}

/// The JSON body of `SendSms` for one message; the number gets `+86` unless it has a country code.
pub fn send_sms_payload(sms_sdk_app_id: &str, msg: &SmsMessage) -> String {
    let phone = if msg.phone.starts_with('+') { msg.phone.clone() } else { format!("+86{}", msg.phone) };
    let body = SendSmsBody {
        phone_number_set: vec![phone],
        sms_sdk_app_id: sms_sdk_app_id.to_owned(),
        sign_name: msg.sign_name.clone(),
        template_id: msg.template_code.clone(),
        template_param_set: msg.params.iter().map(|(_, value)| value.clone()).collect(),
    };
    serde_json::to_string(&body).expect("a struct of strings serialises")
}

/// Sorts a Tencent error code (of the request or of one number) into retry-later or never.
/// Unknown codes are rejections: a person should look at them, not the outbox forever.
pub fn classify(code: &str, message: &str) -> SmsError {
    if code.starts_with("LimitExceeded") || code.starts_with("RequestLimitExceeded") {
        SmsError::Throttled(format!("{code}: {message}"))
    } else if code.starts_with("InternalError")
        || matches!(code, "AuthFailure.SignatureExpire" | "ResourceUnavailable" | "FailedOperation.FailResolvePacket")
    {
        // A stale signature is fixed by signing again, which the next attempt does.
        SmsError::Transport(format!("{code}: {message}"))
    } else {
        SmsError::rejected(code, message)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    response: Answer,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error: Option<ApiError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    #[serde(default)]
    serial_no: String,
    code: String,
    #[serde(default)]
    message: String,
}

pub struct TencentSms {
    config: TencentConfig,
    http: reqwest::Client,
}

impl TencentSms {
    pub fn new(config: TencentConfig) -> Self {
        let http =
            reqwest::Client::builder().timeout(config.timeout).build().expect("the HTTP client's TLS backend starts");
        TencentSms { config, http }
    }
}

#[async_trait]
impl SmsProvider for TencentSms {
    fn name(&self) -> &'static str {
        "tencent"
    }

    async fn send(&self, msg: &SmsMessage) -> Result<SmsReceipt, SmsError> {
        let invalid_endpoint = || SmsError::rejected("InvalidEndpoint", format!("not a URL: {}", self.config.endpoint));
        let url = reqwest::Url::parse(&self.config.endpoint).map_err(|_| invalid_endpoint())?;
        let host = host_header(&url).ok_or_else(invalid_endpoint)?;
        let payload = send_sms_payload(&self.config.sms_sdk_app_id, msg);
        let timestamp = Utc::now().timestamp();
        let signed = sign(
            &Tc3Request {
                method: "POST",
                host: &host,
                query: "",
                content_type: CONTENT_TYPE,
                service: SERVICE,
                action: ACTION,
                payload: payload.as_bytes(),
                timestamp,
                sign_action: false,
            },
            &self.config.secret_id,
            &self.config.secret_key,
        );
        let response = self
            .http
            .post(url)
            .header(reqwest::header::AUTHORIZATION, signed.authorization)
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", API_VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.config.region)
            .body(payload)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        if !status.is_success() {
            // API errors come with 200; anything else is a gateway or the network.
            return Err(SmsError::Transport(format!("HTTP {status}: {}", snippet(&bytes))));
        }
        let Ok(Envelope { response: answer }) = serde_json::from_slice::<Envelope>(&bytes) else {
            return Err(SmsError::Transport(format!("unexpected answer: {}", snippet(&bytes))));
        };
        if let Some(error) = answer.error {
            return Err(classify(&error.code, &error.message));
        }
        match answer.send_status_set.into_iter().next() {
            Some(status) if status.code == "Ok" => Ok(SmsReceipt { provider_message_id: status.serial_no }),
            Some(status) => Err(classify(&status.code, &status.message)),
            None => Err(SmsError::Transport(format!("answer without SendStatusSet: {}", snippet(&bytes)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body of Tencent's worked example, byte for byte (Python's `json.dumps`, `\u` escapes).
    const CVM_PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

    fn cvm_request(sign_action: bool) -> Tc3Request<'static> {
        Tc3Request {
            method: "POST",
            host: "cvm.tencentcloudapi.com",
            query: "",
            content_type: CONTENT_TYPE,
            service: "cvm",
            action: "DescribeInstances",
            payload: CVM_PAYLOAD.as_bytes(),
            timestamp: 1_551_113_065,
            sign_action,
        }
    }

    /// Tencent Cloud's API 3.0 "签名方法 v3" page (cloud.tencent.com/document/product/213/30654;
    /// every product, SMS included, carries a copy), the revision with the masked demo key: the
    /// masked strings are the literal inputs, and every value below is printed on the page.
    #[test]
    fn tc3_signature_reproduces_tencents_published_example() {
        let signed =
            sign(&cvm_request(false), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******");
        assert_eq!(signed.hashed_payload, "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        assert_eq!(
            signed.canonical_request,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
             content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(signed.credential_scope, "2019-02-25/cvm/tc3_request");
        assert_eq!(
            signed.string_to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(signed.signature, "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c");
        assert_eq!(
            signed.authorization,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    /// The same page's earlier revision used an unmasked demo key ending in `EXAMPLE`.
    #[test]
    fn tc3_signature_reproduces_the_earlier_revision_with_the_example_key() {
        let signed =
            sign(&cvm_request(false), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
        assert_eq!(signed.signature, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
    }

    /// The current revision signs `x-tc-action` as well (value lowercased).
    #[test]
    fn tc3_signature_reproduces_the_revision_that_signs_the_action_header() {
        let signed =
            sign(&cvm_request(true), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******");
        assert!(
            signed.canonical_request.contains("\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n")
        );
        assert!(signed.string_to_sign.ends_with("\n7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"));
        assert_eq!(signed.signature, "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3");
    }

    #[test]
    fn the_credential_date_is_the_utc_date() {
        // 2019-02-26 00:44:25 in Beijing.
        assert_eq!(utc_date(1_551_113_065), "2019-02-25");
    }

    /// What the client itself sends. The expected signature comes from an independent
    /// implementation (Python 3 standard library, the algorithm of Tencent's demo script), with
    /// `payload` the JSON asserted below:
    /// ```text
    /// import hashlib, hmac
    /// h = lambda k, m: hmac.new(k, m.encode(), hashlib.sha256).digest()
    /// cr = ("POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\n\n"
    ///       "content-type;host\n" + hashlib.sha256(payload.encode()).hexdigest())
    /// sts = "TC3-HMAC-SHA256\n1772352005\n2026-03-01/sms/tc3_request\n" + hashlib.sha256(cr.encode()).hexdigest()
    /// k = h(h(h(b"TC3s3cret", "2026-03-01"), "sms"), "tc3_request")
    /// hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    /// # → fd66c57b0f3c2c8a58f74edc6110a25281c57cddef0ece152b47fcaab6443bd1
    /// ```
    #[test]
    fn send_sms_request_carries_the_number_with_86_and_the_values_in_order() {
        let msg = SmsMessage {
            phone: "13800138000".to_owned(),
            sign_name: "邻里物业".to_owned(),
            template_code: "1956123".to_owned(),
            params: vec![("name".to_owned(), "张三".to_owned()), ("amount".to_owned(), "1280.50".to_owned())],
        };
        let payload = send_sms_payload("1400006666", &msg);
        assert_eq!(
            payload,
            r#"{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400006666","SignName":"邻里物业","TemplateId":"1956123","TemplateParamSet":["张三","1280.50"]}"#
        );
        let signed = sign(
            &Tc3Request {
                method: "POST",
                host: "sms.tencentcloudapi.com",
                query: "",
                content_type: CONTENT_TYPE,
                service: SERVICE,
                action: ACTION,
                payload: payload.as_bytes(),
                timestamp: 1_772_352_005,
                sign_action: false,
            },
            "AKIDtest",
            "s3cret",
        );
        assert_eq!(signed.credential_scope, "2026-03-01/sms/tc3_request");
        assert_eq!(signed.signature, "fd66c57b0f3c2c8a58f74edc6110a25281c57cddef0ece152b47fcaab6443bd1");
    }

    #[test]
    fn error_codes_sort_into_throttled_rejected_and_transient() {
        assert!(matches!(classify("LimitExceeded.PhoneNumberThirtySecondLimit", "m"), SmsError::Throttled(_)));
        assert!(matches!(classify("LimitExceeded.DeliveryFrequencyLimit", "m"), SmsError::Throttled(_)));
        assert!(matches!(classify("RequestLimitExceeded", "m"), SmsError::Throttled(_)));
        for code in [
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "AuthFailure.SignatureFailure",
            "InvalidParameterValue.IncorrectPhoneNumber",
        ] {
            assert_eq!(classify(code, "m"), SmsError::rejected(code, "m"));
        }
        assert!(matches!(classify("InternalError.Timeout", "m"), SmsError::Transport(_)));
        assert!(matches!(classify("AuthFailure.SignatureExpire", "m"), SmsError::Transport(_)));
    }

    #[test]
    fn the_debug_form_of_a_config_hides_the_secret() {
        let text = format!("{:?}", TencentConfig::new("AKIDx", "very-secret", "1400006666"));
        assert!(text.contains("AKIDx") && !text.contains("very-secret"));
    }
}
