//! The Aliyun client against the Aliyun simulator, over real HTTP on 127.0.0.1.

use chrono::{Duration, Utc};
use linli_gateway::sms::aliyun::{
    Acs3Request, SignatureVersion, hashed_payload, send_sms_headers, send_sms_params, send_sms_query, sign, sign_acs3,
};
use linli_gateway::sms::simulator::{SimulatorConfig, SimulatorHandle, start_aliyun};
use linli_gateway::sms::{AliyunConfig, AliyunSms, SmsError, SmsMessage, SmsProvider};
use serde_json::Value;

const KEY_ID: &str = "LTAI5tLinliTest";
const SECRET: &str = "linli-test-secret";
const BILL_TEMPLATE: &str = "SMS_460755001";

fn simulator_config() -> SimulatorConfig {
    SimulatorConfig::aliyun(KEY_ID, SECRET)
        .template(BILL_TEMPLATE, "尊敬的${name}，您${month}的物业费${amount}元已出账，请及时缴纳。")
        .sign_name("邻里物业")
}

async fn simulator() -> SimulatorHandle {
    start_aliyun(simulator_config()).await.unwrap()
}

fn client(sim: &SimulatorHandle) -> AliyunSms {
    client_with(&sim.base_url, KEY_ID, SECRET)
}

fn client_with(endpoint: &str, key_id: &str, secret: &str) -> AliyunSms {
    AliyunSms::new(AliyunConfig::new(key_id, secret).with_endpoint(endpoint))
}

fn bill_notice(phone: &str) -> SmsMessage {
    SmsMessage {
        phone: phone.to_owned(),
        sign_name: "邻里物业".to_owned(),
        template_code: BILL_TEMPLATE.to_owned(),
        params: vec![
            ("name".to_owned(), "张三".to_owned()),
            ("month".to_owned(), "3月".to_owned()),
            ("amount".to_owned(), "1280.50".to_owned()),
        ],
    }
}

