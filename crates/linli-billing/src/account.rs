//! A house's account: open bills, prepaid balances, payments at the counter, adjustments and
//! waivers that need an approver.

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::{Fen, Id, date, text_enum};
use serde::{Deserialize, Serialize};

use crate::allocation::{Allocation, Part};
use crate::bill::Bill;
use crate::ledger::{EntryKind, NewEntry};

text_enum! {
    /// 支付渠道.
    PaymentChannel { Cash = "cash", Card = "card", Transfer = "transfer", Wechat = "wechat", Alipay = "alipay", Bank = "bank", }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewPayment {
    #[schema(schema_with = linli_core::schema::amount_fen)]
    pub amount_fen: Fen,
    pub channel: PaymentChannel,
    /// The day the money came in, `YYYY-MM-DD`: today, or an earlier day within the backdating
    /// window (补录, e.g. a transfer that arrived last week). Late fees are still posted up to the
    /// day the payment is recorded; what the earlier day would have saved is proposed as a
    /// waiver that someone with the approval permission must approve.
    #[serde(deserialize_with = "date::any::day")]
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// Only these bills; none = every open bill in the project's order.
    #[serde(default)]
    pub bill_ids: Option<Vec<Id>>,
    /// Keep the money for one fee item (预存款 earmarked), e.g. water.
    #[serde(default)]
    pub earmark_fee_item_id: Option<Id>,
    /// `false`: keep it all as prepaid balance for bills to come.
    #[serde(default = "yes")]
    pub allocate: bool,
    pub payer: Option<String>,
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Payment {
    pub id: Id,
    pub project_id: Id,
    pub house_id: Id,
    pub receipt_no: String,
    pub amount_fen: Fen,
    pub channel: PaymentChannel,
    pub received_on: NaiveDate,
    pub earmark_fee_item_id: Option<Id>,
    pub payer: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What a payment did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    pub payment: Payment,
    pub allocations: Vec<Allocation>,
    /// Late fees accrued up to the day the payment is recorded, posted before allocating.
    pub late_fees_posted_fen: Fen,
    /// The house's prepaid balance afterwards (all earmarks).
    pub balance_fen: Fen,
    /// When the money came in before the day it is recorded: per bill, the late fee the earlier
    /// day would have saved, proposed as a waiver awaiting someone else's approval.
    pub waivers_proposed: Vec<Adjustment>,
}

/// What a payment's entries say it paid: each allocation in the order posted, and the late
/// fees posted before allocating. The receipt of a new payment and of a repeated one alike.
pub fn paid_by<'a>(entries: impl IntoIterator<Item = &'a NewEntry>) -> (Vec<Allocation>, Fen) {
    let mut allocations = Vec::new();
    let mut posted = Fen::ZERO;
    for e in entries {
        match e.kind {
            EntryKind::Allocation => {
                let (part, amount) =
                    if e.principal.0 != 0 { (Part::Principal, -e.principal.0) } else { (Part::LateFee, -e.late_fee.0) };
                allocations.push(Allocation { bill_id: e.bill_id.unwrap_or_default(), part, amount: Fen(amount) });
            }
            EntryKind::LateFee => posted = Fen(posted.0 + e.late_fee.0),
            _ => {}
        }
    }
    (allocations, posted)
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Balance {
    /// None: usable for any fee item.
    pub fee_item_id: Option<Id>,
    pub amount_fen: Fen,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OpenBill {
    #[serde(flatten)]
    pub bill: Bill,
    /// Late fee owed as of the day asked about: posted and not paid, plus accrued since.
    pub late_fee_accrued_fen: Fen,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HouseAccount {
    pub house_id: Id,
    pub project_id: Id,
    pub house_label: String,
    pub as_of: NaiveDate,
    pub balance_fen: Fen,
    pub balances: Vec<Balance>,
    pub open_bills: Vec<OpenBill>,
    /// Principal plus late fees of the open bills.
    pub total_due_fen: Fen,
    /// Adjustments and waivers of the house's bills still awaiting a decision, newest first
    /// (those with a `payment_id` were left by a backdated payment).
    pub pending_adjustments: Vec<Adjustment>,
}

text_enum! {
    AdjustmentKind {
        /// A correction of the principal, up (positive) or down (negative).
        Adjust = "adjust",
        /// 减免滞纳金: late fee accrued so far, up to the amount.
        WaiveLateFee = "waive_late_fee",
        /// 减免本金.
        WaivePrincipal = "waive_principal",
    }
}

text_enum! {
    AdjustmentState { Pending = "pending", Approved = "approved", Rejected = "rejected", }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAdjustment {
    pub kind: AdjustmentKind,
    #[schema(schema_with = linli_core::schema::adjustment_fen)]
    pub amount_fen: Fen,
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Adjustment {
    pub id: Id,
    pub project_id: Id,
    pub house_id: Id,
    /// e.g. `1栋1单元301`.
    pub house_label: String,
    pub bill_id: Id,
    pub kind: AdjustmentKind,
    pub amount_fen: Fen,
    pub reason: String,
    pub state: AdjustmentState,
    pub requested_by: Id,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<Id>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The backdated payment that proposed this waiver. Approved, it may cover late fee paid
    /// meanwhile: that part returns to the house's prepaid balance.
    pub payment_id: Option<Id>,
}

/// A one-off fee to charge now.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewCharge {
    pub fee_item_id: Id,
    /// Units (e.g. 2 key cards); 1 by default.
    pub quantity: Option<u32>,
    /// Today by default.
    #[serde(default, deserialize_with = "date::billing::opt_day")]
    pub due_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Money returned from a house's prepaid balance (退款).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewRefund {
    #[schema(schema_with = linli_core::schema::amount_fen)]
    pub amount_fen: Fen,
    pub channel: PaymentChannel,
    /// The earmarked balance to take it from; none = the general balance.
    #[serde(default)]
    pub earmark_fee_item_id: Option<Id>,
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

impl NewPayment {
    /// The payment's own entry: the money lands in the house's prepaid balance (earmarked when
    /// it was paid for one fee item), dated the day it came in.
    pub fn entry(&self, project_id: Id, house_id: Id, payment_id: Id, by: Option<Id>) -> NewEntry {
        NewEntry {
            balance: self.amount_fen,
            earmark: self.earmark_fee_item_id.unwrap_or(0),
            fee_item_id: self.earmark_fee_item_id,
            payment_id: Some(payment_id),
            channel: Some(self.channel.as_str().to_owned()),
            created_by: by,
            ..NewEntry::new(EntryKind::Payment, project_id, house_id, self.received_on)
        }
    }
}

impl NewRefund {
    /// The refund's entry: the money leaves the balance it was held in.
    pub fn entry(&self, project_id: Id, house_id: Id, on: NaiveDate, by: Option<Id>) -> NewEntry {
        NewEntry {
            balance: Fen(-self.amount_fen.0),
            earmark: self.earmark_fee_item_id.unwrap_or(0),
            fee_item_id: self.earmark_fee_item_id,
            channel: Some(self.channel.as_str().to_owned()),
            created_by: by,
            ..NewEntry::new(EntryKind::Refund, project_id, house_id, on)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_lists_the_allocations_in_order_and_sums_the_late_fees_posted() {
        let on = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let entry = |kind, bill, principal, late_fee| NewEntry {
            bill_id: Some(bill),
            principal: Fen(principal),
            late_fee: Fen(late_fee),
            ..NewEntry::new(kind, 1, 2, on)
        };
        let entries = [
            entry(EntryKind::LateFee, 7, 0, 120),
            entry(EntryKind::LateFee, 8, 0, 30),
            entry(EntryKind::Allocation, 7, 0, -120),
            entry(EntryKind::Allocation, 7, -10_000, 0),
            entry(EntryKind::Allocation, 8, -500, 0),
            entry(EntryKind::Payment, 0, 0, 0),
        ];
        let (allocations, posted) = paid_by(&entries);
        assert_eq!(posted, Fen(150));
        let got: Vec<_> = allocations.iter().map(|a| (a.bill_id, a.part, a.amount.0)).collect();
        assert_eq!(got, [(7, Part::LateFee, 120), (7, Part::Principal, 10_000), (8, Part::Principal, 500)]);
    }

    #[test]
    fn received_on_is_a_strict_day() {
        for bad in ["-0001-01-01", "2026-1-1", "2026-02-30"] {
            let p: Result<NewPayment, _> =
                serde_json::from_value(serde_json::json!({"amount_fen": 1, "channel": "cash", "received_on": bad}));
            assert_eq!(linli_core::date::code_of(&p.unwrap_err().to_string()), Some("invalid_date"), "{bad}");
        }
    }
}
