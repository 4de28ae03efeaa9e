//! What the 送盘 and the 回盘 share: reading bytes as text, splitting lines into records, and the
//! rule of each field. Writers and parsers call the same checks, so Linli never writes a file it
//! would refuse to read.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::{BankFileError, Problem};

/// Detail lines a batch may hold (the acquirer API in the protocol notes caps there too).
pub const MAX_LINES: usize = 1_000;
/// 0.01 to 99,999,999.99 yuan per line.
pub const MIN_AMOUNT_FEN: i64 = 1;
pub const MAX_AMOUNT_FEN: i64 = 9_999_999_999;
/// Characters of an account name, a memo and a result message.
pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_MEMO_CHARS: usize = 60;
pub const MAX_MESSAGE_CHARS: usize = 100;
/// A whole batch at the per-line maximum: the largest total a header or trailer may state.
const MAX_TOTAL_FEN: i64 = MAX_AMOUNT_FEN * MAX_LINES as i64;

/// The file as text: UTF-8 (a leading BOM dropped) or, failing that, GB18030, of which GBK is a
/// subset. A file that is valid UTF-8 is read as UTF-8; real GBK Chinese text almost never is.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, BankFileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).ok_or(BankFileError::Encoding)
}

/// One line split on `|`, with its 1-based line number.
pub struct Record<'a> {
    pub line: usize,
    pub fields: Vec<&'a str>,
}

impl Record<'_> {
    pub fn kind(&self) -> &str {
        self.fields.first().copied().unwrap_or("")
    }

    pub fn problem(&self, problem: Problem) -> BankFileError {
        BankFileError::Line { line: self.line, problem }
    }

    pub fn expect_fields(&self, record: &'static str, expected: usize) -> Result<(), BankFileError> {
        if self.fields.len() == expected {
            Ok(())
        } else {
            Err(self.problem(Problem::FieldCount { record, expected, found: self.fields.len() }))
        }
    }

    /// The field at `index`, checked by `rule`, the error naming `name` and this line.
    pub fn field<T>(
        &self,
        index: usize,
        name: &'static str,
        rule: impl FnOnce(&str) -> Result<T, &'static str>,
    ) -> Result<T, BankFileError> {
        let value = self.fields.get(index).copied().unwrap_or("");
        rule(value).map_err(|rule| self.problem(Problem::Field { field: name, rule }))
    }
}

/// The file's records: H, then D lines, then T. Lines end in LF or CRLF, the last one optionally;
/// blank lines are allowed only after the trailer. Stops at the first error, so a huge file costs
/// no more than its first `MAX_LINES + 2` lines.
pub struct Records<'a> {
    lines: std::iter::Enumerate<std::str::Split<'a, char>>,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str) -> Self {
        Records { lines: text.split('\n').enumerate() }
    }

    /// The next non-blank record, or `None` at the end. A blank line followed by more text is an
    /// error on the blank line.
    pub fn next_record(&mut self) -> Result<Option<Record<'a>>, BankFileError> {
        let Some((index, raw)) = self.lines.next() else { return Ok(None) };
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        if text.is_empty() {
            let line = index + 1;
            for (_, rest) in self.lines.by_ref() {
                if !rest.strip_suffix('\r').unwrap_or(rest).is_empty() {
                    return Err(BankFileError::Line { line, problem: Problem::BlankLine });
                }
            }
            return Ok(None);
        }
        Ok(Some(Record { line: index + 1, fields: text.split('|').collect() }))
    }
}

/// Yuan with exactly two decimals, no sign, no leading zeros: `0.01`, `88.88`, `1200.00`.
pub fn parse_yuan(value: &str) -> Option<i64> {
    let (whole, cents) = value.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || cents.len() != 2 || !digits(cents) {
        return None;
    }
    if whole.len() > 1 && whole.starts_with('0') || whole.len() > 12 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = cents.parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

/// Fen as yuan with two decimals; exact, no floating point.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

pub fn amount(value: &str) -> Result<i64, &'static str> {
    parse_yuan(value)
        .filter(|fen| (MIN_AMOUNT_FEN..=MAX_AMOUNT_FEN).contains(fen))
        .ok_or("must be yuan with two decimals, 0.01 to 99999999.99")
}

/// A total (a batch's, or a 回盘's success or fail amount, which may be 0.00).
pub fn total(value: &str) -> Result<i64, &'static str> {
    parse_yuan(value)
        .filter(|fen| (0..=MAX_TOTAL_FEN).contains(fen))
        .ok_or("must be yuan with two decimals, at most 1000 lines' worth")
}

