//! Text messages to mainland mobile numbers through Aliyun SMS (阿里云短信) or Tencent Cloud SMS
//! (腾讯云短信), each behind [`SmsProvider`], plus a simulator for each provider's HTTP API.
//!
//! This module owns the wire protocols: request signing, the provider's answer and the sorting of
//! its error codes into "retry later" ([`SmsError::Throttled`], [`SmsError::Transport`]) and "will
//! never work" ([`SmsError::Rejected`]). It must never decide *whether* to retry or what a message
//! says: the notification outbox does that with [`SmsError::is_permanent`].

pub mod aliyun;
pub mod simulator;
pub mod tencent;

mod form;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use aliyun::{AliyunConfig, AliyunSms};
pub use tencent::{TencentConfig, TencentSms};

/// One text message for one person, by template (providers only deliver approved templates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// Mainland mobile number, 11 digits, without `+86`.
    pub phone: String,
    /// The approved signature shown as 【…】 in front of the text.
    pub sign_name: String,
    /// Aliyun `SMS_123456789`, Tencent a numeric template id.
    pub template_code: String,
    /// Ordered: Aliyun uses the names (`${name}`), Tencent only the order (`{1}`, `{2}`…).
    pub params: Vec<(String, String)>,
}

/// What the provider gave back for an accepted message: Aliyun `BizId`, Tencent `SerialNo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsReceipt {
    pub provider_message_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// The provider's rate limits: send again later.
    #[error("throttled by the SMS provider: {0}")]
    Throttled(String),
    /// The provider will never accept this message as it is: bad template, sign, number or keys.
    #[error("rejected by the SMS provider: {code}: {message}")]
    Rejected { code: String, message: String },
    /// Network failure, timeout, 5xx or a provider-side hiccup: send again later.
    #[error("SMS provider unreachable or failing: {0}")]
    Transport(String),
}

impl SmsError {
    /// True when retrying the same message cannot succeed.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SmsError::Rejected { .. })
    }

    fn rejected(code: impl Into<String>, message: impl Into<String>) -> Self {
        SmsError::Rejected { code: code.into(), message: message.into() }
    }
}

#[async_trait]
pub trait SmsProvider: Send + Sync {
    /// `"aliyun"` or `"tencent"`: stored with each delivery attempt.
    fn name(&self) -> &'static str;
    async fn send(&self, msg: &SmsMessage) -> Result<SmsReceipt, SmsError>;
}

/// The `Host` header reqwest will send for `url`: the port only when it is not the default.
fn host_header(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

fn transport_error(err: &reqwest::Error) -> SmsError {
    SmsError::Transport(crate::http::with_causes(err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rejections_are_permanent() {
        assert!(SmsError::rejected("isv.SMS_TEMPLATE_ILLEGAL", "x").is_permanent());
        assert!(!SmsError::Throttled("isv.BUSINESS_LIMIT_CONTROL".into()).is_permanent());
        assert!(!SmsError::Transport("connection refused".into()).is_permanent());
    }

    #[test]
    fn the_host_header_has_the_port_only_when_it_is_not_the_default() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert_eq!(host_header(&url("https://sms.tencentcloudapi.com")).unwrap(), "sms.tencentcloudapi.com");
        assert_eq!(host_header(&url("https://sms.tencentcloudapi.com:443/")).unwrap(), "sms.tencentcloudapi.com");
        assert_eq!(host_header(&url("http://127.0.0.1:40123")).unwrap(), "127.0.0.1:40123");
    }
}
