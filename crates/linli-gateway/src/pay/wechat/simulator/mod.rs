//! A local stand-in for WeChat Pay API v3: a real HTTP server on 127.0.0.1 that holds its own
//! test keys (the platform key, published as `PUB_KEY_ID_TEST…` and as a platform certificate;
//! the APIv3 key; the merchant's public key), answers `401 SIGN_ERROR` to a request it cannot
//! verify, signs every answer, keeps orders and refunds, serves the trade bill, and delivers
//! encrypted, signed notifications to the order's `notify_url` with WeChat's retry schedule until
//! a 2xx comes back.
//!
//! What a payer does is a method on the handle: [`SimulatorHandle::pay`] is scanning the QR code
//! and paying. Each notification can carry [`Faults`]: duplicates, a delay, a hold until
//! [`SimulatorHandle::release`] (to reorder), a forged signature, a wrong amount. Every delivery
//! attempt is logged for tests ([`DeliveryLog`]).

mod api;
mod bill;
mod delivery;
mod state;
pub mod test_keys;

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, oneshot, watch};
use tokio::task::JoinHandle;

use super::aead::ApiV3Key;
use super::client::WechatPayConfig;
use super::model::{TradeState, Transaction};
use super::sign::PlatformKeys;
use crate::pay::rsa::{Certificate, PrivateKey, PublicKey};

/// WeChat's redelivery intervals after a failed attempt, about 24 h in all (the notification
/// page of the API v3 documentation). Multiplied by [`SimulatorConfig::retry_scale`].
pub const RETRY_SCHEDULE: [Duration; 15] = [
    Duration::from_secs(15),
    Duration::from_secs(15),
    Duration::from_secs(30),
    Duration::from_mins(3),
    Duration::from_mins(10),
    Duration::from_mins(20),
    Duration::from_mins(30),
    Duration::from_mins(30),
    Duration::from_mins(30),
    Duration::from_hours(1),
    Duration::from_hours(3),
    Duration::from_hours(3),
    Duration::from_hours(3),
    Duration::from_hours(6),
    Duration::from_hours(6),
];

/// What the simulator is and whom it accepts. [`SimulatorConfig::new`] takes the committed test
/// keys of [`test_keys`]; `Debug` hides the private ones.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// `127.0.0.1:0` by default: a free port, reported in [`SimulatorHandle::base_url`].
    pub bind: SocketAddr,
    pub mchid: String,
    pub appid: String,
    /// The merchant API certificate serial requests must name.
    pub merchant_serial_no: String,
    /// Verifies the merchant's `Authorization`.
    pub merchant_public_key: PublicKey,
    /// Signs answers and notifications.
    pub platform_key: PrivateKey,
    /// The platform key's name in the public-key scheme (`PUB_KEY_ID_…`).
    pub platform_public_key_id: String,
    /// The platform key's name in the certificate scheme.
    pub platform_certificate_serial: String,
    pub apiv3_key: ApiV3Key,
    /// Scales [`RETRY_SCHEDULE`]: `1.0` is WeChat's real pace, `1e-6` runs the whole day in
    /// about 90 ms.
    pub retry_scale: f64,
    /// How long one delivery waits for the merchant's answer (WeChat: 5 s).
    pub delivery_timeout: Duration,
    /// Sign notifications by certificate serial instead of public key id (before the migration).
    pub notify_with_certificate: bool,
}

impl SimulatorConfig {
    /// The merchant `test_keys::MCHID` / `APPID`, with every committed test key.
    pub fn new() -> Self {
        let key = |pem| PrivateKey::from_pem(pem).expect("the committed test key reads");
        SimulatorConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            mchid: test_keys::MCHID.to_owned(),
            appid: test_keys::APPID.to_owned(),
            merchant_serial_no: test_keys::MERCHANT_SERIAL_NO.to_owned(),
            merchant_public_key: PublicKey::from_pem(test_keys::MERCHANT_PUBLIC_KEY_PEM)
                .expect("the committed test key reads"),
            platform_key: key(test_keys::PLATFORM_PRIVATE_KEY_PEM),
            platform_public_key_id: test_keys::PLATFORM_PUBLIC_KEY_ID.to_owned(),
            platform_certificate_serial: test_keys::PLATFORM_CERTIFICATE_SERIAL.to_owned(),
            apiv3_key: ApiV3Key::new(test_keys::APIV3_KEY).expect("the test APIv3 key is 32 characters"),
            retry_scale: 1.0,
            delivery_timeout: Duration::from_secs(5),
            notify_with_certificate: false,
        }
    }

    pub fn retry_scale(mut self, scale: f64) -> Self {
        self.retry_scale = scale;
        self
    }

    pub fn notify_with_certificate(mut self) -> Self {
        self.notify_with_certificate = true;
        self
    }
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig::new()
    }
}

