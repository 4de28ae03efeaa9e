//! Bills (账单): what one house owes for one fee item and period. A bill never changes once
//! issued; what it still owes comes from the ledger.

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::{Fen, Id, date, text_enum};
use serde::{Deserialize, Serialize};

use crate::charge::Line;
use crate::fee::LateFeeRule;
use crate::late_fee::LateFee;

text_enum! {
    BillState {
        /// Not yet due and not fully paid.
        Open = "open",
        /// Past its due date and not fully paid.
        Overdue = "overdue",
        /// Principal and late fee paid (or waived).
        Paid = "paid",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Bill {
    pub id: Id,
    pub project_id: Id,
    pub building_id: Id,
    pub house_id: Id,
    /// e.g. `1栋1单元301`.
    pub house_label: String,
    pub fee_item_id: Id,
    pub fee_item_name: String,
    pub run_id: Option<Id>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_on: NaiveDate,
    pub amount_fen: Fen,
    /// Unpaid principal, after payments, waivers and adjustments.
    pub principal_due_fen: Fen,
    /// Late fee posted and not yet paid or waived (accrual since the last posting not included).
    pub late_fee_due_fen: Fen,
    pub state: BillState,
    pub settled_on: Option<NaiveDate>,
    pub issued_at: DateTime<Utc>,
}

impl Bill {
    pub fn state_on(principal_due: Fen, late_fee_due: Fen, due_on: NaiveDate, today: NaiveDate) -> BillState {
        if principal_due.0 <= 0 && late_fee_due.0 <= 0 {
            BillState::Paid
        } else if today > due_on {
            BillState::Overdue
        } else {
            BillState::Open
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BillFilter {
    pub project_id: Option<Id>,
    pub building_id: Option<Id>,
    pub house_id: Option<Id>,
    pub fee_item_id: Option<Id>,
    pub run_id: Option<Id>,
    /// `YYYY-MM`: bills whose period starts in that month.
    #[serde(default, deserialize_with = "date::any::opt_month")]
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub period: Option<String>,
    pub state: Option<BillState>,
}

/// A bill with its lines, its ledger entries and its late fee as of a day.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BillDetail {
    #[serde(flatten)]
    pub bill: Bill,
    pub lines: Vec<Line>,
    pub late_fee_rule: LateFeeRule,
    pub entries: Vec<Entry>,
    /// The late fee up to `as_of`, explained day by day.
    pub late_fee: LateFee,
    pub as_of: NaiveDate,
}

/// A ledger entry as people read it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: Id,
    pub project_id: Id,
    pub house_id: Id,
    pub bill_id: Option<Id>,
    pub fee_item_id: Option<Id>,
    pub kind: crate::ledger::EntryKind,
    pub principal_fen: Fen,
    pub late_fee_fen: Fen,
    pub balance_fen: Fen,
    pub effective_on: NaiveDate,
    pub payment_id: Option<Id>,
    pub adjustment_id: Option<Id>,
    pub channel: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A bill to insert, computed by a run or entered as a one-off fee.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBill {
    pub project_id: Id,
    pub building_id: Id,
    pub house_id: Id,
    pub fee_item_id: Id,
    pub bill_key: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_on: NaiveDate,
    pub amount: Fen,
    pub lines: Vec<Line>,
    pub late_fee: LateFeeRule,
    pub note: Option<String>,
}

impl NewBill {
    pub fn key(fee_item_id: Id, period_start: NaiveDate, house_id: Id) -> String {
        format!("{fee_item_id}/{period_start}/{house_id}")
    }

    /// The bill's charge entry: its principal owed from the first day of its period.
    pub fn charge_entry(&self, bill_id: Option<Id>) -> crate::NewEntry {
        crate::NewEntry {
            bill_id,
            fee_item_id: Some(self.fee_item_id),
            principal: self.amount,
            ..crate::NewEntry::new(crate::EntryKind::Charge, self.project_id, self.house_id, self.period_start)
        }
    }
}
