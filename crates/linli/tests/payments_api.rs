//! A resident pays their house's bills through WeChat Pay (the simulator, speaking API v3 with
//! its own keys): the order, the signed and encrypted notification settling it once through the
//! ledger however often it comes, and the forged or wrong ones refused and logged.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use common::{Community, TestServer, assert_problem};
use linli_db::db_test;
use linli_gateway::pay::alipay::simulator::{
    self as alipay_sim, SimulatorConfig as AlipayConfig, SimulatorHandle as AlipayHandle, start_alipay,
};
use linli_gateway::pay::wechat::simulator::{Faults, SimulatorConfig, SimulatorHandle, start_wechat_pay, test_keys};
use reqwest::StatusCode;
use serde_json::{Value, json};

type Target = Arc<tokio::sync::OnceCell<String>>;

async fn forward(
    State(target): State<Target>,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (AxumStatus, String) {
    let Some(base) = target.get() else { return (AxumStatus::SERVICE_UNAVAILABLE, String::new()) };
    let mut req = reqwest::Client::new().post(format!("{base}/api/v1/channels/{channel}/notify")).body(body);
    for (k, v) in &headers {
        if k.as_str().starts_with("wechatpay-") || k == "content-type" {
            req = req.header(k.as_str(), v.as_bytes());
        }
    }
    let Ok(res) = req.send().await else { return (AxumStatus::BAD_GATEWAY, String::new()) };
    // Alipay reads the body (`success`), WeChat Pay the status.
    (AxumStatus::from_u16(res.status().as_u16()).unwrap(), res.text().await.unwrap_or_default())
}

/// Where the simulator sends notifications: a relay on a port known before the server starts,
/// forwarding to the server once it listens.
// A stand-in for the internet between WeChat Pay and Linli, not an API route to document.
#[allow(clippy::disallowed_methods)]
async fn relay() -> (String, Target) {
    let target: Target = Arc::new(tokio::sync::OnceCell::new());
    let app = axum::Router::new()
        .route("/api/v1/channels/{channel}/notify", axum::routing::post(forward))
        .with_state(target.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, target)
}

async fn start(db: linli_db::testing::TestDb) -> (TestServer, SimulatorHandle) {
    let (s, wechat, _) = start_with(db, false).await;
    (s, wechat)
}

/// WeChat Pay's simulator and, with `alipay`, Alipay's, both configured on the server.
async fn start_with(
    db: linli_db::testing::TestDb,
    alipay: bool,
) -> (TestServer, SimulatorHandle, Option<AlipayHandle>) {
    let sim = start_wechat_pay(SimulatorConfig::new().retry_scale(0.000_1)).await.unwrap();
    let ali =
        if alipay { Some(start_alipay(AlipayConfig::new().schedule_scale(0.000_1)).await.unwrap()) } else { None };
    let (relay_url, target) = relay().await;
    let base = sim.base_url.clone();
    let gateway = ali.as_ref().map(|a| a.gateway_url.clone());
    let s = TestServer::start_with(db, |c| {
        if let Some(gateway) = gateway {
            c.alipay_app_id = Some(alipay_sim::TEST_APP_ID.into());
            c.alipay_seller_id = Some(alipay_sim::TEST_SELLER_ID.into());
            c.alipay_app_private_key = Some(alipay_sim::keys::APP_PRIVATE_KEY_PEM.into());
            c.alipay_public_key = Some(alipay_sim::keys::ALIPAY_PUBLIC_KEY_PEM.into());
            c.alipay_gateway_url = Some(gateway);
        }
        c.public_url = Some(relay_url);
        c.wechat_pay_mchid = Some(test_keys::MCHID.into());
        c.wechat_pay_appid = Some(test_keys::APPID.into());
        c.wechat_pay_serial_no = Some(test_keys::MERCHANT_SERIAL_NO.into());
        c.wechat_pay_private_key = Some(test_keys::MERCHANT_PRIVATE_KEY_PEM.into());
        c.wechat_pay_apiv3_key = Some(test_keys::APIV3_KEY.into());
        c.wechat_pay_public_key_id = Some(test_keys::PLATFORM_PUBLIC_KEY_ID.into());
        c.wechat_pay_public_key = Some(test_keys::PLATFORM_PUBLIC_KEY_PEM.into());
        c.wechat_pay_base_url = Some(base);
    })
    .await;
    target.set(s.base.clone()).unwrap();
    (s, sim, ali)
}

/// A house billed for a month, its owner's phone bound to a new account: the account's token,
/// the house and what it owes.
async fn resident_with_a_bill(s: &TestServer, admin: &str, username: &str) -> (String, i64, i64) {
    resident_with_a_bill_in(s, admin, username, "翠湖花园").await
}

/// The same in a project of this name (a second resident of another community).
async fn resident_with_a_bill_in(s: &TestServer, admin: &str, username: &str, project: &str) -> (String, i64, i64) {
    let c = Community::named(s, admin, project, 10, "100.00").await;
    let (p, h) = (c.project, c.house);
    let phone = format!("137{}{:07}", u8::from(s.backend() == "postgres"), (h * 7901 + p) % 10_000_000);
    c.owner(s, admin, "陈业主", &phone, "2021-01-01").await;
    c.property_fee(s, admin).await;
    let run = s.post("/api/v1/billing-runs", admin, json!({"project_id": p, "period": "2026-01"})).await.id();
    s.post(&format!("/api/v1/billing-runs/{run}/confirm"), admin, json!({})).await;
    s.app().billing.runs.execute_run(run, 100).await.unwrap();
    s.create_user(username, None, None).await;
    let me = s.login(username).await;
    s.bind(&me, &phone).await;
    let due = s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await.body["total_due_fen"].as_i64().unwrap();
    (me, h, due)
}

/// The in-app messages of a kind in the signed-in account's inbox.
async fn inbox_of_kind(s: &TestServer, token: &str, kind: &str) -> Vec<Value> {
    let inbox = s.get("/api/v1/inbox?page_size=100", token).await.body;
    inbox["items"].as_array().unwrap().iter().filter(|m| m["kind"] == kind).cloned().collect()
}

async fn order(s: &TestServer, token: &str, house: i64, key: &str, body: Value) -> common::Answer {
    let res = s
        .http
        .post(s.url(&format!("/api/v1/my/houses/{house}/payment-orders")))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    common::Answer { status, content_type, body: res.json().await.unwrap_or(Value::Null) }
}

/// Waits until the order is in `state` (notifications arrive on their own schedule).
async fn until_state(s: &TestServer, token: &str, house: i64, id: i64, state: &str) -> Value {
    for _ in 0..200 {
        let o = s.get(&format!("/api/v1/my/houses/{house}/payment-orders/{id}"), token).await.body;
        if o["state"] == state {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("order {id} never became {state}");
}

async fn until_logged(s: &TestServer, outcome: &str, n: usize, reason: Option<&str>) -> Vec<String> {
    for _ in 0..200 {
        let rows = s.db.payment_notifications(outcome).await;
        if rows.len() >= n && reason.is_none_or(|r| rows.iter().any(|x| x == r)) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} {outcome} notifications");
}

db_test!(
    async fn a_resident_pays_by_wechat_and_the_payment_is_credited_once_however_often_wechat_says_so(db: TestDb) {
        let (s, sim) = start(db).await;
        let admin = s.login("admin").await;
        let c = Community::new(&s, &admin, "100.00").await;
        let (p, h) = (c.project, c.house);
        let phone = format!("137{}{:07}", u8::from(s.backend() == "postgres"), (h * 7901 + p) % 10_000_000);
        c.owner(&s, &admin, "陈业主", &phone, "2021-01-01").await;
        c.property_fee(&s, &admin).await;
        let run = s.post("/api/v1/billing-runs", &admin, json!({"project_id": p, "period": "2026-01"})).await.id();
        s.post(&format!("/api/v1/billing-runs/{run}/confirm"), &admin, json!({})).await;
        s.app().billing.runs.execute_run(run, 100).await.unwrap();
        s.create_user("chen", None, None).await;
        let me = s.login("chen").await;
        s.bind(&me, &phone).await;
        assert_eq!(s.get("/api/v1/payment-channels", &me).await.body, json!(["wechat"]));

        let due = s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await.body["total_due_fen"].as_i64().unwrap();
        assert!(due > 100_000, "the bill and its late fee: {due}");
        let first = order(&s, &me, h, "pay-1", json!({"channel": "wechat"})).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(first.body["amount_fen"], due);
        assert_eq!(first.body["state"], "pending");
        // The simulator's code opens its scan page (a real one is `weixin://wxpay/…`).
        let code_url = first.body["code_url"].as_str().unwrap().to_owned();
        assert!(
            code_url.starts_with(&sim.base_url) && code_url.ends_with(first.body["out_trade_no"].as_str().unwrap()),
            "{code_url}"
        );
        let again = order(&s, &me, h, "pay-1", json!({"channel": "wechat"})).await;
        assert_eq!((again.status, again.body["id"].clone()), (StatusCode::CREATED, first.body["id"].clone()));
        let (id, no) = (first.id(), first.body["out_trade_no"].as_str().unwrap().to_owned());
        assert_eq!(sim.order(&no).await.unwrap().amount.unwrap().total, Some(due));

        // Scanning the code pays; WeChat Pay tells us three times over.
        sim.pay_with(&no, Faults::none().duplicate(2)).await.unwrap();
        let paid = until_state(&s, &me, h, id, "paid").await;
        assert!(paid["payment_id"].is_i64());
        until_logged(&s, "repeated", 2, None).await;
        assert_eq!(s.db.payment_notifications("settled").await.len(), 1);
        assert_eq!(s.db.payments_of_house(h).await, 1);
        let account = s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await.body;
        assert_eq!(
            (account["total_due_fen"].as_i64(), account["open_bills"].as_array().map(Vec::len)),
            (Some(0), Some(0))
        );
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
        let log = s.get(&format!("/api/v1/audit-log?entity=payment_order&entity_id={id}"), &admin).await.body;
        assert_eq!(log["total"], 2, "{log}");

        // Nothing is owed now: an order needs an amount (kept as prepaid balance).
        let nothing = order(&s, &me, h, "pay-2", json!({"channel": "wechat"})).await;
        assert_eq!(nothing.body["errors"][0], json!({"field": "amount_fen", "code": "nothing_due"}));
        // A forged notification and one for another amount are refused and logged; the order
        // stays unpaid and no money is credited.
        let forged = order(&s, &me, h, "pay-3", json!({"channel": "wechat", "amount_fen": 5_000})).await;
        assert_eq!(forged.status, StatusCode::CREATED, "{}", forged.body);
        sim.pay_with(forged.body["out_trade_no"].as_str().unwrap(), Faults::none().forge()).await.unwrap();
        let refused = until_logged(&s, "refused", 1, None).await;
        assert!(!refused[0].is_empty());
        let wrong = order(&s, &me, h, "pay-4", json!({"channel": "wechat", "amount_fen": 6_000})).await;
        sim.pay_with(wrong.body["out_trade_no"].as_str().unwrap(), Faults::none().wrong_amount(600_000)).await.unwrap();
        let refused = until_logged(&s, "refused", 2, Some("amount_mismatch")).await;
        assert!(refused.iter().any(|r| r == "amount_mismatch"), "{refused:?}");
        let o = s.get(&format!("/api/v1/my/houses/{h}/payment-orders/{}", forged.id()), &me).await.body;
        assert_eq!(o["state"], "pending");
        assert_eq!(s.db.payments_of_house(h).await, 1);
        assert_eq!(s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await.body["balance_fen"], 0);

        // Another's house, and a channel not configured.
        assert_problem(&order(&s, &admin, h, "x", json!({"channel": "wechat"})).await, 404, "not_found");
        let alipay = order(&s, &me, h, "pay-5", json!({"channel": "alipay", "amount_fen": 100})).await;
        assert_eq!(alipay.body["errors"][0], json!({"field": "channel", "code": "not_available"}));
        // A notification that is not WeChat Pay's at all.
        let junk = s.http.post(s.url("/api/v1/channels/wechat/notify")).body("{}").send().await.unwrap();
        assert_eq!(junk.status(), StatusCode::UNAUTHORIZED);
    }
);

db_test!(
    async fn a_resident_pays_by_alipay_and_the_owner_is_told_once(db: TestDb) {
        let (s, _wechat, alipay) = start_with(db, true).await;
        let alipay = alipay.unwrap();
        let admin = s.login("admin").await;
        let (me, h, due) = resident_with_a_bill(&s, &admin, "lisi").await;
        assert_eq!(s.get("/api/v1/payment-channels", &me).await.body, json!(["wechat", "alipay"]));
        let first = order(&s, &me, h, "ali-1", json!({"channel": "alipay"})).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!((first.body["channel"].clone(), first.body["amount_fen"].as_i64()), (json!("alipay"), Some(due)));
        // The simulator's code opens its cashier (a real one is `https://qr.alipay.com/…`).
        assert!(
            first.body["code_url"].as_str().unwrap().starts_with(&format!("{}/qr/", alipay.base_url)),
            "{}",
            first.body
        );
        assert!(first.body["qr_svg"].as_str().unwrap().contains("<svg"));
        let (id, no) = (first.id(), first.body["out_trade_no"].as_str().unwrap().to_owned());

        // Paid, then TRADE_FINISHED when the refund window ends: two notifications, one payment.
        alipay.pay(&no).await.unwrap();
        let paid = until_state(&s, &me, h, id, "paid").await;
        assert!(paid["payment_id"].is_i64());
        alipay.finish(&no).await.unwrap();
        until_logged(&s, "repeated", 1, None).await;
        assert_eq!(s.db.payment_notifications("settled").await.len(), 1);
        assert_eq!(s.db.payments_of_house(h).await, 1);
        // Alipay stops sending only on exactly `success`: every delivery was answered so.
        let deliveries = alipay.deliveries().all().await;
        assert!(deliveries.len() >= 2 && deliveries.iter().all(|d| d.accepted), "{deliveries:?}");
        let account = s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await.body;
        assert_eq!(account["total_due_fen"], 0);
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());

        // The owner (this account) is told in the app, once (the outbox's job delivers it).
        s.run_jobs(chrono::Utc::now()).await;
        let told = inbox_of_kind(&s, &me, "payment_received").await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(told[0]["body"].as_str().unwrap().contains(&format!("{}.{:02}", due / 100, due % 100)), "{}", told[0]);

        // A form that is not Alipay's: refused, and not `success`.
        let junk = s
            .http
            .post(s.url("/api/v1/channels/alipay/notify"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("notify_id=x&out_trade_no={no}&trade_status=TRADE_SUCCESS&total_amount=1.00&sign=AAAA"))
            .send()
            .await
            .unwrap();
        assert_eq!(junk.status(), StatusCode::UNAUTHORIZED);
        assert_ne!(junk.text().await.unwrap(), "success");
    }
);

db_test!(
    async fn an_order_whose_notification_never_comes_is_settled_by_the_query_job_after_expiry(db: TestDb) {
        let (s, sim) = start(db).await;
        let admin = s.login("admin").await;
        let (me, h, due) = resident_with_a_bill(&s, &admin, "wang").await;
        let paid = order(&s, &me, h, "q-1", json!({"channel": "wechat"})).await;
        let unpaid = order(&s, &me, h, "q-2", json!({"channel": "wechat", "amount_fen": 700})).await;
        let paid_no = paid.body["out_trade_no"].as_str().unwrap().to_owned();
        let unpaid_no = unpaid.body["out_trade_no"].as_str().unwrap().to_owned();
        // Paid at WeChat Pay, the notification held back (lost on the way).
        let held = sim.pay_with(&paid_no, Faults::none().hold()).await.unwrap();

        // Before expiry the job leaves them alone.
        let payments = &s.app().payments;
        assert_eq!(payments.settle_expired(chrono::Utc::now()).await.unwrap(), linli_payments::Expired::default());
        let after_expiry = chrono::Utc::now() + chrono::Duration::hours(3);
        let done = payments.settle_expired(after_expiry).await.unwrap();
        assert_eq!((done.settled, done.closed, done.failed), (1, 1, 0));
        let o = s.get(&format!("/api/v1/my/houses/{h}/payment-orders/{}", paid.id()), &me).await.body;
        assert_eq!((o["state"].clone(), o["amount_fen"].as_i64()), (json!("paid"), Some(due)));
        let o = s.get(&format!("/api/v1/my/houses/{h}/payment-orders/{}", unpaid.id()), &me).await.body;
        assert_eq!(o["state"], "closed");
        // Closed at WeChat Pay too: the code can no longer be paid.
        assert_eq!(sim.order(&unpaid_no).await.unwrap().trade_state, linli_gateway::pay::wechat::TradeState::Closed);
        assert!(sim.pay(&unpaid_no).await.is_err());
        assert_eq!(s.db.payments_of_house(h).await, 1);
        assert_eq!(s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await.body["total_due_fen"], 0);

        // The notification arrives after all: nothing more is credited; a second round finds nothing.
        assert!(sim.release(&held).await);
        until_logged(&s, "repeated", 1, None).await;
        assert_eq!(s.db.payments_of_house(h).await, 1);
        assert_eq!(payments.settle_expired(after_expiry).await.unwrap(), linli_payments::Expired::default());
        let log =
            s.get(&format!("/api/v1/audit-log?entity=payment_order&entity_id={}", unpaid.id()), &admin).await.body;
        assert!(log["items"].as_array().unwrap().iter().any(|r| r["action"] == "payments.order.closed"), "{log}");
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
    }
);

db_test!(
    async fn a_storm_of_notifications_credits_every_genuine_payment_exactly_once(db: TestDb) {
        use linli_gateway::pay::wechat::simulator::{paid_transaction, transaction_notification};
        let (s, _sim) = start(db).await;
        let admin = s.login("admin").await;
        let (me, h, due) = resident_with_a_bill(&s, &admin, "zhao").await;
        // 600 orders of 1.00 元 each (kept as prepaid balance beyond the bill).
        let mut numbers = Vec::new();
        for i in 0..600 {
            let o = order(&s, &me, h, &format!("storm-{i}"), json!({"channel": "wechat", "amount_fen": 100})).await;
            assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
            numbers.push(o.body["out_trade_no"].as_str().unwrap().to_owned());
        }
        // 1,000 notifications: each order's, 300 copies, 50 forged, 50 for another amount; the
        // last hundred orders' come first, last first (10% out of order), and every third copy
        // comes before its first.
        let note = |i: usize, total: i64, forge: bool| {
            transaction_notification(&paid_transaction(&numbers[i], &format!("42000{i:023}"), total), forge).unwrap()
        };
        let mut storm: Vec<_> = (500..600).rev().map(|i| ("genuine", note(i, 100, false))).collect();
        for i in 0..500 {
            if i < 300 && i % 3 == 0 {
                storm.push(("copy", note(i, 100, false)));
            }
            storm.push(("genuine", note(i, 100, false)));
            if i < 300 && i % 3 != 0 {
                storm.push(("copy", note(i, 100, false)));
            }
            if (300..350).contains(&i) {
                storm.push(("forged", note(i, 100, true)));
            }
            if (400..450).contains(&i) {
                storm.push(("wrong", note(i, 10_000, false)));
            }
        }
        assert_eq!(storm.len(), 1_000);

        let storm = Arc::new(storm);
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (storm, next, url, http) =
                (storm.clone(), next.clone(), s.url("/api/v1/channels/wechat/notify"), s.http.clone());
            tasks.push(tokio::spawn(async move {
                let mut answers = Vec::new();
                while let Some((kind, (headers, body))) =
                    storm.get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                {
                    let mut req = http.post(&url).body(body.clone());
                    for (k, v) in headers {
                        req = req.header(k.as_str(), v.as_str());
                    }
                    answers.push((*kind, req.send().await.unwrap().status().as_u16()));
                }
                answers
            }));
        }
        let mut answers = Vec::new();
        for t in tasks {
            answers.extend(t.await.unwrap());
        }
        assert_eq!(answers.len(), 1_000);
        for (kind, status) in &answers {
            assert_eq!(*status, if *kind == "forged" { 401 } else { 204 }, "{kind}");
        }
        // Every genuine payment credited once; the forged and wrong ones refused and logged.
        assert_eq!(s.db.payments_of_house(h).await, 600);
        assert_eq!(s.db.payment_notifications("settled").await.len(), 600);
        assert_eq!(s.db.payment_notifications("repeated").await.len(), 300);
        let refused = s.db.payment_notifications("refused").await;
        assert_eq!(refused.len(), 100, "{refused:?}");
        assert_eq!(refused.iter().filter(|r| *r == "amount_mismatch").count(), 50);
        let account = s.get(&format!("/api/v1/my/houses/{h}/account"), &me).await.body;
        // 600.00 元 in: the bill paid, the rest kept as prepaid balance.
        assert_eq!(
            account["balance_fen"].as_i64().unwrap() - account["total_due_fen"].as_i64().unwrap(),
            60_000 - due,
            "{account}"
        );
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
    }
);

db_test!(
    async fn a_refund_goes_back_through_the_channel_and_never_exceeds_what_was_paid(db: TestDb) {
        let (s, wechat, alipay) = start_with(db, true).await;
        let alipay = alipay.unwrap();
        let admin = s.login("admin").await;
        let (me, h, due) = resident_with_a_bill(&s, &admin, "sun").await;
        let pay = |channel: &'static str, key: &'static str, amount: i64| {
            let (s, me) = (&s, &me);
            async move {
                let o = order(s, me, h, key, json!({"channel": channel, "amount_fen": amount})).await;
                assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
                (o.id(), o.body["out_trade_no"].as_str().unwrap().to_owned())
            }
        };
        // 30.00 元 by WeChat goes to the bill: nothing is left in the balance to give back.
        let (a, a_no) = pay("wechat", "r-1", 3_000).await;
        wechat.pay(&a_no).await.unwrap();
        until_state(&s, &me, h, a, "paid").await;
        let refunds = format!("/api/v1/payment-orders/{a}/refunds");
        let spent = s.post(&refunds, &admin, json!({"amount_fen": 1_000, "reason": "多缴退回"})).await;
        assert_problem(&spent, 422, "validation_failed");
        assert_eq!(spent.body["errors"][0], json!({"field": "amount_fen", "code": "exceeds_balance"}));
        // The rest of the bill and 30.00 元 more: 30.00 元 of prepaid balance.
        let (b, b_no) = pay("wechat", "r-2", due).await;
        wechat.pay(&b_no).await.unwrap();
        until_state(&s, &me, h, b, "paid").await;
        let account = format!("/api/v1/my/houses/{h}/account");
        assert_eq!(s.get(&account, &me).await.body["balance_fen"], 3_000);

        // A cashier may not refund; a manager refunds 10.00 元 of the first order through WeChat Pay.
        let cashier_id = s.create_user("cashier-r", Some("cashier"), None).await;
        assert!(cashier_id > 0);
        let cashier = s.login("cashier-r").await;
        let denied = s.post(&refunds, &cashier, json!({"amount_fen": 1_000, "reason": "多缴退回"})).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
        let r = s.post(&refunds, &admin, json!({"amount_fen": 1_000, "reason": "多缴退回"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        // WeChat Pay answers PROCESSING; the query job finds it done.
        let mut state = r.body["state"].as_str().unwrap().to_owned();
        for _ in 0..100 {
            if state == "refunded" {
                break;
            }
            s.app().payments.settle_refunds().await.unwrap();
            let detail = s.get(&format!("/api/v1/payment-orders/{a}"), &admin).await.body;
            state = detail["refunds"][0]["state"].as_str().unwrap().to_owned();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(state, "refunded");
        let detail = s.get(&format!("/api/v1/payment-orders/{a}"), &admin).await.body;
        assert_eq!(detail["refundable_fen"], 2_000, "{detail}");
        assert_eq!(wechat.order(&a_no).await.unwrap().trade_state, linli_gateway::pay::wechat::TradeState::Refund);
        assert_eq!(s.get(&account, &me).await.body["balance_fen"], 2_000);
        // Never more than the order paid less what it refunded.
        let too_much = s.post(&refunds, &admin, json!({"amount_fen": 2_001, "reason": "多缴退回"})).await;
        assert_eq!(too_much.body["errors"][0], json!({"field": "amount_fen", "code": "exceeds_paid"}));
        // WeChat Pay's REFUND.SUCCESS notification is taken (not a payment: nothing credited).
        until_logged(&s, "ignored", 1, None).await;

        // Alipay refunds at once, in full: the trade is closed there.
        let (c, c_no) = pay("alipay", "r-3", 500).await;
        alipay.pay(&c_no).await.unwrap();
        until_state(&s, &me, h, c, "paid").await;
        let r = s
            .post(
                &format!("/api/v1/payment-orders/{c}/refunds"),
                &admin,
                json!({"amount_fen": 500, "reason": "重复缴费"}),
            )
            .await;
        assert_eq!((r.status, r.body["state"].clone()), (StatusCode::CREATED, json!("refunded")), "{}", r.body);
        assert_eq!(alipay.status(&c_no).await, Some(linli_gateway::pay::alipay::TradeStatus::TradeClosed));
        assert_eq!(s.get(&account, &me).await.body["balance_fen"], 2_000);
        let list = s.get(&format!("/api/v1/payment-orders?house_id={h}&state=paid"), &admin).await.body;
        assert_eq!(list["total"], 3, "{list}");
        assert_problem(&s.get(&format!("/api/v1/payment-orders/{c}"), &me).await, 403, "forbidden");
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
    }
);

db_test!(
    async fn reconciling_a_day_with_one_surplus_and_one_shortfall_lists_exactly_those_two(db: TestDb) {
        use linli_gateway::pay::wechat::simulator::{paid_transaction, transaction_notification};
        let (s, sim) = start(db).await;
        let admin = s.login("admin").await;
        let (me, h, due) = resident_with_a_bill(&s, &admin, "qian").await;
        let pay = |key: &'static str, amount: i64| {
            let (s, me) = (&s, &me);
            async move {
                let o = order(s, me, h, key, json!({"channel": "wechat", "amount_fen": amount})).await;
                assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
                (o.id(), o.body["out_trade_no"].as_str().unwrap().to_owned())
            }
        };
        // Agreed: the bill and 10.00 元 more paid and notified, 5.00 元 of it refunded.
        let (a, a_no) = pay("rc-a", due + 1_000).await;
        sim.pay(&a_no).await.unwrap();
        until_state(&s, &me, h, a, "paid").await;
        let r = s
            .post(
                &format!("/api/v1/payment-orders/{a}/refunds"),
                &admin,
                json!({"amount_fen": 500, "reason": "多缴退回"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        for _ in 0..100 {
            s.app().payments.settle_refunds().await.unwrap();
            if s.get(&format!("/api/v1/payment-orders/{a}"), &admin).await.body["refunds"][0]["state"] == "refunded" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // A surplus (长款): paid at WeChat Pay, its notification lost on the way.
        let (b, b_no) = pay("rc-b", 400).await;
        sim.pay_with(&b_no, Faults::none().hold()).await.unwrap();
        // A shortfall (短款): credited in Linli on a notification for money WeChat Pay never took.
        let (c, c_no) = pay("rc-c", 500).await;
        let (headers, body) =
            transaction_notification(&paid_transaction(&c_no, "4200000000000000000000000099", 500), false).unwrap();
        let mut req = s.http.post(s.url("/api/v1/channels/wechat/notify")).body(body);
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        assert_eq!(req.send().await.unwrap().status(), StatusCode::NO_CONTENT);
        until_state(&s, &me, h, c, "paid").await;
        let payments_before = s.db.payments_of_house(h).await;

        let today = linli_core::time::today().to_string();
        let day = json!({"channel": "wechat", "bill_date": today});
        let run = s.post("/api/v1/reconciliations", &admin, day.clone()).await;
        assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
        let found = run.body["discrepancies"].as_array().unwrap().clone();
        let summary: Vec<_> = found
            .iter()
            .map(|d| (d["kind"].clone(), d["cause"].clone(), d["out_no"].clone(), d["difference_fen"].clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (json!("surplus"), json!("not_in_linli"), json!(b_no), json!(400)),
                (json!("shortfall"), json!("not_at_channel"), json!(c_no), json!(500)),
            ],
            "{}",
            run.body
        );
        let r = &run.body;
        assert_eq!(
            (r["matched"].as_i64(), r["surplus_count"].as_i64(), r["shortfall_count"].as_i64()),
            (Some(2), Some(1), Some(1))
        );
        assert_eq!((r["linli_count"].as_i64(), r["channel_count"].as_i64()), (Some(3), Some(3)));
        assert_eq!(r["linli_net_fen"].as_i64(), Some(due + 1_000 - 500 + 500));
        assert_eq!(r["channel_net_fen"].as_i64(), Some(due + 1_000 - 500 + 400));
        assert_eq!(found[0]["order_id"].as_i64(), Some(b));
        assert!(found[0]["house_label"].as_str().is_some_and(|l| !l.is_empty()), "{}", found[0]);
        let id = r["id"].as_i64().unwrap();

        // Company-wide work: a project's cashier and the resident may not, and nothing is signed
        // off open.
        let project = s.get(&format!("/api/v1/houses/{h}"), &admin).await.body["project_id"].as_i64();
        s.create_user("cashier-rc", Some("cashier"), project).await;
        let cashier = s.login("cashier-rc").await;
        assert_eq!(s.get(&format!("/api/v1/reconciliations/{id}"), &cashier).await.status, StatusCode::FORBIDDEN);
        assert_eq!(s.post("/api/v1/reconciliations", &me, day.clone()).await.status, StatusCode::FORBIDDEN);
        let open = s.post(&format!("/api/v1/reconciliations/{id}/sign-off"), &admin, json!({})).await;
        assert_problem(&open, 409, "discrepancies_open");

        // The surplus is credited (the order settled, once); the shortfall cannot be.
        let (surplus, shortfall) = (found[0]["id"].as_i64().unwrap(), found[1]["id"].as_i64().unwrap());
        let resolve = |d: i64, body: Value| {
            let s = &s;
            let admin = &admin;
            async move { s.post(&format!("/api/v1/discrepancies/{d}/resolution"), admin, body).await }
        };
        let wrong = resolve(shortfall, json!({"resolution": "credited", "note": "补记"})).await;
        assert_eq!(wrong.body["errors"][0], json!({"field": "resolution", "code": "does_not_fit"}), "{}", wrong.body);
        let credited = resolve(surplus, json!({"resolution": "credited", "note": "通知丢失，补记入账"})).await;
        assert_eq!(credited.status, StatusCode::OK, "{}", credited.body);
        assert_eq!(credited.body["resolution"], "credited");
        assert_eq!(credited.body["resolved_by_name"].as_str().map(str::is_empty), Some(false));
        assert_eq!(s.get(&format!("/api/v1/my/houses/{h}/payment-orders/{b}"), &me).await.body["state"], "paid");
        assert_eq!(s.db.payments_of_house(h).await, payments_before + 1);
        let again = resolve(surplus, json!({"resolution": "explained", "note": "重复"})).await;
        assert_problem(&again, 409, "discrepancy_resolved");
        let explained = resolve(shortfall, json!({"resolution": "corrected", "note": "伪造通知，已冲正"})).await;
        assert_eq!(explained.status, StatusCode::OK, "{}", explained.body);

        // Run again: the credited payment now agrees; both decisions are kept.
        let rerun = s.post("/api/v1/reconciliations", &admin, day.clone()).await;
        assert_eq!(rerun.status, StatusCode::CREATED, "{}", rerun.body);
        assert_eq!((rerun.body["matched"].as_i64(), rerun.body["open_count"].as_i64()), (Some(3), Some(0)));
        assert_eq!(rerun.body["discrepancies"].as_array().unwrap().len(), 2);
        let signed = s.post(&format!("/api/v1/reconciliations/{id}/sign-off"), &admin, json!({"note": "已核对"})).await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
        assert_eq!(signed.body["state"], "signed_off");
        assert_problem(&s.post("/api/v1/reconciliations", &admin, day).await, 409, "reconciliation_signed_off");
        let list = s.get("/api/v1/reconciliations?channel=wechat", &admin).await.body;
        assert_eq!(list["items"][0]["id"].as_i64(), Some(id), "{list}");
        let log = s.get(&format!("/api/v1/audit-log?entity=reconciliation&entity_id={id}"), &admin).await.body;
        let actions: Vec<_> =
            log["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap().to_owned()).collect();
        for want in
            ["payments.reconciliation.run", "payments.discrepancy.resolved", "payments.reconciliation.signed_off"]
        {
            assert!(actions.iter().any(|a| a == want), "{want} not in {actions:?}");
        }
        assert!(s.app().billing.reports.check_ledger().await.unwrap().ok());
    }
);

db_test!(
    async fn a_resident_sees_the_payment_history_and_the_electronic_receipt(db: TestDb) {
        let (s, sim) = start(db).await;
        let admin = s.login("admin").await;
        let (me, h, due) = resident_with_a_bill(&s, &admin, "liwei").await;
        let o = order(&s, &me, h, "hist-1", json!({"channel": "wechat"})).await;
        sim.pay(o.body["out_trade_no"].as_str().unwrap()).await.unwrap();
        let paid = until_state(&s, &me, h, o.id(), "paid").await;
        let history = s.get(&format!("/api/v1/my/houses/{h}/payments"), &me).await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.body);
        let row = &history.body["items"][0];
        assert_eq!((row["id"].as_i64(), row["amount_fen"].as_i64()), (paid["payment_id"].as_i64(), Some(due)));
        assert_eq!(row["channel"], "wechat");
        let receipt_no = row["receipt_no"].as_str().unwrap().to_owned();
        let pid = row["id"].as_i64().unwrap();
        let page = s
            .http
            .get(s.url(&format!("/api/v1/my/houses/{h}/payments/{pid}/receipt")))
            .bearer_auth(&me)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        for want in [receipt_no.as_str(), "电子收据", "微信支付"] {
            assert!(html.contains(want), "the receipt lacks {want}: {html}");
        }
        // Reading it is no printing: the office's first print is still the original.
        let office =
            s.http.get(s.url(&format!("/api/v1/payments/{pid}/receipt"))).bearer_auth(&admin).send().await.unwrap();
        assert!(!office.text().await.unwrap().contains("副本"));
        // Another resident's house, or another house's payment through one's own: 404.
        let (other, other_h, _) = resident_with_a_bill_in(&s, &admin, "zhou", "锦绣园").await;
        assert_eq!(s.get(&format!("/api/v1/my/houses/{h}/payments"), &other).await.status, StatusCode::NOT_FOUND);
        let through = s
            .http
            .get(s.url(&format!("/api/v1/my/houses/{other_h}/payments/{pid}/receipt")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(through.status(), StatusCode::NOT_FOUND);
    }
);
