//! Payment orders: a resident's order sent to a channel, and the channel's notification settled
//! through the ledger exactly once (the payment's idempotency key is the channel's number for
//! it, so a repeat, a race of two copies or a crash between recording and marking the order
//! records one payment).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_billing::{NewPayment, PaymentChannel, PaymentService};
use linli_core::{AuditEvent, Authz, Error, Fen, Id, Resident, Result};

use crate::order::{
    self, NewOrder, NotificationOutcome, OrderState, PaidNotice, PaymentOrder, Settlement, out_trade_no,
};

/// What a channel is asked to collect.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelOrder {
    pub out_trade_no: String,
    pub amount_fen: Fen,
    pub description: String,
    pub expires_at: DateTime<Utc>,
}

/// One payment channel as this module needs it; `linli` implements it over `linli-gateway::pay`.
#[async_trait]
pub trait PayChannel: Send + Sync {
    /// Creates the order for a QR code (WeChat Native, Alipay precreate): what the code carries.
    async fn create(&self, order: &ChannelOrder) -> std::result::Result<String, String>;
    /// Reads a notification as the channel sent it: `Err` with the reason when it is not to be
    /// trusted (signature, timestamp, another merchant's).
    fn read_notification(&self, headers: &[(String, String)], body: &[u8]) -> std::result::Result<PaidNotice, String>;
}

/// What to answer the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyAnswer {
    /// Received and handled (or nothing to do): stop sending it.
    Ack,
    /// Not trusted: refused (the channel's own copies will come again).
    Untrusted,
    /// Trusted but not handled now (the database failed): send it again.
    Retry,
}

