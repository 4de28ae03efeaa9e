//! What an approved adjustment (调账) or waiver (减免) writes to the ledger. A waiver of late fee
//! first posts what accrued up to the day; a waiver proposed by a backdated payment may cover
//! late fee that was paid meanwhile, and that part goes back to the house's prepaid balance,
//! the latest payments of the late fee reversed first.

use chrono::NaiveDate;
use linli_core::{Error, Fen, Id, Result};

use crate::ledger::{NewEntry, PostedEntry};
use crate::{Adjustment, AdjustmentKind, EntryKind};

/// The bill an adjustment is for, as the ledger has it on the day of the approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillDue {
    pub id: Id,
    pub fee_item_id: Id,
    pub principal_due: Fen,
    pub late_fee_due: Fen,
    /// Late fee accrued up to the day and not yet posted.
    pub unposted_late_fee: Fen,
}

/// The entries an approval posts, in order; `exceeds_due` when the adjustment asks for more
/// than the bill owes (or, for a payment's waiver, than it owes and was paid of late fee).
pub fn approval_entries(
    adj: &Adjustment,
    bill: &BillDue,
    entries: &[PostedEntry],
    today: NaiveDate,
    approved_by: Option<Id>,
) -> Result<Vec<NewEntry>> {
    let exceeds = || Error::invalid("amount_fen", "exceeds_due");
    let on_bill = |kind| NewEntry {
        bill_id: Some(bill.id),
        fee_item_id: Some(bill.fee_item_id),
        adjustment_id: Some(adj.id),
        ..NewEntry::new(kind, adj.project_id, adj.house_id, today)
    };
    let amount = adj.amount_fen.0;
    match adj.kind {
        AdjustmentKind::Adjust => {
            if bill.principal_due.0 + amount < 0 {
                return Err(exceeds());
            }
            Ok(vec![NewEntry { principal: Fen(amount), created_by: approved_by, ..on_bill(EntryKind::Adjustment) }])
        }
        AdjustmentKind::WaivePrincipal => {
            if amount > bill.principal_due.0 {
                return Err(exceeds());
            }
            Ok(vec![NewEntry { principal: Fen(-amount), created_by: approved_by, ..on_bill(EntryKind::Waiver) }])
        }
        AdjustmentKind::WaiveLateFee => {
            let unposted = bill.unposted_late_fee.0.max(0);
            let owed = bill.late_fee_due.0 + unposted;
            let returns = match adj.payment_id {
                Some(_) if amount > owed => {
                    let returns = late_fee_returns(entries, amount - owed);
                    if returns.iter().map(|r| r.amount).sum::<i64>() < amount - owed {
                        return Err(exceeds());
                    }
                    returns
                }
                _ if amount > owed => return Err(exceeds()),
                _ => Vec::new(),
            };
            let mut out = Vec::new();
            if unposted > 0 {
                out.push(NewEntry { late_fee: Fen(unposted), ..on_bill(EntryKind::LateFee) });
            }
            out.push(NewEntry { late_fee: Fen(-amount), created_by: approved_by, ..on_bill(EntryKind::Waiver) });
            // Each allocation reversed: the late fee is owed again (and waived just above), the
            // money is the house's again, under the earmark it came from.
            out.extend(returns.into_iter().map(|r| NewEntry {
                late_fee: Fen(r.amount),
                balance: Fen(r.amount),
                earmark: r.earmark,
                payment_id: r.payment_id,
                channel: r.channel,
                created_by: approved_by,
                ..on_bill(EntryKind::Allocation)
            }));
            Ok(out)
        }
    }
}

/// Late fee paid on a bill to give back, by who paid it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Return {
    payment_id: Option<Id>,
    channel: Option<String>,
    earmark: Id,
    amount: i64,
}

