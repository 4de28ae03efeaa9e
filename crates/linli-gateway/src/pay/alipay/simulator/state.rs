//! The simulator's orders and the business rules of each method, apart from HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use tokio::sync::{Mutex, oneshot, watch};

use super::SimulatorConfig;
use super::notify::{self, DeliveryLog, Faults};
use crate::pay::alipay::model::{
    MAX_TOTAL_FEN, MIN_TOTAL_FEN, QUICK_WAP_WAY, SUCCESS_CODE, TradeStatus, beijing, fen_to_yuan, timestamp,
    yuan_to_fen,
};

/// The payer every simulated payment comes from.
pub(super) const BUYER_ID: &str = "2088102174698127";
pub(super) const BUYER_LOGON_ID: &str = "138****8000";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimulatorError {
    #[error("the simulator has no order {0}")]
    UnknownOrder(String),
    #[error("the order is {0}")]
    WrongState(TradeStatus),
}

/// What [`super::SimulatorHandle::pay`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub trade_no: String,
    /// The notification's id, `None` when the order named no `notify_url`.
    pub notify_id: Option<String>,
}

/// An order as the simulator holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderView {
    pub out_trade_no: String,
    pub trade_no: String,
    pub total_fen: i64,
    pub subject: String,
    pub status: TradeStatus,
    pub refunded_fen: i64,
    pub notify_url: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Refund {
    pub out_request_no: String,
    pub fen: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct Order {
    pub trade_no: String,
    pub out_trade_no: String,
    pub total_fen: i64,
    pub subject: String,
    pub status: TradeStatus,
    /// A precreated order exists for query and close only once scanned.
    pub scanned: bool,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub refunds: Vec<Refund>,
}

impl Order {
    pub fn refunded_fen(&self) -> i64 {
        self.refunds.iter().map(|r| r.fen).sum()
    }

    fn view(&self) -> OrderView {
        OrderView {
            out_trade_no: self.out_trade_no.clone(),
            trade_no: self.trade_no.clone(),
            total_fen: self.total_fen,
            subject: self.subject.clone(),
            status: self.status,
            refunded_fen: self.refunded_fen(),
            notify_url: self.notify_url.clone(),
        }
    }
}

/// A refusal as the gateway writes it: `code`, `msg`, `sub_code`, `sub_msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub code: &'static str,
    pub msg: &'static str,
    pub sub_code: &'static str,
    pub sub_msg: String,
}

impl Refusal {
    pub fn business(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Refusal { code: "40004", msg: "Business Failed", sub_code, sub_msg: sub_msg.into() }
    }

    pub fn invalid(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Refusal { code: "40002", msg: "Invalid Arguments", sub_code, sub_msg: sub_msg.into() }
    }

    pub fn missing(sub_code: &'static str, sub_msg: impl Into<String>) -> Self {
        Refusal { code: "40001", msg: "Missing Required Arguments", sub_code, sub_msg: sub_msg.into() }
    }

    pub fn content(&self) -> Value {
        json!({ "code": self.code, "msg": self.msg, "sub_code": self.sub_code, "sub_msg": self.sub_msg })
    }
}

fn parameter_error(why: impl Into<String>) -> Refusal {
    Refusal::business("ACQ.INVALID_PARAMETER", why)
}

fn success(fields: Value) -> Value {
    let mut content = json!({ "code": SUCCESS_CODE, "msg": "Success" });
    if let (Some(content), Value::Object(fields)) = (content.as_object_mut(), fields) {
        content.extend(fields);
    }
    content
}

/// What the simulator keeps between requests.
pub(super) struct Shared {
    pub cfg: SimulatorConfig,
    pub base_url: String,
    /// In creation order, so bills list trades as they happened.
    pub orders: Mutex<Vec<Order>>,
    seq: AtomicU64,
    pub log: DeliveryLog,
    pub held: Mutex<Vec<oneshot::Sender<()>>>,
    pub http: reqwest::Client,
    pub stopped: watch::Receiver<bool>,
}

/// The fields of `biz_content` this simulator reads.
pub(super) struct Biz<'a>(pub &'a Map<String, Value>);

