//! Email through the outbox to a real SMTP server process, including an outage: messages fail
//! with a reason while it is down and are delivered once it is back, each exactly once, also
//! across a restart of the server.

mod common;

use chrono::{Duration, Utc};
use common::TestServer;
use linli_db::db_test;
use linli_gateway::email::testing::SmtpSink;
use linli_notify::{Kind, Notification, Recipient};
use serde_json::json;

fn receipt(company: i64, project: i64, n: usize) -> Notification {
    Notification {
        company_id: company,
        project_id: Some(project),
        kind: Kind::PaymentReceived,
        recipient: Recipient { user_id: None, email: Some(format!("owner{n}@example.com")), phone: None, locale: None },
        params: json!({"name": format!("业主{n}"), "house": "1栋301", "amount": "210.25"}),
        dedupe_key: Some(format!("payment:{n}")),
    }
}

/// Receipts are not urgent: at night they wait for the morning, so look a day ahead.
fn tomorrow() -> chrono::DateTime<Utc> {
    Utc::now() + Duration::days(1)
}

db_test!(
    async fn emails_fail_while_smtp_is_down_and_arrive_exactly_once_when_it_is_back(db: TestDb) {
        let mut sink = SmtpSink::start().await;
        let port = sink.port();
        let mut s = TestServer::start_with(db, |c| {
            c.smtp_host = Some("127.0.0.1".into());
            c.smtp_port = port;
            c.smtp_from = "邻里物业 <noreply@linli.test>".into();
        })
        .await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;

        // A rendered email, read back from the real server: subject, recipient and both bodies.
        s.app().notify.notify(receipt(s.company, p, 0), Utc::now()).await.unwrap();
        s.run_jobs_once(tomorrow()).await;
        let got = sink.wait_for(1).await;
        assert_eq!(got[0].subject().as_deref(), Some("缴费成功"));
        assert_eq!(got[0].to()[0].1, "owner0@example.com");
        assert_eq!(got[0].text().unwrap().trim_end(), "业主0您好，已收到您为 1栋301 缴纳的 210.25 元，谢谢。");
        let html = got[0].html().unwrap();
        assert!(html.contains("<h3>缴费成功</h3>") && html.contains("业主0您好"), "{html}");

        // The SMTP server goes down: three receipts fail, with the reason.
        sink.stop().await;
        for n in 1..=3 {
            s.app().notify.notify(receipt(s.company, p, n), Utc::now()).await.unwrap();
        }
        s.run_jobs_once(tomorrow()).await;
        let failed = s.get(&format!("/api/v1/messages?project_id={p}&state=failed"), &admin).await.body;
        assert_eq!(failed["total"], 3, "{failed}");
        assert!(!failed["items"][0]["last_error"].as_str().unwrap().is_empty());

        // Linli restarts in the middle of it: a new instance on the same database takes over.
        s.restart().await;
        let again = s;
        sink.restart().await;
        // Retries are due after the backoff.
        again.run_jobs(Utc::now() + Duration::minutes(5)).await;
        let got = sink.wait_for(4).await;
        let mut to: Vec<String> = got.iter().map(|m| m.to()[0].1.clone()).collect();
        to.sort();
        assert_eq!(to, ["owner0@example.com", "owner1@example.com", "owner2@example.com", "owner3@example.com"]);
        let sent =
            again.get(&format!("/api/v1/messages?project_id={p}&state=sent"), &again.login("admin").await).await.body;
        assert_eq!(sent["total"], 4);
        // Nothing left to send, nothing sent twice.
        again.run_jobs(Utc::now() + Duration::days(1)).await;
        assert_eq!(sink.received().len(), 4);
    }
);
