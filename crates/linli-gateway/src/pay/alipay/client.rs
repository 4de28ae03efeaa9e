//! [`AlipayClient`]: the calls Linli makes to the Alipay Open Platform gateway, and the check of
//! what Alipay sends back (answers and notifications), all in public-key mode with RSA2.
//!
//! Requests go as Alipay's SDKs send them: a POST to the gateway, the common parameters and `sign`
//! in the query string, `biz_content` as a `application/x-www-form-urlencoded` body. An answer is
//! trusted only once its signature verifies with the Alipay public key; an unsigned answer can
//! only ever be read as a failure.

use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::AlipayError;
use super::bill::{self, TradeBill};
use super::clock::{Clock, SystemClock};
use super::model::{
    BillRequest, BillUrlResponse, CloseResponse, Notification, Outcome, PrecreateRequest, PrecreateResponse,
    QueryResponse, RefundRequest, RefundResponse, TradeRef, WapPayRequest, common_params, method,
};
use super::sign::{self, split_answer};
use crate::pay::rsa::{PrivateKey, PublicKey};

pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// A bill larger than this is refused rather than read into memory.
const MAX_BILL_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct AlipayConfig {
    /// [`PRODUCTION_GATEWAY`], [`SANDBOX_GATEWAY`] or a simulator's `gateway_url`.
    pub gateway_url: String,
    /// The app (应用) id, `2021…`.
    pub app_id: String,
    /// The merchant's Alipay account id (PID, `2088…`): notifications name it as `seller_id`.
    pub seller_id: String,
    /// Signs requests; its public half is uploaded to the Alipay console.
    pub app_private_key: PrivateKey,
    /// Alipay's key from the console (not the app's own public key).
    pub alipay_public_key: PublicKey,
    /// Where Alipay POSTs the payment notifications of orders this client creates.
    pub notify_url: Option<String>,
    /// Whole-request timeout; a timeout is a [`AlipayError::Transport`].
    pub timeout: Duration,
}

impl AlipayConfig {
    pub fn new(
        app_id: impl Into<String>,
        seller_id: impl Into<String>,
        app_private_key: PrivateKey,
        alipay_public_key: PublicKey,
    ) -> Self {
        AlipayConfig {
            gateway_url: PRODUCTION_GATEWAY.to_owned(),
            app_id: app_id.into(),
            seller_id: seller_id.into(),
            app_private_key,
            alipay_public_key,
            notify_url: None,
            timeout: Duration::from_secs(15),
        }
    }

    pub fn with_gateway(mut self, url: impl Into<String>) -> Self {
        self.gateway_url = url.into();
        self
    }

    pub fn with_notify_url(mut self, url: impl Into<String>) -> Self {
        self.notify_url = Some(url.into());
        self
    }
}

// `PrivateKey`'s own Debug prints `***`; spelled out here so a field added later is a decision.
impl fmt::Debug for AlipayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlipayConfig")
            .field("gateway_url", &self.gateway_url)
            .field("app_id", &self.app_id)
            .field("seller_id", &self.seller_id)
            .field("app_private_key", &"***")
            .field("alipay_public_key", &self.alipay_public_key)
            .field("notify_url", &self.notify_url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

pub struct AlipayClient {
    config: AlipayConfig,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for AlipayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlipayClient").field("config", &self.config).finish_non_exhaustive()
    }
}

