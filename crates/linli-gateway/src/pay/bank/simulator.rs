//! A stand-in bank: it reads a 送盘 and writes the 回盘 a bank would, with the failures a test or
//! the demo chooses. Pure (bytes in, bytes out): banks exchange these files over SFTP or
//! corporate online banking, not an API, so there is no server to run.

use std::collections::HashMap;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::fields::format_date;
use super::{DebitBatch, FailureCode, LineResult, Result, ReturnFile, ReturnLine, parse_batch, write_return};

/// Roughly how failures spread in a property office's monthly debit: mostly 余额不足, some mandates
/// gone stale.
const DEMO_MIX: [FailureCode; 10] = [
    FailureCode::InsufficientFunds,
    FailureCode::InsufficientFunds,
    FailureCode::NameMismatch,
    FailureCode::InsufficientFunds,
    FailureCode::AccountFrozen,
    FailureCode::InsufficientFunds,
    FailureCode::AccountClosed,
    FailureCode::InsufficientFunds,
    FailureCode::InvalidAgreement,
    FailureCode::OverLimit,
];

#[derive(Debug, Clone)]
pub struct BankSimulator {
    bank_code: String,
    failures: HashMap<String, FailureCode>,
    demo_every: Option<usize>,
    gbk: bool,
}

impl BankSimulator {
    /// A bank that debits every line; `bank_code` is written into the 回盘 header.
    pub fn new(bank_code: impl Into<String>) -> Self {
        BankSimulator { bank_code: bank_code.into(), failures: HashMap::new(), demo_every: None, gbk: false }
    }

    /// Fails every line of this agreement with `code`.
    pub fn fail(mut self, agreement_no: impl Into<String>, code: FailureCode) -> Self {
        self.failures.insert(agreement_no.into(), code);
        self
    }

    /// For the demo: fails every `every`-th line of a batch (by position) with a realistic mix of
    /// codes, mostly 余额不足. Failures chosen with [`Self::fail`] take precedence; 0 fails none.
    pub fn demo_failures(mut self, every: usize) -> Self {
        self.demo_every = (every > 0).then_some(every);
        self
    }

    /// Writes the 回盘 in GBK, as many banks do (GB18030 if a name has a character GBK lacks).
    pub fn gbk(mut self, on: bool) -> Self {
        self.gbk = on;
        self
    }

    /// The 回盘 for a 送盘. A 送盘 the bank cannot read is refused whole, with the parser's error,
    /// as a bank rejects a malformed file before debiting anything.
    pub fn process(&self, request: &[u8], processed_on: NaiveDate) -> Result<Vec<u8>> {
        let batch = parse_batch(request)?;
        let text = write_return(&self.answer(&batch, processed_on))?;
        if !self.gbk {
            return Ok(text.into_bytes());
        }
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
        if unmappable {
            return Ok(encoding_rs::GB18030.encode(&text).0.into_owned());
        }
        Ok(bytes.into_owned())
    }

    /// The answer as a value. Serials are deterministic: processing date, a hash of the bank code
    /// and batch number, and the seq, so the same 送盘 always gets the same 回盘.
    pub fn answer(&self, batch: &DebitBatch, processed_on: NaiveDate) -> ReturnFile {
        let digest = Sha256::digest(format!("{}|{}", self.bank_code, batch.batch_no));
        let batch_tag = hex::encode(&digest[..4]);
        let day = format_date(processed_on);
        let lines = batch
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let result = match self.failure(&line.agreement_no, index + 1) {
                    Some(code) => LineResult::Failed { message: code.message().to_owned(), code },
                    None => LineResult::Debited,
                };
                ReturnLine {
                    seq: line.seq,
                    agreement_no: line.agreement_no.clone(),
                    account_no: line.account_no.clone(),
                    amount_fen: line.amount_fen,
                    result,
                    bank_serial: format!("{day}{batch_tag}{:06}", line.seq),
                }
            })
            .collect();
        ReturnFile { batch_no: batch.batch_no.clone(), bank_code: self.bank_code.clone(), processed_on, lines }
    }

    fn failure(&self, agreement_no: &str, position: usize) -> Option<FailureCode> {
        if let Some(code) = self.failures.get(agreement_no) {
            return Some(code.clone());
        }
        let every = self.demo_every?;
        position.is_multiple_of(every).then(|| DEMO_MIX[(position / every - 1) % DEMO_MIX.len()].clone())
    }
}
