/// Why a message was not delivered, split by what the outbox should do next.
///
/// `Transient` covers everything that is about the server or the connection rather than this
/// message: connection refused, timeouts, TLS failures, garbled replies and 4xx replies. The same
/// message may go through later. `Permanent` covers 5xx replies (unknown mailbox, rejected
/// content, failed authentication) and messages that cannot be built at all (a malformed
/// address): sending the same message again cannot succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("transient email failure, retry later: {0}")]
    Transient(String),
    #[error("permanent email failure, giving up: {0}")]
    Permanent(String),
}

impl EmailError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}