impl AlipayClient {
    pub fn new(config: AlipayConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A client that reads the time from `clock` (the `timestamp` parameter).
    pub fn with_clock(config: AlipayConfig, clock: Arc<dyn Clock>) -> Self {
        let http =
            reqwest::Client::builder().timeout(config.timeout).build().expect("the HTTP client's TLS backend starts");
        AlipayClient { config, http, clock }
    }

    pub fn config(&self) -> &AlipayConfig {
        &self.config
    }

    /// Every parameter of one request, `sign` included. Pure but for the clock.
    pub fn signed_params(
        &self,
        method: &str,
        biz_content: &str,
        with_notify_url: bool,
        return_url: Option<&str>,
    ) -> Result<Vec<(String, String)>, AlipayError> {
        let notify_url = if with_notify_url { self.config.notify_url.as_deref() } else { None };
        let mut params =
            common_params(&self.config.app_id, method, self.clock.now(), notify_url, return_url, biz_content);
        let sign = sign::sign_request(&params, &self.config.app_private_key)?;
        params.push(("sign".to_owned(), sign));
        Ok(params)
    }

    /// `alipay.trade.precreate`: the text of the QR code the payer scans.
    pub async fn precreate(&self, req: &PrecreateRequest) -> Result<PrecreateResponse, AlipayError> {
        req.validate()?;
        self.call(method::PRECREATE, &req.biz_content(), true).await
    }

    /// `alipay.trade.wap.pay`: the signed gateway URL to open in the phone's browser (a GET with
    /// every parameter in the query). Nothing is sent; the order exists once the page opens.
    pub fn wap_pay_url(&self, req: &WapPayRequest) -> Result<String, AlipayError> {
        req.validate()?;
        let params = self.signed_params(method::WAP_PAY, &req.biz_content(), true, req.return_url.as_deref())?;
        Ok(format!("{}?{}", self.config.gateway_url, encode_form(&params)))
    }

    /// The same request as an HTML page that POSTs itself to the gateway, as Alipay's SDKs
    /// return it (for URLs too long for a GET).
    pub fn wap_pay_form(&self, req: &WapPayRequest) -> Result<String, AlipayError> {
        req.validate()?;
        let params = self.signed_params(method::WAP_PAY, &req.biz_content(), true, req.return_url.as_deref())?;
        let mut html = format!(
            "<form name=\"punchout_form\" method=\"post\" action=\"{}?charset=utf-8\">\n",
            html_escape(&self.config.gateway_url)
        );
        for (name, value) in &params {
            let _ = writeln!(
                html,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html_escape(name),
                html_escape(value)
            );
        }
        html.push_str("<input type=\"submit\" value=\"立即支付\" style=\"display:none\">\n</form>\n");
        html.push_str("<script>document.forms[0].submit();</script>");
        Ok(html)
    }

    /// `alipay.trade.query`. A precreated order the payer has not scanned yet is
    /// `ACQ.TRADE_NOT_EXIST`: not paid, not an error of ours.
    pub async fn query(&self, trade: &TradeRef) -> Result<QueryResponse, AlipayError> {
        self.call(method::QUERY, &trade.biz_content()?, false).await
    }

    /// `alipay.trade.close`: an unpaid trade can no longer be paid. Close before issuing the same
    /// bill again under a new `out_trade_no`.
    pub async fn close(&self, trade: &TradeRef) -> Result<CloseResponse, AlipayError> {
        self.call(method::CLOSE, &trade.biz_content()?, false).await
    }

    /// `alipay.trade.refund`: synchronous; `fund_change` says whether this call moved the money.
    pub async fn refund(&self, req: &RefundRequest) -> Result<RefundResponse, AlipayError> {
        req.validate()?;
        self.call(method::REFUND, &req.biz_content(), false).await
    }

    /// `alipay.data.dataservice.bill.downloadurl.query`: the day's trade bill URL (30 s valid).
    pub async fn bill_download_url(&self, req: &BillRequest) -> Result<String, AlipayError> {
        let answer: BillUrlResponse = self.call(method::BILL_DOWNLOAD_URL, &req.biz_content(), false).await?;
        Ok(answer.bill_download_url)
    }

    /// The bytes behind a bill URL (unsigned; the URL itself is the credential).
    pub async fn fetch_bill(&self, url: &str) -> Result<Vec<u8>, AlipayError> {
        let response = self.http.get(url).send().await.map_err(|e| transport_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(AlipayError::Transport(format!("bill download: HTTP {status}")));
        }
        if response.content_length().is_some_and(|len| len > MAX_BILL_BYTES as u64) {
            return Err(AlipayError::Malformed("bill larger than 64 MiB".to_owned()));
        }
        let bytes = response.bytes().await.map_err(|e| transport_error(&e))?;
        if bytes.len() > MAX_BILL_BYTES {
            return Err(AlipayError::Malformed("bill larger than 64 MiB".to_owned()));
        }
        Ok(bytes.to_vec())
    }

    /// The day's trade bill: its URL, the download and the parse, in one go.
    pub async fn download_bill(&self, req: &BillRequest) -> Result<TradeBill, AlipayError> {
        let url = self.bill_download_url(req).await?;
        bill::parse(&self.fetch_bill(&url).await?)
    }

    /// Checks an asynchronous notification (the raw `application/x-www-form-urlencoded` body
    /// Alipay POSTed): Alipay's signature, then that it is for this app and seller. The caller
    /// then checks `out_trade_no` and `total_fen` against its order and answers `success`.
    pub fn verify_notification(&self, form_body: &str) -> Result<Notification, AlipayError> {
        let params: Vec<(String, String)> = form_urlencoded::parse(form_body.as_bytes()).into_owned().collect();
        let notification_sign_type = params.iter().find(|(name, _)| name == "sign_type").map(|(_, v)| v.as_str());
        if !params.iter().any(|(name, value)| name == "sign" && !value.is_empty()) {
            return Err(AlipayError::MissingSignature);
        }
        if notification_sign_type.is_some_and(|t| t != "RSA2") {
            return Err(AlipayError::Malformed(format!("sign_type {notification_sign_type:?}, not RSA2")));
        }
        // Parsed first so a duplicated field is refused before the signature is even checked.
        let notification = Notification::from_params(&params)?;
        if !sign::verify_notification(&params, &self.config.alipay_public_key) {
            return Err(AlipayError::BadSignature);
        }
        if notification.app_id != self.config.app_id {
            return Err(AlipayError::NotOurs { field: "app_id", found: notification.app_id });
        }
        if notification.seller_id != self.config.seller_id {
            return Err(AlipayError::NotOurs { field: "seller_id", found: notification.seller_id });
        }
        Ok(notification)
    }

    /// One signed call and its verified answer.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        biz_content: &str,
        with_notify_url: bool,
    ) -> Result<T, AlipayError> {
        let params = self.signed_params(method, biz_content, with_notify_url, None)?;
        let (body, query): (Vec<_>, Vec<_>) = params.into_iter().partition(|(name, _)| name == "biz_content");
        let url = format!("{}?{}", self.config.gateway_url, encode_form(&query));
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded;charset=utf-8")
            .body(encode_form(&body))
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| transport_error(&e))?;
        if !status.is_success() {
            return Err(AlipayError::Transport(format!("HTTP {status}: {}", snippet(&text))));
        }
        read_answer(&text, method, &self.config.alipay_public_key)
    }
}