impl Biz<'_> {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    fn out_trade_no(&self) -> Result<&str, Refusal> {
        let no = self.text("out_trade_no").ok_or_else(|| parameter_error("缺少 out_trade_no"))?;
        let valid = no.len() <= 64 && no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid { Ok(no) } else { Err(parameter_error("out_trade_no 不合法")) }
    }

    fn amount(&self, name: &str) -> Result<i64, Refusal> {
        let text = self.text(name).ok_or_else(|| parameter_error(format!("缺少 {name}")))?;
        let fen = yuan_to_fen(text).ok_or_else(|| parameter_error(format!("{name} 不合法")))?;
        if (MIN_TOTAL_FEN..=MAX_TOTAL_FEN).contains(&fen) {
            Ok(fen)
        } else {
            Err(parameter_error(format!("{name} 超出范围")))
        }
    }
}

/// The new order a precreate or wap.pay asks for.
pub(super) struct NewOrder<'a> {
    pub biz: Biz<'a>,
    pub notify_url: Option<&'a str>,
    pub return_url: Option<&'a str>,
    /// wap.pay: the payer is at the cashier already.
    pub scanned: bool,
}

impl Shared {
    pub fn new(cfg: SimulatorConfig, base_url: String, http: reqwest::Client, stopped: watch::Receiver<bool>) -> Self {
        Shared {
            cfg,
            base_url,
            orders: Mutex::default(),
            seq: AtomicU64::new(1),
            log: DeliveryLog::new(),
            held: Mutex::default(),
            http,
            stopped,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.cfg.clock.now()
    }

    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    /// `yyyyMMdd` + `22001` + 15 digits: the 28 characters of Alipay's trade numbers.
    fn trade_no(&self, at: DateTime<Utc>) -> String {
        format!("{}22001{:015}", at.with_timezone(&beijing()).format("%Y%m%d"), self.next_seq())
    }

    /// `yyyyMMdd` + `00222` + `HHmmss` + 15 digits: 34 characters, as Alipay's.
    pub fn notify_id(&self, at: DateTime<Utc>) -> String {
        format!("{}00222{:015}", at.with_timezone(&beijing()).format("%Y%m%d%H%M%S"), self.next_seq())
    }

    /// The simulator's signature over `content`.
    pub fn sign(&self, content: &str) -> String {
        self.cfg.alipay_private_key.sign_sha256(content.as_bytes()).expect("the system random source works")
    }

    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&beijing()).date_naive()
    }

    /// `alipay.trade.precreate` and `alipay.trade.wap.pay`: the order, new or the same again.
    pub async fn create(&self, new: NewOrder<'_>) -> Result<String, Refusal> {
        let out_trade_no = new.biz.out_trade_no()?;
        let total_fen = new.biz.amount("total_amount")?;
        let subject = new.biz.text("subject").ok_or_else(|| parameter_error("缺少 subject"))?;
        let mut orders = self.orders.lock().await;
        if let Some(order) = orders.iter_mut().find(|o| o.out_trade_no == out_trade_no) {
            return match order.status {
                TradeStatus::TradeSuccess | TradeStatus::TradeFinished => {
                    Err(Refusal::business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付"))
                }
                TradeStatus::TradeClosed => Err(Refusal::business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")),
                TradeStatus::WaitBuyerPay if order.total_fen != total_fen || order.subject != subject => {
                    Err(Refusal::business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改"))
                }
                TradeStatus::WaitBuyerPay => {
                    order.scanned |= new.scanned;
                    Ok(order.trade_no.clone())
                }
            };
        }
        let now = self.now();
        let trade_no = self.trade_no(now);
        orders.push(Order {
            trade_no: trade_no.clone(),
            out_trade_no: out_trade_no.to_owned(),
            total_fen,
            subject: subject.to_owned(),
            status: TradeStatus::WaitBuyerPay,
            scanned: new.scanned,
            notify_url: new.notify_url.map(str::to_owned),
            return_url: new.return_url.map(str::to_owned),
            created_at: now,
            paid_at: None,
            refunds: Vec::new(),
        });
        Ok(trade_no)
    }

    pub async fn precreate(&self, biz: &Map<String, Value>, notify_url: Option<&str>) -> Result<Value, Refusal> {
        let new = NewOrder { biz: Biz(biz), notify_url, return_url: None, scanned: false };
        let out_trade_no = new.biz.out_trade_no()?.to_owned();
        let trade_no = self.create(new).await?;
        Ok(success(json!({ "out_trade_no": out_trade_no, "qr_code": format!("{}/qr/{trade_no}", self.base_url) })))
    }

    pub async fn wap_pay(
        &self,
        biz: &Map<String, Value>,
        notify_url: Option<&str>,
        return_url: Option<&str>,
    ) -> Result<String, Refusal> {
        let biz = Biz(biz);
        if biz.text("product_code") != Some(QUICK_WAP_WAY) {
            return Err(parameter_error("product_code 应为 QUICK_WAP_WAY"));
        }
        self.create(NewOrder { biz, notify_url, return_url, scanned: true }).await
    }

    /// The order a query, close or refund names, if the payer has seen it.
    fn find<'o>(orders: &'o mut [Order], biz: &Biz<'_>) -> Result<&'o mut Order, Refusal> {
        let (out_trade_no, trade_no) = (biz.text("out_trade_no"), biz.text("trade_no"));
        if out_trade_no.is_none() && trade_no.is_none() {
            return Err(parameter_error("out_trade_no 和 trade_no 不能同时为空"));
        }
        orders
            .iter_mut()
            .find(|o| trade_no.is_none_or(|no| o.trade_no == no) && out_trade_no.is_none_or(|no| o.out_trade_no == no))
            .filter(|o| o.scanned)
            .ok_or_else(|| Refusal::business("ACQ.TRADE_NOT_EXIST", "交易不存在"))
    }

    pub async fn query(&self, biz: &Map<String, Value>) -> Result<Value, Refusal> {
        let mut orders = self.orders.lock().await;
        let order = Self::find(&mut orders, &Biz(biz))?;
        let total = fen_to_yuan(order.total_fen);
        let mut fields = json!({
            "trade_no": order.trade_no,
            "out_trade_no": order.out_trade_no,
            "buyer_logon_id": BUYER_LOGON_ID,
            "trade_status": order.status.as_str(),
            "total_amount": total,
        });
        if let (Some(paid_at), Some(fields)) = (order.paid_at, fields.as_object_mut()) {
            for (name, value) in [
                ("buyer_pay_amount", total.clone()),
                ("receipt_amount", total.clone()),
                ("invoice_amount", total),
                ("point_amount", "0.00".to_owned()),
                ("send_pay_date", timestamp(paid_at)),
                ("buyer_user_id", BUYER_ID.to_owned()),
            ] {
                fields.insert(name.to_owned(), value.into());
            }
        }
        Ok(success(fields))
    }

    pub async fn close(&self, biz: &Map<String, Value>) -> Result<Value, Refusal> {
        let mut orders = self.orders.lock().await;
        let order = Self::find(&mut orders, &Biz(biz))?;
        if order.status != TradeStatus::WaitBuyerPay {
            return Err(Refusal::business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"));
        }
        order.status = TradeStatus::TradeClosed;
        Ok(success(json!({ "trade_no": order.trade_no, "out_trade_no": order.out_trade_no })))
    }

    pub async fn refund(self: &Arc<Self>, biz: &Map<String, Value>) -> Result<Value, Refusal> {
        let biz = Biz(biz);
        let refund_fen = biz.amount("refund_amount")?;
        let mut orders = self.orders.lock().await;
        let order = Self::find(&mut orders, &biz)?;
        // Without out_request_no Alipay takes the trade's own number (one full refund).
        let out_request_no = biz.text("out_request_no").unwrap_or(&order.out_trade_no).to_owned();
        let answer = |order: &Order, moved: bool| {
            success(json!({
                "trade_no": order.trade_no,
                "out_trade_no": order.out_trade_no,
                "buyer_logon_id": BUYER_LOGON_ID,
                "fund_change": if moved { "Y" } else { "N" },
                "refund_fee": fen_to_yuan(order.refunded_fen()),
                "buyer_user_id": BUYER_ID,
            }))
        };
        if let Some(earlier) = order.refunds.iter().find(|r| r.out_request_no == out_request_no) {
            if earlier.fen != refund_fen {
                return Err(parameter_error("out_request_no 已用于另一金额的退款"));
            }
            return Ok(answer(order, false));
        }
        match order.status {
            TradeStatus::TradeSuccess => {}
            TradeStatus::TradeFinished => return Err(Refusal::business("ACQ.TRADE_HAS_FINISHED", "交易已完结")),
            TradeStatus::TradeClosed if order.paid_at.is_some() => {
                return Err(Refusal::business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭"));
            }
            TradeStatus::WaitBuyerPay | TradeStatus::TradeClosed => {
                return Err(Refusal::business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"));
            }
        }
        if order.refunded_fen() + refund_fen > order.total_fen {
            return Err(Refusal::business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限"));
        }
        let now = self.now();
        order.refunds.push(Refund { out_request_no: out_request_no.clone(), fen: refund_fen, at: now });
        if order.refunded_fen() == order.total_fen {
            order.status = TradeStatus::TradeClosed;
        }
        let content = answer(order, true);
        let snapshot = order.clone();
        drop(orders);
        if let (true, Some(url)) = (self.cfg.notify_refunds, &snapshot.notify_url) {
            let refund = snapshot.refunds.last().cloned();
            let params = notify::trade_params(self, &snapshot, snapshot.status, now, refund.as_ref(), None);
            notify::dispatch(self, url.clone(), &snapshot, params, Faults::default()).await;
        }
        Ok(content)
    }

    pub async fn scan(&self, out_trade_no: &str) -> Result<(), SimulatorError> {
        let mut orders = self.orders.lock().await;
        let order = orders
            .iter_mut()
            .find(|o| o.out_trade_no == out_trade_no)
            .ok_or_else(|| SimulatorError::UnknownOrder(out_trade_no.to_owned()))?;
        order.scanned = true;
        Ok(())
    }

    /// The payer pays: `TRADE_SUCCESS`, and the notification goes out.
    pub async fn pay(self: &Arc<Self>, out_trade_no: &str, faults: Faults) -> Result<Paid, SimulatorError> {
        self.transition(out_trade_no, TradeStatus::WaitBuyerPay, TradeStatus::TradeSuccess, faults).await
    }

    /// The refund window ends: `TRADE_FINISHED`, notified too.
    pub async fn finish(self: &Arc<Self>, out_trade_no: &str, faults: Faults) -> Result<Paid, SimulatorError> {
        self.transition(out_trade_no, TradeStatus::TradeSuccess, TradeStatus::TradeFinished, faults).await
    }

    async fn transition(
        self: &Arc<Self>,
        out_trade_no: &str,
        from: TradeStatus,
        to: TradeStatus,
        faults: Faults,
    ) -> Result<Paid, SimulatorError> {
        let now = self.now();
        let snapshot = {
            let mut orders = self.orders.lock().await;
            let order = orders
                .iter_mut()
                .find(|o| o.out_trade_no == out_trade_no)
                .ok_or_else(|| SimulatorError::UnknownOrder(out_trade_no.to_owned()))?;
            if order.status != from {
                return Err(SimulatorError::WrongState(order.status));
            }
            order.status = to;
            order.scanned = true;
            if to == TradeStatus::TradeSuccess {
                order.paid_at = Some(now);
            }
            order.clone()
        };
        let notify_id = match &snapshot.notify_url {
            Some(url) => {
                let params = notify::trade_params(self, &snapshot, to, now, None, faults.wrong_total_fen);
                Some(notify::dispatch(self, url.clone(), &snapshot, params, faults).await)
            }
            None => None,
        };
        Ok(Paid { trade_no: snapshot.trade_no, notify_id })
    }

    pub async fn order(&self, out_trade_no: &str) -> Option<OrderView> {
        self.orders.lock().await.iter().find(|o| o.out_trade_no == out_trade_no).map(Order::view)
    }

    pub async fn order_by_trade_no(&self, trade_no: &str) -> Option<Order> {
        self.orders.lock().await.iter().find(|o| o.trade_no == trade_no).cloned()
    }

    pub async fn release_held(&self) -> usize {
        let held: Vec<_> = self.held.lock().await.drain(..).collect();
        let count = held.len();
        for release in held {
            let _ = release.send(());
        }
        count
    }
}
