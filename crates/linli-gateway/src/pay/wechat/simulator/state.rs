//! What the simulator remembers: orders, refunds, bill files waiting to be downloaded, held
//! notifications; and the two moments a notification is born (a payment, a refund).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, oneshot, watch};

use super::delivery::{self, Outgoing};
use super::{DeliveryLog, Faults, SimulatorConfig, SimulatorError};
use crate::pay::wechat::model::{
    CURRENCY_CNY, OrderRequest, Payer, Refund, RefundAmount, RefundNotification, RefundStatus, TradeState, Transaction,
    TransactionAmount, beijing, parse_time_expire, rfc3339_beijing,
};
use crate::pay::wechat::notify::NotificationEnvelope;

/// The payer of a Native order, which names none.
pub(super) const NATIVE_PAYER_OPENID: &str = "oLinliSimulatorPayer000000001";

pub(super) struct Shared {
    pub cfg: SimulatorConfig,
    pub base_url: String,
    pub book: Mutex<Book>,
    pub log: DeliveryLog,
    /// Held notifications, released by id.
    pub held: Mutex<HashMap<String, oneshot::Sender<()>>>,
    pub http: reqwest::Client,
    stopped: watch::Sender<bool>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("cfg", &self.cfg).field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Shared {
    pub fn new(cfg: SimulatorConfig, base_url: String, log: DeliveryLog) -> Arc<Self> {
        let http = reqwest::Client::builder()
            .timeout(cfg.delivery_timeout)
            .build()
            .expect("the HTTP client's TLS backend starts");
        Arc::new(Shared {
            cfg,
            base_url,
            book: Mutex::default(),
            log,
            held: Mutex::default(),
            http,
            stopped: watch::channel(false).0,
        })
    }

    pub fn stop_deliveries(&self) {
        self.stopped.send_replace(true);
    }

    /// Resolves once the simulator stops.
    pub async fn stopped(&self) {
        let mut stopped = self.stopped.subscribe();
        let _ = stopped.wait_for(|stopped| *stopped).await;
    }
}

#[derive(Debug, Default)]
pub(super) struct Book {
    pub orders: BTreeMap<String, Order>,
    /// By `out_refund_no`.
    pub refunds: BTreeMap<String, RefundRecord>,
    /// Bill files by download token.
    pub bills: HashMap<String, Vec<u8>>,
    sequence: u64,
}

impl Book {
    fn next(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    /// `4200000001` + date + sequence: 28 digits, like WeChat's order numbers.
    pub fn transaction_id(&mut self, at: DateTime<Utc>) -> String {
        format!("4200000001{}{:010}", at.with_timezone(&beijing()).format("%Y%m%d"), self.next())
    }

    /// 29 digits, like WeChat's refund numbers.
    pub fn refund_id(&mut self, at: DateTime<Utc>) -> String {
        format!("50300000001{}{:010}", at.with_timezone(&beijing()).format("%Y%m%d"), self.next())
    }

    pub fn order_by_transaction_id(&self, transaction_id: &str) -> Option<&Order> {
        self.orders.values().find(|order| order.transaction_id.as_deref() == Some(transaction_id))
    }
}

#[derive(Debug, Clone)]
pub(super) struct Order {
    pub request: OrderRequest,
    /// `NATIVE` or `JSAPI`.
    pub trade_type: &'static str,
    /// The `code_url` or `prepay_id` it was answered with.
    pub answer: String,
    pub state: TradeState,
    pub transaction_id: Option<String>,
    pub success_time: Option<DateTime<Utc>>,
    pub openid: Option<String>,
    /// Fen refunded so far.
    pub refunded: i64,
}

impl Order {
    pub fn total(&self) -> i64 {
        self.request.amount.total
    }

    /// What the query answers and the notification carries.
    pub fn transaction(&self, cfg: &SimulatorConfig) -> Transaction {
        let paid = self.state.is_paid();
        Transaction {
            appid: self.request.appid.clone(),
            mchid: cfg.mchid.clone(),
            out_trade_no: self.request.out_trade_no.clone(),
            transaction_id: self.transaction_id.clone(),
            trade_type: paid.then(|| self.trade_type.to_owned()),
            trade_state: self.state,
            trade_state_desc: trade_state_desc(self.state).to_owned(),
            bank_type: paid.then(|| "OTHERS".to_owned()),
            attach: self.request.attach.clone(),
            success_time: self.success_time.as_ref().map(rfc3339_beijing),
            payer: self.openid.clone().map(|openid| Payer { openid }),
            amount: Some(TransactionAmount {
                total: Some(self.total()),
                payer_total: paid.then(|| self.total()),
                currency: Some(CURRENCY_CNY.to_owned()),
                payer_currency: Some(CURRENCY_CNY.to_owned()),
            }),
        }
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        let expiry = self.request.time_expire.as_deref().and_then(|t| parse_time_expire(t).ok());
        expiry.is_some_and(|expiry| expiry < now)
    }
}

fn trade_state_desc(state: TradeState) -> &'static str {
    match state {
        TradeState::Success => "支付成功",
        TradeState::Refund => "转入退款",
        TradeState::NotPay => "订单未支付",
        TradeState::Closed => "订单已关闭",
        TradeState::Revoked => "已撤销",
        TradeState::UserPaying => "用户支付中",
        TradeState::PayError => "支付失败",
        TradeState::Unknown => "",
    }
}

#[derive(Debug, Clone)]
pub(super) struct RefundRecord {
    pub refund_id: String,
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub transaction_id: String,
    pub refund: i64,
    pub total: i64,
    pub status: RefundStatus,
    pub created_at: DateTime<Utc>,
    pub success_time: Option<DateTime<Utc>>,
    pub notify_url: String,
}

impl RefundRecord {
    fn amount(&self) -> RefundAmount {
        RefundAmount {
            total: self.total,
            refund: self.refund,
            payer_total: Some(self.total),
            payer_refund: Some(self.refund),
            currency: Some(CURRENCY_CNY.to_owned()),
        }
    }

