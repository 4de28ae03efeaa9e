//! The merchant's client of WeChat Pay API v3. Every request is signed with the merchant key;
//! every answer is verified with a platform key before it is read (an unsigned or badly signed 2xx
//! is an error, never a result). The clock and the nonces are injected so tests can fix them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use sha1::{Digest, Sha1};

use super::WechatPayError;
use super::aead::ApiV3Key;
use super::model::{
    BillType, CloseRequest, ErrorBody, JsapiAnswer, NativeAnswer, NewOrder, NewRefund, OrderRequest, Refund,
    RefundRequest, TradeBillAnswer, Transaction, validate_notify_url, validate_out_refund_no, validate_out_trade_no,
    validate_transaction_id,
};
use super::notify::{Notification, verify_notification};
use super::sign::{Authorization, HEADER_SERIAL, JsapiPayParams, PlatformKeys, SignatureHeaders, jsapi_pay_params};
use crate::pay::rsa::PrivateKey;

pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com";
const JSON: &str = "application/json";

/// Where the client reads the time for timestamps and the freshness check.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A fixed instant, for tests.
impl Clock for DateTime<Utc> {
    fn now(&self) -> DateTime<Utc> {
        *self
    }
}

/// Where the client takes the `nonce_str` of each request and JSAPI cashier.
pub trait NonceSource: Send + Sync {
    fn nonce(&self) -> String;
}

/// 32 uppercase hex characters from the OS's randomness.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce(&self) -> String {
        uuid::Uuid::new_v4().simple().to_string().to_uppercase()
    }
}

/// One fixed nonce, for tests.
impl NonceSource for &'static str {
    fn nonce(&self) -> String {
        (*self).to_owned()
    }
}

/// A direct merchant's credentials. `Debug` hides the keys.
#[derive(Debug, Clone)]
pub struct WechatPayConfig {
    /// `https://api.mch.weixin.qq.com`, or a simulator's `base_url`.
    pub base_url: String,
    /// 商户号.
    pub mchid: String,
    /// The official account's or mini program's AppID the orders belong to.
    pub appid: String,
    /// The serial of the merchant API certificate the key belongs to (商户API证书序列号).
    pub merchant_serial_no: String,
    /// `apiclient_key.pem`.
    pub merchant_key: PrivateKey,
    pub apiv3_key: ApiV3Key,
    pub platform_keys: PlatformKeys,
    /// Where WeChat Pay sends payment and refund notifications.
    pub notify_url: String,
    /// Whole-request timeout; a timeout is a [`WechatPayError::Transport`].
    pub timeout: Duration,
}

impl WechatPayConfig {
    pub fn new(
        mchid: impl Into<String>,
        appid: impl Into<String>,
        merchant_serial_no: impl Into<String>,
        merchant_key: PrivateKey,
        apiv3_key: ApiV3Key,
        platform_keys: PlatformKeys,
        notify_url: impl Into<String>,
    ) -> Self {
        WechatPayConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            mchid: mchid.into(),
            appid: appid.into(),
            merchant_serial_no: merchant_serial_no.into(),
            merchant_key,
            apiv3_key,
            platform_keys,
            notify_url: notify_url.into(),
            timeout: Duration::from_secs(10),
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }
}

/// A JSAPI order: its `prepay_id` and what the page hands to WeChat's cashier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsapiPayment {
    pub prepay_id: String,
    pub pay_params: JsapiPayParams,
}

pub struct WechatPayClient {
    config: WechatPayConfig,
    base: Url,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
}

impl fmt::Debug for WechatPayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatPayClient").field("config", &self.config).finish_non_exhaustive()
    }
}

/// An answer whose signature checked out (or an unsigned bill file).
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

