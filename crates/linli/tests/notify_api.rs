//! The outbox through the API: staff send a message, the delivery job delivers it, the
//! resident's inbox and live stream show it; dedupe keys, the log, stats and resending.

mod common;

use chrono::Utc;
use common::{TestServer, assert_problem};
use futures_util::StreamExt;
use linli_db::db_test;
use linli_notify::{Kind, Notification, Recipient};
use reqwest::StatusCode;
use serde_json::json;

db_test!(
    async fn a_message_from_the_service_desk_reaches_the_inbox_and_the_live_stream(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let resident = s.create_user("resident1", Some("resident"), Some(p)).await;
        let me = s.login("resident1").await;
        assert_eq!(s.get("/api/v1/inbox/unread", &me).await.body["unread"], 0);

        // The resident's page listens.
        let stream = s.http.get(s.url("/api/v1/inbox/stream")).bearer_auth(&me).send().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let mut events = stream.bytes_stream();
        let first = String::from_utf8(events.next().await.unwrap().unwrap().to_vec()).unwrap();
        assert!(first.contains("event: unread") && first.contains("data: 0"), "{first}");

        let sent = s.post("/api/v1/messages", &admin, json!({"user_id": resident, "project_id": p, "title": "停水通知", "text": "明日 9:00-12:00 停水检修。"})).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
        // Nothing is sent from the request: the job does it.
        assert_eq!(s.get("/api/v1/inbox", &me).await.body["total"], 0);
        assert!(s.run_jobs(Utc::now()).await >= 1);

        let live = tokio::time::timeout(std::time::Duration::from_secs(5), events.next())
            .await
            .expect("a live event")
            .unwrap()
            .unwrap();
        let live = String::from_utf8(live.to_vec()).unwrap();
        assert!(
            live.contains("event: message") && live.contains("停水通知") && live.contains("\"unread\":1"),
            "{live}"
        );

        let inbox = s.get("/api/v1/inbox", &me).await.body;
        assert_eq!(inbox["items"][0]["subject"], "停水通知");
        assert_eq!(inbox["items"][0]["body"], "明日 9:00-12:00 停水检修。");
        let id = inbox["items"][0]["id"].as_i64().unwrap();
        assert_eq!(s.post(&format!("/api/v1/inbox/{id}/read"), &me, json!({})).await.body["unread"], 0);

        // The console's log shows it as sent; a sent message cannot be resent.
        let log = s.get(&format!("/api/v1/messages?project_id={p}&channel=in_app"), &admin).await.body;
        assert_eq!(log["items"][0]["state"], "sent");
        assert_problem(
            &s.post(&format!("/api/v1/messages/{id}/resend"), &admin, json!({})).await,
            409,
            "message_already_sent",
        );
        let stats = s.get("/api/v1/messages/stats", &admin).await.body;
        assert!(
            stats
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["channel"] == "in_app" && c["state"] == "sent" && c["count"] == 1),
            "{stats}"
        );
        // A resident may not send or read the log.
        assert_problem(
            &s.post("/api/v1/messages", &me, json!({"user_id": resident, "title": "x", "text": "y"})).await,
            403,
            "forbidden",
        );
        assert_problem(&s.get("/api/v1/messages", &me).await, 403, "forbidden");
    }
);