/// What can go wrong with one notification's delivery. Combine freely.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Deliver the same notification (same `id`) this many more times after the first is
    /// acknowledged, each until acknowledged.
    pub duplicates: u32,
    /// Wait this long before the first attempt.
    pub delay: Option<Duration>,
    /// Wait for [`SimulatorHandle::release`] before the first attempt (to deliver out of order).
    pub hold: bool,
    /// Every attempt carries a bad signature (`WECHATPAY/SIGNTEST/…`, like WeChat's probes).
    pub forge: bool,
    /// The encrypted transaction says this amount instead of the order's (correctly signed).
    pub wrong_total_fen: Option<i64>,
}

impl Faults {
    pub fn none() -> Self {
        Faults::default()
    }

    pub fn duplicate(mut self, times: u32) -> Self {
        self.duplicates = times;
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    pub fn hold(mut self) -> Self {
        self.hold = true;
        self
    }

    pub fn forge(mut self) -> Self {
        self.forge = true;
        self
    }

    pub fn wrong_amount(mut self, total_fen: i64) -> Self {
        self.wrong_total_fen = Some(total_fen);
        self
    }
}

/// One POST of one notification to the merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub notification_id: String,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`.
    pub event_type: String,
    pub out_trade_no: String,
    /// 0 for the notification itself, 1… for its [`Faults::duplicates`].
    pub copy: u32,
    /// 1 for the first try of this copy, up to 16 after the whole schedule.
    pub attempt: u32,
    /// The merchant's HTTP status; `None` when the POST failed.
    pub status: Option<u16>,
    /// Why the POST failed (refused, timed out).
    pub error: Option<String>,
    pub forged: bool,
    pub at: DateTime<Utc>,
}

impl DeliveryAttempt {
    pub fn acknowledged(&self) -> bool {
        self.status.is_some_and(|status| (200..300).contains(&status))
    }
}

/// Every delivery attempt of one simulator, oldest first.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    inner: Arc<Mutex<LogInner>>,
    changed: Arc<watch::Sender<u64>>,
}

#[derive(Debug, Default)]
struct LogInner {
    attempts: Vec<DeliveryAttempt>,
    /// Notifications whose deliveries are over: acknowledged (every copy) or out of retries.
    settled: HashSet<String>,
    /// Every notification created, in order: (id, event type, out_trade_no).
    created: Vec<(String, String, String)>,
}

impl DeliveryLog {
    fn new() -> Self {
        DeliveryLog { inner: Arc::default(), changed: Arc::new(watch::channel(0).0) }
    }

    pub async fn all(&self) -> Vec<DeliveryAttempt> {
        self.inner.lock().await.attempts.clone()
    }

    /// The attempts of one notification.
    pub async fn of(&self, notification_id: &str) -> Vec<DeliveryAttempt> {
        self.inner.lock().await.attempts.iter().filter(|a| a.notification_id == notification_id).cloned().collect()
    }

    /// Every notification created so far: (id, event type, out_trade_no), in order.
    pub async fn notifications(&self) -> Vec<(String, String, String)> {
        self.inner.lock().await.created.clone()
    }

    /// Waits until the notification's deliveries are over, then its attempts. Never returns for
    /// a held notification that is not released: wrap it in a timeout.
    pub async fn settled(&self, notification_id: &str) -> Vec<DeliveryAttempt> {
        let mut changes = self.changed.subscribe();
        loop {
            {
                let inner = self.inner.lock().await;
                if inner.settled.contains(notification_id) {
                    return inner.attempts.iter().filter(|a| a.notification_id == notification_id).cloned().collect();
                }
            }
            if changes.changed().await.is_err() {
                return self.of(notification_id).await;
            }
        }
    }

    async fn created(&self, id: &str, event_type: &str, out_trade_no: &str) {
        self.inner.lock().await.created.push((id.to_owned(), event_type.to_owned(), out_trade_no.to_owned()));
        self.changed.send_modify(|n| *n += 1);
    }

    async fn record(&self, attempt: DeliveryAttempt) {
        self.inner.lock().await.attempts.push(attempt);
        self.changed.send_modify(|n| *n += 1);
    }

