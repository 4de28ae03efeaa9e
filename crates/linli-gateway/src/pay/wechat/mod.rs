//! WeChat Pay API v3 (微信支付 APIv3) for a direct merchant (直连商户): Native (QR code) and JSAPI
//! orders, query, close, refunds, the daily trade bill and the payment and refund notifications,
//! plus a simulator that speaks the same protocol on 127.0.0.1.
//!
//! This module owns the wire protocol: request signatures, verification of every answer and
//! callback (an unsigned or badly signed one is never trusted), AEAD_AES_256_GCM, the JSON shapes
//! and the bill file. It never decides what a payment means to Linli: the caller checks the amount,
//! `mchid` and `appid` of a notification against its own order and records it idempotently.

pub mod aead;
pub mod client;
pub mod model;
pub mod notify;
pub mod sign;
pub mod simulator;
pub mod trade_bill;

pub use aead::ApiV3Key;
pub use client::{Clock, NonceSource, RandomNonce, SystemClock, WechatPayClient, WechatPayConfig};
pub use model::{NewOrder, NewRefund, Refund, RefundStatus, TradeRef, TradeState, Transaction};
pub use notify::{Notification, NotificationEvent};
pub use sign::PlatformKeys;

use crate::pay::rsa::RsaError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WechatPayError {
    /// Keys, URLs or ids in the configuration that cannot work.
    #[error("invalid WeChat Pay configuration: {0}")]
    Config(String),
    /// A value outside what WeChat Pay accepts, caught before sending.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("missing or unreadable header {0}")]
    MissingHeader(&'static str),
    #[error("the WeChat Pay signature does not verify")]
    BadSignature,
    /// Signing a request or the cashier's `paySign` failed: the system's random source (used by
    /// ring's RSA blinding) failed. Nothing was sent.
    #[error("RSA signing failed (system random source)")]
    Sign,
    #[error("timestamp {timestamp} is more than 300 s away from now ({now})")]
    StaleTimestamp { timestamp: i64, now: i64 },
    #[error("no platform certificate or public key with serial {0}")]
    UnknownSerial(String),
    #[error("AEAD_AES_256_GCM failed: {0}")]
    Decrypt(&'static str),
    /// WeChat Pay's error body `{code, message, detail}` with the HTTP status it came with.
    #[error("WeChat Pay answered HTTP {status}: {code}: {message}")]
    Provider { status: u16, code: String, message: String, detail: Option<serde_json::Value> },
    /// A signed answer or a notification whose content is not what the protocol says.
    #[error("unexpected answer from WeChat Pay: {0}")]
    Malformed(String),
    #[error("the bill's SHA1 is {actual} where WeChat Pay announced {expected}")]
    BillHash { expected: String, actual: String },
    /// Network failure or timeout: the same request may be sent again.
    #[error("WeChat Pay unreachable: {0}")]
    Transport(String),
}

impl WechatPayError {
    /// True when sending the same request again may succeed (WeChat asks to retry
    /// `SYSTEM_ERROR` with the same parameters).
    pub fn is_retryable(&self) -> bool {
        match self {
            WechatPayError::Transport(_) => true,
            WechatPayError::Provider { status, code, .. } => *status >= 500 || code == "SYSTEM_ERROR",
            _ => false,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        WechatPayError::Invalid { field, reason: reason.into() }
    }
}

/// A key that cannot be read is configuration; a signature that cannot be made is [`WechatPayError::Sign`].
impl From<RsaError> for WechatPayError {
    fn from(err: RsaError) -> Self {
        match err {
            RsaError::Sign => WechatPayError::Sign,
            other => WechatPayError::Config(other.to_string()),
        }
    }
}
