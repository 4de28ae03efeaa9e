//! The ledger (分录): append-only money movements. Each entry moves up to three balances:
//! a bill's unpaid principal, its unpaid late fee, and the house's prepaid balance (预存款,
//! optionally earmarked to a fee item). Every balance is the sum of its entries.
//!
//! Each entry carries a seal: an HMAC over its fields with a key derived from the server secret,
//! so an entry edited in the database no longer matches its seal and `linli check ledger` fails.

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use linli_core::{Fen, Id, text_enum};
use sha2::Sha256;

text_enum! {
    EntryKind {
        /// A bill issued: principal +.
        Charge = "charge",
        /// An approved correction of a bill: principal ±.
        Adjustment = "adjustment",
        /// Late fee posted up to a day: late fee +.
        LateFee = "late_fee",
        /// A waiver of late fee or principal: − on that part.
        Waiver = "waiver",
        /// Money received (counter, WeChat Pay, …) or a prepaid deposit: balance +.
        Payment = "payment",
        /// Balance applied to a bill: balance −, principal or late fee −.
        Allocation = "allocation",
        /// Money returned from the balance: balance −.
        Refund = "refund",
        /// 冲正: a voided payment cancelled, each of its own entries mirrored (the bills owe
        /// again, the credit leaves the balance). Never counted as money received.
        Reversal = "reversal",
    }
}

/// The fields a seal covers. `key` is the entry's unique key, written before the row has an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<'a> {
    pub key: &'a str,
    pub project_id: Id,
    pub house_id: Id,
    pub bill_id: Option<Id>,
    pub fee_item_id: Option<Id>,
    pub kind: EntryKind,
    pub principal: Fen,
    pub late_fee: Fen,
    pub balance: Fen,
    /// The prepaid balance moved: 0 general, else the earmarked fee item.
    pub earmark: Id,
    pub effective_on: NaiveDate,
}

impl Sealed<'_> {
    fn canonical(&self) -> String {
        let opt = |v: Option<Id>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
        format!(
            "v1|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
            self.key,
            self.project_id,
            self.house_id,
            opt(self.bill_id),
            opt(self.fee_item_id),
            self.kind.as_str(),
            self.principal.0,
            self.late_fee.0,
            self.balance.0,
            self.earmark,
            self.effective_on,
        )
    }
}

/// A ledger entry a rule decided on: storage gives it a key, a seal and an id, and moves the
/// balances it names in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub project_id: Id,
    pub house_id: Id,
    pub bill_id: Option<Id>,
    pub fee_item_id: Option<Id>,
    pub kind: EntryKind,
    pub principal: Fen,
    pub late_fee: Fen,
    pub balance: Fen,
    /// The prepaid balance moved: 0 general, else the earmarked fee item.
    pub earmark: Id,
    pub effective_on: NaiveDate,
    pub payment_id: Option<Id>,
    pub adjustment_id: Option<Id>,
    /// The payment channel the money moved through (`prepaid` when a balance paid a bill).
    pub channel: Option<String>,
    pub created_by: Option<Id>,
}

impl NewEntry {
    /// An entry that moves nothing yet; the caller sets what it moves.
    pub fn new(kind: EntryKind, project_id: Id, house_id: Id, effective_on: NaiveDate) -> NewEntry {
        NewEntry {
            project_id,
            house_id,
            bill_id: None,
            fee_item_id: None,
            kind,
            principal: Fen::ZERO,
            late_fee: Fen::ZERO,
            balance: Fen::ZERO,
            earmark: 0,
            effective_on,
            payment_id: None,
            adjustment_id: None,
            channel: None,
            created_by: None,
        }
    }

    /// Whether the entry moves what a bill still owes (and so the bill's cached dues).
    pub fn moves_bill(&self) -> bool {
        self.bill_id.is_some() && (self.principal.0 != 0 || self.late_fee.0 != 0)
    }

    /// The fields the seal covers, under the entry's key.
    pub fn sealed<'a>(&self, key: &'a str) -> Sealed<'a> {
        Sealed {
            key,
            project_id: self.project_id,
            house_id: self.house_id,
            bill_id: self.bill_id,
            fee_item_id: self.fee_item_id,
            kind: self.kind,
            principal: self.principal,
            late_fee: self.late_fee,
            balance: self.balance,
            earmark: self.earmark,
            effective_on: self.effective_on,
        }
    }
}

