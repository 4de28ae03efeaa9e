//! The reasons a bank refuses a debit line, with the Chinese wording banks print. The four-digit
//! codes are Linli's layout's own: an adapter for a real bank maps that bank's codes onto these
//! and keeps any other as [`FailureCode::Other`].

/// `result_code` of a successful 回盘 line.
pub const SUCCESS_CODE: &str = "0000";
/// `result_message` the simulator writes on a successful line.
pub const SUCCESS_MESSAGE: &str = "交易成功";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FailureCode {
    /// 1001 余额不足.
    InsufficientFunds,
    /// 1002 账户冻结 (judicial or risk freeze).
    AccountFrozen,
    /// 1003 户名不符: the name on the mandate is not the account holder's.
    NameMismatch,
    /// 1004 账户不存在或已销户.
    AccountClosed,
    /// 1005 协议无效: no such agreement, or the owner revoked it.
    InvalidAgreement,
    /// 1006 超过限额: the mandate's per-debit or the account's daily limit.
    OverLimit,
    /// Any other code a bank returns, kept as written (1–10 ASCII letters or digits).
    Other(String),
}

impl FailureCode {
    pub const ALL: [FailureCode; 6] = [
        FailureCode::InsufficientFunds,
        FailureCode::AccountFrozen,
        FailureCode::NameMismatch,
        FailureCode::AccountClosed,
        FailureCode::InvalidAgreement,
        FailureCode::OverLimit,
    ];

    pub fn code(&self) -> &str {
        match self {
            FailureCode::InsufficientFunds => "1001",
            FailureCode::AccountFrozen => "1002",
            FailureCode::NameMismatch => "1003",
            FailureCode::AccountClosed => "1004",
            FailureCode::InvalidAgreement => "1005",
            FailureCode::OverLimit => "1006",
            FailureCode::Other(code) => code,
        }
    }

    pub fn from_code(code: &str) -> Self {
        Self::ALL.into_iter().find(|known| known.code() == code).unwrap_or_else(|| FailureCode::Other(code.to_owned()))
    }

    /// The message a bank prints for the code.
    pub fn message(&self) -> &'static str {
        match self {
            FailureCode::InsufficientFunds => "余额不足",
            FailureCode::AccountFrozen => "账户冻结",
            FailureCode::NameMismatch => "户名不符",
            FailureCode::AccountClosed => "账户不存在或已销户",
            FailureCode::InvalidAgreement => "协议无效",
            FailureCode::OverLimit => "超过限额",
            FailureCode::Other(_) => "其他错误",
        }
    }

    /// True when debiting the same line again later in the month may succeed; otherwise the owner
    /// must fix the mandate or pay through another channel.
    pub fn is_retryable(&self) -> bool {
        matches!(self, FailureCode::InsufficientFunds | FailureCode::OverLimit | FailureCode::AccountFrozen)
    }

    /// Whether the code can stand in a 回盘: not the success code, 1–10 ASCII letters or digits.
    pub(crate) fn is_valid(code: &str) -> bool {
        code != SUCCESS_CODE && !code.is_empty() && code.len() <= 10 && code.bytes().all(|b| b.is_ascii_alphanumeric())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_reads_back_as_itself_and_unknown_ones_are_kept() {
        for code in FailureCode::ALL {
            assert_eq!(FailureCode::from_code(code.code()), code);
            assert!(FailureCode::is_valid(code.code()));
        }
        assert_eq!(FailureCode::from_code("51"), FailureCode::Other("51".into()));
        assert!(!FailureCode::is_valid(SUCCESS_CODE));
    }
}
