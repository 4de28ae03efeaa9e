//! Asynchronous notifications as Alipay sends them: a signed form POSTed to the order's
//! `notify_url`, redelivered on Alipay's schedule until the answer is exactly `success`, with the
//! same `notify_id` every time; and the faults a receiver must survive.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, Notify, oneshot, watch};

use super::state::{BUYER_ID, BUYER_LOGON_ID, Order, Refund, Shared};
use crate::pay::alipay::client::encode_form;
use crate::pay::alipay::model::{TRADE_STATUS_SYNC, TradeStatus, fen_to_yuan, timestamp};
use crate::pay::alipay::sign::notification_content;

/// The waits between deliveries after an answer other than `success`: 4m, 10m, 10m, 1h, 2h, 6h
/// and 15h, eight deliveries in about 25 hours (multiplied by `schedule_scale`).
pub const REDELIVERY_SCHEDULE: [Duration; 7] = [
    Duration::from_mins(4),
    Duration::from_mins(10),
    Duration::from_mins(10),
    Duration::from_hours(1),
    Duration::from_hours(2),
    Duration::from_hours(6),
    Duration::from_hours(15),
];

/// What to do wrong with one notification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Extra copies of the first delivery, sent at the same time (same `notify_id`).
    pub duplicates: u32,
    /// Wait this long before the first delivery.
    pub delay: Duration,
    /// Hold the notification until [`super::SimulatorHandle::release_held`]: later ones overtake it.
    pub hold: bool,
    /// Deliver once with a signature that does not cover the fields, as a forger would, and
    /// never again (the payment itself still happened: a query shows it).
    pub forge: bool,
    /// Correctly signed, but naming this total (and receipt) instead of the order's.
    pub wrong_total_fen: Option<i64>,
}

/// One POST of one notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub notify_id: String,
    pub out_trade_no: String,
    pub trade_status: TradeStatus,
    /// 0 for the first delivery, then 1 to 7 for the redeliveries.
    pub attempt: u32,
    /// 0, or which duplicate of the first delivery.
    pub copy: u32,
    pub forged: bool,
    /// The form body as sent.
    pub body: String,
    /// The receiver's HTTP status; `None` when it could not be reached.
    pub status: Option<u16>,
    /// The start of its answer (or of the connection error).
    pub answer: String,
    /// Whether the answer was exactly `success` with status 200.
    pub accepted: bool,
}

/// Every notification attempt, oldest first; shared with whoever holds a clone.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    entries: Arc<Mutex<Vec<Delivery>>>,
    changed: Arc<Notify>,
}

impl DeliveryLog {
    pub(super) fn new() -> Self {
        DeliveryLog { entries: Arc::default(), changed: Arc::new(Notify::new()) }
    }

    pub async fn all(&self) -> Vec<Delivery> {
        self.entries.lock().await.clone()
    }

    /// The attempts of one notification.
    pub async fn of(&self, notify_id: &str) -> Vec<Delivery> {
        self.entries.lock().await.iter().filter(|d| d.notify_id == notify_id).cloned().collect()
    }

    /// Waits until `done` holds for the log, or `timeout` passes; answers the log either way.
    pub async fn wait_until(&self, timeout: Duration, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the check, so a push between the check and the wait wakes us.
            changed.as_mut().enable();
            {
                let entries = self.entries.lock().await;
                if done(&entries) {
                    return entries.clone();
                }
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.all().await;
            }
        }
    }

    async fn push(&self, delivery: Delivery) {
        self.entries.lock().await.push(delivery);
        self.changed.notify_waiters();
    }
}

/// The fields of a `trade_status_sync` notification about `order` (unsigned).
pub(super) fn trade_params(
    shared: &Shared,
    order: &Order,
    status: TradeStatus,
    now: DateTime<Utc>,
    refund: Option<&Refund>,
    wrong_total_fen: Option<i64>,
) -> Vec<(String, String)> {
    let cfg = &shared.cfg;
    let total = fen_to_yuan(wrong_total_fen.unwrap_or(order.total_fen));
    let mut params: Vec<(&str, String)> = vec![
        ("notify_time", timestamp(now)),
        ("notify_type", TRADE_STATUS_SYNC.to_owned()),
        ("notify_id", shared.notify_id(now)),
        ("charset", "utf-8".to_owned()),
        ("version", "1.0".to_owned()),
        ("app_id", cfg.app_id.clone()),
        ("auth_app_id", cfg.app_id.clone()),
        ("seller_id", cfg.seller_id.clone()),
        ("trade_no", order.trade_no.clone()),
        ("out_trade_no", order.out_trade_no.clone()),
        ("subject", order.subject.clone()),
        ("buyer_id", BUYER_ID.to_owned()),
        ("buyer_logon_id", BUYER_LOGON_ID.to_owned()),
        ("trade_status", status.as_str().to_owned()),
        ("total_amount", total.clone()),
        ("receipt_amount", total.clone()),
        ("invoice_amount", total.clone()),
        ("buyer_pay_amount", total.clone()),
        ("point_amount", "0.00".to_owned()),
        ("fund_bill_list", format!("[{{\"amount\":\"{total}\",\"fundChannel\":\"ALIPAYACCOUNT\"}}]")),
        ("gmt_create", timestamp(order.created_at)),
    ];
    if let Some(paid_at) = order.paid_at {
        params.push(("gmt_payment", timestamp(paid_at)));
    }
    if let Some(refund) = refund {
        params.push(("refund_fee", fen_to_yuan(order.refunded_fen())));
        params.push(("out_biz_no", refund.out_request_no.clone()));
        params.push(("gmt_refund", format!("{}.000", timestamp(refund.at))));
    }
    if matches!(status, TradeStatus::TradeClosed | TradeStatus::TradeFinished) {
        params.push(("gmt_close", timestamp(now)));
    }
    params.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
}

