//! The notification channels, wired from configuration: an SMS provider (Aliyun or Tencent
//! Cloud; the demo points the Aliyun client at the built-in simulator) with the account's
//! approved templates, and SMTP email, adapted to the outbox's `Channel`; and the sender of house
//! binding codes by SMS.

use std::sync::Arc;

use async_trait::async_trait;
use linli_gateway::email::{Email, EmailError, SmtpConfig, SmtpMailer, SmtpSecurity};
use linli_gateway::sms::{AliyunConfig, AliyunSms, SmsMessage, SmsProvider, TencentConfig, TencentSms};
use linli_notify::{
    Channel, DeliveryChannel, DeliveryError, Kind, Message, SmsProviderKind, SmsTemplate, SmsTemplates,
};

use crate::config::Config;

pub struct SmsChannel {
    pub provider: Arc<dyn SmsProvider>,
    pub sign_name: String,
    pub templates: SmsTemplates,
}

#[async_trait]
impl Channel for SmsChannel {
    fn kind(&self) -> DeliveryChannel {
        DeliveryChannel::Sms
    }

    /// A kind the account has no template for is not sent by SMS (only optional kinds can lack one).
    fn accepts(&self, kind: Kind) -> bool {
        self.templates.for_kind(kind).is_some()
    }

    async fn deliver(&self, m: &Message) -> Result<String, DeliveryError> {
        let Some(template) = self.templates.for_kind(m.kind) else {
            return Err(DeliveryError::GiveUp(format!("no SMS template is configured for {}", m.kind.as_str())));
        };
        let msg = SmsMessage {
            phone: m.address.clone(),
            sign_name: self.sign_name.clone(),
            template_code: template.code.clone(),
            params: template.values(&m.params),
        };
        match self.provider.send(&msg).await {
            Ok(r) => Ok(format!("{}:{}", self.provider.name(), r.provider_message_id)),
            Err(e) if e.is_permanent() => Err(DeliveryError::GiveUp(e.to_string())),
            Err(e) => Err(DeliveryError::Retry(e.to_string())),
        }
    }
}

/// The SMS provider and its checked templates, when one is configured. Err names each kind whose
/// template is missing or cannot be filled.
pub fn sms_provider(config: &Config) -> anyhow::Result<Option<(Arc<dyn SmsProvider>, SmsTemplates)>> {
    let (id, secret) = (config.sms_access_key_id.clone(), config.sms_access_key_secret.clone());
    let kind = match config.sms_provider.as_str() {
        "none" | "" => return Ok(None),
        "aliyun" => SmsProviderKind::Aliyun,
        "tencent" => SmsProviderKind::Tencent,
        other => anyhow::bail!("unknown sms_provider {other:?} (aliyun, tencent or none)"),
    };
    let templates = SmsTemplates::from_config(kind, &config.sms_templates).map_err(|problems| {
        anyhow::anyhow!(
            "SMS templates of the {} account (sms_templates in linli.toml, or LINLI_SMS_TEMPLATES__<KIND>__CODE \
             and __PARAMS):\n{problems}",
            kind.as_str()
        )
    })?;
    let provider: Arc<dyn SmsProvider> = match kind {
        SmsProviderKind::Aliyun => {
            let mut c = AliyunConfig::new(id.unwrap_or_default(), secret.unwrap_or_default());
            if let Some(e) = &config.sms_endpoint {
                c = c.with_endpoint(e);
            }
            if let Some(r) = &config.sms_region {
                c.region_id.clone_from(r);
            }
            Arc::new(AliyunSms::new(c))
        }
        SmsProviderKind::Tencent => {
            let app = config.sms_app_id.clone().unwrap_or_default();
            let mut c = TencentConfig::new(id.unwrap_or_default(), secret.unwrap_or_default(), app);
            if let Some(e) = &config.sms_endpoint {
                c = c.with_endpoint(e);
            }
            if let Some(r) = &config.sms_region {
                c.region.clone_from(r);
            }
            Arc::new(TencentSms::new(c))
        }
    };
    Ok(Some((provider, templates)))
}

/// The SMS channel the configuration names, if any.
pub fn sms(config: &Config) -> anyhow::Result<Option<Arc<dyn Channel>>> {
    Ok(sms_provider(config)?.map(|(provider, templates)| {
        Arc::new(SmsChannel { provider, sign_name: config.sms_sign_name.clone(), templates }) as Arc<dyn Channel>
    }))
}

/// House binding codes by SMS, with the account's `binding_code` template. Sent at once, outside
/// the outbox, so the code is never stored in clear or shown in the message log; a failure is
/// logged and the resident asks for a new code after the cooldown.
pub struct SmsCodeSender {
    pub provider: Arc<dyn SmsProvider>,
    pub sign_name: String,
    pub template: SmsTemplate,
}

impl linli_people::binding::CodeSender for SmsCodeSender {
    fn send(&self, phone: &str, _text: &str) {
        // Providers deliver approved templates only: free text cannot go out.
        tracing::error!(phone, "free-text SMS is not supported; binding codes go through send_code");
    }

    fn send_code(&self, phone: &str, code: &str) {
        let params = serde_json::json!({ "code": code, "minutes": linli_people::binding::CODE_MINUTES.to_string() });
        let msg = SmsMessage {
            phone: phone.to_owned(),
            sign_name: self.sign_name.clone(),
            template_code: self.template.code.clone(),
            params: self.template.values(&params),
        };
        let provider = self.provider.clone();
        tokio::spawn(async move {
            if let Err(e) = provider.send(&msg).await {
                tracing::warn!(error = %e, "the binding code could not be sent by SMS");
            }
        });
    }
}

/// The binding code sender, when an SMS provider is configured.
pub fn code_sender(config: &Config) -> anyhow::Result<Option<SmsCodeSender>> {
    Ok(sms_provider(config)?.and_then(|(provider, templates)| {
        templates.binding_code().cloned().map(|template| SmsCodeSender {
            provider,
            sign_name: config.sms_sign_name.clone(),
            template,
        })
    }))
}

pub struct EmailChannel(pub SmtpMailer);

#[async_trait]
impl Channel for EmailChannel {
    fn kind(&self) -> DeliveryChannel {
        DeliveryChannel::Email
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
