//! A local stand-in for Alipay's Open Platform gateway: a real HTTP server on 127.0.0.1 that
//! holds its own "Alipay" key pair and the app's public key, checks every request's RSA2 signature
//! as Alipay does (`40002 isv.invalid-signature` on a bad one), signs every answer, keeps orders,
//! and plays the payer: [`SimulatorHandle::pay`] is the scan-and-confirm on the phone, after which
//! it POSTs the signed notification to the order's `notify_url` and redelivers it on Alipay's
//! schedule until the receiver answers exactly `success`.
//!
//! It answers `alipay.trade.precreate`, `.wap.pay` (an HTML cashier page), `.query`, `.close`,
//! `.refund` and `alipay.data.dataservice.bill.downloadurl.query`, and serves the day's trade bill
//! as Alipay does: a ZIP of GBK CSV files, ready the day after (by the simulator's clock).
//!
//! Alipay behaviour it keeps because callers must cope with it: a precreated order does not exist
//! for `query` and `close` (`ACQ.TRADE_NOT_EXIST`) until the payer scans the code; `close` of a
//! paid order is `ACQ.TRADE_STATUS_ERROR`; a refund's `out_request_no` is refunded once, a repeat
//! answers `fund_change: "N"`; refunds notify with the trade's status (`TRADE_CLOSED` once refunded
//! in full). Where Alipay's exact answer is not documented (a reused `out_request_no` with another
//! amount, duplicate parameters) the simulator refuses with `ACQ.INVALID_PARAMETER` or
//! `isv.invalid-parameter`; the QR code is a URL of the simulator's cashier page rather than
//! `https://qr.alipay.com/…`, so the demo's phone can open it.

mod bill_file;
mod gateway;
mod notify;
mod state;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use notify::{Delivery, DeliveryLog, Faults, REDELIVERY_SCHEDULE};
pub use state::{OrderView, Paid, SimulatorError};

use super::client::AlipayConfig;
use super::clock::{Clock, SystemClock};
use super::model::TradeStatus;
use crate::pay::rsa::{PrivateKey, PublicKey};
use state::Shared;

/// The test key pairs (test-only; see `pay/testkeys/README.md`).
pub mod keys {
    use crate::pay::rsa::{PrivateKey, PublicKey};

    /// The simulator's own "Alipay" key: signs answers and notifications.
    pub const ALIPAY_PRIVATE_KEY_PEM: &str = include_str!("../../testkeys/alipay_private_key.pem");
    /// What Linli configures as the Alipay public key when it talks to the simulator.
    pub const ALIPAY_PUBLIC_KEY_PEM: &str = include_str!("../../testkeys/alipay_public_key.pem");
    /// The app key Linli signs with in tests and the demo.
    pub const APP_PRIVATE_KEY_PEM: &str = include_str!("../../testkeys/alipay_app_private_key.pem");
    /// What the simulator verifies requests with (the app public key uploaded to "Alipay").
    pub const APP_PUBLIC_KEY_PEM: &str = include_str!("../../testkeys/alipay_app_public_key.pem");

    pub fn alipay_private_key() -> PrivateKey {
        PrivateKey::from_pem(ALIPAY_PRIVATE_KEY_PEM).expect("the committed test key reads")
    }

    pub fn alipay_public_key() -> PublicKey {
        PublicKey::from_pem(ALIPAY_PUBLIC_KEY_PEM).expect("the committed test key reads")
    }

    pub fn app_private_key() -> PrivateKey {
        PrivateKey::from_pem(APP_PRIVATE_KEY_PEM).expect("the committed test key reads")
    }

    pub fn app_public_key() -> PublicKey {
        PublicKey::from_pem(APP_PUBLIC_KEY_PEM).expect("the committed test key reads")
    }
}

/// The app id and merchant account the simulator knows unless told otherwise.
pub const TEST_APP_ID: &str = "2021000000000001";
pub const TEST_SELLER_ID: &str = "2088000000000001";

#[derive(Clone)]
pub struct SimulatorConfig {
    /// `127.0.0.1:0` by default: a free port, reported in [`SimulatorHandle::base_url`].
    pub bind: SocketAddr,
    pub app_id: String,
    pub seller_id: String,
    /// Verifies the requests' `sign`.
    pub app_public_key: PublicKey,
    /// Signs answers, notifications and return redirects.
    pub alipay_private_key: PrivateKey,
    /// Multiplies [`REDELIVERY_SCHEDULE`]: 1.0 is Alipay's 4 minutes to 15 hours, `1.0 / 60_000.0`
    /// makes each minute a millisecond so tests see every redelivery within two seconds.
    pub schedule_scale: f64,
    /// How long a receiver may take to answer one notification.
    pub notify_timeout: Duration,
    /// Whether refunds notify (Alipay sends `trade_status_sync` with `refund_fee` after a refund).
    pub notify_refunds: bool,
    /// Payment, refund and bill times come from here.
    pub clock: Arc<dyn Clock>,
}

