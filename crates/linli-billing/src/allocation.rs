//! Allocation (核销): which bills money pays, in an order a project chooses. Bills are taken
//! oldest first by default (due date, then period, then id); a bill's late fee is paid before or
//! after its principal, or after every principal.

use chrono::NaiveDate;
use linli_core::{Fen, Id, text_enum};
use serde::{Deserialize, Serialize};

text_enum! {
    BillOrder { OldestFirst = "oldest_first", NewestFirst = "newest_first", }
}

text_enum! {
    LateFeeOrder {
        /// Each bill's late fee, then its principal.
        BeforePrincipal = "before_principal",
        /// Each bill's principal, then its late fee.
        AfterPrincipal = "after_principal",
        /// Every principal first, then the late fees.
        AfterAllPrincipal = "after_all_principal",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AllocationOrder {
    pub bills: BillOrder,
    pub late_fees: LateFeeOrder,
}

impl Default for AllocationOrder {
    fn default() -> Self {
        AllocationOrder { bills: BillOrder::OldestFirst, late_fees: LateFeeOrder::AfterPrincipal }
    }
}

text_enum! {
    Part { Principal = "principal", LateFee = "late_fee", }
}

/// What a bill still owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open {
    pub bill_id: Id,
    pub fee_item_id: Id,
    pub due_on: NaiveDate,
    pub period_start: NaiveDate,
    pub principal: Fen,
    pub late_fee: Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Allocation {
    pub bill_id: Id,
    pub part: Part,
    #[serde(rename = "amount_fen")]
    pub amount: Fen,
}

/// Spends up to `available` on `open` bills in `order`. Nothing is paid beyond what is owed.
pub fn allocate(available: Fen, open: &[Open], order: AllocationOrder) -> Vec<Allocation> {
    let mut bills: Vec<&Open> = open.iter().collect();
    bills.sort_by_key(|b| (b.due_on, b.period_start, b.bill_id));
    if order.bills == BillOrder::NewestFirst {
        bills.reverse();
    }
    let mut steps: Vec<(&Open, Part)> = Vec::with_capacity(bills.len() * 2);
    match order.late_fees {
        LateFeeOrder::BeforePrincipal => {
            for b in &bills {
                steps.extend([(*b, Part::LateFee), (*b, Part::Principal)]);
            }
        }
        LateFeeOrder::AfterPrincipal => {
            for b in &bills {
                steps.extend([(*b, Part::Principal), (*b, Part::LateFee)]);
            }
        }
        LateFeeOrder::AfterAllPrincipal => {
            steps.extend(bills.iter().map(|b| (*b, Part::Principal)));
            steps.extend(bills.iter().map(|b| (*b, Part::LateFee)));
        }
    }
    let mut left = available.0.max(0);
    let mut out = Vec::new();
    for (bill, part) in steps {
        if left == 0 {
            break;
        }
        let owed = match part {
            Part::Principal => bill.principal.0,
            Part::LateFee => bill.late_fee.0,
        };
        let pay = owed.min(left);
        if pay > 0 {
            out.push(Allocation { bill_id: bill.bill_id, part, amount: Fen(pay) });
            left -= pay;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(id: Id, due: &str, principal: i64, late_fee: i64) -> Open {
        Open {
            bill_id: id,
            fee_item_id: 1,
            due_on: due.parse().unwrap(),
            period_start: due.parse().unwrap(),
            principal: Fen(principal),
            late_fee: Fen(late_fee),
        }
    }

    fn parts(a: &[Allocation]) -> Vec<(Id, Part, i64)> {
        a.iter().map(|a| (a.bill_id, a.part, a.amount.0)).collect()
    }

    #[test]
    fn oldest_first_principal_then_late_fee_by_default() {
        let bills = [open(2, "2026-02-28", 10_000, 300), open(1, "2026-01-31", 10_000, 500)];
        let a = allocate(Fen(15_000), &bills, AllocationOrder::default());
        assert_eq!(parts(&a), [(1, Part::Principal, 10_000), (1, Part::LateFee, 500), (2, Part::Principal, 4_500)]);
    }

    #[test]
    fn each_order_a_project_can_choose() {
        let bills = [open(1, "2026-01-31", 10_000, 500), open(2, "2026-02-28", 10_000, 300)];
        let order = |bills, late_fees| AllocationOrder { bills, late_fees };
        let a = allocate(Fen(10_600), &bills, order(BillOrder::OldestFirst, LateFeeOrder::BeforePrincipal));
        assert_eq!(parts(&a), [(1, Part::LateFee, 500), (1, Part::Principal, 10_000), (2, Part::LateFee, 100)]);
        let a = allocate(Fen(20_100), &bills, order(BillOrder::OldestFirst, LateFeeOrder::AfterAllPrincipal));
        assert_eq!(parts(&a), [(1, Part::Principal, 10_000), (2, Part::Principal, 10_000), (1, Part::LateFee, 100)]);
        let a = allocate(Fen(5_000), &bills, order(BillOrder::NewestFirst, LateFeeOrder::AfterPrincipal));
        assert_eq!(parts(&a), [(2, Part::Principal, 5_000)]);
    }

    #[test]
    fn never_pays_more_than_owed_or_available() {
        let bills = [open(1, "2026-01-31", 10_000, 0)];
        let a = allocate(Fen(99_999), &bills, AllocationOrder::default());
        assert_eq!(parts(&a), [(1, Part::Principal, 10_000)]);
        assert!(allocate(Fen(0), &bills, AllocationOrder::default()).is_empty());
        assert!(allocate(Fen(-5), &bills, AllocationOrder::default()).is_empty());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn bills() -> impl Strategy<Value = Vec<Open>> {
        prop::collection::vec((0..500_000i64, 0..5_000i64, 0..400u64), 0..12).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (principal, late_fee, days))| {
                    let due = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(days);
                    Open {
                        bill_id: i as Id,
                        fee_item_id: 1,
                        due_on: due,
                        period_start: due,
                        principal: Fen(principal),
                        late_fee: Fen(late_fee),
                    }
                })
                .collect()
        })
    }

    proptest! {
        /// Money is neither created nor lost: what is allocated is what was available or what was
        /// owed, whichever is less, and no part is paid beyond what it owes, in every order.
        #[test]
        fn allocation_conserves_money(open in bills(), available in 0..3_000_000i64, late_first in any::<bool>(), newest in any::<bool>()) {
            let order = AllocationOrder {
                bills: if newest { BillOrder::NewestFirst } else { BillOrder::OldestFirst },
                late_fees: if late_first { LateFeeOrder::BeforePrincipal } else { LateFeeOrder::AfterAllPrincipal },
            };
            let a = allocate(Fen(available), &open, order);
            let owed: i64 = open.iter().map(|o| o.principal.0 + o.late_fee.0).sum();
            let paid: i64 = a.iter().map(|x| x.amount.0).sum();
            prop_assert_eq!(paid, available.min(owed));
            for o in &open {
                for part in [Part::Principal, Part::LateFee] {
                    let got: i64 = a.iter().filter(|x| x.bill_id == o.bill_id && x.part == part).map(|x| x.amount.0).sum();
                    let due = if part == Part::Principal { o.principal.0 } else { o.late_fee.0 };
                    prop_assert!(got <= due);
                }
            }
        }
    }
}