fn rejected_code(result: Result<impl std::fmt::Debug, SmsError>) -> String {
    match result {
        Err(SmsError::Rejected { code, .. }) => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bill_notice_reaches_the_simulator_with_its_number_template_and_values() {
    let sim = simulator().await;
    let receipt = client(&sim).send(&bill_notice("13800138000")).await.unwrap();

    let sent = sim.sent().await;
    assert_eq!(sent.len(), 1);
    let sms = &sent[0];
    assert_eq!(sms.provider, "aliyun");
    assert_eq!(sms.message_id, receipt.provider_message_id);
    assert!(receipt.provider_message_id.ends_with("^0"));
    assert_eq!(sms.phone, "13800138000");
    assert_eq!(sms.sign_name, "邻里物业");
    assert_eq!(sms.template_code, BILL_TEMPLATE);
    assert_eq!(sms.params, bill_notice("13800138000").params);
    assert_eq!(sms.text, "【邻里物业】尊敬的张三，您3月的物业费1280.50元已出账，请及时缴纳。");
}

#[tokio::test]
async fn the_client_signs_with_acs3_by_default_and_the_v1_signature_is_accepted_too() {
    assert_eq!(AliyunConfig::new(KEY_ID, SECRET).signature, SignatureVersion::Acs3);
    let sim = simulator().await;
    let v1 = |secret: &str| {
        AliyunSms::new(
            AliyunConfig::new(KEY_ID, secret).with_endpoint(&sim.base_url).with_signature(SignatureVersion::V1),
        )
    };
    v1(SECRET).send(&bill_notice("13800138001")).await.unwrap();
    assert_eq!(rejected_code(v1("not-the-secret").send(&bill_notice("13800138001")).await), "SignatureDoesNotMatch");
    client(&sim).send(&bill_notice("13800138002")).await.unwrap();
    let phones: Vec<String> = sim.sent().await.into_iter().map(|s| s.phone).collect();
    assert_eq!(phones, ["13800138001", "13800138002"]);
}

#[tokio::test]
async fn messages_are_logged_in_the_order_they_were_accepted_and_the_log_outlives_the_simulator() {
    let sim = simulator().await;
    let log = sim.log();
    let mut live = log.subscribe();
    let sms = client(&sim);
    for phone in ["13800138001", "13800138002", "13800138003"] {
        sms.send(&bill_notice(phone)).await.unwrap();
    }
    sim.stop().await;
    let phones: Vec<String> = log.all().await.into_iter().map(|s| s.phone).collect();
    assert_eq!(phones, ["13800138001", "13800138002", "13800138003"]);
    assert_eq!(live.recv().await.unwrap().phone, "13800138001");
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_as_signature_does_not_match() {
    let sim = simulator().await;
    let result = client_with(&sim.base_url, KEY_ID, "not-the-secret").send(&bill_notice("13800138000")).await;
    assert_eq!(rejected_code(result), "SignatureDoesNotMatch");
    assert!(sim.sent().await.is_empty());
}

#[tokio::test]
async fn an_unknown_access_key_is_rejected() {
    let sim = simulator().await;
    let result = client_with(&sim.base_url, "LTAI5tSomeoneElse", SECRET).send(&bill_notice("13800138000")).await;
    assert_eq!(rejected_code(result), "InvalidAccessKeyId.NotFound");
}

#[tokio::test]
async fn the_throttle_test_template_is_throttled_and_may_be_retried() {
    let sim = simulator().await;
    let msg = SmsMessage { template_code: "SMS_THROTTLE_TEST".to_owned(), ..bill_notice("13800138000") };
    let err = client(&sim).send(&msg).await.unwrap_err();
    assert!(matches!(&err, SmsError::Throttled(text) if text.starts_with("isv.BUSINESS_LIMIT_CONTROL")), "{err:?}");
    assert!(!err.is_permanent());
    assert!(sim.sent().await.is_empty());
}

#[tokio::test]
async fn a_number_past_its_quota_per_minute_is_throttled_while_others_still_get_through() {
    let sim = start_aliyun(simulator_config().max_per_phone_per_minute(2)).await.unwrap();
    let sms = client(&sim);
    sms.send(&bill_notice("13800138000")).await.unwrap();
    sms.send(&bill_notice("13800138000")).await.unwrap();
    let third = sms.send(&bill_notice("13800138000")).await;
    assert!(matches!(third, Err(SmsError::Throttled(_))), "{third:?}");
    sms.send(&bill_notice("13900139000")).await.unwrap();
    assert_eq!(sim.sent().await.len(), 3);
}

#[tokio::test]
async fn an_unknown_template_is_rejected_for_good() {
    let sim = simulator().await;
    let msg = SmsMessage { template_code: "SMS_000000000".to_owned(), ..bill_notice("13800138000") };
    let err = client(&sim).send(&msg).await.unwrap_err();
    assert!(err.is_permanent());
    assert_eq!(rejected_code(Err::<(), _>(err)), "isv.SMS_TEMPLATE_ILLEGAL");
}

#[tokio::test]
async fn an_unapproved_sign_a_bad_number_and_a_missing_value_are_rejected() {
    let sim = simulator().await;
    let sms = client(&sim);
    let unsigned = SmsMessage { sign_name: "别家物业".to_owned(), ..bill_notice("13800138000") };
    assert_eq!(rejected_code(sms.send(&unsigned).await), "isv.SMS_SIGNATURE_ILLEGAL");
    assert_eq!(rejected_code(sms.send(&bill_notice("1380013800")).await), "isv.MOBILE_NUMBER_ILLEGAL");
    let mut missing = bill_notice("13800138000");
    missing.params.pop();
    assert_eq!(rejected_code(sms.send(&missing).await), "isv.TEMPLATE_MISSING_PARAMETERS");
    assert!(sim.sent().await.is_empty());
}

#[tokio::test]
async fn a_stopped_simulator_is_a_transport_error() {
    let sim = simulator().await;
    let sms = client(&sim);
    sms.send(&bill_notice("13800138000")).await.unwrap();
    sim.stop().await;
    let err = sms.send(&bill_notice("13800138000")).await.unwrap_err();
    assert!(matches!(err, SmsError::Transport(_)), "{err:?}");
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err =
        client_with(&format!("http://{addr}"), KEY_ID, SECRET).send(&bill_notice("13800138000")).await.unwrap_err();
    assert!(matches!(err, SmsError::Transport(_)), "{err:?}");
}

/// Requests built by hand with the public signing functions, to reach what the client never sends.
async fn raw(sim: &SimulatorHandle, method: &str, form: String) -> (u16, Value) {
    let http = reqwest::Client::new();
    let request = if method == "GET" {
        http.get(format!("{}/?{form}", sim.base_url))
    } else {
        http.post(format!("{}/", sim.base_url)).header("content-type", "application/x-www-form-urlencoded").body(form)
    };
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_stale_timestamp_and_a_replayed_nonce_are_refused_and_get_works_like_post() {
    let sim = simulator().await;
    let msg = bill_notice("13800138000");

    let stale = send_sms_params(KEY_ID, "cn-hangzhou", &msg, "nonce-stale", Utc::now() - Duration::minutes(20));
    let (status, body) = raw(&sim, "POST", sign("POST", &stale, SECRET).form()).await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("InvalidTimeStamp.Expired")));

    let fresh = send_sms_params(KEY_ID, "cn-hangzhou", &msg, "nonce-once", Utc::now());
    let (status, body) = raw(&sim, "GET", sign("GET", &fresh, SECRET).form()).await;
    assert_eq!((status, body["Code"].as_str()), (200, Some("OK")));
    let (status, body) = raw(&sim, "GET", sign("GET", &fresh, SECRET).form()).await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("SignatureNonceUsed")));

    // Signed for GET, sent as POST: the method is part of what is signed.
    let other = send_sms_params(KEY_ID, "cn-hangzhou", &msg, "nonce-method", Utc::now());
    let (status, body) = raw(&sim, "POST", sign("GET", &other, SECRET).form()).await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("SignatureDoesNotMatch")));

    assert_eq!(sim.sent().await.len(), 1);
}

