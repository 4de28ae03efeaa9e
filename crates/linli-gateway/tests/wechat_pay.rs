//! The WeChat Pay client against the WeChat Pay simulator, over real HTTP on 127.0.0.1: orders,
//! payments and their notifications to a small receiver that verifies them with the client,
//! redelivery, faults, refunds, queries and the trade bill.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, NaiveDate, Utc};
use linli_gateway::pay::rsa::{PrivateKey, PublicKey};
use linli_gateway::pay::wechat::client::{JsapiPayment, WechatPayConfig};
use linli_gateway::pay::wechat::model::BillType;
use linli_gateway::pay::wechat::sign::{PlatformKeys, SignatureHeaders, jsapi_pay_message};
use linli_gateway::pay::wechat::simulator::{
    DeliveryAttempt, Faults, SimulatorConfig, SimulatorError, SimulatorHandle, start_wechat_pay, test_keys,
};
use linli_gateway::pay::wechat::trade_bill::TradeBill;
use linli_gateway::pay::wechat::{
    NewOrder, NewRefund, Notification, NotificationEvent, RefundStatus, TradeRef, TradeState, WechatPayClient,
    WechatPayError,
};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

type Received = Result<Notification, WechatPayError>;

/// The simulator, a client configured for it, and the merchant's notification endpoint.
struct World {
    sim: SimulatorHandle,
    client: Arc<WechatPayClient>,
    received: mpsc::UnboundedReceiver<Received>,
    /// The receiver answers 500 to this many notifications before it starts verifying.
    failures: Arc<AtomicU32>,
}

struct Receiver {
    client: Arc<WechatPayClient>,
    sent: mpsc::UnboundedSender<Received>,
    failures: Arc<AtomicU32>,
}

