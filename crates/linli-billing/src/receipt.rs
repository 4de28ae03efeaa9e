//! Receipts (收据): the receipt book (收据本) of a project hands out the next number to every
//! payment recorded, counter or channel alike; a receipt prints its amount in Chinese capitals
//! (大写) and its date as people write it; a voided receipt (作废) keeps its number and its
//! payment is cancelled by reversal entries (冲正), never edited. Pure: storage reads the book and
//! the payment's entries, these rules decide.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use linli_core::{Code, Error, Fen, Id, Result, text_enum};
use serde::{Deserialize, Serialize};

use crate::account::PaymentChannel;
use crate::ledger::{EntryKind, NewEntry};

/// The longest reason a void records, and the longest POS or transfer reference (characters).
pub const VOID_REASON_MAX: usize = 200;
pub const REFERENCE_MAX: usize = 64;

/// A receipt book: numbers `first_no..=last_no`, the next one to hand out, printed after `prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReceiptBook {
    pub id: Id,
    pub project_id: Id,
    pub name: String,
    pub prefix: String,
    pub first_no: i64,
    pub last_no: i64,
    pub next_no: i64,
    /// Printed by Linli (电子收据), not a pre-printed paper book.
    pub electronic: bool,
    pub active: bool,
}

/// The book a project gets on its first payment: electronic, numbered from 1 with eight digits,
/// its prefix naming the project so that numbers stay unique across projects.
pub fn electronic_book(project_id: Id) -> ReceiptBook {
    ReceiptBook {
        id: 0,
        project_id,
        name: "电子收据".into(),
        prefix: format!("SK{project_id}-"),
        first_no: 1,
        last_no: 99_999_999,
        next_no: 1,
        electronic: true,
        active: true,
    }
}

impl ReceiptBook {
    /// The printed number of the book's `seq`-th receipt: `SK12-00000001`.
    pub fn number(&self, seq: i64) -> String {
        format!("{}{seq:08}", self.prefix)
    }

    /// The next `n` numbers, in order, and the book's next number after them. A book that has
    /// fewer left is `receipt_book_exhausted`: nothing is taken.
    pub fn take(&self, n: usize) -> Result<(Vec<String>, i64)> {
        let n = i64::try_from(n).map_err(|_| Error::invalid("payments", "too_many"))?;
        let after = self.next_no.checked_add(n).ok_or(Error::Conflict(Code::ReceiptBookExhausted))?;
        if !self.active || after - 1 > self.last_no || self.next_no < self.first_no {
            return Err(Error::Conflict(Code::ReceiptBookExhausted));
        }
        Ok(((self.next_no..after).map(|s| self.number(s)).collect(), after))
    }
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];
const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];

/// An amount in Chinese capitals as written on receipts and cheques (人民币大写), by the rules of
/// 会计基础工作规范: `整` after 元 or 角, none after 分; one 零 for any run of zeros inside.
/// 1050.00 → 壹仟零伍拾元整, 1.05 → 壹元零伍分, 0.50 → 伍角整.
pub fn amount_in_capitals(amount: Fen) -> String {
    let mut out = String::new();
    if amount.0 < 0 {
        out.push('负');
    }
    let fen = amount.0.unsigned_abs();
    let (yuan, jiao, fen) = (fen / 100, (fen / 10 % 10) as usize, (fen % 10) as usize);
    if yuan > 0 {
        out.push_str(&integer_in_capitals(yuan));
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) if yuan == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    out
}

fn integer_in_capitals(n: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut out = String::new();
    let (mut started, mut zero) = (false, false);
    for (g, &value) in groups.iter().enumerate().rev() {
        if value == 0 {
            zero |= started;
            continue;
        }
        if started && value < 1_000 {
            zero = true;
        }
        for place in (0..4).rev() {
            let d = (value / 10_u64.pow(place as u32) % 10) as usize;
            if d == 0 {
                zero |= started;
                continue;
            }
            if zero {
                out.push('零');
                zero = false;
            }
            out.push(DIGITS[d]);
            out.push_str(PLACES[place]);
            started = true;
        }
        out.push_str(GROUPS[g.min(3)]);
    }
    out
}

