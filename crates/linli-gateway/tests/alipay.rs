//! The Alipay client against the Alipay simulator over real HTTP on 127.0.0.1, with a small
//! notification receiver standing in for Linli's `notify_url` handler.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use chrono::{DateTime, NaiveDate, TimeDelta};
use linli_gateway::pay::alipay::bill::BillKind;
use linli_gateway::pay::alipay::sign;
use linli_gateway::pay::alipay::simulator::{Delivery, Faults, SimulatorConfig, SimulatorHandle, keys, start_alipay};
use linli_gateway::pay::alipay::{
    AlipayClient, AlipayError, BillRequest, ManualClock, Notification, PrecreateRequest, RefundRequest, TradeRef,
    TradeStatus, WapPayRequest,
};
use tokio::sync::Mutex;

/// Each minute of Alipay's redelivery schedule lasts a millisecond here.
const FAST: f64 = 1.0 / 60_000.0;
/// Generous: the waits end as soon as the log shows what the test waits for.
const PATIENCE: Duration = Duration::from_secs(10);

/// 2026-03-01 10:00:00 in Beijing.
fn morning() -> DateTime<chrono::Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T02:00:00Z").unwrap().to_utc()
}

/// What the receiver saw: each POST's verdict, in order.
type Seen = Arc<Mutex<Vec<Result<Notification, AlipayError>>>>;

struct Setup {
    sim: SimulatorHandle,
    client: Arc<AlipayClient>,
    clock: Arc<ManualClock>,
    seen: Seen,
    /// How many more verified notifications the receiver answers `fail` to.
    refuse: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct Receiver {
    client: Arc<AlipayClient>,
    seen: Seen,
    refuse: Arc<AtomicUsize>,
}

/// Linli's side of a notification: verify with the client, record, answer exactly `success`.
async fn notify(State(receiver): State<Receiver>, body: String) -> &'static str {
    let verdict = receiver.client.verify_notification(&body);
    let ok = verdict.is_ok();
    receiver.seen.lock().await.push(verdict);
    let refused = ok && receiver.refuse.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    if ok && !refused { "success" } else { "fail" }
}

// A test's own receiver, not a Linli API route.
#[allow(clippy::disallowed_methods)]
async fn setup_with(config: SimulatorConfig) -> Setup {
    let clock = Arc::new(ManualClock::new(morning()));
    let sim = start_alipay(config.schedule_scale(FAST).clock(clock.clone())).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify_url = format!("http://{}/pay/alipay/notify", listener.local_addr().unwrap());
    let client = Arc::new(AlipayClient::with_clock(sim.client_config().with_notify_url(notify_url), clock.clone()));
    let receiver = Receiver { client: client.clone(), seen: Seen::default(), refuse: Arc::default() };
    let app = Router::new().route("/pay/alipay/notify", post(notify)).with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Setup { sim, client, clock, seen: receiver.seen, refuse: receiver.refuse }
}

async fn setup() -> Setup {
    setup_with(SimulatorConfig::new()).await
}

fn bill(out_trade_no: &str, total_fen: i64) -> PrecreateRequest {
    PrecreateRequest {
        out_trade_no: out_trade_no.to_owned(),
        total_fen,
        subject: "3月物业费 2-1-301".to_owned(),
        timeout_express: None,
    }
}

fn ours(no: &str) -> TradeRef {
    TradeRef::OutTradeNo(no.to_owned())
}

fn sub_code<T: std::fmt::Debug>(result: Result<T, AlipayError>) -> String {
    match result {
        Err(AlipayError::Provider { sub_code, .. }) => sub_code,
        other => panic!("expected Alipay's refusal, got {other:?}"),
    }
}

fn accepted(log: &[Delivery], notify_id: &str) -> bool {
    log.iter().any(|d| d.notify_id == notify_id && d.accepted)
}

