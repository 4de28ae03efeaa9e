//! Reconciliation (对账) of a day: what Linli recorded through a channel against the channel's
//! trade bill for that Beijing day, and the rules for the differences (pure).
//!
//! A payment or refund is matched by its number at Linli (`out_trade_no`, `out_refund_no`) and
//! compared by amount. What is left is a surplus (长款: the channel holds more than Linli's books
//! say — a payment Linli never credited, or a refund Linli recorded that the channel never made)
//! or a shortfall (短款: Linli credited money the channel does not show, or the channel refunded
//! money Linli does not know of). Each difference is resolved by someone with the approval
//! permission, with a note; the day is signed off once nothing is left open.
//!
//! A notification arriving after midnight puts a payment made at 23:59 on the next day in
//! Linli's books: Linli's records of the day before and after are compared too, but only those
//! of the day itself can be missing from its bill.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use linli_billing::PaymentChannel;
use linli_core::{Code, Error, Fen, Id, Result, text_enum};
use serde::{Deserialize, Serialize};

text_enum! {
    /// A payment into the merchant account, or a refund out of it.
    #[derive(PartialOrd, Ord)]
    RecordKind {
        Payment = "payment",
        Refund = "refund",
    }
}

text_enum! {
    DiscrepancyKind {
        /// 长款: more money at the channel than in Linli's books.
        Surplus = "surplus",
        /// 短款: less money at the channel than in Linli's books.
        Shortfall = "shortfall",
    }
}

text_enum! {
    /// Why a record is a difference.
    Cause {
        /// In the channel's bill, not in Linli.
        NotInLinli = "not_in_linli",
        /// In Linli for the day, not in the channel's bill.
        NotAtChannel = "not_at_channel",
        /// In both, for different amounts.
        AmountDiffers = "amount_differs",
    }
}

text_enum! {
    /// What was done about a difference.
    Resolution {
        /// A payment the channel took and Linli missed, credited to its house now (the order is
        /// settled as its notification would have been).
        Credited = "credited",
        /// The money was returned to the payer at the channel (outside Linli).
        RefundedAtChannel = "refunded_at_channel",
        /// Corrected in the books by an adjustment or a reversal.
        Corrected = "corrected",
        /// Accepted as it is (e.g. a bank fee), with the reason.
        WrittenOff = "written_off",
        /// Not a difference after all (timing, a test payment), with the explanation.
        Explained = "explained",
    }
}

text_enum! {
    ReconciliationState {
        /// Differences may still be open; running the day again replaces what is still open.
        Open = "open",
        /// Every difference resolved and the day signed off: kept as it is.
        SignedOff = "signed_off",
    }
}

/// One payment or refund as one side records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    /// Linli's number: `out_trade_no` of a payment, `out_refund_no` of a refund.
    pub out_no: String,
    /// The channel's number for it (transaction id, refund id), when known.
    pub channel_no: String,
    pub amount_fen: Fen,
    /// Linli's records only: recorded on the day itself (not the day before or after).
    pub on_day: bool,
}

/// A difference as the comparison finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: DiscrepancyKind,
    pub cause: Cause,
    pub record_kind: RecordKind,
    pub out_no: String,
    pub channel_no: String,
    pub linli_fen: Option<Fen>,
    pub channel_fen: Option<Fen>,
}

impl Found {
    /// What identifies the same difference when the day is run again.
    pub fn key(&self) -> (RecordKind, &str) {
        (self.record_kind, self.out_no.as_str())
    }
    /// The money it is about: what the channel holds more (surplus) or less (shortfall).
    pub fn difference_fen(&self) -> Fen {
        Fen((self.channel_fen.unwrap_or(Fen(0)).0 - self.linli_fen.unwrap_or(Fen(0)).0).abs())
    }
}

/// The day compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Linli's records of the day, and their net (payments less refunds).
    pub linli_count: usize,
    pub linli_net_fen: Fen,
    /// The bill's lines, and their net.
    pub channel_count: usize,
    pub channel_net_fen: Fen,
    pub matched: usize,
    pub found: Vec<Found>,
}

