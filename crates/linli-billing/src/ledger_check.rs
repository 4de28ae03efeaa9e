//! The ledger check (`linli check ledger`): every entry's seal, and every balance kept beside
//! the ledger (a bill's unpaid principal and late fee, a house's prepaid balance, a payment's
//! amount) against the sum of its entries. Storage streams the rows in; this tallies and compares.

use std::collections::HashMap;

use chrono::NaiveDate;
use linli_core::{Fen, Id};

use crate::ledger::{EntryKind, Seal, Sealed};

/// What `linli check ledger` found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LedgerCheck {
    pub entries: u64,
    pub bills: u64,
    /// Entries whose seal does not match their fields (edited in the database).
    pub bad_seals: Vec<Id>,
    /// Bills whose cached principal or late fee differs from the sum of their entries, or whose
    /// charge entries differ from their amount.
    pub bill_mismatches: Vec<Id>,
    /// Houses whose cached prepaid balance differs from their entries, or went negative.
    pub balance_mismatches: Vec<Id>,
    /// Payments whose amount differs from their payment entry.
    pub payment_mismatches: Vec<Id>,
}

impl LedgerCheck {
    pub fn ok(&self) -> bool {
        self.bad_seals.is_empty()
            && self.bill_mismatches.is_empty()
            && self.balance_mismatches.is_empty()
            && self.payment_mismatches.is_empty()
    }
}

/// An entry as stored, with its key and seal.
#[derive(Debug, Clone)]
pub struct StoredEntry<'a> {
    pub id: Id,
    pub key: &'a str,
    pub seal: &'a str,
    pub project_id: Id,
    pub house_id: Id,
    pub bill_id: Option<Id>,
    pub fee_item_id: Option<Id>,
    /// None when the stored kind is not one we know: its seal cannot be right.
    pub kind: Option<EntryKind>,
    pub principal: Fen,
    pub late_fee: Fen,
    pub balance: Fen,
    pub earmark: Id,
    pub effective_on: NaiveDate,
    pub payment_id: Option<Id>,
}

#[derive(Default)]
struct Sums {
    principal: i64,
    late_fee: i64,
    charged: i64,
}

/// The sums of the entries seen so far, to compare each kept balance with. Feed every entry
/// first, then the bills, balances and payments.
#[derive(Default)]
pub struct Tally {
    out: LedgerCheck,
    bills: HashMap<Id, Sums>,
    balances: HashMap<(Id, Id), i64>,
    paid: HashMap<Id, i64>,
}

impl Tally {
    pub fn entry(&mut self, seal: &Seal, e: &StoredEntry<'_>) {
        self.out.entries += 1;
        let sealed = e.kind.is_some_and(|kind| {
            let fields = Sealed {
                key: e.key,
                project_id: e.project_id,
                house_id: e.house_id,
                bill_id: e.bill_id,
                fee_item_id: e.fee_item_id,
                kind,
                principal: e.principal,
                late_fee: e.late_fee,
                balance: e.balance,
                earmark: e.earmark,
                effective_on: e.effective_on,
            };
            seal.verify(&fields, e.seal)
        });
        if !sealed {
            self.out.bad_seals.push(e.id);
        }
        if let Some(b) = e.bill_id {
            let s = self.bills.entry(b).or_default();
            s.principal += e.principal.0;
            s.late_fee += e.late_fee.0;
            if e.kind == Some(EntryKind::Charge) {
                s.charged += e.principal.0;
            }
        }
        if e.balance.0 != 0 {
            *self.balances.entry((e.house_id, e.earmark)).or_default() += e.balance.0;
        }
        if e.kind == Some(EntryKind::Payment)
            && let Some(p) = e.payment_id
        {
            *self.paid.entry(p).or_default() += e.balance.0;
        }
    }

