//! A resident pays their house's bills through WeChat Pay (the simulator, speaking API v3 with
//! its own keys): the order, the signed and encrypted notification settling it once through the
//! ledger however often it comes, and the forged or wrong ones refused and logged.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use common::{Community, TestServer, assert_problem};
use linli_db::db_test;
use linli_gateway::pay::wechat::simulator::{Faults, SimulatorConfig, SimulatorHandle, start_wechat_pay, test_keys};
use reqwest::StatusCode;
use serde_json::{Value, json};

type Target = Arc<tokio::sync::OnceCell<String>>;

async fn forward(State(target): State<Target>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let Some(base) = target.get() else { return AxumStatus::SERVICE_UNAVAILABLE };
    let mut req = reqwest::Client::new().post(format!("{base}/api/v1/channels/wechat/notify")).body(body);
    for (k, v) in &headers {
        if k.as_str().starts_with("wechatpay-") || k == "content-type" {
            req = req.header(k.as_str(), v.as_bytes());
        }
    }
    let status = req.send().await.map_or(502, |r| r.status().as_u16());
    AxumStatus::from_u16(status).unwrap()
}

/// Where the simulator sends notifications: a relay on a port known before the server starts,
/// forwarding to the server once it listens.
// A stand-in for the internet between WeChat Pay and Linli, not an API route to document.
#[allow(clippy::disallowed_methods)]
async fn relay() -> (String, Target) {
    let target: Target = Arc::new(tokio::sync::OnceCell::new());
    let app = axum::Router::new()
        .route("/api/v1/channels/wechat/notify", axum::routing::post(forward))
        .with_state(target.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, target)
}

async fn start(db: linli_db::testing::TestDb) -> (TestServer, SimulatorHandle) {
    let sim = start_wechat_pay(SimulatorConfig::new().retry_scale(0.000_1)).await.unwrap();
    let (relay_url, target) = relay().await;
    let base = sim.base_url.clone();
    let s = TestServer::start_with(db, |c| {
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
    (s, sim)
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
