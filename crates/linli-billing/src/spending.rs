//! Spending a house's balances on its open bills, as of a day: the late fee each bill has
//! accrued but not yet posted is posted first; then each earmarked balance (money paid for one
//! fee item) pays the bills of its own item, and the general balance pays what is left, each in
//! the project's allocation order. Earmarked balances go first so the general balance is kept
//! for what nothing else pays.

use linli_core::{Fen, Id};

use crate::{Allocation, AllocationOrder, Open, Part, allocate};

/// One open bill, with its late fee accrued up to the day but not yet in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBill {
    /// What the bill owes by the ledger (its late fee as posted so far).
    pub owes: Open,
    pub unposted_late_fee: Fen,
}

/// One ledger movement the spending makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// The late fee a bill accrued up to the day, posted before anything pays it.
    LateFee { bill_id: Id, fee_item_id: Id, amount: Fen },
    /// Money taken from the balance `earmark` (0 = general) to pay part of a bill.
    Paid { earmark: Id, fee_item_id: Id, allocation: Allocation },
}

/// The movements, in the order they are to be written. `balances` are the house's balances by
/// earmark (0 = general); what is not positive spends nothing.
pub fn plan(bills: Vec<OpenBill>, balances: &[(Id, Fen)], order: AllocationOrder) -> Vec<Spent> {
    let mut out = Vec::new();
    let mut open: Vec<Open> = Vec::with_capacity(bills.len());
    for b in bills {
        let mut owes = b.owes;
        if b.unposted_late_fee.0 > 0 {
            out.push(Spent::LateFee {
                bill_id: owes.bill_id,
                fee_item_id: owes.fee_item_id,
                amount: b.unposted_late_fee,
            });
            owes.late_fee.0 += b.unposted_late_fee.0;
        }
        open.push(owes);
    }
    let mut pots: Vec<(Id, Fen)> = balances.to_vec();
    pots.sort_by_key(|(earmark, _)| (*earmark == 0, *earmark));
    for (earmark, amount) in pots {
        if amount.0 <= 0 {
            continue;
        }
        let candidates: Vec<Open> = open.iter().filter(|o| earmark == 0 || o.fee_item_id == earmark).cloned().collect();
        for a in allocate(amount, &candidates, order) {
            let Some(o) = open.iter_mut().find(|o| o.bill_id == a.bill_id) else { continue };
            match a.part {
                Part::Principal => o.principal.0 -= a.amount.0,
                Part::LateFee => o.late_fee.0 -= a.amount.0,
            }
            out.push(Spent::Paid { earmark, fee_item_id: o.fee_item_id, allocation: a });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn bill(bill_id: Id, fee_item_id: Id, due: &str, principal: i64, late_fee: i64, unposted: i64) -> OpenBill {
        let due_on: NaiveDate = due.parse().unwrap();
        OpenBill {
            owes: Open {
                bill_id,
                fee_item_id,
                due_on,
                period_start: due_on,
                principal: Fen(principal),
                late_fee: Fen(late_fee),
            },
            unposted_late_fee: Fen(unposted),
        }
    }

    fn paid(plan: &[Spent]) -> Vec<(Id, Id, Part, i64)> {
        plan.iter()
            .filter_map(|s| match s {
                Spent::Paid { earmark, allocation: a, .. } => Some((*earmark, a.bill_id, a.part, a.amount.0)),
                Spent::LateFee { .. } => None,
            })
            .collect()
    }

    #[test]
    fn an_earmarked_balance_is_spent_first_on_its_own_item() {
        // Bill 1 (item 10, older) and bill 2 (item 20). 100 general, 50 earmarked for item 20.
        let bills = vec![bill(1, 10, "2026-01-01", 100, 0, 0), bill(2, 20, "2026-02-01", 80, 0, 0)];
        let p = plan(bills, &[(0, Fen(100)), (20, Fen(50))], AllocationOrder::default());
        assert_eq!(
            paid(&p),
            vec![(20, 2, Part::Principal, 50), (0, 1, Part::Principal, 100)],
            "the earmark pays its item first; the general balance then pays the oldest bill, not bill 2"
        );
    }

    #[test]
    fn an_earmark_pays_no_other_item_and_the_general_balance_pays_what_is_left() {
        let bills = vec![bill(1, 10, "2026-01-01", 30, 0, 0), bill(2, 20, "2026-02-01", 80, 0, 0)];
        let p = plan(bills, &[(10, Fen(100)), (0, Fen(60))], AllocationOrder::default());
        assert_eq!(paid(&p), vec![(10, 1, Part::Principal, 30), (0, 2, Part::Principal, 60)]);
    }

    #[test]
    fn accrued_late_fees_are_posted_before_anything_pays_them() {
        let bills = vec![bill(1, 10, "2026-01-01", 100, 5, 7)];
        let p = plan(bills, &[(0, Fen(1000))], AllocationOrder::default());
        assert_eq!(p[0], Spent::LateFee { bill_id: 1, fee_item_id: 10, amount: Fen(7) });
        assert_eq!(paid(&p), vec![(0, 1, Part::Principal, 100), (0, 1, Part::LateFee, 12)]);
    }

    #[test]
    fn an_empty_or_overdrawn_balance_spends_nothing() {
        let bills = vec![bill(1, 10, "2026-01-01", 100, 0, 0)];
        assert!(plan(bills, &[(0, Fen(0)), (10, Fen(-5))], AllocationOrder::default()).is_empty());
    }
}
