//! Pairing a 回盘 with the 送盘 it answers. A bank answers every line and never changes a line's
//! amount, agreement or account; a 回盘 that does is refused whole rather than half-applied.

use std::collections::HashMap;

use super::{BankFileError, DebitBatch, DebitLine, LineResult, Result, ReturnFile};

/// One request line with the bank's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub line: DebitLine,
    pub result: LineResult,
    pub bank_serial: String,
}

impl Outcome {
    pub fn is_debited(&self) -> bool {
        self.result == LineResult::Debited
    }
}

/// The outcome of every request line, in the request's order; an error if the 回盘 is for another
/// batch, answers a seq the request lacks or twice, leaves a request line unanswered, or changes
/// a line's agreement, account or amount.
pub fn match_return(batch: &DebitBatch, returned: &ReturnFile) -> Result<Vec<Outcome>> {
    if returned.batch_no != batch.batch_no {
        return Err(BankFileError::OtherBatch { expected: batch.batch_no.clone(), found: returned.batch_no.clone() });
    }
    let requested: HashMap<u32, &DebitLine> = batch.lines.iter().map(|line| (line.seq, line)).collect();
    let mut answers = HashMap::with_capacity(returned.lines.len());
    for answer in &returned.lines {
        let seq = answer.seq;
        let Some(request) = requested.get(&seq) else { return Err(BankFileError::UnknownSeq { seq }) };
        let altered = if answer.agreement_no != request.agreement_no {
            Some("agreement_no")
        } else if answer.account_no != request.account_no {
            Some("account_no")
        } else if answer.amount_fen != request.amount_fen {
            Some("amount")
        } else {
            None
        };
        if let Some(field) = altered {
            return Err(BankFileError::Altered { seq, field });
        }
        if answers.insert(seq, answer).is_some() {
            return Err(BankFileError::DuplicateResult { seq });
        }
    }
    batch
        .lines
        .iter()
        .map(|line| {
            let answer = answers.get(&line.seq).ok_or(BankFileError::MissingResult { seq: line.seq })?;
            Ok(Outcome { line: line.clone(), result: answer.result.clone(), bank_serial: answer.bank_serial.clone() })
        })
        .collect()
}