/// A day as people write it on paper: 2026年12月3日.
pub fn written_date(day: NaiveDate) -> String {
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

/// The channel as a receipt prints it.
pub fn channel_label(channel: PaymentChannel) -> &'static str {
    match channel {
        PaymentChannel::Cash => "现金",
        PaymentChannel::Card => "银行卡",
        PaymentChannel::Transfer => "转账",
        PaymentChannel::Wechat => "微信支付",
        PaymentChannel::Alipay => "支付宝",
        PaymentChannel::Bank => "银行代扣",
    }
}

/// Whether a payment's reference (POS slip, transfer serial) is required: for a bank card.
pub fn check_reference(channel: PaymentChannel, reference: Option<&str>) -> Result<Option<String>> {
    let reference = reference.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reference
        && (r.chars().count() > REFERENCE_MAX || r.chars().any(char::is_control))
    {
        return Err(Error::invalid("reference", "too_long"));
    }
    if channel == PaymentChannel::Card && reference.is_none() {
        return Err(Error::invalid("reference", "conditionally_required"));
    }
    Ok(reference.map(str::to_owned))
}

/// The entries that cancel a payment (冲正): each of its own entries — the credit to the balance
/// and what that balance paid — mirrored as a reversal dated `on`, so that the bills owe again
/// and the credit leaves the balance. Late fees it posted stay posted (they were owed that day).
/// `held` is the house's balance per earmark now; a payment whose money was already spent by
/// something later cannot be reversed (`payment_balance_spent`): reverse that first.
pub fn reversal(entries: &[NewEntry], held: &[(Id, Fen)], on: NaiveDate, by: Option<Id>) -> Result<Vec<NewEntry>> {
    let mut out: Vec<NewEntry> = entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Allocation | EntryKind::Payment))
        .map(|e| NewEntry {
            kind: EntryKind::Reversal,
            principal: Fen(-e.principal.0),
            late_fee: Fen(-e.late_fee.0),
            balance: Fen(-e.balance.0),
            effective_on: on,
            created_by: by,
            adjustment_id: None,
            ..e.clone()
        })
        .collect();
    if out.is_empty() {
        return Err(Error::Conflict(Code::ReceiptNotVoidable));
    }
    // The allocations' reversals first, so the balance never dips below zero between entries.
    out.sort_by_key(|e| e.balance.0 < 0);
    let mut earmarks: Vec<Id> = out.iter().map(|e| e.earmark).collect();
    earmarks.sort_unstable();
    earmarks.dedup();
    for m in earmarks {
        let now = held.iter().find(|(e, _)| *e == m).map_or(0, |(_, f)| f.0);
        let moved: i64 = out.iter().filter(|e| e.earmark == m).map(|e| e.balance.0).sum();
        if now + moved < 0 {
            return Err(Error::Conflict(Code::PaymentBalanceSpent));
        }
    }
    Ok(out)
}

/// Who may void a receipt: a payment taken by a person at the counter. Money from an online
/// channel left the payer's account and is returned by a refund through that channel instead.
pub fn check_voidable(taken_by: Option<Id>, voided: bool) -> Result<()> {
    if voided {
        return Err(Error::Conflict(Code::ReceiptAlreadyVoided));
    }
    if taken_by.is_none() {
        return Err(Error::Conflict(Code::ReceiptNotVoidable));
    }
    Ok(())
}

/// A void's reason, required and bounded.
pub fn check_reason(reason: &str) -> Result<String> {
    linli_core::error::required_text_alone("reason", reason, VOID_REASON_MAX)
}