    async fn settle(&self, notification_id: &str) {
        self.inner.lock().await.settled.insert(notification_id.to_owned());
        self.changed.send_modify(|n| *n += 1);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulatorError {
    #[error("no order {0}")]
    UnknownOrder(String),
    #[error("order {out_trade_no} is {state:?}, not payable")]
    NotPayable { out_trade_no: String, state: TradeState },
    #[error("order {0} expired")]
    Expired(String),
}

/// A running simulator. Dropping it stops the server; [`SimulatorHandle::stop`] also waits.
#[derive(Debug)]
pub struct SimulatorHandle {
    /// `http://127.0.0.1:PORT`: the client's `base_url`.
    pub base_url: String,
    pub addr: SocketAddr,
    shared: Arc<state::Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimulatorHandle {
    /// The payer scans and pays: the order becomes SUCCESS and its notification goes out.
    /// Returns the notification's `id`.
    pub async fn pay(&self, out_trade_no: &str) -> Result<String, SimulatorError> {
        self.pay_with(out_trade_no, Faults::none()).await
    }

    pub async fn pay_with(&self, out_trade_no: &str, faults: Faults) -> Result<String, SimulatorError> {
        state::pay(&self.shared, out_trade_no, faults).await
    }

    /// Lets a held notification go; false when no notification with that id is held.
    pub async fn release(&self, notification_id: &str) -> bool {
        match self.shared.held.lock().await.remove(notification_id) {
            Some(release) => release.send(()).is_ok(),
            None => false,
        }
    }

    pub fn deliveries(&self) -> DeliveryLog {
        self.shared.log.clone()
    }

    /// The order as a query would answer it.
    pub async fn order(&self, out_trade_no: &str) -> Option<Transaction> {
        self.shared.book.lock().await.orders.get(out_trade_no).map(|order| order.transaction(&self.shared.cfg))
    }

    /// A client configuration that talks to this simulator with the committed test merchant key
    /// (it matches [`SimulatorConfig::new`]); both platform key names are configured.
    pub fn client_config(&self, notify_url: impl Into<String>) -> WechatPayConfig {
        let cfg = &self.shared.cfg;
        let platform_keys = PlatformKeys::new()
            .with_public_key(&cfg.platform_public_key_id, cfg.platform_key.public_key())
            .with_certificate(Certificate {
                serial_no: cfg.platform_certificate_serial.clone(),
                public_key: cfg.platform_key.public_key(),
            });
        WechatPayConfig::new(
            &cfg.mchid,
            &cfg.appid,
            &cfg.merchant_serial_no,
            PrivateKey::from_pem(test_keys::MERCHANT_PRIVATE_KEY_PEM).expect("the committed test key reads"),
            cfg.apiv3_key.clone(),
            platform_keys,
            notify_url,
        )
        .with_base_url(&self.base_url)
    }

    /// Stops accepting connections and waits for the server to finish; deliveries in flight stop.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts a WeChat Pay simulator on `cfg.bind`.
pub async fn start_wechat_pay(cfg: SimulatorConfig) -> std::io::Result<SimulatorHandle> {
    let listener = tokio::net::TcpListener::bind(cfg.bind).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let shared = state::Shared::new(cfg, base_url.clone(), DeliveryLog::new());
    let app = api::router(Arc::clone(&shared));
    let (tx, rx) = oneshot::channel::<()>();
    let stopping = Arc::clone(&shared);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = rx.await;
            stopping.stop_deliveries();
        };
        if let Err(err) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::warn!(%err, "WeChat Pay simulator stopped with an error");
        }
    });
    Ok(SimulatorHandle { base_url, addr, shared, shutdown: Some(tx), task: Some(task) })
}

/// A notification on the wire: its headers, then its body.
pub type SignedNotification = (Vec<(String, String)>, Vec<u8>);

/// A payment notification for `transaction` as WeChat Pay sends it (sealed with the test APIv3
/// key, signed with the test platform key under its `PUB_KEY_ID_…`), not delivered: the headers
/// and body for a test or the bench to post itself, many at once. `forge` puts another body's
/// signature on it.
pub fn transaction_notification(
    transaction: &Transaction,
    forge: bool,
) -> Result<SignedNotification, super::WechatPayError> {
    use super::notify::NotificationEnvelope;
    use super::sign::SignatureHeaders;
    let key = PrivateKey::from_pem(test_keys::PLATFORM_PRIVATE_KEY_PEM).expect("the committed test key reads");
    let plaintext = serde_json::to_vec(transaction).expect("a transaction serialises");
    let now = Utc::now();
    let envelope = NotificationEnvelope::seal(
        test_keys::APIV3_KEY.as_bytes(),
        &uuid::Uuid::new_v4().to_string(),
        &super::model::rfc3339_beijing(&now),
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        &state::random_alphanumeric(12),
        &plaintext,
    )?;
    let body = serde_json::to_vec(&envelope).expect("an envelope serialises");
    let sign = |body: &[u8]| {
        SignatureHeaders::sign(
            &key,
            test_keys::PLATFORM_PUBLIC_KEY_ID,
            now.timestamp(),
            &state::random_alphanumeric(32),
            body,
        )
    };
    let mut signature = sign(&body)?;
    if forge {
        signature.signature = sign(b"{}")?.signature;
    }
    let mut headers = axum::http::HeaderMap::new();
    signature.insert_into(&mut headers);
    let headers = headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
        .chain([("content-type".to_owned(), "application/json".to_owned())])
        .collect();
    Ok((headers, body))
}

/// A paid Native transaction of the test merchant, for [`transaction_notification`].
pub fn paid_transaction(out_trade_no: &str, transaction_id: &str, total_fen: i64) -> Transaction {
    Transaction {
        appid: test_keys::APPID.into(),
        mchid: test_keys::MCHID.into(),
        out_trade_no: out_trade_no.into(),
        transaction_id: Some(transaction_id.into()),
        trade_type: Some("NATIVE".into()),
        trade_state: TradeState::Success,
        trade_state_desc: "支付成功".into(),
        bank_type: Some("OTHERS".into()),
        attach: None,
        success_time: Some(super::model::rfc3339_beijing(&Utc::now())),
        payer: None,
        amount: Some(super::model::TransactionAmount {
            total: Some(total_fen),
            payer_total: Some(total_fen),
            currency: Some("CNY".into()),
            payer_currency: Some("CNY".into()),
        }),
    }
}