/// Compares Linli's records with the bill's lines. Lines for the same number are added up (a
/// bill may list a refund in parts); a record of the day before or after that no line matches is
/// another day's business, not a difference.
pub fn compare(linli: &[Record], channel: &[Record]) -> Comparison {
    type Side<'a> = BTreeMap<(RecordKind, &'a str), (i64, &'a str, bool)>;
    fn sum(records: &[Record]) -> Side<'_> {
        let mut side: Side<'_> = BTreeMap::new();
        for r in records {
            let e = side.entry((r.kind, r.out_no.as_str())).or_insert((0, r.channel_no.as_str(), false));
            e.0 += r.amount_fen.0;
            e.2 |= r.on_day;
            if e.1.is_empty() {
                e.1 = r.channel_no.as_str();
            }
        }
        side
    }
    // Money into the account counts up, money out down.
    let signed = |kind: RecordKind, fen: i64| if kind == RecordKind::Payment { fen } else { -fen };
    let ours = sum(linli);
    let theirs = sum(channel);
    let mut c = Comparison {
        linli_count: linli.iter().filter(|r| r.on_day).count(),
        linli_net_fen: Fen(linli.iter().filter(|r| r.on_day).map(|r| signed(r.kind, r.amount_fen.0)).sum()),
        channel_count: channel.len(),
        channel_net_fen: Fen(channel.iter().map(|r| signed(r.kind, r.amount_fen.0)).sum()),
        ..Comparison::default()
    };
    let mut keys: Vec<_> = ours.keys().chain(theirs.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let (kind, out_no) = key;
        let (found_ours, found_theirs) = (ours.get(&key), theirs.get(&key));
        let (cause, linli_fen, channel_fen, channel_no) = match (found_ours, found_theirs) {
            (Some(o), Some(t)) if o.0 == t.0 => {
                c.matched += 1;
                continue;
            }
            (Some(o), Some(t)) => (Cause::AmountDiffers, Some(o.0), Some(t.0), t.1),
            (Some(o), None) if o.2 => (Cause::NotAtChannel, Some(o.0), None, o.1),
            (None, Some(t)) => (Cause::NotInLinli, None, Some(t.0), t.1),
            // Linli's records of the days around are looked at only to match the bill's lines.
            (_, None) => continue,
        };
        let more_at_channel = signed(kind, channel_fen.unwrap_or(0)) > signed(kind, linli_fen.unwrap_or(0));
        c.found.push(Found {
            kind: if more_at_channel { DiscrepancyKind::Surplus } else { DiscrepancyKind::Shortfall },
            cause,
            record_kind: kind,
            out_no: out_no.to_owned(),
            channel_no: channel_no.to_owned(),
            linli_fen: linli_fen.map(Fen),
            channel_fen: channel_fen.map(Fen),
        });
    }
    c
}

/// A reconciled day of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reconciliation {
    pub id: Id,
    pub channel: PaymentChannel,
    /// The Beijing day of the channel's bill.
    pub bill_date: NaiveDate,
    pub state: ReconciliationState,
    pub linli_count: i64,
    pub linli_net_fen: Fen,
    pub channel_count: i64,
    pub channel_net_fen: Fen,
    pub matched: i64,
    pub surplus_count: i64,
    pub shortfall_count: i64,
    /// Differences not resolved yet.
    pub open_count: i64,
    pub reconciled_at: DateTime<Utc>,
    pub signed_off_by: Option<Id>,
    /// Who signed off, by name.
    pub signed_off_by_name: Option<String>,
    pub signed_off_at: Option<DateTime<Utc>>,
    pub sign_off_note: Option<String>,
}

/// A difference as stored, with what was done about it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Discrepancy {
    pub id: Id,
    pub reconciliation_id: Id,
    pub kind: DiscrepancyKind,
    pub cause: Cause,
    pub record_kind: RecordKind,
    pub out_no: String,
    pub channel_no: String,
    pub linli_fen: Option<Fen>,
    pub channel_fen: Option<Fen>,
    pub difference_fen: Fen,
    /// The payment order it is about, when Linli has one under the number.
    pub order_id: Option<Id>,
    pub house_id: Option<Id>,
    /// The house, as staff write it (1栋1单元101).
    pub house_label: Option<String>,
    pub resolution: Option<Resolution>,
    pub note: Option<String>,
    pub resolved_by: Option<Id>,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReconciliationDetail {
    #[serde(flatten)]
    pub reconciliation: Reconciliation,
    /// Surpluses first, then shortfalls, each by number.
    pub discrepancies: Vec<Discrepancy>,
}

