//! The SMTP side: configuration, the lettre transport, and the mapping of lettre's errors onto
//! [`EmailError`].

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, Error as SmtpError};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Deserialize;
use tokio::sync::OnceCell;

use super::message::{build, new_message_id};
use super::{Email, EmailError};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// No TLS at all: only for a server on the same host or a test sink (usually port 25 or 1025).
    Plain,
    /// Plain connect, then STARTTLS before anything else; refuses to go on without it (port 587).
    #[serde(alias = "starttls")]
    StartTls,
    /// TLS from the first byte, "SMTPS" (port 465).
    Tls,
}

#[derive(Clone, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Both or neither: AUTH PLAIN/LOGIN with these credentials.
    pub username: Option<String>,
    pub password: Option<String>,
    /// The From header and envelope sender: `邻里物业 <noreply@example.com>`.
    pub from: String,
    /// Limit for connecting and for each SMTP command; must be at least 1.
    pub timeout_secs: u64,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Sends [`Email`]s through one SMTP server. Cheap to share behind an `Arc`; connections are
/// pooled and reused, and a pooled connection the server has dropped is replaced on the next send.
pub struct SmtpMailer {
    builder: AsyncSmtpTransportBuilder,
    // Built on first send: lettre's pool spawns a tokio task, so it needs a runtime, which `new`
    // must not require.
    transport: OnceCell<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    endpoint: String,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer").field("endpoint", &self.endpoint).field("from", &self.from).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Checks the configuration without connecting. A bad configuration is a `Permanent` error.
    pub fn new(cfg: SmtpConfig) -> Result<Self, EmailError> {
        let invalid = |what: String| EmailError::Permanent(format!("invalid SMTP configuration: {what}"));
        let host = cfg.host.trim();
        if host.is_empty() {
            return Err(invalid("host is empty".into()));
        }
        if cfg.timeout_secs == 0 {
            return Err(invalid("timeout_secs must be at least 1".into()));
        }
        let from: Mailbox = cfg.from.parse().map_err(|e| invalid(format!("from {:?}: {e}", cfg.from)))?;
        let builder = match cfg.security {
            SmtpSecurity::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| invalid(format!("TLS for {host}: {e}")))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| invalid(format!("TLS for {host}: {e}")))?,
        };
        let mut builder = builder.port(cfg.port).timeout(Some(Duration::from_secs(cfg.timeout_secs)));
        match (cfg.username, cfg.password) {
            (Some(user), Some(password)) => builder = builder.credentials(Credentials::new(user, password)),
            (None, None) => {}
            _ => return Err(invalid("username and password go together".into())),
        }
        let endpoint = format!("{:?} {host}:{}", cfg.security, cfg.port);
        Ok(Self { builder, transport: OnceCell::new(), from, endpoint })
    }

    /// Sends one message and returns its Message-ID header value, angle brackets included
    /// (`<3f2a…@example.com>`): keep it to match bounces and replies.
    pub async fn send(&self, email: &Email) -> Result<String, EmailError> {
        let message_id = new_message_id(&self.from);
        let message = build(email, &self.from, &message_id)?;
        let transport = self.transport.get_or_init(|| async { self.builder.clone().build() }).await;
        match transport.send(message).await {
            Ok(_) => Ok(message_id),
            Err(e) => Err(classify(&e, &self.endpoint)),
        }
    }
}

/// 5xx replies are permanent; everything else (4xx, refused connections, timeouts, TLS and
/// protocol trouble) is about the server, not the message, and may pass on a later try.
fn classify(err: &SmtpError, endpoint: &str) -> EmailError {
    let text = format!("SMTP {endpoint}: {}", chain(err));
    if err.is_permanent() { EmailError::Permanent(text) } else { EmailError::Transient(text) }
}

/// lettre's message plus its sources' (deduplicated: lettre already prints its direct source).
fn chain(err: &SmtpError) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text = format!("{text}: {part}");
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> SmtpConfig {
        SmtpConfig {
            host: "smtp.example.com".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: Some("noreply@example.com".into()),
            password: Some("secret".into()),
            from: "邻里物业 <noreply@example.com>".into(),
            timeout_secs: 10,
        }
    }

    #[test]
    fn every_security_mode_builds_without_connecting() {
        for security in [SmtpSecurity::Plain, SmtpSecurity::StartTls, SmtpSecurity::Tls] {
            SmtpMailer::new(SmtpConfig { security, ..cfg() }).unwrap();
        }
    }

    #[test]
    fn a_bad_configuration_is_refused_up_front() {
        let bad = [
            SmtpConfig { host: " ".into(), ..cfg() },
            SmtpConfig { timeout_secs: 0, ..cfg() },
            SmtpConfig { from: "邻里物业".into(), ..cfg() },
            SmtpConfig { password: None, ..cfg() },
        ];
        for c in bad {
            let shown = format!("{c:?}");
            assert!(matches!(SmtpMailer::new(c), Err(EmailError::Permanent(_))), "{shown}");
        }
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let shown = format!("{:?} {:?}", cfg(), SmtpMailer::new(cfg()).unwrap());
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn security_reads_from_config_in_snake_case() {
        #[derive(Deserialize)]
        struct W {
            s: Vec<SmtpSecurity>,
        }
        let w: W = serde_json::from_str(r#"{"s":["plain","start_tls","starttls","tls"]}"#).unwrap();
        assert_eq!(w.s, [SmtpSecurity::Plain, SmtpSecurity::StartTls, SmtpSecurity::StartTls, SmtpSecurity::Tls]);
    }
}