db_test!(
    async fn the_same_dedupe_key_enqueued_twice_sends_once(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let user = s.create_user("owner1", Some("resident"), Some(p)).await;
        let notice = || Notification {
            company_id: s.company,
            project_id: Some(p),
            kind: Kind::BillOverdue,
            recipient: Recipient { user_id: Some(user), email: None, phone: Some("13800001111".into()), locale: None },
            params: json!({"name": "张伟", "house": "1栋301", "amount": "210.25"}),
            dedupe_key: Some("bill_overdue:42:2026-11-26".into()),
        };
        let first = s.app().notify.notify(notice(), Utc::now()).await.unwrap();
        let second = s.app().notify.notify(notice(), Utc::now()).await.unwrap();
        assert_eq!(first.len(), 2, "SMS and in-app by default (no email address)");
        assert!(second.is_empty());
        let log = s.get(&format!("/api/v1/messages?project_id={p}"), &admin).await.body;
        assert_eq!(log["total"], 2);
        let sms = log["items"].as_array().unwrap().iter().find(|m| m["channel"] == "sms").unwrap().clone();
        assert_eq!(sms["body"], "张伟您好，您的房屋 1栋301 有 210.25 元费用已逾期，请尽快缴纳。");

        // Without an SMS channel configured the message fails with a reason and will be retried.
        // (SMS waits out quiet hours, so look a day ahead; one pass, so the retry stays pending.)
        s.run_jobs_once(Utc::now() + chrono::Duration::days(1)).await;
        let failed =
            s.get(&format!("/api/v1/messages?project_id={p}&channel=sms"), &admin).await.body["items"][0].clone();
        assert_eq!(failed["state"], "failed");
        assert!(failed["last_error"].as_str().unwrap().contains("no sms channel"), "{failed}");

        // The user chooses in-app only for this kind: the next notice skips SMS.
        let pref = s
            .call(
                reqwest::Method::PUT,
                "/api/v1/notification-preferences",
                Some(&s.login("owner1").await),
                Some(json!({"kind": "bill_overdue", "channels": ["in_app"]})),
            )
            .await;
        assert_eq!(pref.status, StatusCode::OK, "{}", pref.body);
        let mut n = notice();
        n.dedupe_key = Some("bill_overdue:42:2026-11-27".into());
        assert_eq!(s.app().notify.notify(n, Utc::now()).await.unwrap().len(), 1);
    }
);

db_test!(
    async fn an_open_inbox_stream_does_not_keep_the_server_from_stopping(db: TestDb) {
        let s = TestServer::start(db).await;
        s.create_user("listener", None, None).await;
        let token = s.login("listener").await;
        let stream = s.http.get(s.url("/api/v1/inbox/stream")).bearer_auth(&token).send().await.unwrap();
        let mut events = stream.bytes_stream();
        events.next().await.unwrap().unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), s.shutdown())
            .await
            .expect("the server stops with a stream open");
        // The stream ends rather than hanging.
        while let Some(Ok(_)) = events.next().await {}
    }
);

db_test!(
    async fn the_unsubscribe_link_in_an_email_turns_email_off_for_that_kind(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let p = s.create_project(&admin, "翠湖花园").await;
        let user = s.create_user("owner2", Some("resident"), Some(p)).await;
        let notice = Notification {
            company_id: s.company,
            project_id: Some(p),
            kind: Kind::PaymentReceived,
            recipient: Recipient {
                user_id: Some(user),
                email: Some("owner2@example.com".into()),
                phone: None,
                locale: None,
            },
            params: json!({"name": "张伟", "house": "1栋301", "amount": "210.25"}),
            dedupe_key: None,
        };
        s.app().notify.notify(notice, Utc::now()).await.unwrap();
        let html: String =
            s.db.email_bodies().await.pop().expect("an email").replace("&#x2f;", "/").replace("&amp;", "&");
        let start = html.find("/api/v1/notifications/unsubscribe?token=").expect("an unsubscribe link");
        let link: String = html[start..].chars().take_while(|c| *c != '"').collect::<String>();
        let page = s.http.get(s.url(&link)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("已退订"));
        let prefs = s.get("/api/v1/notification-preferences", &s.login("owner2").await).await.body;
        let paid = prefs.as_array().unwrap().iter().find(|p| p["kind"] == "payment_received").unwrap().clone();
        assert_eq!(paid["channels"], json!(["in_app"]));
        // A forged token does nothing.
        let forged = s.http.get(s.url(&link.replace(&format!("token={user}."), "token=1."))).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    }
);
