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

/// WeChat Pay as a payment channel of `linli-payments`: Native orders (a QR code) and
/// notifications read by the gateway's client, checked to be for our merchant and app.
pub struct WechatPayChannel(pub linli_gateway::pay::wechat::WechatPayClient);

#[async_trait]
impl linli_payments::PayChannel for WechatPayChannel {
    async fn create(&self, order: &linli_payments::ChannelOrder) -> Result<String, String> {
        let new = linli_gateway::pay::wechat::NewOrder {
            description: order.description.clone(),
            out_trade_no: order.out_trade_no.clone(),
            total_fen: order.amount_fen.0,
            time_expire: Some(order.expires_at.with_timezone(&linli_core::time::cst())),
            attach: None,
        };
        self.0.native(&new).await.map_err(|e| e.to_string())
    }

    fn read_notification(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<linli_payments::PaidNotice, String> {
        use linli_gateway::pay::wechat::{NotificationEvent, TradeState};
        let mut map = axum::http::HeaderMap::new();
        for (k, v) in headers {
            if let (Ok(k), Ok(v)) = (axum::http::HeaderName::try_from(k.as_str()), axum::http::HeaderValue::from_str(v))
            {
                map.append(k, v);
            }
        }
        let n = self.0.verify_notification(&map, body).map_err(|e| e.to_string())?;
        let NotificationEvent::Transaction(t) = n.event else {
            return Err(format!("not a payment: {}", n.event_type));
        };
        let config = self.0.config();
        if t.mchid != config.mchid || t.appid != config.appid {
            return Err("another merchant's or app's transaction".into());
        }
        Ok(linli_payments::PaidNotice {
            notification_id: n.id,
            out_trade_no: t.out_trade_no,
            channel_trade_no: t.transaction_id.unwrap_or_default(),
            amount_fen: linli_core::Fen(t.amount.and_then(|a| a.total).unwrap_or(0)),
            paid: t.trade_state == TradeState::Success,
        })
    }
}

/// The WeChat Pay channel the configuration names, if any.
pub fn wechat_pay(config: &Config) -> anyhow::Result<Option<WechatPayChannel>> {
    use anyhow::Context;
    use linli_gateway::pay::rsa::PrivateKey;
    use linli_gateway::pay::wechat::{ApiV3Key, PlatformKeys, WechatPayClient, WechatPayConfig};
    let Some(mchid) = config.wechat_pay_mchid.as_deref().filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    let need = |v: &Option<String>, name: &str| {
        v.clone().filter(|s| !s.is_empty()).with_context(|| format!("wechat_pay_mchid is set but {name} is not"))
    };
    let origin = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.bind));
    let key = PrivateKey::from_pem(&need(&config.wechat_pay_private_key, "wechat_pay_private_key")?)
        .map_err(|e| anyhow::anyhow!("wechat_pay_private_key: {e}"))?;
    let apiv3 = ApiV3Key::new(need(&config.wechat_pay_apiv3_key, "wechat_pay_apiv3_key")?)
        .map_err(|e| anyhow::anyhow!("wechat_pay_apiv3_key: {e}"))?;
    let platform = PlatformKeys::new()
        .with_public_key_pem(
            need(&config.wechat_pay_public_key_id, "wechat_pay_public_key_id")?,
            &need(&config.wechat_pay_public_key, "wechat_pay_public_key")?,
        )
        .map_err(|e| anyhow::anyhow!("wechat_pay_public_key: {e}"))?;
    let mut wechat = WechatPayConfig::new(
        mchid,
        need(&config.wechat_pay_appid, "wechat_pay_appid")?,
        need(&config.wechat_pay_serial_no, "wechat_pay_serial_no")?,
        key,
        apiv3,
        platform,
        format!("{}/api/v1/channels/wechat/notify", origin.trim_end_matches('/')),
    );
    if let Some(base) = config.wechat_pay_base_url.as_deref().filter(|b| !b.is_empty()) {
        wechat = wechat.with_base_url(base);
    }
    Ok(Some(WechatPayChannel(WechatPayClient::new(wechat).map_err(|e| anyhow::anyhow!("WeChat Pay: {e}"))?)))
}