/// A row of the notification log.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationLog {
    pub channel: PaymentChannel,
    pub notification_id: Option<String>,
    pub out_trade_no: Option<String>,
    pub order_id: Option<Id>,
    pub amount_fen: Option<Fen>,
    pub outcome: NotificationOutcome,
    pub reason: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// A new order row, before the channel is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrderRow {
    pub company_id: Id,
    pub project_id: Id,
    pub house_id: Id,
    pub channel: PaymentChannel,
    pub order: ChannelOrder,
    pub idempotency_key: Option<String>,
    pub created_by: Option<Id>,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait OrderRepo: Send + Sync {
    /// Inserts the order with its audit row; an order already made under the same idempotency
    /// key is answered instead (nothing new).
    async fn insert_order(&self, row: NewOrderRow, audit: AuditEvent) -> Result<PaymentOrder>;
    async fn set_code_url(&self, id: Id, code_url: &str) -> Result<()>;
    async fn close_order(&self, id: Id) -> Result<()>;
    async fn order(&self, id: Id) -> Result<Option<PaymentOrder>>;
    async fn order_by_out_trade_no(&self, out_trade_no: &str) -> Result<Option<PaymentOrder>>;
    /// Marks the order paid by this payment, with its audit row, unless it is paid already:
    /// `false` then.
    async fn mark_paid(
        &self,
        id: Id,
        channel_trade_no: &str,
        payment_id: Id,
        paid_at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<bool>;
    async fn log_notification(&self, log: NotificationLog) -> Result<()>;
}

#[derive(Clone)]
pub struct OrderService {
    repo: Arc<dyn OrderRepo>,
    payments: PaymentService,
    channels: HashMap<&'static str, Arc<dyn PayChannel>>,
}

impl OrderService {
    pub fn new(repo: Arc<dyn OrderRepo>, payments: PaymentService) -> Self {
        Self { repo, payments, channels: HashMap::new() }
    }

    /// Takes orders through `channel` from now on.
    #[must_use]
    pub fn with_channel(mut self, channel: PaymentChannel, adapter: Arc<dyn PayChannel>) -> Self {
        self.channels.insert(channel.as_str(), adapter);
        self
    }

    /// The channels orders can go through, for the pages to offer.
    pub fn channels(&self) -> Vec<PaymentChannel> {
        PaymentChannel::ALL.iter().copied().filter(|c| self.channels.contains_key(c.as_str())).collect()
    }

    fn channel(&self, channel: PaymentChannel) -> Result<&Arc<dyn PayChannel>> {
        self.channels.get(channel.as_str()).ok_or_else(|| Error::invalid("channel", "not_available"))
    }

    /// A payment order for the resident's house: what it owes today unless an amount is given
    /// (the rest stays as prepaid balance). The same `Idempotency-Key` answers the same order.
    pub async fn create_for_resident(
        &self,
        resident: &Resident,
        new: NewOrder,
        idempotency_key: Option<String>,
    ) -> Result<PaymentOrder> {
        let adapter = self.channel(new.channel)?.clone();
        let account = self.payments.resident_account(resident, None).await?;
        let owed = Fen((account.total_due_fen.0 - account.balance_fen.0).max(0));
        let amount = new.amount_fen.unwrap_or(owed);
        if amount.0 <= 0 {
            return Err(Error::invalid(
                "amount_fen",
                if new.amount_fen.is_some() { "must_be_positive" } else { "nothing_due" },
            ));
        }
        if amount > linli_billing::MAX_AMOUNT {
            return Err(Error::invalid("amount_fen", "too_large"));
        }
        let now = Utc::now();
        let order = ChannelOrder {
            out_trade_no: out_trade_no(now, uuid::Uuid::new_v4().as_u128() as u32),
            amount_fen: amount,
            description: format!("{} 物业缴费", account.house_label).chars().take(100).collect(),
            expires_at: order::expires_at(now),
        };
        let actor = resident.actor();
        let key = idempotency_key.map(|k| format!("{}:{k}", actor.user_id.unwrap_or(0)));
        let row = NewOrderRow {
            company_id: actor.company_id,
            project_id: resident.project_id(),
            house_id: resident.house_id(),
            channel: new.channel,
            order: order.clone(),
            idempotency_key: key,
            created_by: actor.user_id,
            created_at: now,
        };
        let audit = AuditEvent::new(actor, "payments.order.created", "payment_order")
            .project(Some(resident.project_id()))
            .after(&serde_json::json!({ "out_trade_no": order.out_trade_no, "amount_fen": amount, "channel": new.channel }));
        let mut saved = self.repo.insert_order(row, audit).await?;
        if saved.house_id != resident.house_id() {
            // An idempotency key reused for another house.
            return Err(Error::Conflict(linli_core::Code::IdempotencyKeyReused));
        }
        if saved.code_url.is_some() || saved.state != OrderState::Pending {
            return Ok(saved);
        }
        match adapter.create(&ChannelOrder { out_trade_no: saved.out_trade_no.clone(), ..order }).await {
            Ok(code_url) => {
                self.repo.set_code_url(saved.id, &code_url).await?;
                saved.qr_svg = order::qr_svg(&code_url);
                saved.code_url = Some(code_url);
                Ok(saved)
            }
            Err(reason) => {
                tracing::warn!(out_trade_no = %saved.out_trade_no, %reason, "the channel did not take the order");
                self.repo.close_order(saved.id).await?;
                Err(Error::Unavailable { retry_after_secs: 30 })
            }
        }
    }

    /// One of the resident's house's orders (another's is 404): what the page polls.
    pub async fn resident_order(&self, resident: &Resident, id: Id) -> Result<PaymentOrder> {
        self.repo
            .order(id)
            .await?
            .filter(|o| o.house_id == resident.house_id())
            .ok_or_else(|| Error::not_found("payment_order", id))
    }

    /// A notification from `channel`: verified, logged, and settled once when it says the order
    /// was paid for its amount.
    pub async fn notify(&self, channel: PaymentChannel, headers: &[(String, String)], body: &[u8]) -> NotifyAnswer {
        let received_at = Utc::now();
        let log = |notice: Option<&PaidNotice>, order: Option<&PaymentOrder>, outcome, reason: Option<&str>| {
            NotificationLog {
                channel,
                notification_id: notice.map(|n| n.notification_id.clone()),
                out_trade_no: notice.map(|n| n.out_trade_no.clone()),
                order_id: order.map(|o| o.id),
                amount_fen: notice.map(|n| n.amount_fen),
                outcome,
                reason: reason.map(str::to_owned),
                received_at,
            }
        };
        let Ok(adapter) = self.channel(channel) else {
            return NotifyAnswer::Untrusted;
        };
        let notice = match adapter.read_notification(headers, body) {
            Ok(n) => n,
            Err(reason) => {
                tracing::warn!(channel = channel.as_str(), %reason, "a payment notification was refused");
                let _ = self.repo.log_notification(log(None, None, NotificationOutcome::Refused, Some(&reason))).await;
                return NotifyAnswer::Untrusted;
            }
        };
        match self.settle(channel, &notice, received_at).await {
            Ok((order, outcome, reason)) => {
                if let Err(e) = self.repo.log_notification(log(Some(&notice), order.as_ref(), outcome, reason)).await {
                    tracing::error!(error = %e, "a payment notification was handled but not logged");
                }
                NotifyAnswer::Ack
            }
            Err(e) => {
                tracing::error!(error = %e, out_trade_no = %notice.out_trade_no, "a payment notification could not be settled");
                NotifyAnswer::Retry
            }
        }
    }

    async fn settle(
        &self,
        channel: PaymentChannel,
        notice: &PaidNotice,
        at: DateTime<Utc>,
    ) -> Result<(Option<PaymentOrder>, NotificationOutcome, Option<&'static str>)> {
        let order = self.repo.order_by_out_trade_no(&notice.out_trade_no).await?;
        let Some(o) = order.as_ref().filter(|o| o.channel == channel) else {
            return Ok((None, NotificationOutcome::Refused, Some("unknown_order")));
        };
        match order::settlement(Some(o), notice) {
            Settlement::Repeated => Ok((order.clone(), NotificationOutcome::Repeated, None)),
            Settlement::Ignored => Ok((order.clone(), NotificationOutcome::Ignored, None)),
            Settlement::Refused(why) => Ok((order.clone(), NotificationOutcome::Refused, Some(why))),
            Settlement::Settle => {
                let payment = NewPayment {
                    amount_fen: o.amount_fen,
                    channel,
                    received_on: linli_core::time::date_of(at),
                    bill_ids: None,
                    earmark_fee_item_id: None,
                    allocate: true,
                    payer: None,
                    note: Some(format!("{} {}", o.out_trade_no, notice.channel_trade_no)),
                };
                let system = Authz::system(o.company_id);
                let key = format!("{}:{}", channel.as_str(), notice.channel_trade_no);
                let receipt = self.payments.pay(&system, o.house_id, payment, Some(key)).await?;
                let audit = AuditEvent::new(system.actor(), "payments.order.paid", "payment_order")
                    .project(Some(o.project_id))
                    .entity_id(o.id)
                    .after(&serde_json::json!({ "channel_trade_no": notice.channel_trade_no, "payment_id": receipt.payment.id }));
                let first = self.repo.mark_paid(o.id, &notice.channel_trade_no, receipt.payment.id, at, audit).await?;
                let outcome = if first { NotificationOutcome::Settled } else { NotificationOutcome::Repeated };
                Ok((order.clone(), outcome, None))
            }
        }
    }
}
