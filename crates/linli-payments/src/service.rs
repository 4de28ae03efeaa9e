//! Payment orders: a resident's order sent to a channel, and the channel's notification settled
//! through the ledger exactly once (the payment's idempotency key is the channel's number for
//! it, so a repeat, a race of two copies or a crash between recording and marking the order
//! records one payment).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_billing::ledger::NewEntry;
use linli_billing::{NewPayment, NewRefund, PaymentChannel, PaymentService, Seal};
use linli_core::{AuditEvent, Authz, Error, Fen, Id, Page, PageRequest, Permission, Resident, Result, Scope};

use crate::order::{
    self, NewOrder, NotificationOutcome, OrderState, PaidNotice, PaymentOrder, Settlement, out_trade_no,
};
use crate::refund::{self, ChannelRefund, NewOrderRefund, PaymentRefund, RefundAnswer, RefundState};

/// Reading orders is reading bills; refunding one is the approval a cash refund needs.
const ORDER_READ: Permission = Permission::BillingBillRead;
const REFUND: Permission = Permission::BillingAdjustmentApprove;

/// What a channel is asked to collect.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelOrder {
    pub out_trade_no: String,
    pub amount_fen: Fen,
    pub description: String,
    pub expires_at: DateTime<Utc>,
}

/// Where an order stands at its channel, when asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// Paid: settled as its notification would have been.
    Paid(PaidNotice),
    /// Not paid: still waiting, closed, or never scanned.
    Unpaid,
}

/// One payment channel as this module needs it; `linli` implements it over `linli-gateway::pay`.
#[async_trait]
pub trait PayChannel: Send + Sync {
    /// Creates the order for a QR code (WeChat Native, Alipay precreate): what the code carries.
    async fn create(&self, order: &ChannelOrder) -> std::result::Result<String, String>;
    /// Reads a notification as the channel sent it: `Err` with the reason when it is not to be
    /// trusted (signature, timestamp, another merchant's).
    fn read_notification(&self, headers: &[(String, String)], body: &[u8]) -> std::result::Result<PaidNotice, String>;
    /// Asks the channel where an order stands (its notification never came).
    async fn query(&self, out_trade_no: &str) -> std::result::Result<Standing, String>;
    /// Closes an unpaid order at the channel so that it can no longer be paid.
    async fn close(&self, out_trade_no: &str) -> std::result::Result<(), String>;
    /// Asks the channel to return money of a paid order to the payer; `Err` when it did not
    /// answer (asked again later with the same refund number, which refunds once).
    async fn refund(&self, refund: &ChannelRefund) -> std::result::Result<RefundAnswer, String>;
    /// Where a refund the channel was still processing stands.
    async fn refund_status(&self, refund: &ChannelRefund) -> std::result::Result<RefundAnswer, String>;
    /// The channel's trade bill of a Beijing day, as its payment and refund lines (no bill: no
    /// lines).
    async fn trade_bill(&self, day: chrono::NaiveDate) -> std::result::Result<Vec<crate::reconcile::Record>, String>;
}

/// A refund to record, as the rules decided it: the order's limit, and the ledger entry that
/// takes the money from the house's balance.
#[derive(Debug, Clone, PartialEq)]
pub struct BeginRefund {
    pub order: PaymentOrder,
    pub out_refund_no: String,
    pub amount_fen: Fen,
    pub reason: String,
    pub requested_by: Option<Id>,
    pub created_at: DateTime<Utc>,
    pub entry: NewEntry,
}

/// What one round of the query job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expired {
    /// Paid at the channel, settled now.
    pub settled: usize,
    /// Unpaid, closed at the channel and here.
    pub closed: usize,
    /// The channel did not answer: asked again next round.
    pub failed: usize,
}

/// What is left to refund of an order: its amount less every refund not failed.
pub fn refundable(order: &PaymentOrder, refunds: &[PaymentRefund]) -> Fen {
    let taken: i64 = refunds.iter().filter(|r| r.state != RefundState::Failed).map(|r| r.amount_fen.0).sum();
    Fen(if order.state == OrderState::Paid { (order.amount_fen.0 - taken).max(0) } else { 0 })
}