/// Which day of which channel to reconcile.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewReconciliation {
    pub channel: PaymentChannel,
    /// A Beijing day, `YYYY-MM-DD`; not after today.
    #[serde(deserialize_with = "linli_core::date::any::day")]
    #[schema(value_type = String, format = Date)]
    pub bill_date: NaiveDate,
}

/// The most characters of a resolution's or a sign-off's note.
pub const NOTE_MAX: usize = 200;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewResolution {
    pub resolution: Resolution,
    #[schema(min_length = 1, max_length = 200)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SignOff {
    #[schema(max_length = 200)]
    #[serde(default)]
    pub note: Option<String>,
}

/// The trimmed note of a resolution, which is always required: the next person must see why.
pub fn check_note(note: &str) -> Result<String> {
    linli_core::error::required_text_alone("note", note, NOTE_MAX)
}

/// Whether `resolution` fits the difference: crediting is for money the channel took that Linli
/// has an order for and never credited; a refund at the channel is for money to give back.
pub fn check_resolution(d: &Discrepancy, resolution: Resolution) -> Result<()> {
    if d.resolution.is_some() {
        return Err(Error::Conflict(Code::DiscrepancyResolved));
    }
    let fits = match resolution {
        Resolution::Credited => {
            d.kind == DiscrepancyKind::Surplus
                && d.record_kind == RecordKind::Payment
                && d.cause == Cause::NotInLinli
                && d.order_id.is_some()
        }
        Resolution::RefundedAtChannel => d.kind == DiscrepancyKind::Surplus,
        Resolution::Corrected | Resolution::WrittenOff | Resolution::Explained => true,
    };
    if fits { Ok(()) } else { Err(Error::invalid("resolution", "does_not_fit")) }
}

/// A day is signed off once, and only with nothing left open.
pub fn check_sign_off(r: &Reconciliation) -> Result<()> {
    if r.state == ReconciliationState::SignedOff {
        return Err(Error::Conflict(Code::ReconciliationSignedOff));
    }
    if r.open_count > 0 {
        return Err(Error::Conflict(Code::DiscrepanciesOpen));
    }
    Ok(())
}