/// What Linli's notification endpoint does: verify and decrypt with the client, 204 when good,
/// 401 with WeChat's failure body when not.
async fn notify(State(receiver): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> Response {
    let fail = receiver.failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    if fail {
        return (StatusCode::INTERNAL_SERVER_ERROR, r#"{"code":"FAIL","message":"失败"}"#).into_response();
    }
    let result = receiver.client.verify_notification(&headers, &body);
    let status = if result.is_ok() { StatusCode::NO_CONTENT } else { StatusCode::UNAUTHORIZED };
    let _ = receiver.sent.send(result);
    if status == StatusCode::NO_CONTENT {
        status.into_response()
    } else {
        (status, r#"{"code":"FAIL","message":"签名错误"}"#).into_response()
    }
}

#[allow(clippy::disallowed_methods)] // a test's stand-in for Linli's endpoint, not part of the API
fn receiver_router(receiver: Arc<Receiver>) -> Router {
    Router::new().route("/wechat/notify", post(notify)).with_state(receiver)
}

async fn world_with(cfg: SimulatorConfig, change: impl FnOnce(WechatPayConfig) -> WechatPayConfig) -> World {
    let sim = start_wechat_pay(cfg).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let notify_url = format!("http://{}/wechat/notify", listener.local_addr().unwrap());
    let client = Arc::new(WechatPayClient::new(change(sim.client_config(notify_url))).unwrap());
    let (sent, received) = mpsc::unbounded_channel();
    let failures = Arc::new(AtomicU32::new(0));
    let endpoint = Arc::new(Receiver { client: Arc::clone(&client), sent, failures: Arc::clone(&failures) });
    tokio::spawn(async move { axum::serve(listener, receiver_router(endpoint)).await });
    World { sim, client, received, failures }
}

async fn world(cfg: SimulatorConfig) -> World {
    world_with(cfg, |config| config).await
}

/// Retries after 15 µs instead of 15 s: the whole day's schedule in under 0.1 s.
fn fast() -> SimulatorConfig {
    SimulatorConfig::new().retry_scale(1e-6)
}

fn order(out_trade_no: &str) -> NewOrder {
    NewOrder {
        description: "邻里物业-3号楼2单元501 2026年3月物业费".to_owned(),
        out_trade_no: out_trade_no.to_owned(),
        total_fen: 128_050,
        time_expire: None,
        attach: Some("bill=20260301-000123".to_owned()),
    }
}

impl World {
    async fn next(&mut self) -> Received {
        tokio::time::timeout(WAIT, self.received.recv()).await.expect("a notification in time").expect("open")
    }

    async fn settled(&self, notification_id: &str) -> Vec<DeliveryAttempt> {
        tokio::time::timeout(WAIT, self.sim.deliveries().settled(notification_id)).await.expect("settled in time")
    }

    /// Creates and pays a Native order; the verified transaction notification.
    async fn paid(&mut self, out_trade_no: &str) -> Notification {
        self.client.native(&order(out_trade_no)).await.unwrap();
        self.sim.pay(out_trade_no).await.unwrap();
        self.next().await.unwrap()
    }
}

fn transaction(notification: &Notification) -> &linli_gateway::pay::wechat::Transaction {
    match &notification.event {
        NotificationEvent::Transaction(transaction) => transaction,
        other => panic!("expected a transaction, got {other:?}"),
    }
}

fn statuses(attempts: &[DeliveryAttempt]) -> Vec<Option<u16>> {
    attempts.iter().map(|a| a.status).collect()
}

#[tokio::test]
async fn a_native_order_paid_at_the_simulator_is_notified_verified_and_acknowledged() {
    let mut world = world(SimulatorConfig::new()).await;
    let code_url = world.client.native(&order("LL20260301000123")).await.unwrap();
    // The simulator's code opens its scan page, standing in for the payer's phone.
    assert_eq!(code_url, format!("{}/scan/LL20260301000123", world.sim.base_url));
    let unpaid = world.client.query_by_out_trade_no("LL20260301000123").await.unwrap();
    assert_eq!(unpaid.trade_state, TradeState::NotPay);
    assert_eq!(unpaid.transaction_id, None);

    let http = reqwest::Client::new();
    let page = http.get(&code_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("确认支付") && page.contains("1280.50"), "{page}");
    let done = http.post(&code_url).send().await.unwrap().text().await.unwrap();
    assert!(done.contains("支付成功"), "{done}");
    let notification = world.next().await.unwrap();
    let id = notification.id.clone();
    assert_eq!(notification.event_type, "TRANSACTION.SUCCESS");
    assert_eq!(notification.summary, "支付成功");
    let paid = transaction(&notification);
    assert_eq!(paid.out_trade_no, "LL20260301000123");
    assert_eq!(paid.trade_state, TradeState::Success);
    assert_eq!(paid.total_fen(), Some(128_050));
    assert_eq!((paid.mchid.as_str(), paid.appid.as_str()), (test_keys::MCHID, test_keys::APPID));
    assert_eq!(paid.attach.as_deref(), Some("bill=20260301-000123"));
    assert_eq!(paid.trade_type.as_deref(), Some("NATIVE"));
    assert!(paid.success_time.as_deref().is_some_and(|t| t.ends_with("+08:00")));

    let attempts = world.settled(&id).await;
    assert_eq!(statuses(&attempts), [Some(204)]);
    assert_eq!((attempts[0].attempt, attempts[0].copy, attempts[0].forged), (1, 0, false));

    let queried = world.client.query_by_out_trade_no("LL20260301000123").await.unwrap();
    assert_eq!(queried.trade_state, TradeState::Success);
    assert_eq!(queried.transaction_id, paid.transaction_id);
    let by_id = world.client.query_by_transaction_id(paid.transaction_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(by_id.out_trade_no, "LL20260301000123");
}

#[tokio::test]
async fn a_forged_notification_is_rejected_and_redelivered_through_the_whole_schedule() {
    let mut world = world(fast()).await;
    world.client.native(&order("LL20260301000124")).await.unwrap();
    let id = world.sim.pay_with("LL20260301000124", Faults::none().forge()).await.unwrap();
    assert_eq!(world.next().await, Err(WechatPayError::BadSignature));
    let attempts = world.settled(&id).await;
    assert_eq!(attempts.len(), 16, "the first try and fifteen retries");
    assert!(attempts.iter().all(|a| a.forged && a.status == Some(401)));
    assert_eq!(attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), (1..=16).collect::<Vec<_>>());
    for _ in 1..16 {
        assert_eq!(world.next().await, Err(WechatPayError::BadSignature));
    }
    // Nothing forged was trusted; the order itself is paid, which a query shows.
    let queried = world.client.query_by_out_trade_no("LL20260301000124").await.unwrap();
    assert_eq!(queried.trade_state, TradeState::Success);
}

#[tokio::test]
async fn a_failing_receiver_makes_the_simulator_retry_on_schedule_until_it_answers_2xx() {
    // 15 s × 1e-3 = 15 ms between the first attempts.
    let mut world = world(SimulatorConfig::new().retry_scale(1e-3)).await;
    world.failures.store(2, Ordering::SeqCst);
    world.client.native(&order("LL20260301000125")).await.unwrap();
    let id = world.sim.pay("LL20260301000125").await.unwrap();
    let notification = world.next().await.unwrap();
    assert_eq!(notification.id, id);
    let attempts = world.settled(&id).await;
    assert_eq!(statuses(&attempts), [Some(500), Some(500), Some(204)]);
    assert_eq!(attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2, 3]);
    for pair in attempts.windows(2) {
        assert!(pair[1].at - pair[0].at >= chrono::Duration::milliseconds(15), "{pair:?}");
    }
}

#[tokio::test]
async fn duplicates_carry_the_same_id_and_each_is_acknowledged() {
    let mut world = world(fast()).await;
    world.client.native(&order("LL20260301000126")).await.unwrap();
    let id = world.sim.pay_with("LL20260301000126", Faults::none().duplicate(2)).await.unwrap();
    for _ in 0..3 {
        assert_eq!(world.next().await.unwrap().id, id);
    }
    let attempts = world.settled(&id).await;
    assert_eq!(
        attempts.iter().map(|a| (a.copy, a.status)).collect::<Vec<_>>(),
        [(0, Some(204)), (1, Some(204)), (2, Some(204))]
    );
}

#[tokio::test]
async fn a_held_notification_arrives_after_a_later_one_once_released() {
    let mut world = world(fast()).await;
    world.client.native(&order("LL20260301000127")).await.unwrap();
    world.client.native(&order("LL20260301000128")).await.unwrap();
    let held = world.sim.pay_with("LL20260301000127", Faults::none().hold()).await.unwrap();
    let later = world.sim.pay_with("LL20260301000128", Faults::none().delay(Duration::from_millis(5))).await.unwrap();
    assert_eq!(world.next().await.unwrap().id, later);
    assert!(world.sim.deliveries().of(&held).await.is_empty(), "held back");
    assert!(world.sim.release(&held).await);
    assert!(!world.sim.release(&held).await, "released once");
    assert_eq!(world.next().await.unwrap().id, held);
    assert_eq!(statuses(&world.settled(&held).await), [Some(204)]);
}

/// The signature is good; only the caller's own check against its order can catch this.
#[tokio::test]
async fn a_notification_with_a_wrong_amount_verifies_and_so_must_be_checked_against_the_order() {
    let mut world = world(fast()).await;
    world.client.native(&order("LL20260301000129")).await.unwrap();
    world.sim.pay_with("LL20260301000129", Faults::none().wrong_amount(1)).await.unwrap();
    let notification = world.next().await.unwrap();
    assert_eq!(transaction(&notification).total_fen(), Some(1));
    assert_ne!(transaction(&notification).total_fen(), Some(order("LL20260301000129").total_fen));
}

#[tokio::test]
async fn a_refund_is_notified_and_its_queries_round_trip() {
    let mut world = world(fast()).await;
    let paid = world.paid("LL20260301000130").await;
    let refund = NewRefund {
        trade: TradeRef::OutTradeNo("LL20260301000130".to_owned()),
        out_refund_no: "RF20260301000130-1".to_owned(),
        reason: Some("多缴退费".to_owned()),
        refund_fen: 50_000,
        total_fen: 128_050,
    };
    let answered = world.client.refund(&refund).await.unwrap();
    assert_eq!(answered.status, RefundStatus::Processing);
    assert_eq!((answered.amount.refund, answered.amount.total), (50_000, 128_050));
    assert_eq!(answered.transaction_id, transaction(&paid).transaction_id.clone().unwrap());

    let notification = world.next().await.unwrap();
    assert_eq!(notification.event_type, "REFUND.SUCCESS");
    let NotificationEvent::Refund(refunded) = &notification.event else { panic!("{notification:?}") };
    assert_eq!(refunded.refund_status, RefundStatus::Success);
    assert_eq!(refunded.out_refund_no, "RF20260301000130-1");
    assert_eq!(refunded.refund_id, answered.refund_id);
    assert_eq!(refunded.amount.refund, 50_000);

    let queried = world.client.query_refund("RF20260301000130-1").await.unwrap();
    assert_eq!(queried.status, RefundStatus::Success);
    assert!(queried.success_time.is_some());
    let order = world.client.query_by_out_trade_no("LL20260301000130").await.unwrap();
    assert_eq!(order.trade_state, TradeState::Refund);

    // The same out_refund_no again is the same refund, not a second one.
    let again = world.client.refund(&refund).await.unwrap();
    assert_eq!(again.refund_id, answered.refund_id);
    let too_much = NewRefund { out_refund_no: "RF20260301000130-2".to_owned(), refund_fen: 78_051, ..refund };
    match world.client.refund(&too_much).await {
        Err(WechatPayError::Provider { status: 403, code, .. }) => assert_eq!(code, "NOT_ENOUGH"),
        other => panic!("{other:?}"),
    }
    let unknown = world.client.query_refund("RF-NOSUCH").await;
    assert!(matches!(unknown, Err(WechatPayError::Provider { status: 404, .. })), "{unknown:?}");
}

#[tokio::test]
async fn the_days_trade_bill_downloads_checks_out_and_parses_with_the_paid_orders_amount() {
    let mut world = world(fast()).await;
    let paid = world.paid("LL20260301000131").await;
    let paid = transaction(&paid).clone();
    let day = DateTime::parse_from_rfc3339(paid.success_time.as_deref().unwrap()).unwrap().date_naive();

    let text = world.client.trade_bill(day, BillType::All).await.unwrap();
    let bill = TradeBill::parse(&text).unwrap();
    let row = bill.rows.iter().find(|row| row.out_trade_no == "LL20260301000131").expect("the paid order");
    assert_eq!(row.settlement_total_fen, 128_050);
    assert_eq!(row.total_fen, 128_050);
    assert_eq!(Some(&row.transaction_id), paid.transaction_id.as_ref());
    assert_eq!((row.trade_state.as_str(), row.trade_type.as_str()), ("SUCCESS", "NATIVE"));
    assert_eq!(row.attach, "bill=20260301-000123");
    assert_eq!(bill.summary.count, bill.rows.len());

    let empty_day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    match world.client.trade_bill(empty_day, BillType::All).await {
        Err(WechatPayError::Provider { code, .. }) => assert_eq!(code, "NO_STATEMENT_EXIST"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_request_the_simulator_cannot_verify_gets_401_sign_error() {
    let world = world_with(SimulatorConfig::new(), |config| WechatPayConfig {
        merchant_key: PrivateKey::from_pem(test_keys::PLATFORM_PRIVATE_KEY_PEM).unwrap(),
        ..config
    })
    .await;
    match world.client.native(&order("LL20260301000132")).await {
        Err(WechatPayError::Provider { status: 401, code, .. }) => assert_eq!(code, "SIGN_ERROR"),
        other => panic!("{other:?}"),
    }
    let wrong_serial =
        world_with(SimulatorConfig::new(), |config| WechatPayConfig { merchant_serial_no: "0ABC".into(), ..config })
            .await;
    let result = wrong_serial.client.query_by_out_trade_no("LL20260301000132").await;
    assert!(matches!(result, Err(WechatPayError::Provider { status: 401, .. })), "{result:?}");
}

/// A stand-in for WeChat that answers every request with a fixed 200 body, signed as given.
async fn impostor(sign: Option<(&'static str, PrivateKey)>) -> String {
    #[allow(clippy::disallowed_methods)] // a test server, not part of the API
    fn router(sign: Option<(&'static str, PrivateKey)>) -> Router {
        Router::new().fallback(move || {
            let sign = sign.clone();
            async move {
                let body = br#"{"code_url":"weixin://wxpay/bizpayurl?pr=evil"}"#;
                let mut headers = HeaderMap::new();
                if let Some((serial, key)) = sign {
                    SignatureHeaders::sign(&key, serial, Utc::now().timestamp(), "n", body)
                        .unwrap()
                        .insert_into(&mut headers);
                }
                (StatusCode::OK, headers, body.as_slice()).into_response()
            }
        })
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(sign)).await });
    base_url
}

#[tokio::test]
async fn an_unsigned_or_wrongly_signed_2xx_is_an_error_not_a_result() {
    let sim = start_wechat_pay(SimulatorConfig::new()).await.unwrap();
    let client_for = |base_url: String| {
        WechatPayClient::new(sim.client_config("https://pay.example.cn/wechat/notify").with_base_url(base_url)).unwrap()
    };
    let unsigned = client_for(impostor(None).await);
    assert_eq!(
        unsigned.native(&order("LL20260301000133")).await,
        Err(WechatPayError::MissingHeader("Wechatpay-Timestamp"))
    );
    let merchant_key = PrivateKey::from_pem(test_keys::MERCHANT_PRIVATE_KEY_PEM).unwrap();
    let wrong_key = client_for(impostor(Some((test_keys::PLATFORM_PUBLIC_KEY_ID, merchant_key.clone()))).await);
    assert_eq!(wrong_key.native(&order("LL20260301000133")).await, Err(WechatPayError::BadSignature));
    let unknown_serial = client_for(impostor(Some(("PUB_KEY_ID_SOMEONE_ELSE", merchant_key))).await);
    assert_eq!(
        unknown_serial.native(&order("LL20260301000133")).await,
        Err(WechatPayError::UnknownSerial("PUB_KEY_ID_SOMEONE_ELSE".into()))
    );
}

#[tokio::test]
async fn a_client_whose_clock_is_off_cannot_trust_the_answer() {
    let ten_minutes_ago = Utc::now() - chrono::Duration::minutes(10);
    let sim = start_wechat_pay(SimulatorConfig::new()).await.unwrap();
    let client =
        WechatPayClient::new(sim.client_config("https://pay.example.cn/n")).unwrap().with_clock(ten_minutes_ago);
    // The simulator refuses the old timestamp, and its (fresh) answer is stale to this client.
    let result = client.native(&order("LL20260301000134")).await;
    assert!(matches!(result, Err(WechatPayError::StaleTimestamp { .. })), "{result:?}");
}

#[tokio::test]
async fn closing_an_unpaid_order_makes_it_unpayable_and_its_number_unusable() {
    let world = world(SimulatorConfig::new()).await;
    world.client.native(&order("LL20260301000135")).await.unwrap();
    assert_eq!(world.client.native(&order("LL20260301000135")).await.map(|_| ()), Ok(()), "the same order again");
    let changed = NewOrder { total_fen: 1, ..order("LL20260301000135") };
    match world.client.native(&changed).await {
        Err(WechatPayError::Provider { code, .. }) => assert_eq!(code, "OUT_TRADE_NO_USED"),
        other => panic!("{other:?}"),
    }
    world.client.close("LL20260301000135").await.unwrap();
    let closed = world.client.query_by_out_trade_no("LL20260301000135").await.unwrap();
    assert_eq!(closed.trade_state, TradeState::Closed);
    assert!(matches!(
        world.sim.pay("LL20260301000135").await,
        Err(SimulatorError::NotPayable { state: TradeState::Closed, .. })
    ));
    match world.client.native(&order("LL20260301000135")).await {
        Err(WechatPayError::Provider { code, .. }) => assert_eq!(code, "ORDER_CLOSED"),
        other => panic!("{other:?}"),
    }
    match world.client.close("LL20260301999999").await {
        Err(WechatPayError::Provider { status: 404, code, .. }) => assert_eq!(code, "ORDER_NOT_EXIST"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_jsapi_order_gives_a_prepay_id_and_cashier_parameters_signed_by_the_merchant() {
    let mut world = world(fast()).await;
    let JsapiPayment { prepay_id, pay_params } =
        world.client.jsapi(&order("LL20260301000136"), "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o").await.unwrap();
    assert!(prepay_id.starts_with("wx"));
    assert_eq!(pay_params.app_id, test_keys::APPID);
    assert_eq!(pay_params.package, format!("prepay_id={prepay_id}"));
    assert_eq!(pay_params.sign_type, "RSA");
    let merchant = PublicKey::from_pem(test_keys::MERCHANT_PUBLIC_KEY_PEM).unwrap();
    let message = jsapi_pay_message(
        &pay_params.app_id,
        pay_params.time_stamp.parse().unwrap(),
        &pay_params.nonce_str,
        &prepay_id,
    );
    assert!(merchant.verify_sha256(message, &pay_params.pay_sign));

    world.sim.pay("LL20260301000136").await.unwrap();
    let paid = world.next().await.unwrap();
    assert_eq!(transaction(&paid).payer.as_ref().unwrap().openid, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    assert_eq!(transaction(&paid).trade_type.as_deref(), Some("JSAPI"));
}

/// Before the move to public keys: the client holds only the platform certificate, sends no
/// `Wechatpay-Serial`, and the simulator signs answers and notifications by certificate serial.
#[tokio::test]
async fn a_merchant_with_only_the_platform_certificate_verifies_by_serial() {
    let mut world = world_with(fast().notify_with_certificate(), |config| WechatPayConfig {
        platform_keys: PlatformKeys::new().with_certificate_pem(test_keys::PLATFORM_CERTIFICATE_PEM).unwrap(),
        ..config
    })
    .await;
    let notification = world.paid("LL20260301000137").await;
    assert_eq!(transaction(&notification).trade_state, TradeState::Success);
    assert_eq!(world.client.query_by_out_trade_no("LL20260301000137").await.unwrap().trade_state, TradeState::Success);
}

/// A stand-in for WeChat whose bill answer is properly signed but announces `hash_value` and
/// `download_url` as given.
async fn bill_server(hash_value: &'static str, download_host: Option<&'static str>) -> String {
    #[allow(clippy::disallowed_methods)] // a test server, not part of the API
    fn router(base_url: String, hash_value: &'static str, download_host: Option<&'static str>) -> Router {
        Router::new().fallback(move |uri: axum::http::Uri| {
            let base_url = download_host.map_or_else(|| base_url.clone(), str::to_owned);
            async move {
                if uri.path() == "/v3/billdownload/file" {
                    return (StatusCode::OK, "交易时间,微信订单号\n").into_response();
                }
                let body = serde_json::to_vec(&serde_json::json!({
                    "hash_type": "SHA1",
                    "hash_value": hash_value,
                    "download_url": format!("{base_url}/v3/billdownload/file?token=t"),
                }))
                .unwrap();
                let key = PrivateKey::from_pem(test_keys::PLATFORM_PRIVATE_KEY_PEM).unwrap();
                let mut headers = HeaderMap::new();
                SignatureHeaders::sign(&key, test_keys::PLATFORM_PUBLIC_KEY_ID, Utc::now().timestamp(), "n", &body)
                    .unwrap()
                    .insert_into(&mut headers);
                (StatusCode::OK, headers, body).into_response()
            }
        })
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let app = router(base_url.clone(), hash_value, download_host);
    tokio::spawn(async move { axum::serve(listener, app).await });
    base_url
}

#[tokio::test]
async fn a_bill_whose_hash_differs_or_that_lives_elsewhere_is_refused() {
    let sim = start_wechat_pay(SimulatorConfig::new()).await.unwrap();
    let client_for = |base_url: String| {
        WechatPayClient::new(sim.client_config("https://pay.example.cn/wechat/notify").with_base_url(base_url)).unwrap()
    };
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let wrong_hash = client_for(bill_server("0000000000000000000000000000000000000000", None).await);
    match wrong_hash.trade_bill(day, BillType::All).await {
        Err(WechatPayError::BillHash { expected, actual }) => {
            assert_eq!(expected, "0000000000000000000000000000000000000000");
            assert_eq!(actual.len(), 40);
        }
        other => panic!("{other:?}"),
    }
    // The download request is signed with the merchant key: it never goes to another host.
    let elsewhere = client_for(bill_server("0", Some("http://127.0.0.2:9")).await);
    let result = elsewhere.trade_bill(day, BillType::All).await;
    assert!(matches!(&result, Err(WechatPayError::Malformed(m)) if m.contains("is not on")), "{result:?}");
}
