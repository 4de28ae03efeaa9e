//! Local stand-ins for Aliyun's and Tencent's SMS APIs: real HTTP servers on 127.0.0.1 that read
//! a request as the provider does, verify its signature with the configured secret, check the
//! timestamp window, apply per-number rate limits and answer in the provider's format and codes.
//! Accepted messages are rendered from a template table and kept, in order, in a [`SentLog`]
//! that the demo shows as the phone's inbox.
//!
//! Magic template codes: [`THROTTLE_TEMPLATES`] are always throttled; a code missing from the
//! table is the provider's "bad template" answer.

mod aliyun;
mod tencent;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{Mutex, broadcast, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use aliyun::start_aliyun;
pub use tencent::start_tencent;

/// Template codes the simulators always answer with the provider's rate-limit error.
pub const THROTTLE_TEMPLATES: [&str; 2] = ["SMS_THROTTLE_TEST", "THROTTLE"];

/// What one simulator accepts. Built with [`SimulatorConfig::aliyun`] or [`SimulatorConfig::tencent`].
#[derive(Clone)]
pub struct SimulatorConfig {
    /// `127.0.0.1:0` by default: a free port, reported in [`SimulatorHandle::base_url`].
    pub bind: SocketAddr,
    /// Aliyun AccessKeyId / Tencent SecretId.
    pub key_id: String,
    /// Aliyun AccessKeySecret / Tencent SecretKey.
    pub secret: String,
    /// Tencent SmsSdkAppId; Aliyun has none and ignores it.
    pub sms_sdk_app_id: String,
    /// Approved templates: code → text. Aliyun texts name their variables `${name}`, Tencent's
    /// number them `{1}`, `{2}`…
    pub templates: BTreeMap<String, String>,
    /// Approved signs; empty accepts any non-empty sign.
    pub sign_names: BTreeSet<String>,
    /// Messages one number may receive in any 60 seconds before the provider's rate limit.
    pub max_per_phone_per_minute: usize,
    /// How far a request's timestamp may be from the simulator's clock: Aliyun 15 minutes,
    /// Tencent 5 minutes, as the providers document.
    pub timestamp_window: Duration,
}

impl SimulatorConfig {
    pub fn aliyun(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Self::base(access_key_id.into(), access_key_secret.into(), String::new(), Duration::from_mins(15))
    }

    pub fn tencent(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        sms_sdk_app_id: impl Into<String>,
    ) -> Self {
        Self::base(secret_id.into(), secret_key.into(), sms_sdk_app_id.into(), Duration::from_mins(5))
    }

    fn base(key_id: String, secret: String, sms_sdk_app_id: String, timestamp_window: Duration) -> Self {
        SimulatorConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            key_id,
            secret,
            sms_sdk_app_id,
            templates: BTreeMap::new(),
            sign_names: BTreeSet::new(),
            max_per_phone_per_minute: 5,
            timestamp_window,
        }
    }

    pub fn template(mut self, code: impl Into<String>, text: impl Into<String>) -> Self {
        self.templates.insert(code.into(), text.into());
        self
    }

    pub fn sign_name(mut self, sign: impl Into<String>) -> Self {
        self.sign_names.insert(sign.into());
        self
    }

    pub fn max_per_phone_per_minute(mut self, max: usize) -> Self {
        self.max_per_phone_per_minute = max;
        self
    }
}

// The secret must not reach logs through a `{:?}` of the config.
impl std::fmt::Debug for SimulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorConfig")
            .field("bind", &self.bind)
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .field("sms_sdk_app_id", &self.sms_sdk_app_id)
            .field("templates", &self.templates)
            .field("sign_names", &self.sign_names)
            .field("max_per_phone_per_minute", &self.max_per_phone_per_minute)
            .field("timestamp_window", &self.timestamp_window)
            .finish()
    }
}