/// Money taken at the counter: a payment and, for a bank card, the POS slip's reference (a
/// transfer's serial or a scanned code's trade number may be kept too).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CounterPayment {
    #[schema(schema_with = linli_core::schema::amount_fen)]
    pub amount_fen: Fen,
    pub channel: PaymentChannel,
    /// The day the money came in, `YYYY-MM-DD`: today, or an earlier day within the backdating
    /// window (补录). Late fees are still posted up to the day the payment is recorded; what the
    /// earlier day would have saved is proposed as a waiver for someone with the approval
    /// permission.
    #[serde(deserialize_with = "linli_core::date::any::day")]
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
    #[schema(max_length = 50)]
    pub payer: Option<String>,
    #[schema(max_length = 200)]
    pub note: Option<String>,
    /// The POS slip's reference (required for `card`), or a transfer's serial.
    #[schema(max_length = 64)]
    pub reference: Option<String>,
}

fn yes() -> bool {
    true
}

impl CounterPayment {
    /// The payment, and its reference apart.
    pub fn split(self) -> (crate::account::NewPayment, Option<String>) {
        let p = crate::account::NewPayment {
            amount_fen: self.amount_fen,
            channel: self.channel,
            received_on: self.received_on,
            bill_ids: self.bill_ids,
            earmark_fee_item_id: self.earmark_fee_item_id,
            allocate: self.allocate,
            payer: self.payer,
            note: self.note,
        };
        (p, self.reference)
    }
}

/// A request to void a receipt.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewVoid {
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

text_enum! {
    /// The paper a receipt is printed on.
    ReceiptLayout { A5 = "a5", Thermal = "thermal", }
}

/// One line of the payment log (收费流水): a payment with its receipt, who took it and whether it
/// was voided.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PaymentRow {
    pub id: Id,
    pub project_id: Id,
    pub house_id: Id,
    /// e.g. `1栋1单元301`.
    pub house_label: String,
    pub receipt_no: String,
    pub amount_fen: Fen,
    pub channel: PaymentChannel,
    /// The POS slip or transfer serial typed at the counter.
    pub reference: Option<String>,
    pub received_on: NaiveDate,
    pub payer: Option<String>,
    pub note: Option<String>,
    /// None: recorded by the system (an online channel's notification).
    pub cashier_id: Option<Id>,
    pub cashier_name: Option<String>,
    pub till_session_id: Option<Id>,
    pub created_at: DateTime<Utc>,
    pub voided: bool,
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_by_name: Option<String>,
    pub void_reason: Option<String>,
    /// How many times the receipt was printed (the first is the original, later ones 副本).
    pub prints: i32,
}

/// Which payments the log lists.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    pub project_id: Option<Id>,
    pub house_id: Option<Id>,
    pub cashier_id: Option<Id>,
    pub channel: Option<PaymentChannel>,
    pub till_session_id: Option<Id>,
    /// Payments recorded on this day (China time), `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "linli_core::date::any::opt_day")]
    #[param(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
    /// Receipt number, exactly.
    #[param(max_length = 40)]
    pub receipt_no: Option<String>,
}

/// One line of a printed receipt: what the money paid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceiptLine {
    /// 物业费 2026-11, 滞纳金, 预存款…
    pub item: String,
    pub period: String,
    pub amount_fen: Fen,
}