/// The entry that gives a refused refund's money back to the balance it left.
fn pending_entry(order: &PaymentOrder, refund: &PaymentRefund) -> NewEntry {
    let back = NewRefund {
        amount_fen: refund.amount_fen,
        channel: order.channel,
        earmark_fee_item_id: None,
        reason: format!("退款失败退回 {}", refund.out_refund_no),
    };
    back.entry(order.project_id, order.house_id, linli_core::time::today(), None)
}

fn order_channel_trade_no(order: &PaymentOrder) -> String {
    order.channel_trade_no.clone().unwrap_or_default()
}

/// How many expired orders one round asks about.
pub const QUERY_BATCH: u64 = 200;

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
    /// Closes a pending order, with its audit row; a paid one stays paid.
    async fn close_order(&self, id: Id, audit: AuditEvent) -> Result<()>;
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
    /// Pending orders that expired before `before`, oldest first.
    async fn expired_orders(&self, before: DateTime<Utc>, limit: u64) -> Result<Vec<PaymentOrder>>;
    /// The company's orders the scope covers, newest first.
    async fn orders(&self, scope: &Scope, filter: &OrderFilter, page: PageRequest) -> Result<Page<PaymentOrder>>;
    /// In one transaction, after locking the house: the order's refunds with this one stay within
    /// its amount (`exceeds_paid`), the entry takes the money from the balance (`exceeds_balance`
    /// when it is not there), and the refund is recorded pending with its audit row.
    async fn begin_refund(&self, refund: BeginRefund, seal: &Seal, audit: AuditEvent) -> Result<PaymentRefund>;
    /// Records the channel's final word: refunded, or refused with `reversal` putting the money
    /// back (a second entry; the first is never edited). A refund no longer pending is answered
    /// as it is.
    async fn end_refund(
        &self,
        id: Id,
        answer: &RefundAnswer,
        reversal: Option<NewEntry>,
        at: DateTime<Utc>,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<PaymentRefund>;
    /// Notes the channel's number for a refund it is still processing.
    async fn refund_processing(&self, id: Id, channel_refund_no: &str) -> Result<()>;
    async fn refunds_of_order(&self, order_id: Id) -> Result<Vec<PaymentRefund>>;
    /// Pending refunds, oldest first (the query job).
    async fn pending_refunds(&self, limit: u64) -> Result<Vec<PaymentRefund>>;
}

/// Which orders a staff list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    pub project_id: Option<Id>,
    pub house_id: Option<Id>,
    pub state: Option<OrderState>,
    pub channel: Option<PaymentChannel>,
}

/// A paid order with its refunds, for the console.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: PaymentOrder,
    pub refunds: Vec<PaymentRefund>,
    /// What can still be refunded.
    pub refundable_fen: Fen,
}

#[derive(Clone)]
pub struct OrderService {
    repo: Arc<dyn OrderRepo>,
    payments: PaymentService,
    seal: Seal,
    channels: HashMap<&'static str, Arc<dyn PayChannel>>,
}

impl OrderService {
    pub fn new(repo: Arc<dyn OrderRepo>, payments: PaymentService, seal: Seal) -> Self {
        Self { repo, payments, seal, channels: HashMap::new() }
    }

