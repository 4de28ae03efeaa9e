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
        let t = match n.event {
            NotificationEvent::Transaction(t) => t,
            // About a paid order, not a payment: acknowledged (the refund's end is asked by the
            // query job, which does not depend on this arriving).
            NotificationEvent::Refund(r) if r.mchid == self.0.config().mchid => {
                return Ok(linli_payments::PaidNotice {
                    notification_id: n.id,
                    out_trade_no: r.out_trade_no,
                    channel_trade_no: r.transaction_id,
                    amount_fen: linli_core::Fen(0),
                    paid: false,
                });
            }
            _ => return Err(format!("not a payment of ours: {}", n.event_type)),
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

    async fn query(&self, out_trade_no: &str) -> Result<linli_payments::Standing, String> {
        use linli_gateway::pay::wechat::{TradeState, WechatPayError};
        let t = match self.0.query_by_out_trade_no(out_trade_no).await {
            Ok(t) => t,
            // Never scanned: nothing to pay.
            Err(WechatPayError::Provider { code, .. }) if code == "ORDER_NOT_EXIST" => {
                return Ok(linli_payments::Standing::Unpaid);
            }
            Err(e) => return Err(e.to_string()),
        };
        // REFUND: paid, then refunded (in part): the payment happened and is credited.
        if !matches!(t.trade_state, TradeState::Success | TradeState::Refund) {
            return Ok(linli_payments::Standing::Unpaid);
        }
        Ok(linli_payments::Standing::Paid(linli_payments::PaidNotice {
            notification_id: format!("query:{out_trade_no}"),
            out_trade_no: t.out_trade_no,
            channel_trade_no: t.transaction_id.unwrap_or_default(),
            amount_fen: linli_core::Fen(t.amount.and_then(|a| a.total).unwrap_or(0)),
            paid: true,
        }))
    }

    async fn close(&self, out_trade_no: &str) -> Result<(), String> {
        self.0.close(out_trade_no).await.map_err(|e| e.to_string())
    }

    async fn refund(&self, r: &linli_payments::ChannelRefund) -> Result<linli_payments::RefundAnswer, String> {
        use linli_gateway::pay::wechat::{NewRefund, TradeRef};
        let new = NewRefund {
            trade: TradeRef::OutTradeNo(r.out_trade_no.clone()),
            out_refund_no: r.out_refund_no.clone(),
            reason: Some(r.reason.chars().take(80).collect()),
            refund_fen: r.refund_fen.0,
            total_fen: r.total_fen.0,
        };
        wechat_refund_answer(self.0.refund(&new).await)
    }

    async fn refund_status(&self, r: &linli_payments::ChannelRefund) -> Result<linli_payments::RefundAnswer, String> {
        wechat_refund_answer(self.0.query_refund(&r.out_refund_no).await)
    }

    async fn trade_bill(&self, day: chrono::NaiveDate) -> Result<Vec<linli_payments::reconcile::Record>, String> {
        use linli_gateway::pay::wechat::WechatPayError;
        use linli_gateway::pay::wechat::model::BillType;
        use linli_gateway::pay::wechat::trade_bill::TradeBill;
        use linli_payments::reconcile::{Record, RecordKind};
        let text = match self.0.trade_bill(day, BillType::All).await {
            Ok(text) => text,
            // Nothing was paid or refunded that day.
            Err(WechatPayError::Provider { code, .. }) if code == "NO_STATEMENT_EXIST" => return Ok(Vec::new()),
            Err(e) => return Err(e.to_string()),
        };
        let bill = TradeBill::parse(&text).map_err(|e| e.to_string())?;
        Ok(bill
            .rows
            .into_iter()
            .filter_map(|row| {
                let (kind, out_no, channel_no, fen) = if row.is_refund() {
                    (RecordKind::Refund, row.out_refund_no?, row.refund_id.unwrap_or_default(), row.refund_fen)
                } else if row.trade_state == "SUCCESS" {
                    (RecordKind::Payment, row.out_trade_no, row.transaction_id, row.total_fen)
                } else {
                    return None;
                };
                Some(Record { kind, out_no, channel_no, amount_fen: linli_core::Fen(fen), on_day: true })
            })
            .collect())
    }
}