#[tokio::test]
async fn a_precreated_order_is_paid_notified_verified_and_acknowledged() {
    let s = setup().await;
    let answer = s.client.precreate(&bill("P20260301001", 8888)).await.unwrap();
    assert_eq!(answer.out_trade_no, "P20260301001");
    assert!(answer.qr_code.starts_with(&s.sim.base_url), "{}", answer.qr_code);
    // Until the payer scans, Alipay does not know the trade.
    assert_eq!(sub_code(s.client.query(&ours("P20260301001")).await), "ACQ.TRADE_NOT_EXIST");
    // The same bill again is the same order (a retried precreate is safe).
    assert_eq!(s.client.precreate(&bill("P20260301001", 8888)).await.unwrap().qr_code, answer.qr_code);

    let paid = s.sim.pay("P20260301001").await.unwrap();
    let notify_id = paid.notify_id.unwrap();
    let log = s.sim.deliveries().wait_until(PATIENCE, |log| accepted(log, &notify_id)).await;
    assert_eq!(log.len(), 1, "{log:?}");

    let seen = s.seen.lock().await;
    let notification = seen[0].as_ref().unwrap();
    assert_eq!(notification.notify_id, notify_id);
    assert_eq!(notification.out_trade_no, "P20260301001");
    assert_eq!(notification.trade_no, paid.trade_no);
    assert_eq!(notification.total_fen, 8888);
    assert_eq!(notification.trade_status, TradeStatus::TradeSuccess);
    assert_eq!(notification.gmt_payment.as_deref(), Some("2026-03-01 10:00:00"));
    drop(seen);

    let query = s.client.query(&ours("P20260301001")).await.unwrap();
    assert_eq!((query.trade_status, query.total_fen, query.receipt_fen), (TradeStatus::TradeSuccess, 8888, Some(8888)));
    assert_eq!(query.trade_no, paid.trade_no);
    assert_eq!(sub_code(s.client.precreate(&bill("P20260301001", 8888)).await), "ACQ.TRADE_HAS_SUCCESS");
}

#[tokio::test]
async fn a_forged_notification_is_rejected_and_the_payment_is_still_found_by_query() {
    let s = setup().await;
    s.client.precreate(&bill("P20260301002", 8888)).await.unwrap();
    let notify_id =
        s.sim.pay_with("P20260301002", Faults { forge: true, ..Faults::default() }).await.unwrap().notify_id.unwrap();
    let log = s.sim.deliveries().wait_until(PATIENCE, |log| !log.is_empty()).await;
    assert!(log[0].forged && !log[0].accepted && log[0].notify_id == notify_id);
    assert_eq!(log[0].answer, "fail");
    assert_eq!(*s.seen.lock().await, [Err(AlipayError::BadSignature)]);
    assert_eq!(s.client.query(&ours("P20260301002")).await.unwrap().trade_status, TradeStatus::TradeSuccess);
}

#[tokio::test]
async fn an_answer_other_than_success_is_redelivered_with_the_same_notify_id() {
    let s = setup().await;
    s.refuse.store(2, Ordering::SeqCst);
    s.client.precreate(&bill("P20260301003", 100)).await.unwrap();
    let notify_id = s.sim.pay("P20260301003").await.unwrap().notify_id.unwrap();
    let log = s.sim.deliveries().wait_until(PATIENCE, |log| accepted(log, &notify_id)).await;

    let attempts: Vec<(u32, bool)> = log.iter().map(|d| (d.attempt, d.accepted)).collect();
    assert_eq!(attempts, [(0, false), (1, false), (2, true)]);
    assert!(log.iter().all(|d| d.notify_id == notify_id && d.body == log[0].body));
    let seen = s.seen.lock().await;
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|v| v.as_ref().is_ok_and(|n| n.notify_id == notify_id)));
}

