//! A resident binds their account to the houses they own: they name the owner's phone number,
//! a one-time code goes to that phone, and entering it links the account to the owner's record
//! and grants the `resident` role on the project. Codes are stored hashed, expire after ten
//! minutes and allow five tries.
//!
//! Nothing in the answers may tell whether a phone is an owner's: every request stores a code
//! (only an owner's phone is texted it), and requests and confirmations count against the same
//! limits, per account, per phone and per account and phone, whoever owns the phone.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use linli_core::Id;
use linli_core::throttle::Limit;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const CODE_MINUTES: i64 = 10;
pub const MAX_TRIES: i32 = 5;
/// A new code for the same phone at most once a minute, whoever asks: the owner is texted at
/// most once per minute.
pub const RESEND_SECONDS: i64 = 60;
const HOUR: i64 = 3600;

/// Code requests: one a minute per phone (across accounts), three an hour per account and phone,
/// five an hour per account (across phones).
pub const REQUESTS_PER_PHONE: Limit = Limit::new("binding.request.phone", 1, RESEND_SECONDS);
pub const REQUESTS_PER_ACCOUNT_PHONE: Limit = Limit::new("binding.request.account_phone", 3, HOUR);
pub const REQUESTS_PER_ACCOUNT: Limit = Limit::new("binding.request.account", 5, HOUR);
/// Confirmations: five an hour per account and phone, ten an hour per account (across phones)
/// and twenty an hour per phone (across accounts).
pub const CONFIRMS_PER_ACCOUNT_PHONE: Limit = Limit::new("binding.confirm.account_phone", 5, HOUR);
pub const CONFIRMS_PER_ACCOUNT: Limit = Limit::new("binding.confirm.account", 10, HOUR);
pub const CONFIRMS_PER_PHONE: Limit = Limit::new("binding.confirm.phone", 20, HOUR);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct BindingRequest {
    /// The owner's phone number as the property office has it.
    #[schema(pattern = "^[0-9]{7,15}$")]
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct BindingConfirm {
    #[schema(pattern = "^[0-9]{7,15}$")]
    pub phone: String,
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodeSent {
    /// Said whether or not the phone belongs to an owner, so the answer reveals nothing.
    pub expires_at: DateTime<Utc>,
}

/// A stored code.
#[derive(Debug, Clone)]
pub struct BindingCode {
    pub id: Id,
    pub code_hash: String,
    pub tries: i32,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub used: bool,
}

/// Six digits from the OS random source.
pub fn new_code() -> String {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("OS random source");
    format!("{:06}", u32::from_le_bytes(b) % 1_000_000)
}

/// Bound to the user and phone, so a code cannot be replayed by another account.
pub fn code_hash(user_id: Id, phone: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{user_id}:{phone}:{}", code.trim()).as_bytes()))
}

pub fn expires(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::minutes(CODE_MINUTES)
}

/// Where one-time codes go. The notification module brings real SMS; until then the demo
/// sender writes them to the log and keeps the last ones for the console and tests.
pub trait CodeSender: Send + Sync {
    fn send(&self, phone: &str, text: &str);

    /// Sends a binding code. By default the text of [`message`]; an SMS provider sends its
    /// approved template with the code as a parameter instead.
    fn send_code(&self, phone: &str, code: &str) {
        self.send(phone, &message(code));
    }
}

/// The demo sender every instance in this process shares.
pub fn demo_sender() -> &'static LogSender {
    static SENDER: std::sync::OnceLock<LogSender> = std::sync::OnceLock::new();
    SENDER.get_or_init(LogSender::default)
}

#[derive(Default)]
pub struct LogSender {
    sent: Mutex<Vec<(String, String)>>,
}

impl LogSender {
    /// The newest message sent to a phone.
    pub fn last_to(&self, phone: &str) -> Option<String> {
        let sent = self.sent.lock().ok()?;
        sent.iter().rev().find(|(p, _)| p == phone).map(|(_, t)| t.clone())
    }

    /// How many messages went to a phone (of the last 200 kept).
    pub fn count_to(&self, phone: &str) -> usize {
        self.sent.lock().map_or(0, |sent| sent.iter().filter(|(p, _)| p == phone).count())
    }
}

impl CodeSender for LogSender {
    fn send(&self, phone: &str, text: &str) {
        tracing::info!(phone, text, "demo SMS sender");
        if let Ok(mut sent) = self.sent.lock() {
            sent.push((phone.to_string(), text.to_string()));
            let excess = sent.len().saturating_sub(200);
            sent.drain(..excess);
        }
    }
}

/// The demo sender as a `CodeSender` value.
pub struct DemoSender;

impl CodeSender for DemoSender {
    fn send(&self, phone: &str, text: &str) {
        demo_sender().send(phone, text);
    }
}

/// The text of the SMS.
pub fn message(code: &str) -> String {
    format!("【邻里】您正在绑定房屋，验证码 {code}，{CODE_MINUTES} 分钟内有效。如非本人操作请忽略。")
}

/// Whether a stored code accepts `code` now.
pub fn accepts(stored: &BindingCode, user_id: Id, phone: &str, code: &str, now: DateTime<Utc>) -> bool {
    !stored.used
        && stored.tries < MAX_TRIES
        && now < stored.expires_at
        && stored.code_hash == code_hash(user_id, phone, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(code: &str, now: DateTime<Utc>) -> BindingCode {
        BindingCode {
            id: 1,
            code_hash: code_hash(7, "13800001111", code),
            tries: 0,
            expires_at: expires(now),
            created_at: now,
            used: false,
        }
    }

    #[test]
    fn a_code_works_for_its_user_and_phone_until_it_expires_or_is_used() {
        let now = Utc::now();
        let c = stored("123456", now);
        assert!(accepts(&c, 7, "13800001111", " 123456 ", now));
        assert!(!accepts(&c, 8, "13800001111", "123456", now), "another account");
        assert!(!accepts(&c, 7, "13800002222", "123456", now), "another phone");
        assert!(!accepts(&c, 7, "13800001111", "654321", now));
        assert!(!accepts(&c, 7, "13800001111", "123456", now + Duration::minutes(CODE_MINUTES)));
        assert!(!accepts(&BindingCode { used: true, ..c.clone() }, 7, "13800001111", "123456", now));
        assert!(!accepts(&BindingCode { tries: MAX_TRIES, ..c }, 7, "13800001111", "123456", now));
        assert_eq!(new_code().len(), 6);
    }
}
