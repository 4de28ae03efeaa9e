//! A house's account: open bills, prepaid balances, payments at the counter, adjustments and
//! waivers that need an approver.

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::{Fen, Id, text_enum};
use serde::{Deserialize, Serialize};

use crate::allocation::Allocation;
use crate::bill::Bill;

text_enum! {
    /// 支付渠道.
    Channel { Cash = "cash", Card = "card", Transfer = "transfer", Wechat = "wechat", Alipay = "alipay", Bank = "bank", }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewPayment {
    pub amount_fen: Fen,
    pub channel: Channel,
    /// The day the money came in; earlier days are allowed (补录).
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
    pub channel: Channel,
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
    /// Late fees accrued up to the payment day and posted before allocating.
    pub late_fees_posted_fen: Fen,
    /// The house's prepaid balance afterwards (all earmarks).
    pub balance_fen: Fen,
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
    pub amount_fen: Fen,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Adjustment {
    pub id: Id,
    pub project_id: Id,
    pub house_id: Id,
    pub bill_id: Id,
    pub kind: AdjustmentKind,
    pub amount_fen: Fen,
    pub reason: String,
    pub state: AdjustmentState,
    pub requested_by: Id,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<Id>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A one-off fee to charge now.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewCharge {
    pub fee_item_id: Id,
    /// Units (e.g. 2 key cards); 1 by default.
    pub quantity: Option<u32>,
    /// Today by default.
    pub due_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Money returned from a house's prepaid balance (退款).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewRefund {
    pub amount_fen: Fen,
    pub channel: Channel,
    /// The earmarked balance to take it from; none = the general balance.
    #[serde(default)]
    pub earmark_fee_item_id: Option<Id>,
    pub reason: String,
}