/// An ACS3 request built by hand: `extra` headers are sent and signed besides the client's own,
/// `unsigned` are sent without being signed, `query` is sent as it is, `body` as a form.
struct Acs3Raw<'a> {
    method: &'a str,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    extra: Vec<(&'a str, &'a str)>,
    unsigned: Vec<(&'a str, &'a str)>,
    body: String,
    secret: &'a str,
    /// Sends the query with another number than the one signed.
    tamper: bool,
}

impl Acs3Raw<'_> {
    fn new(sim: &SimulatorHandle, msg: &SmsMessage, nonce: &str) -> Self {
        let host = sim.base_url.trim_start_matches("http://").to_owned();
        Acs3Raw {
            method: "POST",
            query: send_sms_query(msg),
            headers: send_sms_headers(&host, nonce, Utc::now()),
            extra: vec![],
            unsigned: vec![],
            body: String::new(),
            secret: SECRET,
            tamper: false,
        }
    }

    async fn send(self, sim: &SimulatorHandle) -> (u16, Value) {
        let mut headers = self.headers.clone();
        headers.retain(|(name, _)| name != "x-acs-content-sha256");
        headers.push(("x-acs-content-sha256".to_owned(), hashed_payload(self.body.as_bytes())));
        headers.extend(self.extra.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
        let signed = sign_acs3(
            &Acs3Request {
                method: self.method,
                path: "/",
                query: &self.query,
                headers: &headers,
                payload: self.body.as_bytes(),
            },
            KEY_ID,
            self.secret,
        );
        let query = if self.tamper {
            signed.canonical_query.replace("13800138000", "13900139000")
        } else {
            signed.canonical_query
        };
        let http = reqwest::Client::new();
        let url = format!("{}/?{query}", sim.base_url);
        let mut request = if self.method == "GET" { http.get(url) } else { http.post(url).body(self.body.clone()) };
        request = request.header("authorization", signed.authorization);
        for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
            request = request.header(name.as_str(), value.as_str());
        }
        for (name, value) in &self.unsigned {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }
}

