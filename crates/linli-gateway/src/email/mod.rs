//! Email over SMTP. [`SmtpMailer::send`] turns one rendered [`Email`] into a MIME message (text and
//! HTML alternatives, UTF-8 subject and names, a Message-ID, List-Unsubscribe) and hands it to the
//! configured SMTP server. It owns the delivery of one message and nothing else: templates,
//! retries and delivery state belong to the notify outbox, which decides from [`EmailError`]
//! whether to try again.

mod error;
mod message;
mod smtp;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::EmailError;
pub use message::Email;
pub use smtp::{SmtpConfig, SmtpMailer, SmtpSecurity};
