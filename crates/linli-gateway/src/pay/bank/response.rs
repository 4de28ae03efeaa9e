//! The 回盘: the bank's answer to one 送盘, one result per line (layout in the module doc of
//! [`super`]).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::failure::{SUCCESS_CODE, SUCCESS_MESSAGE};
use super::fields::{self, Record, Records};
use super::request::{agree_amount, agree_count, check, check_lines};
use super::{AccountNo, BankFileError, FailureCode, MAX_LINES, Problem, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFile {
    /// The 送盘's batch number this answers.
    pub batch_no: String,
    /// The bank's code (e.g. its clearing code), as it writes it.
    pub bank_code: String,
    pub processed_on: NaiveDate,
    pub lines: Vec<ReturnLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    /// The request line's seq.
    pub seq: u32,
    pub agreement_no: String,
    pub account_no: AccountNo,
    pub amount_fen: i64,
    pub result: LineResult,
    /// 银行流水号; may be empty on a failed line.
    pub bank_serial: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineResult {
    /// `S`: the amount left the owner's account.
    Debited,
    /// `F`: nothing was debited.
    Failed { code: FailureCode, message: String },
}

/// The header's summary of a 回盘.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReturnSummary {
    pub count: usize,
    pub total_fen: i64,
    pub success_count: usize,
    pub success_fen: i64,
    pub fail_count: usize,
    pub fail_fen: i64,
}

impl ReturnFile {
    pub fn summary(&self) -> ReturnSummary {
        let mut sum = ReturnSummary::default();
        for line in &self.lines {
            sum.count += 1;
            sum.total_fen += line.amount_fen;
            if line.result == LineResult::Debited {
                sum.success_count += 1;
                sum.success_fen += line.amount_fen;
            } else {
                sum.fail_count += 1;
                sum.fail_fen += line.amount_fen;
            }
        }
        sum
    }
}

/// The 回盘 as text, LF line ends; refuses any value [`parse_return`] would refuse.
pub fn write_return(file: &ReturnFile) -> Result<String> {
    let count = check_lines(file.lines.len())?;
    let sum = file.summary();
    let header = [
        "H".to_owned(),
        check(1, "batch_no", fields::batch_no(&file.batch_no))?,
        check(1, "bank_code", fields::party_code(&file.bank_code))?,
        fields::format_date(file.processed_on),
        count.clone(),
        fields::format_yuan(sum.total_fen),
        sum.success_count.to_string(),
        fields::format_yuan(sum.success_fen),
        sum.fail_count.to_string(),
        fields::format_yuan(sum.fail_fen),
    ];
    let mut out = header.join("|");
    out.push('\n');
    let mut seen = HashMap::new();
    for (index, line) in file.lines.iter().enumerate() {
        let at = index + 2;
        let seq = line.seq.to_string();
        check(at, "seq", fields::seq(&seq))?;
        if let Some(first) = seen.insert(line.seq, at) {
            return Err(BankFileError::Line { line: at, problem: Problem::DuplicateSeq { seq: line.seq, first } });
        }
        let amount = fields::format_yuan(line.amount_fen);
        check(at, "amount", fields::amount(&amount))?;
        let (result, code, message) = match &line.result {
            LineResult::Debited => {
                if line.bank_serial.is_empty() {
                    return Err(serial_required(at));
                }
                ("S", SUCCESS_CODE, SUCCESS_MESSAGE)
            }
            LineResult::Failed { code, message } => {
                if !FailureCode::is_valid(code.code()) {
                    return Err(BankFileError::Line { line: at, problem: bad_code() });
                }
                ("F", code.code(), message.as_str())
            }
        };
        let detail = [
            "D",
            &seq,
            &check(at, "agreement_no", fields::agreement_no(&line.agreement_no))?,
            &check(at, "account_no", fields::account_no(line.account_no.expose()))?,
            &amount,
            result,
            code,
            &check(at, "result_message", fields::message(message))?,
            &check(at, "bank_serial", fields::bank_serial(&line.bank_serial))?,
        ];
        out.push_str(&detail.join("|"));
        out.push('\n');
    }
    out.push_str(&["T", &count, &fields::format_yuan(sum.total_fen)].join("|"));
    out.push('\n');
    Ok(out)
}

/// Reads a 回盘 (UTF-8 or GBK), checking every field, seq uniqueness, and the header's counts and
/// amounts (all, success, fail) and the trailer's against the details.
pub fn parse_return(bytes: &[u8]) -> Result<ReturnFile> {
    let text = fields::decode(bytes)?;
    let mut records = Records::new(&text);
    let header = records.next_record()?.ok_or(BankFileError::Line { line: 1, problem: Problem::Empty })?;
    if header.kind() != "H" {
        return Err(header.problem(Problem::Record { expected: "H" }));
    }
    header.expect_fields("header", 10)?;
    let batch_no = header.field(1, "batch_no", fields::batch_no)?;
    let bank_code = header.field(2, "bank_code", fields::party_code)?;
    let processed_on = header.field(3, "processed_on", fields::date)?;
    let stated = ReturnSummary {
        count: header.field(4, "count", fields::count)?,
        total_fen: header.field(5, "total", fields::total)?,
        success_count: header.field(6, "success_count", fields::count)?,
        success_fen: header.field(7, "success_amount", fields::total)?,
        fail_count: header.field(8, "fail_count", fields::count)?,
        fail_fen: header.field(9, "fail_amount", fields::total)?,
    };

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
    let trailer_total = trailer.field(2, "total", fields::total)?;
    if let Some(extra) = records.next_record()? {
        return Err(extra.problem(Problem::AfterTrailer));
    }
    if lines.is_empty() {
        return Err(trailer.problem(Problem::NoDetails));
    }

    let file = ReturnFile { batch_no, bank_code, processed_on, lines };
    let actual = file.summary();
    agree_count(&header, "header", "count", stated.count, actual.count)?;
    agree_amount(&header, "header", "total", stated.total_fen, actual.total_fen)?;
    agree_count(&header, "header", "success_count", stated.success_count, actual.success_count)?;
    agree_amount(&header, "header", "success_amount", stated.success_fen, actual.success_fen)?;
    agree_count(&header, "header", "fail_count", stated.fail_count, actual.fail_count)?;
    agree_amount(&header, "header", "fail_amount", stated.fail_fen, actual.fail_fen)?;
    agree_count(&trailer, "trailer", "count", trailer_count, actual.count)?;
    agree_amount(&trailer, "trailer", "total", trailer_total, actual.total_fen)?;
    Ok(file)
}

fn parse_detail(record: &Record<'_>) -> Result<ReturnLine> {
    record.expect_fields("detail", 9)?;
    let seq = record.field(1, "seq", fields::seq)?;
    let agreement_no = record.field(2, "agreement_no", fields::agreement_no)?;
    let account_no = AccountNo::new(record.field(3, "account_no", fields::account_no)?);
    let amount_fen = record.field(4, "amount", fields::amount)?;
    let code = record.fields.get(6).copied().unwrap_or("");
    let message = record.field(7, "result_message", fields::message)?;
    let bank_serial = record.field(8, "bank_serial", fields::bank_serial)?;
    let result = match record.fields.get(5).copied() {
        Some("S") if code != SUCCESS_CODE => {
            return Err(record.problem(Problem::Field { field: "result_code", rule: "must be 0000 on an S line" }));
        }
        // The bank's wording of success (成功, 交易成功, 扣款成功) carries nothing more.
        Some("S") if bank_serial.is_empty() => return Err(serial_required(record.line)),
        Some("S") => LineResult::Debited,
        Some("F") if !FailureCode::is_valid(code) => return Err(record.problem(bad_code())),
        Some("F") => LineResult::Failed { code: FailureCode::from_code(code), message },
        _ => return Err(record.problem(Problem::Field { field: "result", rule: "must be S or F" })),
    };
    Ok(ReturnLine { seq, agreement_no, account_no, amount_fen, result, bank_serial })
}

fn bad_code() -> Problem {
    Problem::Field { field: "result_code", rule: "must be 1-10 ASCII letters or digits other than 0000 on an F line" }
}

fn serial_required(line: usize) -> BankFileError {
    BankFileError::Line {
        line,
        problem: Problem::Field { field: "bank_serial", rule: "must not be empty on an S line" },
    }
}