/// Verifies and reads one answer body. A signed answer must verify; an unsigned one is accepted
/// only as a failure (as Alipay's SDKs do: the gateway does not sign some of its refusals).
pub fn read_answer<T: DeserializeOwned>(
    body: &str,
    method: &str,
    alipay_public_key: &PublicKey,
) -> Result<T, AlipayError> {
    let answer = split_answer(body, method)
        .ok_or_else(|| AlipayError::Malformed(format!("no {} in {}", sign::response_root(method), snippet(body))))?;
    let verified = match &answer.sign {
        Some(sign) if alipay_public_key.verify_sha256(answer.content.as_bytes(), sign) => true,
        Some(_) => return Err(AlipayError::BadSignature),
        None => false,
    };
    let outcome: Outcome =
        serde_json::from_str(answer.content).map_err(|e| AlipayError::Malformed(format!("{}: {e}", answer.root)))?;
    if !outcome.is_success() {
        return Err(outcome.into_error());
    }
    if !verified {
        return Err(AlipayError::MissingSignature);
    }
    serde_json::from_str(answer.content).map_err(|e| AlipayError::Malformed(format!("{}: {e}", answer.root)))
}

/// `application/x-www-form-urlencoded`, as browsers and Alipay's SDKs write it.
pub fn encode_form(params: &[(String, String)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        form.append_pair(name, value);
    }
    form.finish()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The start of an unexpected answer, for the error text.
fn snippet(text: &str) -> String {
    crate::http::snippet(text.as_bytes())
}

fn transport_error(err: &reqwest::Error) -> AlipayError {
    AlipayError::Transport(crate::http::with_causes(err))
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::pay::alipay::clock::ManualClock;
    use crate::pay::alipay::sign::answer_body;
    use crate::pay::alipay::vectors;

    const APP_PRIVATE: &str = include_str!("../testkeys/alipay_app_private_key.pem");
    const ALIPAY_PRIVATE: &str = include_str!("../testkeys/alipay_private_key.pem");

    fn client_at(app_id: &str, seller_id: &str, alipay_public: PublicKey) -> AlipayClient {
        let config = AlipayConfig::new(app_id, seller_id, PrivateKey::from_pem(APP_PRIVATE).unwrap(), alipay_public)
            .with_gateway("https://openapi.alipay.com/gateway.do")
            .with_notify_url("https://linli.example/pay/alipay/notify");
        let at = DateTime::parse_from_rfc3339("2026-03-01T02:00:00Z").unwrap().to_utc();
        AlipayClient::with_clock(config, Arc::new(ManualClock::new(at)))
    }

    fn test_client() -> AlipayClient {
        client_at("2021000000000001", "2088000000000001", PrivateKey::from_pem(ALIPAY_PRIVATE).unwrap().public_key())
    }

    /// The published sandbox notification, as the form body Alipay POSTs (its `+` and `/` encoded).
    fn yansongda_form() -> String {
        encode_form(&vectors::yansongda_notification())
    }

    #[test]
    fn a_published_notification_posted_as_a_form_verifies_and_reads() {
        let public = PublicKey::from_pem(vectors::YANSONGDA_ALIPAY_PUBLIC).unwrap();
        let client = client_at("2016082000295641", "2088102172237210", public);
        let body = yansongda_form();
        assert!(body.contains("subject=yansongda%2B%E6%B5%8B%E8%AF%95-1"));
        let notification = client.verify_notification(&body).unwrap();
        assert_eq!(notification.trade_no, "2022091822001498120503050754");
        assert_eq!(notification.total_fen, 1);
        assert!(notification.is_paid());
    }

    #[test]
    fn a_notification_for_another_app_or_seller_is_not_ours() {
        let public = PublicKey::from_pem(vectors::YANSONGDA_ALIPAY_PUBLIC).unwrap();
        let other_app = client_at("2016082000295642", "2088102172237210", public.clone());
        assert_eq!(
            other_app.verify_notification(&yansongda_form()),
            Err(AlipayError::NotOurs { field: "app_id", found: "2016082000295641".to_owned() })
        );
        let other_seller = client_at("2016082000295641", "2088102172237211", public);
        assert!(matches!(
            other_seller.verify_notification(&yansongda_form()),
            Err(AlipayError::NotOurs { field: "seller_id", .. })
        ));
    }

    #[test]
    fn an_altered_unsigned_or_duplicated_notification_is_refused() {
        let public = PublicKey::from_pem(vectors::YANSONGDA_ALIPAY_PUBLIC).unwrap();
        let client = client_at("2016082000295641", "2088102172237210", public);
        let altered = yansongda_form().replace("total_amount=0.01", "total_amount=100.00");
        assert_eq!(client.verify_notification(&altered), Err(AlipayError::BadSignature));
        // A `+` in the raw body is a space once decoded: the subject no longer matches.
        let plus = yansongda_form().replace("yansongda%2B", "yansongda+");
        assert_eq!(client.verify_notification(&plus), Err(AlipayError::BadSignature));
        let unsigned: Vec<(String, String)> =
            vectors::yansongda_notification().into_iter().filter(|(n, _)| n != "sign").collect();
        assert_eq!(client.verify_notification(&encode_form(&unsigned)), Err(AlipayError::MissingSignature));
        let twice = format!("{}&total_amount=0.01", yansongda_form());
        assert!(matches!(client.verify_notification(&twice), Err(AlipayError::Malformed(_))));
        let rsa1 = yansongda_form().replace("sign_type=RSA2", "sign_type=RSA");
        assert!(matches!(client.verify_notification(&rsa1), Err(AlipayError::Malformed(_))));
        assert!(client.verify_notification("").is_err());
        assert!(client.verify_notification("%%%&&&==").is_err());
    }

    #[test]
    fn requests_carry_the_common_parameters_and_a_sign_over_them() {
        let client = test_client();
        let params = client.signed_params(method::QUERY, r#"{"out_trade_no":"P1"}"#, false, None).unwrap();
        let value = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(value("timestamp"), Some("2026-03-01 10:00:00"));
        assert_eq!(value("sign_type"), Some("RSA2"));
        assert_eq!(value("notify_url"), None);
        let app_public = PrivateKey::from_pem(APP_PRIVATE).unwrap().public_key();
        assert!(sign::verify_request(&params, value("sign").unwrap(), &app_public));
    }

    #[test]
    fn the_wap_pay_url_is_a_signed_get_and_the_form_posts_the_same_parameters() {
        let client = test_client();
        let req = WapPayRequest {
            out_trade_no: "W20260301001".to_owned(),
            total_fen: 12_050,
            subject: "3月物业费 \"2-1-301\"".to_owned(),
            quit_url: None,
            return_url: Some("https://linli.example/paid?bill=1".to_owned()),
            timeout_express: None,
        };
        let url = client.wap_pay_url(&req).unwrap();
        let (gateway, query) = url.split_once('?').unwrap();
        assert_eq!(gateway, "https://openapi.alipay.com/gateway.do");
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let value = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(value("method"), Some("alipay.trade.wap.pay"));
        assert_eq!(value("return_url"), Some("https://linli.example/paid?bill=1"));
        assert_eq!(value("notify_url"), Some("https://linli.example/pay/alipay/notify"));
        assert!(value("biz_content").unwrap().contains(r#""total_amount":"120.50""#));
        let app_public = PrivateKey::from_pem(APP_PRIVATE).unwrap().public_key();
        assert!(sign::verify_request(&params, value("sign").unwrap(), &app_public));

        let form = client.wap_pay_form(&req).unwrap();
        assert!(form.contains("action=\"https://openapi.alipay.com/gateway.do?charset=utf-8\""));
        assert!(form.contains(&format!("name=\"sign\" value=\"{}\"", value("sign").unwrap())));
        assert!(form.contains(r"3月物业费 \&quot;2-1-301\&quot;"));
        assert!(client.wap_pay_url(&WapPayRequest { total_fen: 0, ..req }).is_err());
    }

    fn signed_body(root: &str, content: &str) -> String {
        let sign = PrivateKey::from_pem(ALIPAY_PRIVATE).unwrap().sign_sha256(content.as_bytes()).unwrap();
        answer_body(root, content, &sign)
    }

    #[test]
    fn a_signed_success_answer_reads_and_a_tampered_one_does_not() {
        let public = PrivateKey::from_pem(ALIPAY_PRIVATE).unwrap().public_key();
        let content = r#"{"code":"10000","msg":"Success","out_trade_no":"P1","qr_code":"https://qr.alipay.com/bax1"}"#;
        let body = signed_body("alipay_trade_precreate_response", content);
        let answer: PrecreateResponse = read_answer(&body, method::PRECREATE, &public).unwrap();
        assert_eq!(answer.qr_code, "https://qr.alipay.com/bax1");

        let tampered = body.replace("bax1", "bax2");
        assert_eq!(
            read_answer::<PrecreateResponse>(&tampered, method::PRECREATE, &public),
            Err(AlipayError::BadSignature)
        );
        let unsigned = format!("{{\"alipay_trade_precreate_response\":{content}}}");
        assert_eq!(
            read_answer::<PrecreateResponse>(&unsigned, method::PRECREATE, &public),
            Err(AlipayError::MissingSignature)
        );
        assert!(matches!(
            read_answer::<PrecreateResponse>("<html>502</html>", method::PRECREATE, &public),
            Err(AlipayError::Malformed(_))
        ));
    }

    #[test]
    fn business_errors_come_back_with_their_codes_signed_or_not() {
        let public = PrivateKey::from_pem(ALIPAY_PRIVATE).unwrap().public_key();
        let content =
            r#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#;
        let expected = AlipayError::Provider {
            code: "40004".to_owned(),
            msg: "Business Failed".to_owned(),
            sub_code: "ACQ.TRADE_NOT_EXIST".to_owned(),
            sub_msg: "交易不存在".to_owned(),
        };
        let body = signed_body("alipay_trade_query_response", content);
        assert_eq!(read_answer::<QueryResponse>(&body, method::QUERY, &public), Err(expected.clone()));
        let unsigned = format!("{{\"error_response\":{content}}}");
        assert_eq!(read_answer::<QueryResponse>(&unsigned, method::QUERY, &public), Err(expected));
    }

    #[test]
    fn the_published_query_answer_reads_through_the_client() {
        let public = PublicKey::from_pem(vectors::GOPAY_ALIPAY_PUBLIC).unwrap();
        let body = format!(
            "{{\"alipay_trade_query_response\":{},\"sign\":\"{}\"}}",
            vectors::GOPAY_QUERY_RESPONSE,
            vectors::GOPAY_QUERY_SIGN
        );
        // The published answer has no trade_status: it reads as far as the head, then fails on it.
        let outcome: Result<QueryResponse, _> = read_answer(&body, method::QUERY, &public);
        assert!(matches!(outcome, Err(AlipayError::Malformed(ref why)) if why.contains("trade_status")));
    }

    #[test]
    fn the_debug_form_of_a_config_hides_the_private_key() {
        let text = format!("{:?}", test_client());
        assert!(text.contains("2021000000000001"));
        assert!(text.contains("***"));
        assert!(!text.contains("MII"));
    }
}