impl SimulatorConfig {
    /// The test app id, seller id and keys of [`keys`], Alipay's real schedule, the system clock.
    pub fn new() -> Self {
        SimulatorConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            app_id: TEST_APP_ID.to_owned(),
            seller_id: TEST_SELLER_ID.to_owned(),
            app_public_key: keys::app_public_key(),
            alipay_private_key: keys::alipay_private_key(),
            schedule_scale: 1.0,
            notify_timeout: Duration::from_secs(5),
            notify_refunds: true,
            clock: Arc::new(SystemClock),
        }
    }

    pub fn schedule_scale(mut self, scale: f64) -> Self {
        self.schedule_scale = scale;
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn notify_refunds(mut self, notify: bool) -> Self {
        self.notify_refunds = notify;
        self
    }
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("bind", &self.bind)
            .field("app_id", &self.app_id)
            .field("seller_id", &self.seller_id)
            .field("app_public_key", &self.app_public_key)
            .field("alipay_private_key", &"***")
            .field("schedule_scale", &self.schedule_scale)
            .field("notify_timeout", &self.notify_timeout)
            .field("notify_refunds", &self.notify_refunds)
            .finish_non_exhaustive()
    }
}

/// A running simulator. Dropping it stops the server and every pending delivery.
pub struct SimulatorHandle {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// `http://127.0.0.1:PORT/gateway.do`: the client's `gateway_url`.
    pub gateway_url: String,
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorHandle").field("gateway_url", &self.gateway_url).finish_non_exhaustive()
    }
}

/// Binds, starts serving and hands back the handle.
pub async fn start_alipay(config: SimulatorConfig) -> std::io::Result<SimulatorHandle> {
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let (shutdown, stopped) = watch::channel(false);
    let http = reqwest::Client::builder().timeout(config.notify_timeout).build().map_err(std::io::Error::other)?;
    let shared = Arc::new(Shared::new(config, base_url.clone(), http, stopped.clone()));
    let app = gateway::router(Arc::clone(&shared));
    let mut stopped = stopped;
    let task = tokio::spawn(async move {
        let signal = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(err) = axum::serve(listener, app).with_graceful_shutdown(signal).await {
            tracing::warn!(%err, "Alipay simulator stopped with an error");
        }
    });
    Ok(SimulatorHandle {
        gateway_url: format!("{base_url}/gateway.do"),
        base_url,
        addr,
        shared,
        shutdown,
        task: Some(task),
    })
}

impl SimulatorHandle {
    /// A client configuration for this simulator: its gateway, app id, seller id and the test
    /// keys of [`keys`] (valid while the simulator runs with the default keys).
    pub fn client_config(&self) -> AlipayConfig {
        let cfg = &self.shared.cfg;
        AlipayConfig::new(&cfg.app_id, &cfg.seller_id, keys::app_private_key(), cfg.alipay_private_key.public_key())
            .with_gateway(&self.gateway_url)
    }

    /// The payer scans the QR code: the order now exists for `query` and `close`.
    pub async fn scan(&self, out_trade_no: &str) -> Result<(), SimulatorError> {
        self.shared.scan(out_trade_no).await
    }

    /// The payer scans and pays: the order becomes `TRADE_SUCCESS` and its notification is sent.
    pub async fn pay(&self, out_trade_no: &str) -> Result<Paid, SimulatorError> {
        self.pay_with(out_trade_no, Faults::default()).await
    }

    /// [`SimulatorHandle::pay`], with faults injected into the notification.
    pub async fn pay_with(&self, out_trade_no: &str, faults: Faults) -> Result<Paid, SimulatorError> {
        Shared::pay(&self.shared, out_trade_no, faults).await
    }

    /// The refund window ends: a paid order becomes `TRADE_FINISHED`, which notifies again.
    pub async fn finish(&self, out_trade_no: &str) -> Result<Paid, SimulatorError> {
        self.finish_with(out_trade_no, Faults::default()).await
    }

    pub async fn finish_with(&self, out_trade_no: &str, faults: Faults) -> Result<Paid, SimulatorError> {
        Shared::finish(&self.shared, out_trade_no, faults).await
    }

    /// The order as the simulator holds it.
    pub async fn order(&self, out_trade_no: &str) -> Option<OrderView> {
        self.shared.order(out_trade_no).await
    }

    pub async fn status(&self, out_trade_no: &str) -> Option<TradeStatus> {
        self.order(out_trade_no).await.map(|order| order.status)
    }

    /// Every notification attempt so far; it outlives the handle.
    pub fn deliveries(&self) -> DeliveryLog {
        self.shared.log.clone()
    }

    /// Lets the notifications held by [`Faults::hold`] go, oldest first; answers how many.
    pub async fn release_held(&self) -> usize {
        self.shared.release_held().await
    }

    /// Stops the server and every pending delivery, and waits for the server to finish.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