#[tokio::test]
async fn a_receiver_that_never_says_success_gets_eight_deliveries_then_none() {
    let s = setup().await;
    s.refuse.store(usize::MAX, Ordering::SeqCst);
    s.client.precreate(&bill("P20260301004", 100)).await.unwrap();
    s.sim.pay("P20260301004").await.unwrap();
    // 4+10+10+60+120+360+900 minutes are 1.464 s here; waiting for a ninth shows there is none.
    let log = s.sim.deliveries().wait_until(Duration::from_secs(4), |log| log.len() > 8).await;
    let attempts: Vec<u32> = log.iter().map(|d| d.attempt).collect();
    assert_eq!(attempts, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert!(log.iter().all(|d| d.status == Some(200) && !d.accepted));
}

#[tokio::test]
async fn duplicates_carry_one_notify_id_and_a_wrong_amount_is_left_for_the_caller_to_catch() {
    let s = setup().await;
    s.client.precreate(&bill("P20260301005", 8888)).await.unwrap();
    let faults = Faults { duplicates: 2, wrong_total_fen: Some(1), ..Faults::default() };
    let notify_id = s.sim.pay_with("P20260301005", faults).await.unwrap().notify_id.unwrap();
    let log = s.sim.deliveries().wait_until(PATIENCE, |log| log.len() == 3).await;
    let mut copies: Vec<u32> = log.iter().map(|d| d.copy).collect();
    copies.sort_unstable();
    assert_eq!(copies, [0, 1, 2]);
    assert!(log.iter().all(|d| d.notify_id == notify_id && d.attempt == 0));
    // Alipay's signature holds, so the adapter accepts it; the amount is the order's business.
    let seen = s.seen.lock().await;
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|v| v.as_ref().is_ok_and(|n| n.total_fen == 1 && n.notify_id == notify_id)));
}

#[tokio::test]
async fn a_held_notification_arrives_after_a_later_one() {
    let s = setup().await;
    s.client.precreate(&bill("P20260301006", 500)).await.unwrap();
    let paid = s.sim.pay_with("P20260301006", Faults { hold: true, ..Faults::default() }).await.unwrap();
    let finished = s.sim.finish("P20260301006").await.unwrap();
    let log = s.sim.deliveries();
    log.wait_until(PATIENCE, |log| accepted(log, finished.notify_id.as_deref().unwrap())).await;
    assert_eq!(s.sim.release_held().await, 1);
    let log = log.wait_until(PATIENCE, |log| accepted(log, paid.notify_id.as_deref().unwrap())).await;
    let order: Vec<TradeStatus> = log.iter().map(|d| d.trade_status).collect();
    assert_eq!(order, [TradeStatus::TradeFinished, TradeStatus::TradeSuccess]);
    let seen: Vec<bool> = s.seen.lock().await.iter().map(|v| v.as_ref().unwrap().is_paid()).collect();
    assert_eq!(seen, [true, true]);
}

#[tokio::test]
async fn a_delayed_notification_is_overtaken_by_a_prompt_one() {
    let s = setup().await;
    for no in ["P20260301015", "P20260301016"] {
        s.client.precreate(&bill(no, 100)).await.unwrap();
    }
    let late = Faults { delay: Duration::from_millis(300), ..Faults::default() };
    let first = s.sim.pay_with("P20260301015", late).await.unwrap().notify_id.unwrap();
    let second = s.sim.pay("P20260301016").await.unwrap().notify_id.unwrap();
    let log = s.sim.deliveries().wait_until(PATIENCE, |log| accepted(log, &first) && accepted(log, &second)).await;
    let order: Vec<&str> = log.iter().map(|d| d.out_trade_no.as_str()).collect();
    assert_eq!(order, ["P20260301016", "P20260301015"]);
}