    /// Settles through `payments` from now on (the ledger with its listener, once configured).
    #[must_use]
    pub fn with_payments(mut self, payments: PaymentService) -> Self {
        self.payments = payments;
        self
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

    pub(crate) fn channel(&self, channel: PaymentChannel) -> Result<&Arc<dyn PayChannel>> {
        self.channels.get(channel.as_str()).ok_or_else(|| Error::invalid("channel", "not_available"))
    }

    /// Credits an order the channel took money for but Linli never heard of (reconciliation
    /// found it): the channel is asked again and the order settled as its notification would
    /// have been, under the same idempotency key. `not_paid_at_channel` when the channel says
    /// it is not paid.
    pub(crate) async fn credit(&self, order_id: Id) -> Result<()> {
        let o = self.repo.order(order_id).await?.ok_or_else(|| Error::not_found("payment_order", order_id))?;
        let adapter = self.channel(o.channel)?.clone();
        let standing = adapter.query(&o.out_trade_no).await.map_err(|reason| {
            tracing::warn!(out_trade_no = %o.out_trade_no, %reason, "an order to credit could not be queried");
            Error::Unavailable { retry_after_secs: 30 }
        })?;
        let Standing::Paid(notice) = standing else {
            return Err(Error::invalid("resolution", "not_paid_at_channel"));
        };
        let now = Utc::now();
        let (order, outcome, reason) = self.settle(o.channel, &notice, now).await?;
        if outcome == NotificationOutcome::Refused {
            return Err(Error::invalid("resolution", reason.unwrap_or("refused")));
        }
        let log = NotificationLog {
            channel: o.channel,
            notification_id: Some(format!("reconciliation:{}", o.out_trade_no)),
            out_trade_no: Some(o.out_trade_no.clone()),
            order_id: order.map(|o| o.id),
            amount_fen: Some(notice.amount_fen),
            outcome,
            reason: reason.map(str::to_owned),
            received_at: now,
        };
        self.repo.log_notification(log).await
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
                let audit = AuditEvent::new(actor, "payments.order.closed", "payment_order")
                    .project(Some(resident.project_id()))
                    .entity_id(saved.id)
                    .after(&serde_json::json!({ "reason": "channel_refused" }));
                self.repo.close_order(saved.id, audit).await?;
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

    /// Orders past their expiry that no notification settled: each channel is asked, a paid
    /// order is settled as its notification would have been (the same idempotency key, so a
    /// notification arriving later changes nothing), an unpaid one is closed at the channel and
    /// then here. The query job runs this every minute.
    pub async fn settle_expired(&self, now: DateTime<Utc>) -> Result<Expired> {
        let mut done = Expired::default();
        for o in self.repo.expired_orders(now, QUERY_BATCH).await? {
            let Ok(adapter) = self.channel(o.channel) else { continue };
            let standing = match adapter.query(&o.out_trade_no).await {
                Ok(s) => s,
                Err(reason) => {
                    tracing::warn!(out_trade_no = %o.out_trade_no, %reason, "an expired order could not be queried");
                    done.failed += 1;
                    continue;
                }
            };
            match standing {
                Standing::Paid(notice) => {
                    let (order, outcome, reason) = self.settle(o.channel, &notice, now).await?;
                    let log = NotificationLog {
                        channel: o.channel,
                        notification_id: Some(format!("query:{}", o.out_trade_no)),
                        out_trade_no: Some(o.out_trade_no.clone()),
                        order_id: order.map(|o| o.id),
                        amount_fen: Some(notice.amount_fen),
                        outcome,
                        reason: reason.map(str::to_owned),
                        received_at: now,
                    };
                    self.repo.log_notification(log).await?;
                    done.settled += usize::from(outcome == NotificationOutcome::Settled);
                }
                Standing::Unpaid => match adapter.close(&o.out_trade_no).await {
                    Ok(()) => {
                        let audit = AuditEvent::new(
                            Authz::system(o.company_id).actor(),
                            "payments.order.closed",
                            "payment_order",
                        )
                        .project(Some(o.project_id))
                        .entity_id(o.id)
                        .after(&serde_json::json!({ "reason": "expired" }));
                        self.repo.close_order(o.id, audit).await?;
                        done.closed += 1;
                    }
                    Err(reason) => {
                        // Paid in the meantime, or the channel failing: asked again next round.
                        tracing::warn!(out_trade_no = %o.out_trade_no, %reason, "an expired order could not be closed");
                        done.failed += 1;
                    }
                },
            }
        }
        Ok(done)
    }

    /// The orders the user may read, newest first.
    pub async fn orders(&self, authz: &Authz, filter: &OrderFilter, page: PageRequest) -> Result<Page<PaymentOrder>> {
        self.repo.orders(&authz.scope(ORDER_READ)?, filter, page).await
    }

    /// One order with its refunds; another company's or an ungranted project's is 404.
    pub async fn order_detail(&self, authz: &Authz, id: Id) -> Result<OrderDetail> {
        let order = self.repo.order(id).await?.filter(|o| o.company_id == authz.actor().company_id);
        let order = order.ok_or_else(|| Error::not_found("payment_order", id))?;
        authz.require(ORDER_READ, order.project_id)?;
        let refunds = self.repo.refunds_of_order(id).await?;
        let refundable_fen = refundable(&order, &refunds);
        Ok(OrderDetail { order, refunds, refundable_fen })
    }

    /// Returns money of a paid order to the payer through its channel (a manager's decision,
    /// with a reason): never more than the order paid less its other refunds, and only what the
    /// house still holds as prepaid balance. The money leaves the balance at once; the channel's
    /// refusal puts it back, its silence leaves the refund pending for the query job.
    pub async fn refund(&self, authz: &Authz, order_id: Id, new: NewOrderRefund) -> Result<PaymentRefund> {
        let detail = self.order_detail(authz, order_id).await?;
        let order = detail.order;
        let granted = authz.require(REFUND, order.project_id)?;
        let adapter = self.channel(order.channel)?.clone();
        refund::check_refund(&order, Fen(order.amount_fen.0 - detail.refundable_fen.0), &new)?;
        let now = Utc::now();
        let actor = granted.actor();
        let ledger = NewRefund {
            amount_fen: new.amount_fen,
            channel: order.channel,
            earmark_fee_item_id: None,
            reason: new.reason.trim().to_owned(),
        };
        let begin = BeginRefund {
            out_refund_no: refund::out_refund_no(&order.out_trade_no, detail.refunds.len() as u64 + 1),
            amount_fen: new.amount_fen,
            reason: ledger.reason.clone(),
            requested_by: actor.user_id,
            created_at: now,
            entry: ledger.entry(order.project_id, order.house_id, linli_core::time::today(), actor.user_id),
            order: order.clone(),
        };
        let audit = AuditEvent::new(actor, "payments.refund.requested", "payment_order")
            .project(Some(order.project_id))
            .entity_id(order.id)
            .after(&serde_json::json!({ "out_refund_no": begin.out_refund_no, "amount_fen": new.amount_fen, "reason": begin.reason }));
        let pending = self.repo.begin_refund(begin, &self.seal, audit).await?;
        self.ask_channel(adapter.as_ref(), &order, pending, false).await
    }

    /// Pending refunds asked about again (the query job): finished when the channel says so.
    pub async fn settle_refunds(&self) -> Result<usize> {
        let mut ended = 0;
        for r in self.repo.pending_refunds(QUERY_BATCH).await? {
            let Some(order) = self.repo.order(r.order_id).await? else { continue };
            let Ok(adapter) = self.channel(order.channel) else { continue };
            let after = self.ask_channel(adapter.as_ref(), &order, r, true).await?;
            ended += usize::from(after.state != RefundState::Pending);
        }
        Ok(ended)
    }

    async fn ask_channel(
        &self,
        adapter: &dyn PayChannel,
        order: &PaymentOrder,
        pending: PaymentRefund,
        again: bool,
    ) -> Result<PaymentRefund> {
        let request = ChannelRefund {
            out_trade_no: order.out_trade_no.clone(),
            channel_trade_no: order_channel_trade_no(order),
            out_refund_no: pending.out_refund_no.clone(),
            refund_fen: pending.amount_fen,
            total_fen: order.amount_fen,
            reason: pending.reason.clone(),
        };
        // A refund already sent is asked where it stands; sending it again is safe too (the same
        // number refunds once), and is what a refund never answered needs.
        let asked = if again && pending.channel_refund_no.is_some() {
            adapter.refund_status(&request).await
        } else {
            adapter.refund(&request).await
        };
        let answer = match asked {
            Ok(RefundAnswer::Processing(no)) => {
                self.repo.refund_processing(pending.id, &no).await?;
                return Ok(PaymentRefund { channel_refund_no: Some(no), ..pending });
            }
            Ok(answer) => answer,
            Err(reason) => {
                tracing::warn!(out_refund_no = %pending.out_refund_no, %reason, "the channel did not answer a refund");
                return Ok(pending);
            }
        };
        let system = Authz::system(order.company_id);
        let (action, reversal) = match &answer {
            RefundAnswer::Refused(_) => {
                let back = NewEntry { balance: pending.amount_fen, ..pending_entry(order, &pending) };
                ("payments.refund.failed", Some(back))
            }
            _ => ("payments.refund.refunded", None),
        };
        let audit = AuditEvent::new(system.actor(), action, "payment_order")
            .project(Some(order.project_id))
            .entity_id(order.id)
            .after(&serde_json::json!({ "out_refund_no": pending.out_refund_no, "answer": format!("{answer:?}") }));
        self.repo.end_refund(pending.id, &answer, reversal, Utc::now(), &self.seal, audit).await
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
                    // The query job may run with a clock ahead of the books' day.
                    received_on: linli_core::time::date_of(at.min(Utc::now())),
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
