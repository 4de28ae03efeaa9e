//! The notification channels, wired from configuration: an SMS provider (Aliyun or Tencent
//! Cloud; the demo points the Aliyun client at the built-in simulator) and SMTP email, adapted
//! to the outbox's `Channel`.

use std::sync::Arc;

use async_trait::async_trait;
use linli_gateway::email::{Email, EmailError, SmtpConfig, SmtpMailer, SmtpSecurity};
use linli_gateway::sms::{AliyunConfig, AliyunSms, SmsMessage, SmsProvider, TencentConfig, TencentSms};
use linli_notify::{Channel, ChannelKind, DeliveryError, Message, sms_params};

use crate::config::Config;

pub struct SmsChannel {
    pub provider: Arc<dyn SmsProvider>,
    pub sign_name: String,
}

#[async_trait]
impl Channel for SmsChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Sms
    }

    async fn deliver(&self, m: &Message) -> Result<String, DeliveryError> {
        let msg = SmsMessage {
            phone: m.address.clone(),
            sign_name: self.sign_name.clone(),
            template_code: m.sms_template.clone().unwrap_or_default(),
            params: sms_params(m.kind, &m.params),
        };
        match self.provider.send(&msg).await {
            Ok(r) => Ok(format!("{}:{}", self.provider.name(), r.provider_message_id)),
            Err(e) if e.is_permanent() => Err(DeliveryError::GiveUp(e.to_string())),
            Err(e) => Err(DeliveryError::Retry(e.to_string())),
        }
    }
}

/// The SMS channel the configuration names, if any.
pub fn sms(config: &Config) -> anyhow::Result<Option<Arc<dyn Channel>>> {
    let (id, secret) = (config.sms_access_key_id.clone(), config.sms_access_key_secret.clone());
    let provider: Arc<dyn SmsProvider> = match config.sms_provider.as_str() {
        "none" | "" => return Ok(None),
        "aliyun" => {
            let mut c = AliyunConfig::new(id.unwrap_or_default(), secret.unwrap_or_default());
            if let Some(e) = &config.sms_endpoint {
                c = c.with_endpoint(e);
            }
            Arc::new(AliyunSms::new(c))
        }
        "tencent" => {
            let app = config.sms_app_id.clone().unwrap_or_default();
            let mut c = TencentConfig::new(id.unwrap_or_default(), secret.unwrap_or_default(), app);
            if let Some(e) = &config.sms_endpoint {
                c = c.with_endpoint(e);
            }
            Arc::new(TencentSms::new(c))
        }
        other => anyhow::bail!("unknown sms_provider {other:?} (aliyun, tencent or none)"),
    };
    Ok(Some(Arc::new(SmsChannel { provider, sign_name: config.sms_sign_name.clone() })))
}

pub struct EmailChannel(pub SmtpMailer);

#[async_trait]
impl Channel for EmailChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Email
    }

    async fn deliver(&self, m: &Message) -> Result<String, DeliveryError> {
        let email = Email {
            to: m.address.clone(),
            to_name: None,
            subject: m.subject.clone(),
            text: m.body.clone(),
            html: m.html.clone().unwrap_or_default(),
            unsubscribe_url: m.params.get("unsubscribe_url").and_then(|v| v.as_str()).map(str::to_string),
        };
        self.0.send(&email).await.map_err(|e| match e {
            EmailError::Transient(why) => DeliveryError::Retry(why),
            EmailError::Permanent(why) => DeliveryError::GiveUp(why),
        })
    }
}

/// The email channel, when an SMTP server is configured.
pub fn email(config: &Config) -> anyhow::Result<Option<Arc<dyn Channel>>> {
    let Some(host) = config.smtp_host.clone() else { return Ok(None) };
    let security = match config.smtp_security.as_str() {
        "plain" => SmtpSecurity::Plain,
        "starttls" | "start_tls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        other => anyhow::bail!("unknown smtp_security {other:?} (plain, starttls or tls)"),
    };
    let mailer = SmtpMailer::new(SmtpConfig {
        host,
        port: config.smtp_port,
        security,
        username: config.smtp_username.clone(),
        password: config.smtp_password.clone(),
        from: config.smtp_from.clone(),
        timeout_secs: 15,
    })
    .map_err(|e| anyhow::anyhow!("SMTP configuration: {e}"))?;
    Ok(Some(Arc::new(EmailChannel(mailer))))
}