    /// A bill as kept: its amount and what it still owes.
    pub fn bill(&mut self, id: Id, amount: Fen, principal_due: Fen, late_fee_due: Fen) {
        self.out.bills += 1;
        let s = self.bills.remove(&id).unwrap_or_default();
        if s.charged != amount.0 || s.principal != principal_due.0 || s.late_fee != late_fee_due.0 {
            self.out.bill_mismatches.push(id);
        }
    }

    /// A house's prepaid balance under an earmark (0 = general), as kept. Give every bill first.
    pub fn balance(&mut self, house_id: Id, earmark: Id, amount: Fen) {
        let derived = self.balances.remove(&(house_id, earmark)).unwrap_or(0);
        if derived != amount.0 || amount.0 < 0 {
            self.out.balance_mismatches.push(house_id);
        }
    }

    pub fn payment(&mut self, id: Id, amount: Fen) {
        if self.paid.remove(&id).unwrap_or(0) != amount.0 {
            self.out.payment_mismatches.push(id);
        }
    }

    /// What was found, once everything was given. Entries naming bills that no longer exist,
    /// and balances with entries but no kept row, are mismatches too.
    pub fn finish(self) -> LedgerCheck {
        let mut out = self.out;
        out.bill_mismatches.extend(self.bills.keys().copied());
        out.balance_mismatches.extend(self.balances.into_iter().filter(|(_, v)| *v != 0).map(|((h, _), _)| h));
        out.bad_seals.sort_unstable();
        out.bill_mismatches.sort_unstable();
        out.balance_mismatches.sort_unstable();
        out.balance_mismatches.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(
        seal: &Seal,
        key: &'a str,
        sig: &'a mut String,
        kind: EntryKind,
        principal: i64,
        balance: i64,
        bill_id: Option<Id>,
    ) -> StoredEntry<'a> {
        let mut e = StoredEntry {
            id: 1,
            key,
            seal: "",
            project_id: 1,
            house_id: 2,
            bill_id,
            fee_item_id: Some(4),
            kind: Some(kind),
            principal: Fen(principal),
            late_fee: Fen(0),
            balance: Fen(balance),
            earmark: 0,
            effective_on: "2026-01-01".parse().unwrap(),
            payment_id: Some(9),
        };
        *sig = seal.sign(&Sealed {
            key,
            project_id: e.project_id,
            house_id: e.house_id,
            bill_id: e.bill_id,
            fee_item_id: e.fee_item_id,
            kind,
            principal: e.principal,
            late_fee: e.late_fee,
            balance: e.balance,
            earmark: e.earmark,
            effective_on: e.effective_on,
        });
        e.seal = sig.as_str();
        e
    }

    #[test]
    fn kept_balances_that_match_their_entries_pass_and_any_difference_is_named() {
        let seal = Seal::new([1; 32]);
        let (mut s1, mut s2) = (String::new(), String::new());
        let charge = entry(&seal, "k1", &mut s1, EntryKind::Charge, 1_000, 0, Some(3));
        let mut paid = entry(&seal, "k2", &mut s2, EntryKind::Payment, 0, 300, None);
        paid.id = 2;
        let mut t = Tally::default();
        t.entry(&seal, &charge);
        t.entry(&seal, &paid);
        t.bill(3, Fen(1_000), Fen(1_000), Fen(0));
        t.balance(2, 0, Fen(300));
        t.payment(9, Fen(300));
        let ok = t.finish();
        assert!(ok.ok(), "{ok:?}");
        assert_eq!((ok.entries, ok.bills), (2, 1));

        let mut t = Tally::default();
        let forged = StoredEntry { principal: Fen(1), ..charge.clone() };
        t.entry(&seal, &forged);
        t.entry(&seal, &paid);
        t.bill(3, Fen(1_000), Fen(1_000), Fen(0));
        t.balance(2, 0, Fen(299));
        t.payment(9, Fen(301));
        let bad = t.finish();
        assert_eq!(bad.bad_seals, vec![1]);
        assert_eq!(bad.bill_mismatches, vec![3]);
        assert_eq!(bad.balance_mismatches, vec![2]);
        assert_eq!(bad.payment_mismatches, vec![9]);
    }
}
