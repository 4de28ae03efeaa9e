//! Bank batch auto-debit (代扣): the debit request file Linli sends the bank (送盘), the return
//! file the bank hands back (回盘), matching one to the other, and a bank simulator.
//!
//! There is no national standard; each bank and acquirer has its own layout. This is the ONE
//! layout Linli writes and reads, in the shape most of them share (docs/bank-debit-files.md says
//! the same with an example). An adapter for a bank with another layout converts to this one.
//!
//! ```text
//! 送盘 (debit request)
//! H|batch_no|company_code|created_on|count|total_amount
//! D|seq|agreement_no|account_no|account_name|amount|currency|memo      ← 1 to 1000 lines
//! T|count|total_amount
//!
//! 回盘 (return)
//! H|batch_no|bank_code|processed_on|count|total|success_count|success_amount|fail_count|fail_amount
//! D|seq|agreement_no|account_no|amount|result|result_code|result_message|bank_serial
//! T|count|total
//! ```
//!
//! - Fields are separated by `|` and never contain `|`, a line break or another control
//!   character: such a value is refused, not escaped (banks do not unescape).
//! - Text is UTF-8; GBK/GB18030 is read too (banks often answer in GBK), and the simulator can
//!   write it. Lines end in LF (Linli writes LF, the last line included) or CRLF.
//! - Amounts are yuan with exactly two decimals, no sign (`88.88`); a line holds 0.01 to
//!   99999999.99. Inside Linli they are `i64` fen, converted exactly.
//! - Dates are `YYYYMMDD`. `count` is the number of D lines and `total` their sum; header and
//!   trailer must both agree with the details, and seq is unique within a file.
//! - batch_no: 1–32 of `A-Za-z0-9-_`; company_code, bank_code: 1–20 of `A-Za-z0-9`;
//!   agreement_no (协议号): 1–32 of `A-Za-z0-9-`; seq: 1–999999; account_no: 8–32 digits;
//!   account_name: 1–60 characters without outer spaces; memo: 0–60 characters; currency: `CNY`.
//! - 回盘 result is `S` (debited; result_code `0000`) or `F` (failed; result_code from
//!   [`FailureCode`], result_message in Chinese, at most 100 characters). bank_serial is 1–32 of
//!   `A-Za-z0-9`, and may be empty on an `F` line. success_count + fail_count = count.
//!
//! This module only reads and writes files and checks that a 回盘 answers its 送盘. It never
//! marks a bill paid: the caller does that for `S` outcomes only, once, keyed by batch and seq.

mod failure;
mod fields;
pub mod matching;
pub mod request;
pub mod response;
pub mod simulator;

pub use failure::FailureCode;
pub use failure::{SUCCESS_CODE, SUCCESS_MESSAGE};
pub use fields::{MAX_AMOUNT_FEN, MAX_LINES, MIN_AMOUNT_FEN, format_yuan, parse_yuan};
pub use matching::{Outcome, match_return};
pub use request::{AccountNo, DebitBatch, DebitLine, parse_batch, write_batch};
pub use response::{LineResult, ReturnFile, ReturnLine, ReturnSummary, parse_return, write_return};
pub use simulator::BankSimulator;

/// Why a file was refused, or why a 回盘 does not answer its 送盘. No variant carries an account
/// number or a name, so errors can be logged as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankFileError {
    #[error("the file is neither UTF-8 nor GBK/GB18030 text")]
    Encoding,
    /// A line of the file (1-based), when reading it or when it would be written.
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: Problem },
    #[error("the return file is for batch {found}, not {expected}")]
    OtherBatch { expected: String, found: String },
    #[error("return line seq {seq} answers no line of the request")]
    UnknownSeq { seq: u32 },
    #[error("request line seq {seq} has no result in the return file")]
    MissingResult { seq: u32 },
    #[error("return line seq {seq} appears more than once")]
    DuplicateResult { seq: u32 },
    /// A bank never changes the amount, agreement or account of a line.
    #[error("return line seq {seq}: {field} differs from the request")]
    Altered { seq: u32, field: &'static str },
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the file is empty")]
    Empty,
    #[error("expected a {expected} record")]
    Record { expected: &'static str },
    #[error("blank line before the end of the file")]
    BlankLine,
    #[error("{found} fields where a {record} record has {expected}")]
    FieldCount { record: &'static str, expected: usize, found: usize },
    #[error("{field} {rule}")]
    Field { field: &'static str, rule: &'static str },
    #[error("more than {max} detail lines")]
    TooManyLines { max: usize },
    #[error("no detail lines")]
    NoDetails,
    #[error("seq {seq} is already on line {first}")]
    DuplicateSeq { seq: u32, first: usize },
    #[error("{record} {what} is {stated} but the details make {actual}")]
    Mismatch { record: &'static str, what: &'static str, stated: String, actual: String },
    #[error("the file ends without a trailer")]
    MissingTrailer,
    #[error("text after the trailer")]
    AfterTrailer,
}

pub type Result<T, E = BankFileError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests;