pub fn count(value: &str) -> Result<usize, &'static str> {
    small_number(value, 4).map(|n| n as usize).filter(|n| *n <= MAX_LINES).ok_or("must be a count from 0 to 1000")
}

pub fn seq(value: &str) -> Result<u32, &'static str> {
    small_number(value, 6).filter(|n| *n >= 1).ok_or("must be a number from 1 to 999999")
}

/// Decimal digits without a leading zero, at most `max_digits` of them.
fn small_number(value: &str, max_digits: usize) -> Option<u32> {
    let ok = !value.is_empty()
        && value.len() <= max_digits
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    if ok { value.parse().ok() } else { None }
}

pub fn date(value: &str) -> Result<NaiveDate, &'static str> {
    let ok = value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| NaiveDate::parse_from_str(value, "%Y%m%d").ok()).flatten().ok_or("must be a date YYYYMMDD")
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

fn ascii_code(value: &str, max: usize, extra: &[u8]) -> bool {
    !value.is_empty() && value.len() <= max && value.bytes().all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

pub fn batch_no(value: &str) -> Result<String, &'static str> {
    ascii_code(value, 32, b"-_").then(|| value.to_owned()).ok_or("must be 1-32 ASCII letters, digits, - or _")
}

/// A company code (the bank's 企业代码/商户号 for Linli) or a bank code.
pub fn party_code(value: &str) -> Result<String, &'static str> {
    ascii_code(value, 20, b"").then(|| value.to_owned()).ok_or("must be 1-20 ASCII letters or digits")
}

pub fn agreement_no(value: &str) -> Result<String, &'static str> {
    ascii_code(value, 32, b"-").then(|| value.to_owned()).ok_or("must be 1-32 ASCII letters, digits or -")
}

pub fn account_no(value: &str) -> Result<String, &'static str> {
    (value.len() >= 8 && value.len() <= 32 && value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| value.to_owned())
        .ok_or("must be 8-32 digits")
}

pub fn currency(value: &str) -> Result<(), &'static str> {
    if value == "CNY" { Ok(()) } else { Err("must be CNY") }
}

/// Free text: no `|`, no line break or other control character, at most `max` characters.
fn text(value: &str, max: usize) -> bool {
    !value.chars().any(|c| c == '|' || c.is_control()) && value.chars().count() <= max
}

pub fn account_name(value: &str) -> Result<String, &'static str> {
    // The bank compares the name exactly: a stray space would come back as 户名不符.
    let ok = text(value, MAX_NAME_CHARS) && !value.is_empty() && value.trim() == value;
    ok.then(|| value.to_owned()).ok_or("must be 1-60 characters without |, control characters or outer spaces")
}

pub fn memo(value: &str) -> Result<String, &'static str> {
    text(value, MAX_MEMO_CHARS)
        .then(|| value.to_owned())
        .ok_or("must be at most 60 characters without | or control characters")
}

pub fn message(value: &str) -> Result<String, &'static str> {
    text(value, MAX_MESSAGE_CHARS)
        .then(|| value.to_owned())
        .ok_or("must be at most 100 characters without | or control characters")
}

/// A bank serial (银行流水号); empty only on a failed line.
pub fn bank_serial(value: &str) -> Result<String, &'static str> {
    (value.is_empty() || ascii_code(value, 32, b""))
        .then(|| value.to_owned())
        .ok_or("must be at most 32 ASCII letters or digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_convert_exactly_both_ways() {
        for (text, fen) in [("0.01", 1), ("88.88", 8888), ("1200.00", 120_000), ("99999999.99", 9_999_999_999)] {
            assert_eq!(parse_yuan(text), Some(fen), "{text}");
            assert_eq!(format_yuan(fen), text);
        }
        assert_eq!(format_yuan(0), "0.00");
        assert_eq!(format_yuan(-5), "-0.05");
    }

    #[test]
    fn yuan_in_any_other_form_is_refused() {
        for text in ["1", "1.0", "1.000", ".50", "01.00", "-1.00", "+1.00", "1,00", "1e3", " 1.00", "１.00", ""] {
            assert_eq!(parse_yuan(text), None, "{text}");
        }
        assert!(amount("0.00").is_err());
        assert!(amount("100000000.00").is_err());
        assert_eq!(total("0.00"), Ok(0));
    }

    #[test]
    fn gbk_bytes_read_as_chinese_and_a_bom_is_dropped() {
        let (gbk, _, _) = encoding_rs::GBK.encode("户名不符");
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode(&gbk).unwrap(), "户名不符");
        assert_eq!(decode("\u{feff}H|1".as_bytes()).unwrap(), "H|1");
        assert_eq!(decode(&[0xFF, 0xFF]), Err(BankFileError::Encoding));
    }
}