impl WechatPayClient {
    pub fn new(config: WechatPayConfig) -> Result<Self, WechatPayError> {
        let base = Url::parse(&config.base_url)
            .ok()
            .filter(Url::has_host)
            .ok_or_else(|| WechatPayError::Config(format!("base_url {:?} is not a URL", config.base_url)))?;
        validate_notify_url(&config.notify_url).map_err(|e| WechatPayError::Config(e.to_string()))?;
        if config.platform_keys.is_empty() {
            return Err(WechatPayError::Config("no platform certificate or public key to verify answers".to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| WechatPayError::Config(format!("HTTP client: {e}")))?;
        Ok(WechatPayClient { config, base, http, clock: Arc::new(SystemClock), nonces: Arc::new(RandomNonce) })
    }

    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    pub fn with_nonces(mut self, nonces: impl NonceSource + 'static) -> Self {
        self.nonces = Arc::new(nonces);
        self
    }

    pub fn config(&self) -> &WechatPayConfig {
        &self.config
    }

    /// `POST /v3/pay/transactions/native`: the `code_url` to show as a QR code.
    pub async fn native(&self, order: &NewOrder) -> Result<String, WechatPayError> {
        let request = OrderRequest::new(&self.config.appid, &self.config.mchid, &self.config.notify_url, order, None)?;
        let answer: NativeAnswer = self.post_json("/v3/pay/transactions/native", &request).await?;
        Ok(answer.code_url)
    }

    /// `POST /v3/pay/transactions/jsapi` for the payer `openid`, and the cashier's signed parameters.
    pub async fn jsapi(&self, order: &NewOrder, openid: &str) -> Result<JsapiPayment, WechatPayError> {
        let request =
            OrderRequest::new(&self.config.appid, &self.config.mchid, &self.config.notify_url, order, Some(openid))?;
        let answer: JsapiAnswer = self.post_json("/v3/pay/transactions/jsapi", &request).await?;
        let pay_params = self.jsapi_pay_params(&answer.prepay_id)?;
        Ok(JsapiPayment { prepay_id: answer.prepay_id, pay_params })
    }

    /// Fresh cashier parameters for an existing `prepay_id` (it stays valid for two hours).
    pub fn jsapi_pay_params(&self, prepay_id: &str) -> Result<JsapiPayParams, WechatPayError> {
        let timestamp = self.clock.now().timestamp();
        jsapi_pay_params(&self.config.merchant_key, &self.config.appid, timestamp, &self.nonces.nonce(), prepay_id)
    }

    /// `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…`.
    pub async fn query_by_out_trade_no(&self, out_trade_no: &str) -> Result<Transaction, WechatPayError> {
        validate_out_trade_no(out_trade_no)?;
        let path = format!("/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={}", self.config.mchid);
        self.get_json(&path).await
    }

    /// `GET /v3/pay/transactions/id/{transaction_id}?mchid=…`.
    pub async fn query_by_transaction_id(&self, transaction_id: &str) -> Result<Transaction, WechatPayError> {
        validate_transaction_id(transaction_id)?;
        let path = format!("/v3/pay/transactions/id/{transaction_id}?mchid={}", self.config.mchid);
        self.get_json(&path).await
    }

    /// `POST …/out-trade-no/{out_trade_no}/close`; WeChat answers 204. Close an unpaid order before
    /// issuing the bill again under a new `out_trade_no`.
    pub async fn close(&self, out_trade_no: &str) -> Result<(), WechatPayError> {
        validate_out_trade_no(out_trade_no)?;
        let body = to_json(&CloseRequest { mchid: self.config.mchid.clone() })?;
        let path = format!("/v3/pay/transactions/out-trade-no/{out_trade_no}/close");
        let answer = self.call(Method::POST, &path, body).await?;
        expect_status(&answer, StatusCode::NO_CONTENT)
    }

    /// `POST /v3/refund/domestic/refunds`; refund notifications go to the configured `notify_url`.
    pub async fn refund(&self, refund: &NewRefund) -> Result<Refund, WechatPayError> {
        let request = RefundRequest::new(refund, Some(&self.config.notify_url))?;
        self.post_json("/v3/refund/domestic/refunds", &request).await
    }

    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
    pub async fn query_refund(&self, out_refund_no: &str) -> Result<Refund, WechatPayError> {
        validate_out_refund_no(out_refund_no)?;
        // `|`, `*` and `@` are allowed in the number and must be escaped in a path.
        let escaped = percent_encoding::utf8_percent_encode(out_refund_no, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
            .replace("%5F", "_")
            .replace("%2D", "-");
        self.get_json(&format!("/v3/refund/domestic/refunds/{escaped}")).await
    }

    /// The day's trade bill as text: `GET /v3/bill/tradebill`, then its `download_url` (signed
    /// request, unsigned answer), checked against the announced SHA1. WeChat has it ready after
    /// about 10:00 the next day; parse it with [`super::trade_bill::TradeBill::parse`].
    pub async fn trade_bill(&self, bill_date: NaiveDate, bill_type: BillType) -> Result<String, WechatPayError> {
        let path =
            format!("/v3/bill/tradebill?bill_date={}&bill_type={}", bill_date.format("%Y-%m-%d"), bill_type.as_str());
        let answer: TradeBillAnswer = self.get_json(&path).await?;
        if !answer.hash_type.eq_ignore_ascii_case("SHA1") {
            return Err(WechatPayError::Malformed(format!("bill hash type {}", answer.hash_type)));
        }
        let url = Url::parse(&answer.download_url)
            .map_err(|_| WechatPayError::Malformed(format!("download_url {:?}", answer.download_url)))?;
        // The download is signed with the merchant key: only ever send it to WeChat itself.
        if url.origin() != self.base.origin() {
            return Err(WechatPayError::Malformed(format!("download_url {url} is not on {}", self.base)));
        }
        let file = self.send_url(Method::GET, url, None).await?;
        if !file.status().is_success() {
            let status = file.status();
            let body = file.bytes().await.map_err(|e| transport_error(&e))?;
            return Err(provider_error(status, &body));
        }
        let bytes = file.bytes().await.map_err(|e| transport_error(&e))?;
        let actual = hex::encode(Sha1::digest(&bytes));
        if !actual.eq_ignore_ascii_case(answer.hash_value.trim()) {
            return Err(WechatPayError::BillHash { expected: answer.hash_value, actual });
        }
        String::from_utf8(bytes.to_vec()).map_err(|_| WechatPayError::Malformed("the bill is not UTF-8".to_owned()))
    }

    /// Verifies a callback (signature with the key `Wechatpay-Serial` names, timestamp within
    /// 300 s), decrypts its resource and reads it. The caller still checks amount, `mchid` and
    /// `appid` against its order and handles a repeated `id` as already done.
    pub fn verify_notification(&self, headers: &HeaderMap, body: &[u8]) -> Result<Notification, WechatPayError> {
        let now = self.clock.now().timestamp();
        verify_notification(&self.config.platform_keys, self.config.apiv3_key.as_bytes(), headers, body, now)
    }

    async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        request: &impl serde::Serialize,
    ) -> Result<T, WechatPayError> {
        let answer = self.call(Method::POST, path, to_json(request)?).await?;
        read_json(&answer)
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, WechatPayError> {
        let answer = self.call(Method::GET, path, None).await?;
        read_json(&answer)
    }

    /// Sends a signed request and verifies the answer: a 2xx must be signed by a platform key; an
    /// error answer that is signed must verify too (an unsigned one still ends as an error).
    async fn call(&self, method: Method, path: &str, body: Option<String>) -> Result<Answer, WechatPayError> {
        let response = self.send(method, path, body).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| transport_error(&e))?.to_vec();
        if status.is_success() || SignatureHeaders::present(&headers) {
            let signature = SignatureHeaders::from_headers(&headers)?;
            let now = self.clock.now().timestamp();
            self.config.platform_keys.verify(&signature, &body, now)?;
        }
        if !status.is_success() {
            return Err(provider_error(status, &body));
        }
        Ok(Answer { status, body })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<reqwest::Response, WechatPayError> {
        let base = self.config.base_url.trim_end_matches('/');
        let url =
            Url::parse(&format!("{base}{path}")).map_err(|_| WechatPayError::Config(format!("bad path {path}")))?;
        self.send_url(method, url, body).await
    }

    async fn send_url(
        &self,
        method: Method,
        url: Url,
        body: Option<String>,
    ) -> Result<reqwest::Response, WechatPayError> {
        // Sign what the server will see: the path under the base URL and the query as sent.
        let signed_path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let body_text = body.as_deref().unwrap_or("");
        let authorization = Authorization::sign(
            &self.config.merchant_key,
            &self.config.mchid,
            &self.config.merchant_serial_no,
            method.as_str(),
            &signed_path,
            self.clock.now().timestamp(),
            &self.nonces.nonce(),
            body_text,
        )?;
        let mut request = self
            .http
            .request(method, url)
            .header(AUTHORIZATION, authorization.header_value())
            .header(ACCEPT, JSON)
            .header(USER_AGENT, concat!("linli-gateway/", env!("CARGO_PKG_VERSION")));
        if let Some(key_id) = self.config.platform_keys.public_key_id() {
            request = request.header(HEADER_SERIAL, key_id);
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, JSON).body(body);
        }
        request.send().await.map_err(|e| transport_error(&e))
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<Option<String>, WechatPayError> {
    serde_json::to_string(value).map(Some).map_err(|e| WechatPayError::Config(format!("JSON: {e}")))
}

fn read_json<T: DeserializeOwned>(answer: &Answer) -> Result<T, WechatPayError> {
    serde_json::from_slice(&answer.body).map_err(|e| {
        WechatPayError::Malformed(format!("HTTP {}: {e}: {}", answer.status, crate::http::snippet(&answer.body)))
    })
}

fn expect_status(answer: &Answer, expected: StatusCode) -> Result<(), WechatPayError> {
    if answer.status == expected {
        Ok(())
    } else {
        Err(WechatPayError::Malformed(format!("HTTP {} where {expected} was expected", answer.status)))
    }
}

fn provider_error(status: StatusCode, body: &[u8]) -> WechatPayError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(error) => WechatPayError::Provider {
            status: status.as_u16(),
            code: error.code,
            message: error.message,
            detail: error.detail,
        },
        Err(_) if status.is_server_error() => {
            WechatPayError::Transport(format!("HTTP {status}: {}", crate::http::snippet(body)))
        }
        Err(_) => WechatPayError::Malformed(format!("HTTP {status}: {}", crate::http::snippet(body))),
    }
}

fn transport_error(err: &reqwest::Error) -> WechatPayError {
    WechatPayError::Transport(crate::http::with_causes(err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::rsa::vectors::{GO_PRIVATE_KEY, GO_PUBLIC_KEY};

    fn config() -> WechatPayConfig {
        WechatPayConfig::new(
            "1900000001",
            "wxd678efh567hg6787",
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap(),
            ApiV3Key::new("LinliTestApiV3Key000000000000001").unwrap(),
            PlatformKeys::new().with_public_key_pem("PUB_KEY_ID_1", GO_PUBLIC_KEY).unwrap(),
            "https://pay.example.cn/wechat/notify",
        )
    }

    #[test]
    fn a_config_without_platform_keys_or_with_a_bad_notify_url_is_refused() {
        assert!(WechatPayClient::new(config()).is_ok());
        let no_keys = WechatPayConfig { platform_keys: PlatformKeys::new(), ..config() };
        assert!(matches!(WechatPayClient::new(no_keys), Err(WechatPayError::Config(_))));
        let query = WechatPayConfig { notify_url: "https://pay.example.cn/n?x=1".into(), ..config() };
        assert!(matches!(WechatPayClient::new(query), Err(WechatPayError::Config(_))));
        assert!(matches!(WechatPayClient::new(config().with_base_url("not a url")), Err(WechatPayError::Config(_))));
    }

    #[test]
    fn the_debug_form_of_a_client_hides_its_keys() {
        let text = format!("{:?}", WechatPayClient::new(config()).unwrap());
        assert!(text.contains("1900000001") && text.contains("PrivateKey(***)") && text.contains("ApiV3Key(***)"));
        assert!(!text.contains("LinliTestApiV3Key"));
    }

    #[test]
    fn the_cashier_parameters_use_the_injected_clock_and_nonce() {
        let at = DateTime::from_timestamp(1_414_561_699, 0).unwrap();
        let client = WechatPayClient::new(WechatPayConfig { appid: "wx8888888888888888".into(), ..config() })
            .unwrap()
            .with_clock(at)
            .with_nonces("5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        let params = client.jsapi_pay_params("wx201410272009395522657a690389285100").unwrap();
        assert_eq!(params.time_stamp, "1414561699");
        assert_eq!(params.nonce_str, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        assert_eq!(params.pay_sign, include_str!("testdata/jsapi_pay_sign.txt"));
    }

    #[test]
    fn random_nonces_are_32_hex_characters_and_differ() {
        let (a, b) = (RandomNonce.nonce(), RandomNonce.nonce());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        assert_ne!(a, b);
    }

    #[test]
    fn error_answers_become_provider_errors_with_their_code() {
        let error =
            provider_error(StatusCode::NOT_FOUND, r#"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#.as_bytes());
        assert_eq!(
            error,
            WechatPayError::Provider {
                status: 404,
                code: "ORDER_NOT_EXIST".into(),
                message: "订单不存在".into(),
                detail: None
            }
        );
        assert!(!error.is_retryable());
        let system = provider_error(StatusCode::INTERNAL_SERVER_ERROR, br#"{"code":"SYSTEM_ERROR","message":"x"}"#);
        assert!(system.is_retryable());
        assert!(matches!(provider_error(StatusCode::BAD_GATEWAY, b"<html>"), WechatPayError::Transport(_)));
        assert!(matches!(provider_error(StatusCode::BAD_REQUEST, b"<html>"), WechatPayError::Malformed(_)));
    }
}