#[tokio::test]
async fn refunds_are_idempotent_per_request_number_and_query_shows_them() {
    let s = setup().await;
    s.client.precreate(&bill("P20260301007", 8888)).await.unwrap();
    let paid = s.sim.pay("P20260301007").await.unwrap();
    // The payment's notification first, so the refunds' come after it.
    let paid_id = paid.notify_id.clone().unwrap();
    s.sim.deliveries().wait_until(PATIENCE, |log| accepted(log, &paid_id)).await;
    let refund = |no: &str, fen: i64| RefundRequest {
        trade: ours("P20260301007"),
        refund_fen: fen,
        out_request_no: no.to_owned(),
        refund_reason: Some("多缴".to_owned()),
    };

    let first = s.client.refund(&refund("P20260301007_R1", 1000)).await.unwrap();
    assert!(first.moved_money());
    assert_eq!((first.trade_no.as_str(), first.refund_fee_fen), (paid.trade_no.as_str(), 1000));
    let again = s.client.refund(&refund("P20260301007_R1", 1000)).await.unwrap();
    assert!(!again.moved_money(), "the same out_request_no is refunded once");
    assert_eq!(again.refund_fee_fen, 1000);
    assert_eq!(sub_code(s.client.refund(&refund("P20260301007_R2", 8000)).await), "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
    assert_eq!(s.client.query(&ours("P20260301007")).await.unwrap().trade_status, TradeStatus::TradeSuccess);

    let rest = s.client.refund(&refund("P20260301007_R2", 7888)).await.unwrap();
    assert_eq!(rest.refund_fee_fen, 8888);
    assert_eq!(s.client.query(&ours("P20260301007")).await.unwrap().trade_status, TradeStatus::TradeClosed);

    // Each refund notified: the trade's status, what was refunded so far and the request number.
    s.sim.deliveries().wait_until(PATIENCE, |log| log.iter().filter(|d| d.accepted).count() == 3).await;
    let refunds: Vec<(TradeStatus, Option<i64>, Option<String>)> = s.seen.lock().await[1..]
        .iter()
        .map(|v| {
            let n = v.as_ref().unwrap();
            assert!(n.is_refund());
            (n.trade_status, n.refund_fee_fen, n.out_biz_no.clone())
        })
        .collect();
    assert_eq!(
        refunds,
        [
            (TradeStatus::TradeSuccess, Some(1000), Some("P20260301007_R1".to_owned())),
            (TradeStatus::TradeClosed, Some(8888), Some("P20260301007_R2".to_owned())),
        ]
    );
}

#[tokio::test]
async fn close_ends_an_unpaid_order_but_not_a_paid_one() {
    let s = setup().await;
    s.client.precreate(&bill("P20260301008", 100)).await.unwrap();
    assert_eq!(sub_code(s.client.close(&ours("P20260301008")).await), "ACQ.TRADE_NOT_EXIST");
    s.sim.scan("P20260301008").await.unwrap();
    let closed = s.client.close(&ours("P20260301008")).await.unwrap();
    assert_eq!(closed.out_trade_no.as_deref(), Some("P20260301008"));
    assert_eq!(s.client.query(&ours("P20260301008")).await.unwrap().trade_status, TradeStatus::TradeClosed);
    assert_eq!(sub_code(s.client.precreate(&bill("P20260301008", 100)).await), "ACQ.TRADE_HAS_CLOSE");
    assert!(s.sim.pay("P20260301008").await.is_err());

    s.client.precreate(&bill("P20260301009", 100)).await.unwrap();
    s.sim.pay("P20260301009").await.unwrap();
    assert_eq!(sub_code(s.client.close(&ours("P20260301009")).await), "ACQ.TRADE_STATUS_ERROR");
}

#[tokio::test]
async fn the_next_days_bill_lists_payments_and_refunds_and_adds_up() {
    let s = setup().await;
    for (no, fen) in [("P20260301010", 8888), ("P20260301011", 10_000)] {
        s.client.precreate(&bill(no, fen)).await.unwrap();
        s.sim.pay(no).await.unwrap();
    }
    s.clock.advance(TimeDelta::hours(5));
    let refund = RefundRequest {
        trade: ours("P20260301010"),
        refund_fen: 1000,
        out_request_no: "P20260301010_R1".to_owned(),
        refund_reason: None,
    };
    s.client.refund(&refund).await.unwrap();
    s.client.precreate(&bill("P20260301012", 100)).await.unwrap(); // never paid: not in the bill

    let day = BillRequest { bill_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() };
    assert_eq!(sub_code(s.client.bill_download_url(&day).await), "isp.bill_not_exist");
    s.clock.advance(TimeDelta::days(1));
    let bill = s.client.download_bill(&day).await.unwrap();

    let rows: Vec<(&str, &BillKind, i64, i64)> =
        bill.rows.iter().map(|r| (r.out_trade_no.as_str(), &r.kind, r.receipt_fen, r.service_fee_fen)).collect();
    assert_eq!(
        rows,
        [
            ("P20260301010", &BillKind::Trade, 8888, -53),
            ("P20260301011", &BillKind::Trade, 10_000, -60),
            ("P20260301010", &BillKind::Refund, -1000, 6),
        ]
    );
    assert_eq!(bill.rows[2].refund_request_no.as_deref(), Some("P20260301010_R1"));
    assert_eq!((bill.summary.trade_count, bill.summary.trade_receipt_fen), (2, 18_888));
    assert_eq!((bill.summary.refund_count, bill.summary.refund_receipt_fen), (1, -1000));
}

#[tokio::test]
async fn a_request_signed_with_another_key_is_40002_invalid_signature() {
    let s = setup().await;
    let mut config = s.sim.client_config();
    config.app_private_key = keys::alipay_private_key();
    let stranger = AlipayClient::new(config);
    match stranger.precreate(&bill("P20260301013", 100)).await {
        Err(AlipayError::Provider { code, sub_code, .. }) => {
            assert_eq!((code.as_str(), sub_code.as_str()), ("40002", "isv.invalid-signature"));
        }
        other => panic!("expected isv.invalid-signature, got {other:?}"),
    }
    assert!(s.sim.order("P20260301013").await.is_none());
}

#[tokio::test]
async fn answers_signed_by_someone_else_are_not_trusted() {
    let s = setup().await;
    let mut config = s.sim.client_config();
    // As if the gateway were an impostor: its answers verify with a key that is not this one.
    config.alipay_public_key = keys::app_public_key();
    let fooled = AlipayClient::new(config);
    assert_eq!(fooled.precreate(&bill("P20260301014", 100)).await.unwrap_err(), AlipayError::BadSignature);
}

#[tokio::test]
async fn a_wap_payment_opens_the_cashier_and_returns_with_a_signed_result() {
    let s = setup().await;
    let req = WapPayRequest {
        out_trade_no: "W20260301001".to_owned(),
        total_fen: 12_050,
        subject: "停车费".to_owned(),
        quit_url: None,
        return_url: Some("https://linli.example/paid".to_owned()),
        timeout_express: None,
    };
    let url = s.client.wap_pay_url(&req).unwrap();
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = browser.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("￥120.50") && page.contains("停车费"), "{page}");

    let order = s.sim.order("W20260301001").await.unwrap();
    assert_eq!(s.client.query(&ours("W20260301001")).await.unwrap().trade_status, TradeStatus::WaitBuyerPay);
    let confirmed = browser.post(format!("{}/cashier/{}/pay", s.sim.base_url, order.trade_no)).send().await.unwrap();
    assert_eq!(confirmed.status(), reqwest::StatusCode::SEE_OTHER);
    let location = confirmed.headers()["location"].to_str().unwrap().to_owned();
    let (back, query) = location.split_once('?').unwrap();
    assert_eq!(back, "https://linli.example/paid");
    let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    assert!(sign::verify_notification(&params, &keys::alipay_public_key()));
    assert!(params.contains(&("total_amount".to_owned(), "120.50".to_owned())));
    assert_eq!(s.client.query(&ours("W20260301001")).await.unwrap().trade_status, TradeStatus::TradeSuccess);
}