/// Up to `wanted` of the late fee the bill's allocations paid (net of what was returned
/// already), by who paid it (payment, channel, earmark), the latest first.
fn late_fee_returns(entries: &[PostedEntry], wanted: i64) -> Vec<Return> {
    // (payment, channel, earmark) → (net late fee paid, latest entry id)
    let mut paid: Vec<(Return, Id)> = Vec::new();
    for e in entries.iter().filter(|e| e.kind == EntryKind::Allocation && e.late_fee.0 != 0) {
        let key = (e.payment_id, e.channel.clone(), e.earmark);
        match paid.iter_mut().find(|(r, _)| (r.payment_id, r.channel.clone(), r.earmark) == key) {
            Some((r, last)) => {
                r.amount -= e.late_fee.0;
                *last = (*last).max(e.id);
            }
            None => paid.push((
                Return {
                    payment_id: e.payment_id,
                    channel: e.channel.clone(),
                    earmark: e.earmark,
                    amount: -e.late_fee.0,
                },
                e.id,
            )),
        }
    }
    paid.sort_by_key(|(_, last)| std::cmp::Reverse(*last));
    let mut left = wanted;
    let mut out = Vec::new();
    for (mut r, _) in paid {
        if left <= 0 {
            break;
        }
        if r.amount <= 0 {
            continue;
        }
        r.amount = r.amount.min(left);
        left -= r.amount;
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::AdjustmentState;

    fn adj(kind: AdjustmentKind, amount: i64, payment_id: Option<Id>) -> Adjustment {
        Adjustment {
            id: 5,
            project_id: 1,
            house_id: 2,
            house_label: "1栋1单元301".into(),
            bill_id: 3,
            kind,
            amount_fen: Fen(amount),
            reason: "r".into(),
            state: AdjustmentState::Pending,
            requested_by: 7,
            requested_at: Utc::now(),
            decided_by: None,
            decided_at: None,
            payment_id,
        }
    }

    fn due(principal: i64, late_fee: i64, unposted: i64) -> BillDue {
        BillDue {
            id: 3,
            fee_item_id: 10,
            principal_due: Fen(principal),
            late_fee_due: Fen(late_fee),
            unposted_late_fee: Fen(unposted),
        }
    }

    fn day() -> NaiveDate {
        "2026-06-01".parse().unwrap()
    }

    /// A late fee paid by `payment_id` (entry `id`).
    fn paid_fee(id: Id, payment_id: Id, amount: i64, earmark: Id) -> PostedEntry {
        PostedEntry {
            id,
            kind: EntryKind::Allocation,
            principal: Fen(0),
            late_fee: Fen(-amount),
            balance: Fen(-amount),
            earmark,
            effective_on: day(),
            payment_id: Some(payment_id),
            channel: Some("cash".into()),
        }
    }

    fn refused(r: Result<Vec<NewEntry>>) -> bool {
        matches!(r, Err(Error::Validation(e)) if e[0].code == "exceeds_due")
    }

    #[test]
    fn an_adjustment_or_waiver_never_takes_a_bill_below_zero() {
        let down = approval_entries(&adj(AdjustmentKind::Adjust, -1_001, None), &due(1_000, 0, 0), &[], day(), Some(9));
        assert!(refused(down));
        let e = approval_entries(&adj(AdjustmentKind::Adjust, -1_000, None), &due(1_000, 0, 0), &[], day(), Some(9))
            .unwrap();
        assert_eq!(
            (e[0].kind, e[0].principal, e[0].adjustment_id, e[0].created_by),
            (EntryKind::Adjustment, Fen(-1_000), Some(5), Some(9))
        );
        assert!(refused(approval_entries(
            &adj(AdjustmentKind::WaivePrincipal, 1_001, None),
            &due(1_000, 0, 0),
            &[],
            day(),
            None
        )));
        let w = approval_entries(&adj(AdjustmentKind::WaivePrincipal, 400, None), &due(1_000, 0, 0), &[], day(), None)
            .unwrap();
        assert_eq!((w.len(), w[0].kind, w[0].principal), (1, EntryKind::Waiver, Fen(-400)));
    }

    #[test]
    fn a_late_fee_waiver_posts_what_accrued_first_and_waives_no_more_than_is_owed() {
        let e =
            approval_entries(&adj(AdjustmentKind::WaiveLateFee, 150, None), &due(1_000, 100, 50), &[], day(), Some(9))
                .unwrap();
        assert_eq!(
            e.iter().map(|e| (e.kind, e.late_fee.0)).collect::<Vec<_>>(),
            vec![(EntryKind::LateFee, 50), (EntryKind::Waiver, -150)]
        );
        assert!(e.iter().all(|e| e.bill_id == Some(3) && e.balance == Fen(0)));
        assert!(refused(approval_entries(
            &adj(AdjustmentKind::WaiveLateFee, 151, None),
            &due(1_000, 100, 50),
            &[],
            day(),
            None
        )));
    }

    #[test]
    fn a_backdated_payments_waiver_gives_back_late_fee_paid_meanwhile_latest_payment_first() {
        // 120 of late fee was paid: 70 by payment 1 (earlier), 50 by payment 2 (later, earmarked).
        // Nothing is owed now; the waiver of 90 gives back 50 to payment 2 and 40 to payment 1.
        let history = [paid_fee(11, 1, 70, 0), paid_fee(12, 2, 50, 10)];
        let e =
            approval_entries(&adj(AdjustmentKind::WaiveLateFee, 90, Some(2)), &due(0, 0, 0), &history, day(), Some(9))
                .unwrap();
        let back: Vec<_> =
            e.iter().skip(1).map(|e| (e.kind, e.payment_id, e.late_fee.0, e.balance.0, e.earmark)).collect();
        assert_eq!(e[0].late_fee, Fen(-90));
        assert_eq!(
            back,
            vec![(EntryKind::Allocation, Some(2), 50, 50, 10), (EntryKind::Allocation, Some(1), 40, 40, 0)]
        );
        // More than was ever paid cannot be given back.
        assert!(refused(approval_entries(
            &adj(AdjustmentKind::WaiveLateFee, 121, Some(2)),
            &due(0, 0, 0),
            &history,
            day(),
            None
        )));
    }
}
