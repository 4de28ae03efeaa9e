//! The 送盘: the debit request file Linli sends the bank, one line per debit (layout in the
//! module doc of [`super`]).

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;

use super::fields::{self, Record, Records};
use super::{BankFileError, MAX_LINES, Problem, Result};

/// A bank account number: digits only, printed masked by `Debug` (`****1234`) and never by
/// `Display`, so it stays out of logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccountNo(String);

impl AccountNo {
    /// Checked when the file is written: 8–32 digits.
    pub fn new(value: impl Into<String>) -> Self {
        AccountNo(value.into())
    }

    /// The number itself, for the file and for the bank.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccountNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = self.0.len().checked_sub(4).filter(|_| self.0.len() >= 8).and_then(|at| self.0.get(at..));
        match tail {
            Some(tail) => write!(f, "****{tail}"),
            None => f.write_str("***"),
        }
    }
}

/// One 送盘: a batch of debits for one company code on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebitBatch {
    /// Linli's number for the batch; the 回盘 quotes it.
    pub batch_no: String,
    /// The company code (企业代码) the bank gave Linli's collecting account.
    pub company_code: String,
    pub created_on: NaiveDate,
    pub lines: Vec<DebitLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebitLine {
    /// Unique within the batch; the 回盘 answers by it.
    pub seq: u32,
    /// The mandate's 协议号.
    pub agreement_no: String,
    pub account_no: AccountNo,
    /// The account holder's name, as on the mandate.
    pub account_name: String,
    pub amount_fen: i64,
    /// Free text the bank may print on the owner's statement, e.g. the bill month.
    pub memo: String,
}

impl DebitBatch {
    pub fn total_fen(&self) -> i64 {
        self.lines.iter().map(|line| line.amount_fen).sum()
    }
}

/// The 送盘 as text, LF line ends. Refuses, with the line it would be on, any value the parser
/// would refuse.
pub fn write_batch(batch: &DebitBatch) -> Result<String> {
    let header_count = check_lines(batch.lines.len())?;
    let total = fields::format_yuan(batch.total_fen());
    let header = [
        "H".to_owned(),
        check(1, "batch_no", fields::batch_no(&batch.batch_no))?,
        check(1, "company_code", fields::party_code(&batch.company_code))?,
        fields::format_date(batch.created_on),
        header_count.clone(),
        total.clone(),
    ];
    let mut out = header.join("|");
    out.push('\n');
    let mut seen = HashMap::new();
    for (index, line) in batch.lines.iter().enumerate() {
        let at = index + 2;
        let seq = line.seq.to_string();
        check(at, "seq", fields::seq(&seq))?;
        if let Some(first) = seen.insert(line.seq, at) {
            return Err(BankFileError::Line { line: at, problem: Problem::DuplicateSeq { seq: line.seq, first } });
        }
        let amount = fields::format_yuan(line.amount_fen);
        check(at, "amount", fields::amount(&amount))?;
        let detail = [
            "D",
            &seq,
            &check(at, "agreement_no", fields::agreement_no(&line.agreement_no))?,
            &check(at, "account_no", fields::account_no(line.account_no.expose()))?,
            &check(at, "account_name", fields::account_name(&line.account_name))?,
            &amount,
            "CNY",
            &check(at, "memo", fields::memo(&line.memo))?,
        ];
        out.push_str(&detail.join("|"));
        out.push('\n');
    }
    out.push_str(&["T", &header_count, &total].join("|"));
    out.push('\n');
    Ok(out)
}