/// What a printed receipt shows, as storage found it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceiptFacts {
    pub company_name: String,
    pub project_name: String,
    pub row: PaymentRow,
    pub lines: Vec<ReceiptLine>,
    /// Which printing this is: 1 the original, more a copy (副本).
    pub print_no: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_capitals_follow_the_accounting_rules() {
        let cases = [
            (105_000, "壹仟零伍拾元整"),
            (100, "壹元整"),
            (1_000, "壹拾元整"),
            (0, "零元整"),
            (5, "伍分"),
            (50, "伍角整"),
            (105, "壹元零伍分"),
            (150, "壹元伍角整"),
            (123_456, "壹仟贰佰叁拾肆元伍角陆分"),
            (10_000_000, "壹拾万元整"),
            (10_000_100, "壹拾万零壹元整"),
            (100_010_000, "壹佰万零壹佰元整"),
            (10_001_000_000, "壹亿零壹万元整"),
            (10_000_000_000, "壹亿元整"),
            (1_000_500, "壹万零伍元整"),
            (1_010_000, "壹万零壹佰元整"),
            (2_030_040_050, "贰仟零叁拾万零肆佰元伍角整"),
            (-1_000, "负壹拾元整"),
        ];
        for (fen, want) in cases {
            assert_eq!(amount_in_capitals(Fen(fen)), want, "{fen}");
        }
    }

    #[test]
    fn a_day_is_written_without_leading_zeros() {
        assert_eq!(written_date(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()), "2026年12月3日");
    }

    #[test]
    fn a_book_hands_out_consecutive_numbers_and_refuses_past_its_last() {
        let mut book = electronic_book(12);
        assert_eq!(
            book.take(3).unwrap(),
            (vec!["SK12-00000001".into(), "SK12-00000002".into(), "SK12-00000003".into()], 4)
        );
        book.next_no = 99_999_999;
        assert_eq!(book.take(1).unwrap().1, 100_000_000);
        assert!(matches!(book.take(2), Err(Error::Conflict(Code::ReceiptBookExhausted))));
        book.active = false;
        assert!(matches!(book.take(1), Err(Error::Conflict(Code::ReceiptBookExhausted))));
    }

    fn entry(kind: EntryKind, principal: i64, balance: i64) -> NewEntry {
        NewEntry {
            principal: Fen(principal),
            balance: Fen(balance),
            payment_id: Some(9),
            bill_id: (kind == EntryKind::Allocation).then_some(4),
            ..NewEntry::new(kind, 1, 2, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        }
    }

    #[test]
    fn a_reversal_mirrors_the_credit_and_what_it_paid_and_keeps_late_fees_posted() {
        let on = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let entries = [
            entry(EntryKind::Payment, 0, 10_000),
            entry(EntryKind::LateFee, 0, 0),
            entry(EntryKind::Allocation, -8_000, -8_000),
        ];
        // 20.00 元 stayed as prepaid balance.
        let out = reversal(&entries, &[(0, Fen(2_000))], on, Some(7)).unwrap();
        let got: Vec<_> = out.iter().map(|e| (e.kind, e.bill_id, e.principal.0, e.balance.0, e.effective_on)).collect();
        assert_eq!(
            got,
            [(EntryKind::Reversal, Some(4), 8_000, 8_000, on), (EntryKind::Reversal, None, 0, -10_000, on)]
        );
        assert!(out.iter().all(|e| e.payment_id == Some(9) && e.created_by == Some(7)));
        // The 20.00 元 left were spent since: the credit cannot leave the balance.
        assert!(matches!(
            reversal(&entries, &[(0, Fen(1_999))], on, None),
            Err(Error::Conflict(Code::PaymentBalanceSpent))
        ));
    }

    #[test]
    fn only_a_counter_payment_not_voided_yet_may_be_voided() {
        assert!(check_voidable(Some(3), false).is_ok());
        assert!(matches!(check_voidable(None, false), Err(Error::Conflict(Code::ReceiptNotVoidable))));
        assert!(matches!(check_voidable(Some(3), true), Err(Error::Conflict(Code::ReceiptAlreadyVoided))));
    }

    #[test]
    fn a_card_payment_needs_its_pos_reference() {
        assert!(check_reference(PaymentChannel::Card, Some(" ")).is_err());
        assert_eq!(check_reference(PaymentChannel::Card, Some(" 0042 ")).unwrap().as_deref(), Some("0042"));
        assert_eq!(check_reference(PaymentChannel::Cash, None).unwrap(), None);
        assert!(check_reference(PaymentChannel::Cash, Some(&"x".repeat(65))).is_err());
    }
}
