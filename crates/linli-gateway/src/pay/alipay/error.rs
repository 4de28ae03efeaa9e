use crate::pay::rsa::RsaError;

/// Everything that can go wrong talking to Alipay, sorted so the caller knows what to do next:
/// fix the request or the configuration, retry later with the same parameters
/// ([`AlipayError::is_retryable`]), or distrust the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlipayError {
    /// The request breaks one of Alipay's documented limits; it was not sent.
    #[error("invalid {field}: {reason}")]
    InvalidRequest { field: &'static str, reason: String },
    /// A key in the configuration cannot be read, or signing failed.
    #[error("Alipay key: {0}")]
    Key(#[from] RsaError),
    /// An answer or a notification whose signature is not Alipay's: forged or altered.
    #[error("the signature is not Alipay's")]
    BadSignature,
    /// A success answer or a notification without a signature, which Alipay never sends.
    #[error("the message carries no signature")]
    MissingSignature,
    /// A correctly signed notification for another app or seller: not ours to act on.
    #[error("not for this merchant: {field} is {found:?}")]
    NotOurs { field: &'static str, found: String },
    /// Alipay refused: `code` `40004` with an `ACQ.*` `sub_code` for business errors, `40002`
    /// `isv.*` for a bad request (signature, app id), `20000` `isp.*` for its own failures.
    #[error("Alipay answered {code} {msg}: {sub_code} {sub_msg}")]
    Provider { code: String, msg: String, sub_code: String, sub_msg: String },
    /// An answer, notification or bill that does not read as Alipay's format.
    #[error("malformed Alipay message: {0}")]
    Malformed(String),
    /// Network failure, timeout or an HTTP error status.
    #[error("Alipay unreachable or failing: {0}")]
    Transport(String),
}

impl AlipayError {
    /// True when sending the same request again later may succeed: network trouble, Alipay's own
    /// failures (`20000`, `isp.*`, `ACQ.SYSTEM_ERROR`). Alipay's idempotency keys
    /// (`out_trade_no`, `out_request_no`) make such a retry safe.
    pub fn is_retryable(&self) -> bool {
        match self {
            AlipayError::Transport(_) => true,
            AlipayError::Provider { code, sub_code, .. } => {
                code == "20000" || sub_code.starts_with("isp.") || sub_code == "ACQ.SYSTEM_ERROR"
            }
            _ => false,
        }
    }

    /// The provider's `sub_code` (`ACQ.TRADE_NOT_EXIST`, `isv.invalid-signature`…), if any.
    pub fn sub_code(&self) -> Option<&str> {
        match self {
            AlipayError::Provider { sub_code, .. } => Some(sub_code),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        AlipayError::InvalidRequest { field, reason: reason.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(code: &str, sub_code: &str) -> AlipayError {
        AlipayError::Provider {
            code: code.to_owned(),
            msg: String::new(),
            sub_code: sub_code.to_owned(),
            sub_msg: String::new(),
        }
    }

    #[test]
    fn only_network_trouble_and_alipays_own_failures_are_retried() {
        assert!(AlipayError::Transport("timeout".into()).is_retryable());
        assert!(provider("20000", "isp.unknow-error").is_retryable());
        assert!(provider("40004", "ACQ.SYSTEM_ERROR").is_retryable());
        assert!(!provider("40004", "ACQ.TRADE_NOT_EXIST").is_retryable());
        assert!(!provider("40002", "isv.invalid-signature").is_retryable());
        assert!(!AlipayError::BadSignature.is_retryable());
        assert_eq!(provider("40004", "ACQ.TRADE_HAS_SUCCESS").sub_code(), Some("ACQ.TRADE_HAS_SUCCESS"));
    }
}