/// One message a simulator accepted, as the phone would show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentSms {
    /// `"aliyun"` or `"tencent"`.
    pub provider: &'static str,
    /// The id the simulator answered with (Aliyun `BizId`, Tencent `SerialNo`).
    pub message_id: String,
    /// 11 digits, without `+86`, whichever way the request wrote it.
    pub phone: String,
    pub sign_name: String,
    pub template_code: String,
    /// As received: Aliyun by name in the request's order; Tencent by position, named `"1"`, `"2"`….
    pub params: Vec<(String, String)>,
    /// `【sign】` and the template with its variables filled in.
    pub text: String,
    pub received_at: DateTime<Utc>,
}

/// The accepted messages of one simulator, oldest first, shared with whoever holds a clone.
#[derive(Debug, Clone)]
pub struct SentLog {
    messages: Arc<Mutex<Vec<SentSms>>>,
    live: broadcast::Sender<SentSms>,
}

impl SentLog {
    fn new() -> Self {
        SentLog { messages: Arc::default(), live: broadcast::channel(256).0 }
    }

    pub async fn all(&self) -> Vec<SentSms> {
        self.messages.lock().await.clone()
    }

    /// Each message as it is accepted, for a console that prints them live. A receiver that
    /// falls more than 256 behind skips the oldest; [`SentLog::all`] still has them.
    pub fn subscribe(&self) -> broadcast::Receiver<SentSms> {
        self.live.subscribe()
    }

    async fn push(&self, sms: SentSms) {
        let mut messages = self.messages.lock().await;
        // Sent under the lock so that live order is log order; no receiver is not an error.
        let _ = self.live.send(sms.clone());
        messages.push(sms);
    }
}

/// A running simulator. Dropping it stops the server too; [`SimulatorHandle::stop`] also waits.
#[derive(Debug)]
pub struct SimulatorHandle {
    /// `http://127.0.0.1:PORT`: the endpoint to configure the client with.
    pub base_url: String,
    pub addr: SocketAddr,
    log: SentLog,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimulatorHandle {
    /// The accepted messages so far, oldest first.
    pub async fn sent(&self) -> Vec<SentSms> {
        self.log.all().await
    }

    /// The log itself, which outlives the handle (the demo keeps it for its console).
    pub fn log(&self) -> SentLog {
        self.log.clone()
    }

    /// Stops accepting connections and waits for the server to finish; afterwards the port refuses.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// What both simulators keep between requests.
struct State {
    cfg: SimulatorConfig,
    log: SentLog,
    /// Per number, when its accepted messages of the last minute arrived.
    recent: Mutex<HashMap<String, VecDeque<Instant>>>,
    /// Aliyun's SignatureNonce values seen within the timestamp window.
    nonces: Mutex<HashMap<String, Instant>>,
}

impl State {
    fn new(cfg: SimulatorConfig) -> Arc<Self> {
        Arc::new(State { cfg, log: SentLog::new(), recent: Mutex::default(), nonces: Mutex::default() })
    }

    fn sign_is_approved(&self, sign: &str) -> bool {
        !sign.is_empty() && (self.cfg.sign_names.is_empty() || self.cfg.sign_names.contains(sign))
    }

    /// Counts one message for `phone` unless it already had its quota in the last 60 seconds.
    async fn admit(&self, phone: &str) -> bool {
        let now = Instant::now();
        let mut recent = self.recent.lock().await;
        let times = recent.entry(phone.to_owned()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_mins(1)) {
            times.pop_front();
        }
        if times.len() >= self.cfg.max_per_phone_per_minute {
            return false;
        }
        times.push_back(now);
        true
    }

    /// False when `nonce` was already used within the timestamp window.
    async fn first_use_of_nonce(&self, nonce: &str) -> bool {
        let now = Instant::now();
        let mut nonces = self.nonces.lock().await;
        nonces.retain(|_, seen| now.duration_since(*seen) < self.cfg.timestamp_window);
        nonces.insert(nonce.to_owned(), now).is_none()
    }

    /// Whether a request's clock is close enough to ours.
    fn timestamp_is_fresh(&self, sent_at: DateTime<Utc>) -> bool {
        let skew = (Utc::now() - sent_at).abs().to_std().unwrap_or(Duration::MAX);
        skew <= self.cfg.timestamp_window
    }
}

/// Binds, serves `app` until the handle stops it, and hands back the handle.
async fn serve(cfg_bind: SocketAddr, app: axum::Router, log: SentLog) -> std::io::Result<SimulatorHandle> {
    let listener = tokio::net::TcpListener::bind(cfg_bind).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = rx.await;
        };
        if let Err(err) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::warn!(%err, "SMS simulator stopped with an error");
        }
    });
    Ok(SimulatorHandle { base_url: format!("http://{addr}"), addr, log, shutdown: Some(tx), task: Some(task) })
}

