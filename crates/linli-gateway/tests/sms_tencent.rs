//! The Tencent Cloud client against the Tencent simulator, over real HTTP on 127.0.0.1.

use chrono::Utc;
use linli_gateway::sms::simulator::{SimulatorConfig, SimulatorHandle, start_tencent};
use linli_gateway::sms::tencent::{ACTION, API_VERSION, CONTENT_TYPE, SERVICE, Tc3Request, send_sms_payload, sign};
use linli_gateway::sms::{SmsError, SmsMessage, SmsProvider, TencentConfig, TencentSms};
use serde_json::Value;

const SECRET_ID: &str = "AKIDLinliTest";
const SECRET_KEY: &str = "linli-test-key";
const APP_ID: &str = "1400006666";
const BILL_TEMPLATE: &str = "1956123";

fn simulator_config() -> SimulatorConfig {
    SimulatorConfig::tencent(SECRET_ID, SECRET_KEY, APP_ID)
        .template(BILL_TEMPLATE, "尊敬的{1}，您{2}的物业费{3}元已出账，请及时缴纳。")
        .sign_name("邻里物业")
}

async fn simulator() -> SimulatorHandle {
    start_tencent(simulator_config()).await.unwrap()
}

fn client(sim: &SimulatorHandle) -> TencentSms {
    client_with(TencentConfig::new(SECRET_ID, SECRET_KEY, APP_ID).with_endpoint(&sim.base_url))
}

