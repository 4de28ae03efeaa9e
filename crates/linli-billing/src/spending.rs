//! Spending a house's balances on its open bills, as of a day: the late fee each bill has
//! accrued but not yet posted is posted first; then each earmarked balance (money paid for one
//! fee item) pays the bills of its own item, and the general balance pays what is left, each in
//! the project's allocation order. Earmarked balances go first so the general balance is kept
//! for what nothing else pays.

use chrono::NaiveDate;
use linli_core::{Fen, Id};

use crate::ledger::NewEntry;
use crate::{Allocation, AllocationOrder, EntryKind, Open, Part, allocate};

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

/// What a house owes beyond its balances: every open bill's principal, its late fee posted and
/// accrued, less all the house holds (earmarks included); never below 0.
pub fn owed(bills: &[OpenBill], balances: &[(Id, Fen)]) -> Fen {
    let due: i64 = bills.iter().map(|b| b.owes.principal.0 + b.owes.late_fee.0 + b.unposted_late_fee.0.max(0)).sum();
    let held: i64 = balances.iter().map(|(_, f)| f.0).sum();
    Fen((due - held).max(0))
}

/// Who spends, and for what: the fields every entry of one spending carries.
#[derive(Debug, Clone, Copy)]
pub struct Spender<'a> {
    pub project_id: Id,
    pub house_id: Id,
    pub as_of: NaiveDate,
    pub payment_id: Option<Id>,
    /// The payment channel of the money spent; none when an existing balance pays (`prepaid`).
    pub channel: Option<&'a str>,
    pub created_by: Option<Id>,
}

/// The ledger entries of a spending plan, in its order.
pub fn entries(steps: Vec<Spent>, by: &Spender<'_>) -> Vec<NewEntry> {
    let base = |kind, bill_id, fee_item_id| NewEntry {
        bill_id: Some(bill_id),
        fee_item_id: Some(fee_item_id),
        payment_id: by.payment_id,
        created_by: by.created_by,
        ..NewEntry::new(kind, by.project_id, by.house_id, by.as_of)
    };
    steps
        .into_iter()
        .map(|step| match step {
            Spent::LateFee { bill_id, fee_item_id, amount } => {
                NewEntry { late_fee: amount, ..base(EntryKind::LateFee, bill_id, fee_item_id) }
            }
            Spent::Paid { earmark, fee_item_id, allocation: a } => {
                let mut e = NewEntry {
                    balance: Fen(-a.amount.0),
                    earmark,
                    channel: Some(by.channel.unwrap_or("prepaid").to_owned()),
                    ..base(EntryKind::Allocation, a.bill_id, fee_item_id)
                };
                match a.part {
                    Part::Principal => e.principal = Fen(-a.amount.0),
                    Part::LateFee => e.late_fee = Fen(-a.amount.0),
                }
                e
            }
        })
        .collect()
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

    #[test]
    fn a_house_owes_its_principal_and_late_fees_less_all_it_holds() {
        let bills = [bill(1, 7, "2026-01-31", 10_000, 200, 50), bill(2, 8, "2026-02-28", 5_000, 0, -20)];
        // A late fee accrued below what is posted (a waiver) adds nothing.
        assert_eq!(owed(&bills, &[]), Fen(15_250));
        assert_eq!(owed(&bills, &[(0, Fen(250)), (7, Fen(1_000))]), Fen(14_000));
        assert_eq!(owed(&bills, &[(0, Fen(20_000))]), Fen(0));
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
    fn a_plan_becomes_entries_that_move_the_balance_and_the_bill_alike() {
        let bills = vec![bill(1, 10, "2026-01-01", 100, 0, 7)];
        let steps = plan(bills, &[(10, Fen(50))], AllocationOrder::default());
        let on: NaiveDate = "2026-03-01".parse().unwrap();
        let by =
            Spender { project_id: 3, house_id: 4, as_of: on, payment_id: Some(9), channel: None, created_by: Some(2) };
        let e = entries(steps, &by);
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].kind, e[0].late_fee, e[0].balance, e[0].bill_id),
            (EntryKind::LateFee, Fen(7), Fen(0), Some(1))
        );
        assert_eq!(
            (e[1].kind, e[1].principal, e[1].balance, e[1].earmark),
            (EntryKind::Allocation, Fen(-50), Fen(-50), 10)
        );
        assert_eq!(e[1].channel.as_deref(), Some("prepaid"), "a balance that pays is prepaid money");
        assert!(e.iter().all(|e| e.payment_id == Some(9) && e.created_by == Some(2) && e.effective_on == on));
    }

    #[test]
    fn an_empty_or_overdrawn_balance_spends_nothing() {
        let bills = vec![bill(1, 10, "2026-01-01", 100, 0, 0)];
        assert!(plan(bills, &[(0, Fen(0)), (10, Fen(-5))], AllocationOrder::default()).is_empty());
    }
}