/// Reads a 送盘 (UTF-8 or GBK), checking every field, seq uniqueness, and the header's and
/// trailer's count and total against the details.
pub fn parse_batch(bytes: &[u8]) -> Result<DebitBatch> {
    let text = fields::decode(bytes)?;
    let mut records = Records::new(&text);
    let header = records.next_record()?.ok_or(BankFileError::Line { line: 1, problem: Problem::Empty })?;
    if header.kind() != "H" {
        return Err(header.problem(Problem::Record { expected: "H" }));
    }
    header.expect_fields("header", 6)?;
    let batch_no = header.field(1, "batch_no", fields::batch_no)?;
    let company_code = header.field(2, "company_code", fields::party_code)?;
    let created_on = header.field(3, "created_on", fields::date)?;
    let stated_count = header.field(4, "count", fields::count)?;
    let stated_total = header.field(5, "total_amount", fields::total)?;

    let mut lines = Vec::new();
    let mut seen = HashMap::new();
    let mut last_line = header.line;
    let trailer = loop {
        let Some(record) = records.next_record()? else {
            return Err(BankFileError::Line { line: last_line, problem: Problem::MissingTrailer });
        };
        last_line = record.line;
        match record.kind() {
            "D" if lines.len() == MAX_LINES => {
                return Err(record.problem(Problem::TooManyLines { max: MAX_LINES }));
            }
            "D" => {
                let line = parse_detail(&record)?;
                if let Some(first) = seen.insert(line.seq, record.line) {
                    return Err(record.problem(Problem::DuplicateSeq { seq: line.seq, first }));
                }
                lines.push(line);
            }
            "T" => break record,
            _ => return Err(record.problem(Problem::Record { expected: "D or T" })),
        }
    };
    trailer.expect_fields("trailer", 3)?;
    let trailer_count = trailer.field(1, "count", fields::count)?;
    let trailer_total = trailer.field(2, "total_amount", fields::total)?;
    if let Some(extra) = records.next_record()? {
        return Err(extra.problem(Problem::AfterTrailer));
    }
    if lines.is_empty() {
        return Err(trailer.problem(Problem::NoDetails));
    }

    let batch = DebitBatch { batch_no, company_code, created_on, lines };
    let (count, total) = (batch.lines.len(), batch.total_fen());
    for (record, name, stated_count, stated_total) in
        [(&header, "header", stated_count, stated_total), (&trailer, "trailer", trailer_count, trailer_total)]
    {
        agree_count(record, name, "count", stated_count, count)?;
        agree_amount(record, name, "total_amount", stated_total, total)?;
    }
    Ok(batch)
}

fn parse_detail(record: &Record<'_>) -> Result<DebitLine> {
    record.expect_fields("detail", 8)?;
    let line = DebitLine {
        seq: record.field(1, "seq", fields::seq)?,
        agreement_no: record.field(2, "agreement_no", fields::agreement_no)?,
        account_no: AccountNo(record.field(3, "account_no", fields::account_no)?),
        account_name: record.field(4, "account_name", fields::account_name)?,
        amount_fen: record.field(5, "amount", fields::amount)?,
        memo: record.field(7, "memo", fields::memo)?,
    };
    record.field(6, "currency", fields::currency)?;
    Ok(line)
}

/// The count as the header writes it, or why a batch of `len` lines cannot be written.
pub(super) fn check_lines(len: usize) -> Result<String> {
    let problem = match len {
        0 => Problem::NoDetails,
        n if n > MAX_LINES => Problem::TooManyLines { max: MAX_LINES },
        n => return Ok(n.to_string()),
    };
    Err(BankFileError::Line { line: 1, problem })
}

pub(super) fn check<T>(line: usize, field: &'static str, result: Result<T, &'static str>) -> Result<T> {
    result.map_err(|rule| BankFileError::Line { line, problem: Problem::Field { field, rule } })
}

pub(super) fn agree_count(
    record: &Record<'_>,
    name: &'static str,
    what: &'static str,
    stated: usize,
    actual: usize,
) -> Result<()> {
    if stated == actual {
        return Ok(());
    }
    Err(record.problem(Problem::Mismatch {
        record: name,
        what,
        stated: stated.to_string(),
        actual: actual.to_string(),
    }))
}

pub(super) fn agree_amount(
    record: &Record<'_>,
    name: &'static str,
    what: &'static str,
    stated: i64,
    actual: i64,
) -> Result<()> {
    if stated == actual {
        return Ok(());
    }
    let (stated, actual) = (fields::format_yuan(stated), fields::format_yuan(actual));
    Err(record.problem(Problem::Mismatch { record: name, what, stated, actual }))
}