/// A day can be reconciled once it has begun in Beijing, and not more than a year back (the
/// channels keep bills for about that long).
pub fn check_day(day: NaiveDate, today: NaiveDate) -> Result<()> {
    if day > today {
        return Err(Error::invalid("bill_date", "in_the_future"));
    }
    if day < today - chrono::Days::new(366) {
        return Err(Error::invalid("bill_date", "too_far_back"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: RecordKind, no: &str, fen: i64, on_day: bool) -> Record {
        Record { kind, out_no: no.into(), channel_no: format!("T{no}"), amount_fen: Fen(fen), on_day }
    }
    fn pay(no: &str, fen: i64) -> Record {
        rec(RecordKind::Payment, no, fen, true)
    }
    fn refund(no: &str, fen: i64) -> Record {
        rec(RecordKind::Refund, no, fen, true)
    }

    #[test]
    fn a_day_that_agrees_has_no_differences() {
        let ours = [pay("A", 100), pay("B", 250), refund("A-R1", 40)];
        let c = compare(&ours, &ours);
        assert_eq!((c.matched, c.found.len()), (3, 0));
        assert_eq!((c.linli_net_fen, c.channel_net_fen), (Fen(310), Fen(310)));
    }

    #[test]
    fn each_difference_is_a_surplus_or_a_shortfall_by_where_the_money_is() {
        use Cause::*;
        use DiscrepancyKind::*;
        let ours = [pay("A", 100), pay("B", 250), pay("C", 300), refund("A-R1", 40), refund("B-R1", 50)];
        let theirs = [pay("A", 100), pay("C", 200), pay("D", 80), refund("A-R1", 40), refund("C-R1", 30)];
        let c = compare(&ours, &theirs);
        let got: Vec<_> = c.found.iter().map(|f| (f.out_no.as_str(), f.kind, f.cause, f.difference_fen())).collect();
        assert_eq!(
            got,
            vec![
                // B credited in Linli, never at the channel.
                ("B", Shortfall, NotAtChannel, Fen(250)),
                // C: 1.00 元 less at the channel.
                ("C", Shortfall, AmountDiffers, Fen(100)),
                // D taken by the channel, not in Linli.
                ("D", Surplus, NotInLinli, Fen(80)),
                // A refund Linli recorded that the channel never made: the money is still there.
                ("B-R1", Surplus, NotAtChannel, Fen(50)),
                // A refund the channel made that Linli does not know: money gone.
                ("C-R1", Shortfall, NotInLinli, Fen(30)),
            ]
        );
        assert_eq!(c.matched, 2);
        assert_eq!((c.linli_count, c.channel_count), (5, 5));
        // The net difference is what the differences add up to.
        let signed: i64 =
            c.found.iter().map(|f| if f.kind == Surplus { f.difference_fen().0 } else { -f.difference_fen().0 }).sum();
        assert_eq!(c.channel_net_fen.0 - c.linli_net_fen.0, signed);
    }

    #[test]
    fn a_payment_recorded_after_midnight_matches_its_bill_and_is_not_missing_from_the_next() {
        // Paid at 23:59:58, notified at 00:00:02: in Linli's next day.
        let ours = [pay("A", 100), rec(RecordKind::Payment, "LATE", 500, false)];
        let theirs = [pay("A", 100), pay("LATE", 500)];
        let c = compare(&ours, &theirs);
        assert_eq!((c.matched, c.found.len(), c.linli_count), (2, 0, 1));
        // And the day before's record that this bill does not list is no difference either.
        let c = compare(&[rec(RecordKind::Payment, "EARLIER", 500, false)], &[]);
        assert!(c.found.is_empty());
    }

    #[test]
    fn lines_for_one_number_are_added_up() {
        let c = compare(&[refund("A-R1", 100)], &[refund("A-R1", 60), refund("A-R1", 40)]);
        assert_eq!((c.matched, c.found.len()), (1, 0));
    }

    fn discrepancy(kind: DiscrepancyKind, cause: Cause, order_id: Option<Id>) -> Discrepancy {
        Discrepancy {
            id: 1,
            reconciliation_id: 1,
            kind,
            cause,
            record_kind: RecordKind::Payment,
            out_no: "A".into(),
            channel_no: "T".into(),
            linli_fen: None,
            channel_fen: Some(Fen(100)),
            difference_fen: Fen(100),
            order_id,
            house_id: None,
            house_label: None,
            resolution: None,
            note: None,
            resolved_by: None,
            resolved_by_name: None,
            resolved_at: None,
        }
    }

    #[test]
    fn only_money_linli_has_an_order_for_can_be_credited() {
        use DiscrepancyKind::*;
        let known = discrepancy(Surplus, Cause::NotInLinli, Some(7));
        assert!(check_resolution(&known, Resolution::Credited).is_ok());
        let unknown = discrepancy(Surplus, Cause::NotInLinli, None);
        assert!(check_resolution(&unknown, Resolution::Credited).is_err());
        assert!(check_resolution(&unknown, Resolution::RefundedAtChannel).is_ok());
        let short = discrepancy(Shortfall, Cause::NotAtChannel, Some(7));
        assert!(check_resolution(&short, Resolution::Credited).is_err());
        assert!(check_resolution(&short, Resolution::RefundedAtChannel).is_err());
        assert!(check_resolution(&short, Resolution::Corrected).is_ok());
        let done = Discrepancy { resolution: Some(Resolution::Explained), ..short };
        assert!(matches!(check_resolution(&done, Resolution::Explained), Err(Error::Conflict(_))));
        assert!(check_note("  ").is_err());
        assert!(check_note(&"字".repeat(201)).is_err());
        assert_eq!(check_note(" 银行手续费 ").unwrap(), "银行手续费");
    }

    #[test]
    fn days_to_reconcile_are_bounded() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert!(check_day(today, today).is_ok());
        assert!(check_day(today.succ_opt().unwrap(), today).is_err());
        assert!(check_day(NaiveDate::from_ymd_opt(2025, 11, 1).unwrap(), today).is_err());
    }
}
