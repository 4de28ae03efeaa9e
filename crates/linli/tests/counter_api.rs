//! The counter (收银台) through the API: numbered receipts from the project's receipt book, the
//! receipt's print page (A5, thermal, 副本 on a reprint), a cashier's till session from float to
//! hand-over with the difference, and voiding a receipt, which needs the manager.

mod common;

use std::sync::Arc;

use chrono::Utc;
use common::{Community, TestServer, assert_problem};
use linli_db::db_test;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// 翠湖花园 with house 301 (100 m², owned) billed 1,000.00 元 for January 2026, a cashier and a
/// manager of the project.
async fn setup(s: &TestServer, admin: &str) -> Community {
    let c = Community::new(s, admin, "100").await;
    c.owner(s, admin, "张伟", "13800001111", "2020-05-01").await;
    c.property_fee(s, admin).await;
    let run = s.post("/api/v1/billing-runs", admin, json!({"project_id": c.project, "period": "2026-01"})).await;
    let id = run.created();
    let confirmed = s.post(&format!("/api/v1/billing-runs/{id}/confirm"), admin, json!({})).await;
    assert_eq!(confirmed.status, StatusCode::ACCEPTED, "{}", confirmed.body);
    s.run_jobs(Utc::now()).await;
    s.create_user("cashier", Some("cashier"), Some(c.project)).await;
    s.create_user("manager", Some("manager"), Some(c.project)).await;
    c
}