#[tokio::test]
async fn acs3_requests_are_checked_for_date_nonce_signed_headers_and_tampering() {
    let sim = simulator().await;
    let msg = bill_notice("13800138000");
    let code = |answer: (u16, Value)| (answer.0, answer.1["Code"].as_str().unwrap_or_default().to_owned());

    let ok = Acs3Raw::new(&sim, &msg, "nonce-1");
    assert_eq!(code(ok.send(&sim).await), (200, "OK".to_owned()));

    let replayed = Acs3Raw::new(&sim, &msg, "nonce-1");
    assert_eq!(code(replayed.send(&sim).await), (400, "SignatureNonceUsed".to_owned()));

    let mut stale = Acs3Raw::new(&sim, &msg, "nonce-2");
    let host = sim.base_url.trim_start_matches("http://");
    stale.headers = send_sms_headers(host, "nonce-2", Utc::now() - Duration::minutes(20));
    assert_eq!(code(stale.send(&sim).await), (400, "InvalidTimeStamp.Expired".to_owned()));

    let mut wrong = Acs3Raw::new(&sim, &msg, "nonce-3");
    wrong.secret = "not-the-secret";
    assert_eq!(code(wrong.send(&sim).await), (400, "SignatureDoesNotMatch".to_owned()));

    // Another number in the query than the one signed.
    let mut tampered = Acs3Raw::new(&sim, &msg, "nonce-4");
    tampered.tamper = true;
    assert_eq!(code(tampered.send(&sim).await), (400, "SignatureDoesNotMatch".to_owned()));

    // An x-acs-* header sent but left out of SignedHeaders.
    let mut unsigned = Acs3Raw::new(&sim, &msg, "nonce-5");
    unsigned.unsigned = vec![("x-acs-security-token", "t")];
    assert_eq!(code(unsigned.send(&sim).await), (400, "IncompleteSignature".to_owned()));

    let mut no_action = Acs3Raw::new(&sim, &msg, "nonce-6");
    no_action.headers.retain(|(name, _)| name != "x-acs-action");
    assert_eq!(code(no_action.send(&sim).await), (400, "MissingParameter".to_owned()));

    assert_eq!(sim.sent().await.len(), 1);
}

/// Aliyun's SDKs may sign more headers than the minimum (`accept`, `user-agent`…) and may carry
/// the parameters in a form body, its type signed; GET with the query works as well.
#[tokio::test]
async fn acs3_accepts_extra_signed_headers_a_form_body_and_get() {
    let sim = simulator().await;
    let msg = bill_notice("13800138000");

    let mut sdk_like = Acs3Raw::new(&sim, &msg, "nonce-a");
    sdk_like.extra = vec![("accept", "application/json"), ("user-agent", "AlibabaCloud (Linux) TeaDSL/1")];
    let (status, body) = sdk_like.send(&sim).await;
    assert_eq!((status, body["Code"].as_str()), (200, Some("OK")), "{body}");

    let mut form = Acs3Raw::new(&sim, &msg, "nonce-b");
    form.body = sign("POST", &form.query, SECRET).canonical_query;
    form.query = vec![];
    form.extra = vec![("content-type", "application/x-www-form-urlencoded")];
    let (status, body) = form.send(&sim).await;
    assert_eq!((status, body["Code"].as_str()), (200, Some("OK")), "{body}");

    let mut get = Acs3Raw::new(&sim, &msg, "nonce-c");
    get.method = "GET";
    let (status, body) = get.send(&sim).await;
    assert_eq!((status, body["Code"].as_str()), (200, Some("OK")), "{body}");

    assert_eq!(sim.sent().await.len(), 3);
}
