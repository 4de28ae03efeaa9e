//! SMS through the outbox to the Aliyun simulator, which verifies the signature as Aliyun does,
//! with the templates of the account's configuration; house binding codes by the same account.

mod common;

use std::collections::BTreeMap;

use chrono::Utc;
use common::{Community, TestServer};
use linli::config::Config;
use linli_db::db_test;
use linli_gateway::sms::simulator::{SimulatorConfig, SimulatorHandle, start_aliyun};
use linli_notify::sms::{self, BINDING_CODE};
use linli_notify::{Kind, Notification, Recipient, SmsProviderKind, SmsTemplateConfig, SmsTemplates};
use reqwest::StatusCode;
use serde_json::json;

/// The account's templates: codes as Aliyun issues them, and an alarm template whose variables
/// are named and ordered otherwise than Linli's values.
fn account_templates() -> BTreeMap<String, SmsTemplateConfig> {
    let mut written = sms::full_config(|i| format!("SMS_3310{i:05}"));
    written.insert(
        "alarm_raised".into(),
        SmsTemplateConfig { code: "SMS_987650001".into(), params: vec!["where=place".into(), "alarm".into()] },
    );
    // Only sent by SMS when a recipient chooses it: this account has no template for it.
    written.remove("notice_published");
    written
}

/// The simulated account with those templates approved.
async fn simulator(max_per_minute: usize) -> SimulatorHandle {
    let templates = SmsTemplates::from_config(SmsProviderKind::Aliyun, &account_templates()).unwrap();
    let mut sim = SimulatorConfig::aliyun("test-id", "test-secret")
        .sign_name("邻里物业")
        .max_per_phone_per_minute(max_per_minute);
    for subject in sms::subjects() {
        if let Some(t) = templates.get(subject) {
            sim = sim.template(t.code.clone(), sms::template_text(subject, SmsProviderKind::Aliyun, t));
        }
    }
    start_aliyun(sim).await.unwrap()
}

fn configure(c: &mut Config, endpoint: String) {
    c.sms_provider = "aliyun".into();
    c.sms_endpoint = Some(endpoint);
    c.sms_access_key_id = Some("test-id".into());
    c.sms_access_key_secret = Some("test-secret".into());
    c.sms_templates = account_templates();
}

db_test!(
    async fn an_alarm_goes_out_with_the_accounts_template_and_provider_throttling_is_retried(db: TestDb) {
        let sim = simulator(1).await;
        let endpoint = sim.base_url.clone();
        let s = TestServer::start_with(db, |c| configure(c, endpoint)).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let notice = |key: &str| Notification {
            company_id: s.company,
            project_id: Some(p),
            kind: Kind::AlarmRaised,
            recipient: Recipient { phone: Some("13800001111".into()), ..Default::default() },
            params: json!({"alarm": "入侵", "place": "东门"}),
            dedupe_key: Some(key.into()),
        };
        s.app().notify.notify(notice("alarm:1"), Utc::now()).await.unwrap();
        s.run_jobs_once(Utc::now()).await;
        let sent = sim.sent().await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].phone, "13800001111");
        assert_eq!(sent[0].template_code, "SMS_987650001", "the configured code, not a fixed one");
        assert_eq!(sent[0].params, [("where".to_owned(), "东门".to_owned()), ("alarm".to_owned(), "入侵".to_owned())]);
        assert_eq!(sent[0].text, "【邻里物业】东门 发生入侵告警，请立即处理。");
        let log = s.get(&format!("/api/v1/messages?project_id={p}&channel=sms"), &admin).await.body;
        assert_eq!(log["items"][0]["state"], "sent");

        // A second alarm in the same minute is throttled by the provider: failed, retried later, sent once.
        s.app().notify.notify(notice("alarm:2"), Utc::now()).await.unwrap();
        s.run_jobs_once(Utc::now()).await;
        let throttled = s.get(&format!("/api/v1/messages?project_id={p}&channel=sms&state=failed"), &admin).await.body;
        assert_eq!(throttled["total"], 1, "{throttled}");
        assert!(throttled["items"][0]["last_error"].as_str().unwrap().to_lowercase().contains("limit"), "{throttled}");
        assert_eq!(sim.sent().await.len(), 1);
    }
);