    pub fn answer(&self) -> Refund {
        Refund {
            refund_id: self.refund_id.clone(),
            out_refund_no: self.out_refund_no.clone(),
            transaction_id: self.transaction_id.clone(),
            out_trade_no: self.out_trade_no.clone(),
            channel: Some("ORIGINAL".to_owned()),
            user_received_account: Some("支付用户零钱".to_owned()),
            success_time: self.success_time.as_ref().map(rfc3339_beijing),
            create_time: rfc3339_beijing(&self.created_at),
            status: self.status,
            funds_account: Some("AVAILABLE".to_owned()),
            amount: self.amount(),
        }
    }

    fn notification(&self, mchid: &str) -> RefundNotification {
        RefundNotification {
            mchid: mchid.to_owned(),
            out_trade_no: self.out_trade_no.clone(),
            transaction_id: self.transaction_id.clone(),
            out_refund_no: self.out_refund_no.clone(),
            refund_id: self.refund_id.clone(),
            refund_status: self.status,
            success_time: self.success_time.as_ref().map(rfc3339_beijing),
            user_received_account: Some("支付用户零钱".to_owned()),
            amount: self.amount(),
        }
    }
}

/// The payer pays: NOTPAY → SUCCESS, and the TRANSACTION.SUCCESS notification goes out.
pub(super) async fn pay(shared: &Arc<Shared>, out_trade_no: &str, faults: Faults) -> Result<String, SimulatorError> {
    let now = Utc::now();
    let (mut transaction, notify_url) = {
        let mut book = shared.book.lock().await;
        let transaction_id = book.transaction_id(now);
        let order =
            book.orders.get_mut(out_trade_no).ok_or_else(|| SimulatorError::UnknownOrder(out_trade_no.into()))?;
        if order.state != TradeState::NotPay {
            return Err(SimulatorError::NotPayable { out_trade_no: out_trade_no.to_owned(), state: order.state });
        }
        if order.expired(now) {
            return Err(SimulatorError::Expired(out_trade_no.to_owned()));
        }
        order.state = TradeState::Success;
        order.transaction_id = Some(transaction_id);
        order.success_time = Some(now);
        order.openid.get_or_insert_with(|| NATIVE_PAYER_OPENID.to_owned());
        (order.transaction(&shared.cfg), order.request.notify_url.clone())
    };
    if let (Some(wrong), Some(amount)) = (faults.wrong_total_fen, transaction.amount.as_mut()) {
        amount.total = Some(wrong);
        amount.payer_total = Some(wrong);
    }
    let plaintext = serde_json::to_vec(&transaction).expect("a transaction serialises");
    let outgoing = seal(shared, "TRANSACTION.SUCCESS", "支付成功", "transaction", out_trade_no, notify_url, &plaintext);
    let id = outgoing.id.clone();
    delivery::start(shared, outgoing, faults).await;
    Ok(id)
}

/// A refund request was accepted (PROCESSING); the money goes back at once (SUCCESS) and the
/// REFUND.SUCCESS notification goes out.
pub(super) async fn complete_refund(shared: &Arc<Shared>, out_refund_no: &str) {
    let record = {
        let mut book = shared.book.lock().await;
        let Some(record) = book.refunds.get_mut(out_refund_no) else { return };
        record.status = RefundStatus::Success;
        record.success_time = Some(Utc::now());
        record.clone()
    };
    let plaintext = serde_json::to_vec(&record.notification(&shared.cfg.mchid)).expect("a refund serialises");
    let outgoing = seal(
        shared,
        "REFUND.SUCCESS",
        "退款成功",
        "refund",
        &record.out_trade_no,
        record.notify_url.clone(),
        &plaintext,
    );
    delivery::start(shared, outgoing, Faults::none()).await;
}

fn seal(
    shared: &Shared,
    event_type: &str,
    summary: &str,
    original_type: &str,
    out_trade_no: &str,
    notify_url: String,
    plaintext: &[u8],
) -> Outgoing {
    let id = uuid::Uuid::new_v4().to_string();
    let nonce = random_alphanumeric(12);
    let envelope = NotificationEnvelope::seal(
        shared.cfg.apiv3_key.as_bytes(),
        &id,
        &rfc3339_beijing(&Utc::now()),
        event_type,
        summary,
        original_type,
        &nonce,
        plaintext,
    )
    .expect("a 32-byte key and a 12-byte nonce encrypt");
    Outgoing {
        id,
        event_type: event_type.to_owned(),
        out_trade_no: out_trade_no.to_owned(),
        notify_url,
        body: serde_json::to_vec(&envelope).expect("an envelope serialises"),
    }
}

/// `len` characters of `[0-9A-Za-z]` from the OS's randomness.
pub(super) fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            if out.len() < len {
                out.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
            }
        }
    }
    out
}