/// WeChat Pay's word on a refund: a business refusal (4xx with its code) is final, anything
/// else is asked again.
fn wechat_refund_answer(
    answer: Result<linli_gateway::pay::wechat::Refund, linli_gateway::pay::wechat::WechatPayError>,
) -> Result<linli_payments::RefundAnswer, String> {
    use linli_gateway::pay::wechat::{RefundStatus, WechatPayError};
    use linli_payments::RefundAnswer;
    match answer {
        Ok(r) => Ok(match r.status {
            RefundStatus::Success => RefundAnswer::Refunded(r.refund_id),
            RefundStatus::Processing => RefundAnswer::Processing(r.refund_id),
            RefundStatus::Closed | RefundStatus::Abnormal => RefundAnswer::Refused(format!("{:?}", r.status)),
            RefundStatus::Unknown => return Err("an unknown refund status".into()),
        }),
        Err(WechatPayError::Provider { status, code, message, .. })
            if (400..500).contains(&status) && status != 429 =>
        {
            Ok(RefundAnswer::Refused(format!("{code}: {message}")))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Alipay as a payment channel: 当面付 precreate orders (a QR code) and the asynchronous
/// notifications, whose signature, app and seller the gateway's client checks.
pub struct AlipayChannel(pub linli_gateway::pay::alipay::AlipayClient);

/// Alipay's `sub_code` for a trade it has no record of (a code nobody scanned).
const ALIPAY_NO_TRADE: &str = "ACQ.TRADE_NOT_EXIST";

#[async_trait]
impl linli_payments::PayChannel for AlipayChannel {
    async fn create(&self, order: &linli_payments::ChannelOrder) -> Result<String, String> {
        let minutes = (order.expires_at - chrono::Utc::now()).num_minutes().max(1);
        let req = linli_gateway::pay::alipay::PrecreateRequest {
            out_trade_no: order.out_trade_no.clone(),
            total_fen: order.amount_fen.0,
            subject: order.description.clone(),
            timeout_express: Some(format!("{minutes}m")),
        };
        self.0.precreate(&req).await.map(|r| r.qr_code).map_err(|e| e.to_string())
    }

    fn read_notification(
        &self,
        _headers: &[(String, String)],
        body: &[u8],
    ) -> Result<linli_payments::PaidNotice, String> {
        let body = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
        let n = self.0.verify_notification(body).map_err(|e| e.to_string())?;
        Ok(linli_payments::PaidNotice {
            // A refund's notification is about the order but is not a payment.
            paid: n.is_paid() && !n.is_refund(),
            notification_id: n.notify_id,
            out_trade_no: n.out_trade_no,
            channel_trade_no: n.trade_no,
            amount_fen: linli_core::Fen(n.total_fen),
        })
    }

    async fn query(&self, out_trade_no: &str) -> Result<linli_payments::Standing, String> {
        use linli_gateway::pay::alipay::TradeRef;
        let t = match self.0.query(&TradeRef::OutTradeNo(out_trade_no.to_owned())).await {
            Ok(t) => t,
            Err(e) if e.sub_code() == Some(ALIPAY_NO_TRADE) => return Ok(linli_payments::Standing::Unpaid),
            Err(e) => return Err(e.to_string()),
        };
        if !t.trade_status.is_paid() {
            return Ok(linli_payments::Standing::Unpaid);
        }
        Ok(linli_payments::Standing::Paid(linli_payments::PaidNotice {
            notification_id: format!("query:{out_trade_no}"),
            out_trade_no: t.out_trade_no,
            channel_trade_no: t.trade_no,
            amount_fen: linli_core::Fen(t.total_fen),
            paid: true,
        }))
    }

    async fn close(&self, out_trade_no: &str) -> Result<(), String> {
        use linli_gateway::pay::alipay::TradeRef;
        match self.0.close(&TradeRef::OutTradeNo(out_trade_no.to_owned())).await {
            // Never scanned: past its timeout the code cannot create a trade any more.
            Err(e) if e.sub_code() == Some(ALIPAY_NO_TRADE) => Ok(()),
            other => other.map(|_| ()).map_err(|e| e.to_string()),
        }
    }

    async fn refund(&self, r: &linli_payments::ChannelRefund) -> Result<linli_payments::RefundAnswer, String> {
        use linli_gateway::pay::alipay::{RefundRequest, TradeRef};
        let req = RefundRequest {
            trade: TradeRef::OutTradeNo(r.out_trade_no.clone()),
            refund_fen: r.refund_fen.0,
            out_request_no: r.out_refund_no.clone(),
            refund_reason: Some(r.reason.clone()),
        };
        // Alipay refunds at once; `fund_change` N is a repeat of a refund already made.
        match self.0.refund(&req).await {
            Ok(answer) => {
                Ok(linli_payments::RefundAnswer::Refunded(format!("{}:{}", answer.trade_no, r.out_refund_no)))
            }
            Err(e) if e.is_retryable() => Err(e.to_string()),
            Err(e @ linli_gateway::pay::alipay::AlipayError::Provider { .. }) => {
                Ok(linli_payments::RefundAnswer::Refused(e.to_string()))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    async fn refund_status(&self, r: &linli_payments::ChannelRefund) -> Result<linli_payments::RefundAnswer, String> {
        // The same out_request_no again refunds once and answers what it did.
        self.refund(r).await
    }

    async fn trade_bill(&self, day: chrono::NaiveDate) -> Result<Vec<linli_payments::reconcile::Record>, String> {
        use linli_gateway::pay::alipay::BillRequest;
        use linli_gateway::pay::alipay::bill::BillKind;
        use linli_payments::reconcile::{Record, RecordKind};
        let bill = match self.0.download_bill(&BillRequest { bill_date: day }).await {
            Ok(bill) => bill,
            // A day that is over with no bill had no trades; today's bill comes tomorrow.
            Err(e) if e.sub_code() == Some("isp.bill_not_exist") && day < linli_core::time::today() => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(e.to_string()),
        };
        Ok(bill
            .rows
            .into_iter()
            .filter_map(|row| {
                let (kind, out_no) = match row.kind {
                    BillKind::Trade => (RecordKind::Payment, row.out_trade_no),
                    BillKind::Refund => (RecordKind::Refund, row.refund_request_no?),
                    BillKind::Other(_) => return None,
                };
                let fen = linli_core::Fen(row.order_fen.abs());
                Some(Record { kind, out_no, channel_no: row.trade_no, amount_fen: fen, on_day: true })
            })
            .collect())
    }
}

/// The Alipay channel the configuration names, if any.
pub fn alipay(config: &Config) -> anyhow::Result<Option<AlipayChannel>> {
    use anyhow::Context;
    use linli_gateway::pay::alipay::{AlipayClient, AlipayConfig};
    use linli_gateway::pay::rsa::{PrivateKey, PublicKey};
    let Some(app_id) = config.alipay_app_id.as_deref().filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    let need = |v: &Option<String>, name: &str| {
        v.clone().filter(|s| !s.is_empty()).with_context(|| format!("alipay_app_id is set but {name} is not"))
    };
    let origin = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.bind));
    let key = PrivateKey::from_pem(&need(&config.alipay_app_private_key, "alipay_app_private_key")?)
        .map_err(|e| anyhow::anyhow!("alipay_app_private_key: {e}"))?;
    let public = PublicKey::from_pem(&need(&config.alipay_public_key, "alipay_public_key")?)
        .map_err(|e| anyhow::anyhow!("alipay_public_key: {e}"))?;
    let mut alipay = AlipayConfig::new(app_id, need(&config.alipay_seller_id, "alipay_seller_id")?, key, public)
        .with_notify_url(format!("{}/api/v1/channels/alipay/notify", origin.trim_end_matches('/')));
    if let Some(gateway) = config.alipay_gateway_url.as_deref().filter(|b| !b.is_empty()) {
        alipay = alipay.with_gateway(gateway);
    }
    Ok(Some(AlipayChannel(AlipayClient::new(alipay))))
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