/// `13800138000`, `+8613800138000` or `8613800138000` → `13800138000`, when it is a mainland
/// mobile number at all.
fn mainland_mobile(phone: &str) -> Option<String> {
    let digits =
        phone.strip_prefix("+86").or_else(|| phone.strip_prefix("86").filter(|rest| rest.len() == 11)).unwrap_or(phone);
    let valid = digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| digits.to_owned())
}

/// Fills `${name}` variables (Aliyun). Err names the first variable without a value.
fn render_named(template: &str, params: &[(String, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else { break };
        let name = &rest[start + 2..start + 2 + len];
        let value = params.iter().find(|(n, _)| n == name).map(|(_, v)| v).ok_or_else(|| name.to_owned())?;
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Fills `{1}`, `{2}`… (Tencent). Err when the values are not exactly as many as the variables.
fn render_numbered(template: &str, values: &[String]) -> Result<String, ()> {
    let mut out = String::with_capacity(template.len());
    let mut highest = 0;
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..start]);
        match after[digits..].starts_with('}').then(|| after[..digits].parse::<usize>().ok()).flatten() {
            Some(n) if n >= 1 => {
                highest = highest.max(n);
                out.push_str(values.get(n - 1).ok_or(())?);
                rest = &after[digits + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if highest == values.len() { Ok(out) } else { Err(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn named_variables_are_filled_and_a_missing_one_is_named() {
        let text = "尊敬的${name}，您${month}的物业费${amount}元已出账。";
        assert_eq!(
            render_named(text, &named(&[("name", "张三"), ("amount", "1280.50"), ("month", "3月")])).unwrap(),
            "尊敬的张三，您3月的物业费1280.50元已出账。"
        );
        assert_eq!(render_named(text, &named(&[("name", "张三")])), Err("month".to_owned()));
        assert_eq!(render_named("no variables", &[]).unwrap(), "no variables");
    }

    #[test]
    fn numbered_variables_need_exactly_as_many_values() {
        let values = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            render_numbered("验证码{1}，{2}分钟内有效", &values(&["123456", "5"])).unwrap(),
            "验证码123456，5分钟内有效"
        );
        assert!(render_numbered("验证码{1}，{2}分钟内有效", &values(&["123456"])).is_err());
        assert!(render_numbered("验证码{1}", &values(&["123456", "5"])).is_err());
        assert_eq!(render_numbered("{x} {} {1}", &values(&["a"])).unwrap(), "{x} {} a");
    }

    #[test]
    fn mainland_numbers_are_read_with_or_without_the_country_code() {
        assert_eq!(mainland_mobile("13800138000").as_deref(), Some("13800138000"));
        assert_eq!(mainland_mobile("+8613800138000").as_deref(), Some("13800138000"));
        assert_eq!(mainland_mobile("8613800138000").as_deref(), Some("13800138000"));
        assert_eq!(mainland_mobile("1380013800"), None);
        assert_eq!(mainland_mobile("23800138000"), None);
        assert_eq!(mainland_mobile("+14155550100"), None);
    }

    #[tokio::test]
    async fn a_number_gets_its_quota_per_minute() {
        let state = State::new(SimulatorConfig::aliyun("id", "secret").max_per_phone_per_minute(2));
        assert!(state.admit("13800138000").await);
        assert!(state.admit("13800138000").await);
        assert!(!state.admit("13800138000").await);
        assert!(state.admit("13900139000").await, "another number has its own quota");
    }
}
