//! The notification channels, wired from configuration: an SMS provider (Aliyun or Tencent
//! Cloud; the demo points the Aliyun client at the built-in simulator) and SMTP email, adapted
//! to the outbox's `Channel`.

use std::sync::Arc;

use async_trait::async_trait;
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