async fn pay(s: &TestServer, token: &str, house: i64, body: Value) -> common::Answer {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut body = body;
    body["received_on"] = json!(linli_core::time::today().to_string());
    let key = format!("counter-{}-{}", std::process::id(), SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let res = s
        .http
        .post(s.url(&format!("/api/v1/houses/{house}/payments")))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = res.text().await.unwrap();
    common::Answer { status, content_type, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

async fn page(s: &TestServer, token: &str, path: &str) -> String {
    let a = s.call(Method::GET, path, Some(token), None).await;
    assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
    assert!(a.content_type.starts_with("text/html"), "{}", a.content_type);
    a.body.as_str().unwrap().to_owned()
}

db_test!(
    async fn a_shift_of_three_cash_payments_and_one_by_card_handed_over_one_yuan_short(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let c = setup(&s, &admin).await;
        let cashier = s.login("cashier").await;

        let opened = s
            .post("/api/v1/till-sessions", &cashier, json!({"project_id": c.project, "opening_float_fen": 20_000}))
            .await;
        let session = opened.created();
        assert_eq!(opened.body["state"], "open");
        assert_eq!(opened.body["cashier_name"], "用户cashier");
        let again =
            s.post("/api/v1/till-sessions", &cashier, json!({"project_id": c.project, "opening_float_fen": 0})).await;
        assert_problem(&again, 409, "till_session_open");

        // A card payment without its POS slip's reference is refused, and takes no number.
        let no_ref = pay(&s, &cashier, c.house, json!({"amount_fen": 30_000, "channel": "card"})).await;
        assert_problem(&no_ref, 422, "validation_failed");
        assert_eq!(no_ref.body["errors"][0]["field"], "reference", "{}", no_ref.body);

        let mut receipts = Vec::new();
        for body in [
            json!({"amount_fen": 10_000, "channel": "cash", "payer": "张伟"}),
            json!({"amount_fen": 25_050, "channel": "cash"}),
            json!({"amount_fen": 30_000, "channel": "card", "reference": "POS-778812"}),
            json!({"amount_fen": 4_950, "channel": "cash"}),
        ] {
            let r = pay(&s, &cashier, c.house, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            receipts.push(r.body["payment"].clone());
        }
        let numbers: Vec<&str> = receipts.iter().map(|p| p["receipt_no"].as_str().unwrap()).collect();
        let expected: Vec<String> = (1..=4).map(|n| format!("SK{}-{n:08}", c.project)).collect();
        assert_eq!(numbers, expected, "consecutive numbers of the project's book, none lost to the refused one");

        // The shift so far: takings by channel and the cash the drawer should hold.
        let report = s.get(&format!("/api/v1/till-sessions/{session}"), &cashier).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        let t = &report.body["takings"];
        assert_eq!(
            t["by_channel"],
            json!([{"channel": "cash", "count": 3, "amount_fen": 40_000}, {"channel": "card", "count": 1, "amount_fen": 30_000}])
        );
        assert_eq!(t["total_fen"], 70_000);
        assert_eq!(t["expected_cash_fen"], 60_000, "200.00 float + 400.00 cash");
        assert_eq!(report.body["payments"].as_array().unwrap().len(), 4);
        assert_eq!(report.body["payments"][2]["reference"], "POS-778812");

        // Hand-over with 599.00 counted: 1.00 元 short.
        let bad =
            s.post(&format!("/api/v1/till-sessions/{session}/close"), &cashier, json!({"counted_cash_fen": -1})).await;
        assert_problem(&bad, 422, "validation_failed");
        let closed = s
            .post(&format!("/api/v1/till-sessions/{session}/close"), &cashier, json!({"counted_cash_fen": 59_900}))
            .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        assert_eq!(closed.body["session"]["state"], "closed");
        assert_eq!(closed.body["session"]["counted_cash_fen"], 59_900);
        assert_eq!(closed.body["session"]["expected_cash_fen"], 60_000);
        assert_eq!(closed.body["session"]["difference_fen"], -100);
        assert_eq!(closed.body["outcome"], "short");
        assert_eq!(closed.body["takings"]["by_channel"], t["by_channel"]);
        let twice = s
            .post(&format!("/api/v1/till-sessions/{session}/close"), &cashier, json!({"counted_cash_fen": 60_000}))
            .await;
        assert_problem(&twice, 409, "till_session_closed");
        let printed = page(&s, &cashier, &format!("/api/v1/till-sessions/{session}/report")).await;
        for want in ["交班报表", "现金", "银行卡", "600.00", "599.00", "-1.00", "短款"] {
            assert!(printed.contains(want), "{want}: {printed}");
        }

        // A payment after the hand-over belongs to no session.
        let late = pay(&s, &cashier, c.house, json!({"amount_fen": 1_000, "channel": "cash"})).await;
        assert_eq!(late.status, StatusCode::CREATED, "{}", late.body);
        assert_eq!(late.body["payment"]["receipt_no"], format!("SK{}-00000005", c.project));
        let open = s.get(&format!("/api/v1/till-sessions?project_id={}&state=open", c.project), &cashier).await;
        assert_eq!(open.body["total"], 0, "{}", open.body);
        let log = s.get(&format!("/api/v1/payments?project_id={}&till_session_id={session}", c.project), &admin).await;
        assert_eq!(log.body["total"], 4, "{}", log.body);
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
    }
);

db_test!(
    async fn a_voided_receipt_needs_the_manager_and_a_reason_and_reverses_its_payment(db: TestDb) {
        let s = TestServer::start(db).await;
        let admin = s.login("admin").await;
        let c = setup(&s, &admin).await;
        let cashier = s.login("cashier").await;
        let manager = s.login("manager").await;
        let account = format!("/api/v1/houses/{}/account", c.house);
        let before = s.get(&account, &cashier).await.body;

        let r = pay(&s, &cashier, c.house, json!({"amount_fen": 50_000, "channel": "cash", "payer": "张伟"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.body["payment"]["id"].as_i64().unwrap();
        let paid = s.get(&account, &cashier).await.body;
        assert_ne!(paid["total_due_fen"], before["total_due_fen"], "{paid}");

        // The receipt's print page: the number, the amount in 元 and in capitals, the cashier.
        let receipt_no = r.body["payment"]["receipt_no"].as_str().unwrap().to_owned();
        let html = page(&s, &cashier, &format!("/api/v1/payments/{id}/receipt")).await;
        for want in
            [receipt_no.as_str(), "500.00", "伍佰元整", "现金", "用户cashier", "张伟", "1栋301", "翠湖花园", "测试物业"]
        {
            assert!(html.contains(want), "{want}: {html}");
        }
        assert!(!html.contains("副本"));
        let thermal = page(&s, &cashier, &format!("/api/v1/payments/{id}/receipt?layout=thermal")).await;
        assert!(thermal.contains("80mm") && thermal.contains("副本（第 2 次打印）"), "{thermal}");
        let bad_layout = s.get(&format!("/api/v1/payments/{id}/receipt?layout=a4"), &cashier).await;
        assert!(bad_layout.status.is_client_error(), "{}", bad_layout.status);

        // The cashier alone may not void; the manager needs a reason.
        let by_cashier = s.post(&format!("/api/v1/payments/{id}/void"), &cashier, json!({"reason": "输错金额"})).await;
        assert_problem(&by_cashier, 403, "forbidden");
        let no_reason = s.post(&format!("/api/v1/payments/{id}/void"), &manager, json!({"reason": "  "})).await;
        assert_problem(&no_reason, 422, "validation_failed");
        let long = s.post(&format!("/api/v1/payments/{id}/void"), &manager, json!({"reason": "长".repeat(201)})).await;
        assert_problem(&long, 422, "validation_failed");
        let voided = s.post(&format!("/api/v1/payments/{id}/void"), &manager, json!({"reason": "输错金额"})).await;
        assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
        assert_eq!(voided.body["voided"], true);
        assert_eq!(voided.body["void_reason"], "输错金额");
        assert_eq!(voided.body["voided_by_name"], "用户manager");
        assert_eq!(voided.body["receipt_no"], receipt_no.as_str());
        let again = s.post(&format!("/api/v1/payments/{id}/void"), &manager, json!({"reason": "再次"})).await;
        assert_problem(&again, 409, "receipt_already_voided");

        // Reversed, not deleted: the house owes what it owed, the receipt stays in the log as voided,
        // and the ledger's seals and sums hold.
        let after = s.get(&account, &cashier).await.body;
        assert_eq!(after["total_due_fen"], before["total_due_fen"], "{after}");
        assert_eq!(after["balance_fen"], before["balance_fen"], "{after}");
        let log = s.get(&format!("/api/v1/payments?project_id={}", c.project), &cashier).await.body;
        assert_eq!(log["total"], 1, "{log}");
        assert_eq!(log["items"][0]["voided"], true);
        let html = page(&s, &cashier, &format!("/api/v1/payments/{id}/receipt")).await;
        assert!(html.contains("作废") && html.contains("输错金额"), "{html}");
        let check = s.app().billing.reports.check_ledger().await.unwrap();
        assert!(check.ok(), "{check:?}");
        let audit =
            s.get(&format!("/api/v1/audit-log?project_id={}&action=billing.receipt.voided", c.project), &admin).await;
        assert_eq!(audit.body["total"], 1, "{}", audit.body);

        // Bounds: a float out of range, another project's payment, a payer too long.
        for float in [-1, 1_000_001] {
            let a = s
                .post("/api/v1/till-sessions", &cashier, json!({"project_id": c.project, "opening_float_fen": float}))
                .await;
            assert_problem(&a, 422, "validation_failed");
        }
        let long_payer =
            pay(&s, &cashier, c.house, json!({"amount_fen": 100, "channel": "cash", "payer": "名".repeat(51)})).await;
        assert_problem(&long_payer, 422, "validation_failed");
        let missing = s.get("/api/v1/payments/999999/receipt", &cashier).await;
        assert_problem(&missing, 404, "not_found");
    }
);

db_test!(
    async fn concurrent_payments_take_consecutive_numbers_none_twice_none_lost(db: TestDb) {
        let s = Arc::new(TestServer::start(db).await);
        let admin = s.login("admin").await;
        let c = setup(&s, &admin).await;
        let mut houses = vec![c.house];
        for n in 2..=4 {
            houses.push(s.create_house(&admin, c.building, &format!("30{n}"), 3, "90").await);
        }
        let cashier = Arc::new(s.login("cashier").await);
        let mut tasks = Vec::new();
        for i in 0..24 {
            let (s, cashier, house) = (s.clone(), cashier.clone(), houses[i % houses.len()]);
            tasks.push(tokio::spawn(async move {
                let r = pay(&s, &cashier, house, json!({"amount_fen": 1_000 + i as i64, "channel": "cash"})).await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
                r.body["payment"]["receipt_no"].as_str().unwrap().to_owned()
            }));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap());
        }
        numbers.sort();
        let expected: Vec<String> = (1..=24).map(|n| format!("SK{}-{n:08}", c.project)).collect();
        assert_eq!(numbers, expected);
        // Another project has its own book.
        let other = s.create_project(&admin, "云栖科技园").await;
        let b = s.create_building(&admin, other, "A座", 5).await;
        let h = s.create_house(&admin, b, "101", 1, "50").await;
        let r = pay(&s, &admin, h, json!({"amount_fen": 100, "channel": "transfer", "reference": "HZ-1"})).await;
        assert_eq!(r.body["payment"]["receipt_no"], format!("SK{other}-00000001"), "{}", r.body);
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
    }
);