fn client_with(config: TencentConfig) -> TencentSms {
    TencentSms::new(config)
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
async fn a_bill_notice_reaches_the_simulator_with_its_number_template_and_values_in_order() {
    let sim = simulator().await;
    let receipt = client(&sim).send(&bill_notice("13800138000")).await.unwrap();

    let sent = sim.sent().await;
    assert_eq!(sent.len(), 1);
    let sms = &sent[0];
    assert_eq!(sms.provider, "tencent");
    assert_eq!(sms.message_id, receipt.provider_message_id);
    assert!(receipt.provider_message_id.starts_with("2645:"));
    assert_eq!(sms.phone, "13800138000", "sent as +8613800138000, logged without the country code");
    assert_eq!(sms.sign_name, "邻里物业");
    assert_eq!(sms.template_code, BILL_TEMPLATE);
    let by_position: Vec<(&str, &str)> = sms.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(by_position, [("1", "张三"), ("2", "3月"), ("3", "1280.50")]);
    assert_eq!(sms.text, "【邻里物业】尊敬的张三，您3月的物业费1280.50元已出账，请及时缴纳。");
}

#[tokio::test]
async fn a_wrong_secret_key_is_rejected_as_signature_failure() {
    let sim = simulator().await;
    let sms = client_with(TencentConfig::new(SECRET_ID, "not-the-key", APP_ID).with_endpoint(&sim.base_url));
    assert_eq!(rejected_code(sms.send(&bill_notice("13800138000")).await), "AuthFailure.SignatureFailure");
    assert!(sim.sent().await.is_empty());
}

#[tokio::test]
async fn an_unknown_secret_id_and_a_foreign_app_are_rejected() {
    let sim = simulator().await;
    let stranger = client_with(TencentConfig::new("AKIDSomeoneElse", SECRET_KEY, APP_ID).with_endpoint(&sim.base_url));
    assert_eq!(rejected_code(stranger.send(&bill_notice("13800138000")).await), "AuthFailure.SecretIdNotFound");
    let other_app = client_with(TencentConfig::new(SECRET_ID, SECRET_KEY, "1400000001").with_endpoint(&sim.base_url));
    assert_eq!(
        rejected_code(other_app.send(&bill_notice("13800138000")).await),
        "UnauthorizedOperation.SmsSdkAppIdVerifyFail"
    );
}

#[tokio::test]
async fn the_throttle_template_is_throttled_and_may_be_retried() {
    let sim = simulator().await;
    let msg = SmsMessage { template_code: "THROTTLE".to_owned(), ..bill_notice("13800138000") };
    let err = client(&sim).send(&msg).await.unwrap_err();
    assert!(matches!(&err, SmsError::Throttled(text) if text.starts_with("LimitExceeded.")), "{err:?}");
    assert!(!err.is_permanent());
    assert!(sim.sent().await.is_empty());
}

#[tokio::test]
async fn a_number_past_its_quota_per_minute_is_throttled_while_others_still_get_through() {
    let sim = start_tencent(simulator_config().max_per_phone_per_minute(2)).await.unwrap();
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
    let msg = SmsMessage { template_code: "1000000".to_owned(), ..bill_notice("13800138000") };
    let err = client(&sim).send(&msg).await.unwrap_err();
    assert!(err.is_permanent());
    assert_eq!(rejected_code(Err::<(), _>(err)), "FailedOperation.TemplateIncorrectOrUnapproved");
}

#[tokio::test]
async fn an_unapproved_sign_a_bad_number_and_a_wrong_count_of_values_are_rejected() {
    let sim = simulator().await;
    let sms = client(&sim);
    let unsigned = SmsMessage { sign_name: "别家物业".to_owned(), ..bill_notice("13800138000") };
    assert_eq!(rejected_code(sms.send(&unsigned).await), "FailedOperation.SignatureIncorrectOrUnapproved");
    assert_eq!(rejected_code(sms.send(&bill_notice("1380013800")).await), "InvalidParameterValue.IncorrectPhoneNumber");
    let mut short = bill_notice("13800138000");
    short.params.pop();
    assert_eq!(rejected_code(sms.send(&short).await), "FailedOperation.TemplateParamSetNotMatchApprovedTemplate");
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
    let sms = client_with(TencentConfig::new(SECRET_ID, SECRET_KEY, APP_ID).with_endpoint(format!("http://{addr}")));
    let err = sms.send(&bill_notice("13800138000")).await.unwrap_err();
    assert!(matches!(err, SmsError::Transport(_)), "{err:?}");
}

/// A request built by hand with the public signing functions, to reach what the client never sends.
struct Raw {
    method: &'static str,
    timestamp: i64,
    sign_action: bool,
    region: Option<&'static str>,
}

impl Raw {
    fn post() -> Self {
        Raw { method: "POST", timestamp: Utc::now().timestamp(), sign_action: false, region: Some("ap-guangzhou") }
    }

    /// The GET form of Tencent's SDKs (`HttpProfile(reqMethod="GET")`): the parameters in the
    /// query string as Python's `urlencode` writes them, lists flattened by index, the query
    /// signed and the payload empty.
    fn get() -> Self {
        Raw { method: "GET", ..Raw::post() }
    }

    async fn send(self, sim: &SimulatorHandle) -> Value {
        let payload = send_sms_payload(APP_ID, &bill_notice("13800138000"));
        let query = "PhoneNumberSet.0=%2B8613800138000&SignName=%E9%82%BB%E9%87%8C%E7%89%A9%E4%B8%9A\
                     &SmsSdkAppId=1400006666&TemplateId=1956123&TemplateParamSet.0=%E5%BC%A0%E4%B8%89\
                     &TemplateParamSet.1=3%E6%9C%88&TemplateParamSet.2=1280.50";
        let (query, payload, content_type) = if self.method == "GET" {
            (query, String::new(), "application/x-www-form-urlencoded")
        } else {
            ("", payload, CONTENT_TYPE)
        };
        let host = sim.base_url.trim_start_matches("http://");
        let signed = sign(
            &Tc3Request {
                method: self.method,
                host,
                query,
                content_type,
                service: SERVICE,
                action: ACTION,
                payload: payload.as_bytes(),
                timestamp: self.timestamp,
                sign_action: self.sign_action,
            },
            SECRET_ID,
            SECRET_KEY,
        );
        let http = reqwest::Client::new();
        let mut request = if self.method == "GET" {
            http.get(format!("{}/?{query}", sim.base_url))
        } else {
            http.post(&sim.base_url).body(payload)
        };
        request = request
            .header("authorization", signed.authorization)
            .header("content-type", content_type)
            .header("x-tc-action", ACTION)
            .header("x-tc-version", API_VERSION)
            .header("x-tc-timestamp", self.timestamp.to_string());
        if let Some(region) = self.region {
            request = request.header("x-tc-region", region);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "Tencent answers errors with 200 too");
        response.json::<Value>().await.unwrap()["Response"].clone()
    }
}

#[tokio::test]
async fn a_stale_timestamp_is_refused_and_signing_the_action_header_is_accepted() {
    let sim = simulator().await;
    let stale = Raw { timestamp: Utc::now().timestamp() - 10 * 60, ..Raw::post() }.send(&sim).await;
    assert_eq!(stale["Error"]["Code"], "AuthFailure.SignatureExpire");

    let with_action = Raw { sign_action: true, ..Raw::post() }.send(&sim).await;
    assert_eq!(with_action["SendStatusSet"][0]["Code"], "Ok", "{with_action}");
    assert_eq!(with_action["SendStatusSet"][0]["PhoneNumber"], "+8613800138000");
    assert_eq!(sim.sent().await.len(), 1);
}

/// Tencent's API refuses a request without `X-TC-Region`, with its usual error envelope.
#[tokio::test]
async fn a_request_without_a_region_or_with_a_region_sms_does_not_serve_is_refused() {
    let sim = simulator().await;
    let missing = Raw { region: None, ..Raw::post() }.send(&sim).await;
    assert_eq!(missing["Error"]["Code"], "MissingParameter", "{missing}");
    assert_eq!(missing["Error"]["Message"], "The request is missing a required parameter `Region`.");
    assert!(missing["RequestId"].is_string() && missing.get("SendStatusSet").is_none(), "{missing}");

    let elsewhere = Raw { region: Some("ap-mars"), ..Raw::post() }.send(&sim).await;
    assert_eq!(elsewhere["Error"]["Code"], "UnsupportedRegion", "{elsewhere}");
    assert!(sim.sent().await.is_empty());
}

#[tokio::test]
async fn the_sdks_get_form_is_accepted_signed_over_its_query() {
    let sim = simulator().await;
    let answer = Raw::get().send(&sim).await;
    assert_eq!(answer["SendStatusSet"][0]["Code"], "Ok", "{answer}");
    let sent = sim.sent().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].text, "【邻里物业】尊敬的张三，您3月的物业费1280.50元已出账，请及时缴纳。");

    // The query is what is signed: the same GET signed as a POST (empty query) does not verify.
    let http = reqwest::Client::new();
    let timestamp = Utc::now().timestamp();
    let host = sim.base_url.trim_start_matches("http://");
    let signed_as_post = sign(
        &Tc3Request {
            method: "GET",
            host,
            query: "",
            content_type: "application/x-www-form-urlencoded",
            service: SERVICE,
            action: ACTION,
            payload: b"",
            timestamp,
            sign_action: false,
        },
        SECRET_ID,
        SECRET_KEY,
    );
    let refused: Value = http
        .get(format!(
            "{}/?PhoneNumberSet.0=%2B8613800138000&SmsSdkAppId={APP_ID}&SignName=x&TemplateId=1",
            sim.base_url
        ))
        .header("authorization", signed_as_post.authorization)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-tc-action", ACTION)
        .header("x-tc-version", API_VERSION)
        .header("x-tc-timestamp", timestamp.to_string())
        .header("x-tc-region", "ap-guangzhou")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["Response"]["Error"]["Code"], "AuthFailure.SignatureFailure", "{refused}");
    assert_eq!(sim.sent().await.len(), 1);
}