#[derive(Debug, Clone)]
struct Job {
    url: String,
    body: String,
    notify_id: String,
    out_trade_no: String,
    trade_status: TradeStatus,
    forged: bool,
}

/// Signs `params` and starts delivering them; answers the `notify_id`.
pub(super) async fn dispatch(
    shared: &Arc<Shared>,
    url: String,
    order: &Order,
    mut params: Vec<(String, String)>,
    faults: Faults,
) -> String {
    let value = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (notify_id, trade_status) = (value("notify_id"), value("trade_status"));
    params.push(("sign_type".to_owned(), "RSA2".to_owned()));
    let content = notification_content(&params);
    // A forger cannot sign the fields; this signature is real but covers other text.
    let sign = if faults.forge { shared.sign(&format!("{content}&forged=true")) } else { shared.sign(&content) };
    params.push(("sign".to_owned(), sign));
    let job = Job {
        url,
        body: encode_form(&params),
        notify_id: notify_id.clone(),
        out_trade_no: order.out_trade_no.clone(),
        trade_status: trade_status.parse().unwrap_or(order.status),
        forged: faults.forge,
    };
    let release = if faults.hold {
        let (tx, rx) = oneshot::channel();
        shared.held.lock().await.push(tx);
        Some(rx)
    } else {
        None
    };
    tokio::spawn(deliver(Arc::clone(shared), job, faults, release));
    notify_id
}

/// `wait` times the schedule's scale, saturating instead of panicking on odd scales.
fn scaled(wait: Duration, scale: f64) -> Duration {
    Duration::try_from_secs_f64(wait.as_secs_f64() * scale).unwrap_or(if scale > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

/// Sleeps `wait`; false when the simulator stopped first.
async fn pause(stopped: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => true,
        _ = stopped.wait_for(|stop| *stop) => false,
    }
}

async fn deliver(shared: Arc<Shared>, job: Job, faults: Faults, release: Option<oneshot::Receiver<()>>) {
    let mut stopped = shared.stopped.clone();
    if let Some(release) = release {
        tokio::select! {
            _ = release => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
    }
    if !faults.delay.is_zero() && !pause(&mut stopped, faults.delay).await {
        return;
    }
    let attempts = if job.forged { 1 } else { 1 + REDELIVERY_SCHEDULE.len() };
    for attempt in 0..attempts {
        let copies = if attempt == 0 { 1 + faults.duplicates } else { 1 };
        let posts: Vec<_> = (0..copies)
            .map(|copy| tokio::spawn(post(Arc::clone(&shared), job.clone(), attempt as u32, copy)))
            .collect();
        let mut accepted = false;
        for post in posts {
            accepted |= post.await.unwrap_or(false);
        }
        if accepted {
            return;
        }
        match REDELIVERY_SCHEDULE.get(attempt) {
            Some(wait) if attempt + 1 < attempts => {
                if !pause(&mut stopped, scaled(*wait, shared.cfg.schedule_scale)).await {
                    return;
                }
            }
            _ => return,
        }
    }
}

/// One POST; answers whether the receiver took it.
async fn post(shared: Arc<Shared>, job: Job, attempt: u32, copy: u32) -> bool {
    let sent = shared
        .http
        .post(&job.url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8")
        .body(job.body.clone())
        .send()
        .await;
    let (status, answer) = match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            (Some(status), response.text().await.unwrap_or_default())
        }
        Err(err) => (None, err.to_string()),
    };
    // Exactly the seven letters: `success\n` or `SUCCESS` are not.
    let accepted = status == Some(200) && answer == "success";
    shared
        .log
        .push(Delivery {
            notify_id: job.notify_id,
            out_trade_no: job.out_trade_no,
            trade_status: job.trade_status,
            attempt,
            copy,
            forged: job.forged,
            body: job.body,
            status,
            answer: answer.chars().take(200).collect(),
            accepted,
        })
        .await;
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_eight_deliveries_in_about_25_hours() {
        let total: Duration = REDELIVERY_SCHEDULE.iter().sum();
        assert_eq!(total, Duration::from_mins(1464));
        assert!(total < Duration::from_hours(25));
    }

    #[test]
    fn scaling_saturates_rather_than_panics() {
        assert_eq!(scaled(Duration::from_mins(4), 1.0 / 60_000.0).as_micros(), 4000);
        assert_eq!(scaled(Duration::from_mins(4), 0.0), Duration::ZERO);
        assert_eq!(scaled(Duration::from_mins(4), -1.0), Duration::ZERO);
        assert_eq!(scaled(Duration::from_mins(4), f64::INFINITY), Duration::MAX);
        assert_eq!(scaled(Duration::from_mins(4), f64::NAN), Duration::ZERO);
    }
}