/// An entry already in the ledger, as the rules that read a bill's history need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedEntry {
    pub id: Id,
    pub kind: EntryKind,
    pub principal: Fen,
    pub late_fee: Fen,
    pub balance: Fen,
    pub earmark: Id,
    pub effective_on: NaiveDate,
    pub payment_id: Option<Id>,
    pub channel: Option<String>,
}

/// What a bill still owes, as its cached columns hold it between entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillDues {
    pub principal: Fen,
    pub late_fee: Fen,
    pub settled_on: Option<NaiveDate>,
}

impl BillDues {
    /// The dues once `e` has moved them. A bill is settled on the day of the entry that cleared
    /// it; one already settled keeps its day (a waiver and the return of what it covered move
    /// nothing that is owed); one that owes again is open again.
    pub fn after(self, e: &NewEntry) -> BillDues {
        let principal = Fen(self.principal.0 + e.principal.0);
        let late_fee = Fen(self.late_fee.0 + e.late_fee.0);
        let settled_on = (principal.0 <= 0 && late_fee.0 <= 0).then(|| self.settled_on.unwrap_or(e.effective_on));
        BillDues { principal, late_fee, settled_on }
    }
}

/// Seals and checks entries with a 32-byte key.
#[derive(Clone)]
pub struct Seal {
    key: [u8; 32],
}

impl Seal {
    pub fn new(key: [u8; 32]) -> Seal {
        Seal { key }
    }

    pub fn sign(&self, entry: &Sealed<'_>) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(entry.canonical().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn verify(&self, entry: &Sealed<'_>, seal: &str) -> bool {
        let Ok(bytes) = hex::decode(seal) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(entry.canonical().as_bytes());
        mac.verify_slice(&bytes).is_ok()
    }
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn moving(principal: i64, late_fee: i64, on: u32) -> NewEntry {
        let mut e = NewEntry::new(EntryKind::Allocation, 1, 2, day(on));
        (e.bill_id, e.principal, e.late_fee) = (Some(3), Fen(principal), Fen(late_fee));
        e
    }

    #[test]
    fn a_bill_is_settled_on_the_day_it_is_cleared_and_keeps_that_day() {
        let owed = BillDues { principal: Fen(10_000), late_fee: Fen(50), settled_on: None };
        let part = owed.after(&moving(-4_000, 0, 5));
        assert_eq!(part, BillDues { principal: Fen(6_000), late_fee: Fen(50), settled_on: None });
        let cleared = part.after(&moving(-6_000, -50, 9));
        assert_eq!(cleared.settled_on, Some(day(9)));
        // A later entry that moves nothing owed keeps the day; one that makes it owe reopens it.
        assert_eq!(cleared.after(&moving(0, 0, 20)).settled_on, Some(day(9)));
        assert_eq!(cleared.after(&moving(100, 0, 20)).settled_on, None);
        assert!(!moving(0, 0, 1).moves_bill());
        assert!(moving(-1, 0, 1).moves_bill());
    }

    #[test]
    fn a_changed_field_breaks_the_seal() {
        let seal = Seal::new([7; 32]);
        let entry = Sealed {
            key: "e1",
            project_id: 1,
            house_id: 2,
            bill_id: Some(3),
            fee_item_id: Some(4),
            kind: EntryKind::Allocation,
            principal: Fen(-500),
            late_fee: Fen(0),
            balance: Fen(-500),
            earmark: 0,
            effective_on: "2026-02-10".parse().unwrap(),
        };
        let s = seal.sign(&entry);
        assert!(seal.verify(&entry, &s));
        assert!(!seal.verify(&Sealed { principal: Fen(-5000), ..entry.clone() }, &s));
        assert!(!seal.verify(&Sealed { bill_id: None, ..entry.clone() }, &s));
        assert!(!Seal::new([8; 32]).verify(&entry, &s));
        assert!(!seal.verify(&entry, "zz"));
    }
}