db_test!(
    async fn a_kind_the_account_has_no_template_for_is_not_written_for_sms(db: TestDb) {
        let sim = simulator(5).await;
        let endpoint = sim.base_url.clone();
        let s = TestServer::start_with(db, |c| configure(c, endpoint)).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let user = s.create_user("owner1", None, None).await;
        let owner = s.login("owner1").await;
        let pref = s
            .call(
                reqwest::Method::PUT,
                "/api/v1/notification-preferences",
                Some(&owner),
                Some(json!({"kind": "notice_published", "channels": ["sms", "in_app"]})),
            )
            .await;
        assert_eq!(pref.status, StatusCode::OK, "{}", pref.body);
        let notice = Notification {
            company_id: s.company,
            project_id: Some(p),
            kind: Kind::NoticePublished,
            recipient: Recipient { user_id: Some(user), phone: Some("13800002222".into()), ..Default::default() },
            params: json!({"title": "停水通知", "summary": "明日停水"}),
            dedupe_key: None,
        };
        let ids = s.app().notify.notify(notice, Utc::now()).await.unwrap();
        assert_eq!(ids.len(), 1, "in-app only: no SMS template for notice_published");
        let sms = s.get(&format!("/api/v1/messages?project_id={p}&channel=sms"), &admin).await.body;
        assert_eq!(sms["total"], 0, "{sms}");
    }
);

db_test!(
    async fn a_binding_code_goes_to_the_owners_phone_with_the_binding_template(db: TestDb) {
        let sim = simulator(5).await;
        let endpoint = sim.base_url.clone();
        let s = TestServer::start_with(db, |c| configure(c, endpoint)).await;
        let admin = s.login("admin").await;
        let c = Community::with_floors(&s, &admin, 6, "89.47").await;
        let p = c.project;
        let phone = "13900003333";
        c.owner(&s, &admin, "陈业主", phone, "2021-01-01").await;
        s.create_user("newcomer", None, None).await;
        let me = s.login("newcomer").await;
        let asked = s.post("/api/v1/bindings/code", &me, json!({"phone": phone})).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);

        // Sent at once, outside the outbox.
        let mut sent = Vec::new();
        for _ in 0..100 {
            sent = sim.sent().await;
            if !sent.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(sent.len(), 1, "one SMS to the owner");
        let binding = account_templates()[BINDING_CODE].code.clone();
        assert_eq!((sent[0].phone.as_str(), sent[0].template_code.as_str()), (phone, binding.as_str()));
        let code = sent[0].params.iter().find(|(n, _)| n == "code").map(|(_, v)| v.clone()).unwrap();
        assert_eq!(code.len(), 6);
        assert!(sent[0].text.contains(&format!("验证码 {code}，10 分钟内有效")), "{}", sent[0].text);
        let log = s.get(&format!("/api/v1/messages?project_id={p}"), &admin).await.body;
        assert!(!log.to_string().contains(&code), "the code is in no message log: {log}");

        let bound = s.post("/api/v1/bindings", &me, json!({"phone": phone, "code": code})).await;
        assert_eq!(bound.status, StatusCode::OK, "{}", bound.body);
    }
);

/// The check at start, on the function the server runs: a configured provider without the
/// template of a kind it sends names the kind.
#[test]
fn a_provider_without_a_kinds_template_does_not_start() {
    let mut c = Config::default();
    configure(&mut c, "http://127.0.0.1:9".into());
    c.sms_templates.remove("bill_overdue");
    c.sms_templates.get_mut("bill_issued").unwrap().params.push("balance".into());
    let err = linli::channels::sms(&c).err().expect("refused").to_string();
    assert!(err.contains("sms_templates.bill_overdue is missing"), "{err}");
    assert!(err.contains("sms_templates.bill_issued: parameter \"balance\""), "{err}");
    c.sms_templates = account_templates();
    assert!(linli::channels::sms(&c).unwrap().is_some());
}
