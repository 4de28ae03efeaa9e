//! SMS through the outbox to the Aliyun simulator, which verifies the signature as Aliyun does.

mod common;

use chrono::Utc;
use common::TestServer;
use linli_db::db_test;
use linli_gateway::sms::simulator::{SimulatorConfig, start_aliyun};
use linli_notify::{Kind, Notice, Recipient};
use serde_json::json;

db_test!(
    async fn an_alarm_goes_out_by_sms_and_provider_throttling_is_retried(db: TestDb) {
        let mut sim =
            SimulatorConfig::aliyun("test-id", "test-secret").sign_name("邻里物业").max_per_phone_per_minute(1);
        for (code, text) in linli_notify::sms_templates() {
            sim = sim.template(code, text);
        }
        let sim = start_aliyun(sim).await.unwrap();
        let endpoint = sim.base_url.clone();
        let s = TestServer::start_with(db, |c| {
            c.sms_provider = "aliyun".into();
            c.sms_endpoint = Some(endpoint);
            c.sms_access_key_id = Some("test-id".into());
            c.sms_access_key_secret = Some("test-secret".into());
        })
        .await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let notice = |key: &str| Notice {
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
        assert_eq!(sent[0].template_code, "SMS_LINLI_ALARM");
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
