//! Delivering one notification the way WeChat does: POST the same body, freshly signed each time,
//! until the merchant answers 2xx (only the status counts), waiting [`RETRY_SCHEDULE`] between
//! attempts; then its duplicates, if the faults ask for them.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Utc;
use reqwest::header::{CONTENT_TYPE, HeaderMap, USER_AGENT};

use super::state::{Shared, random_alphanumeric};
use super::{DeliveryAttempt, Faults, RETRY_SCHEDULE};
use crate::pay::wechat::sign::SignatureHeaders;

/// A sealed notification waiting to be delivered.
#[derive(Debug, Clone)]
pub(super) struct Outgoing {
    pub id: String,
    pub event_type: String,
    pub out_trade_no: String,
    pub notify_url: String,
    pub body: Vec<u8>,
}

/// Logs the notification and starts its delivery in the background.
pub(super) async fn start(shared: &Arc<Shared>, outgoing: Outgoing, faults: Faults) {
    shared.log.created(&outgoing.id, &outgoing.event_type, &outgoing.out_trade_no).await;
    let released = if faults.hold {
        let (tx, rx) = tokio::sync::oneshot::channel();
        shared.held.lock().await.insert(outgoing.id.clone(), tx);
        Some(rx)
    } else {
        None
    };
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::select! {
            () = run(&shared, &outgoing, &faults, released) => {}
            () = shared.stopped() => {}
        }
        shared.log.settle(&outgoing.id).await;
    });
}

async fn run(
    shared: &Shared,
    outgoing: &Outgoing,
    faults: &Faults,
    released: Option<tokio::sync::oneshot::Receiver<()>>,
) {
    if let Some(released) = released {
        let _ = released.await;
    }
    if let Some(delay) = faults.delay {
        tokio::time::sleep(delay).await;
    }
    for copy in 0..=faults.duplicates {
        deliver_until_acknowledged(shared, outgoing, copy, faults.forge).await;
    }
}

async fn deliver_until_acknowledged(shared: &Shared, outgoing: &Outgoing, copy: u32, forge: bool) {
    let mut waits = RETRY_SCHEDULE.iter();
    for attempt in 1.. {
        let result = post(shared, outgoing, forge).await;
        let (status, error) = match result {
            Ok(status) => (Some(status), None),
            Err(error) => (None, Some(error)),
        };
        let record = DeliveryAttempt {
            notification_id: outgoing.id.clone(),
            event_type: outgoing.event_type.clone(),
            out_trade_no: outgoing.out_trade_no.clone(),
            copy,
            attempt,
            status,
            error,
            forged: forge,
            at: Utc::now(),
        };
        let acknowledged = record.acknowledged();
        shared.log.record(record).await;
        if acknowledged {
            return;
        }
        let Some(wait) = waits.next() else { return };
        tokio::time::sleep(wait.mul_f64(shared.cfg.retry_scale)).await;
    }
}

/// One POST; the merchant's status, or why there was none.
async fn post(shared: &Shared, outgoing: &Outgoing, forge: bool) -> Result<u16, String> {
    let cfg = &shared.cfg;
    let serial =
        if cfg.notify_with_certificate { &cfg.platform_certificate_serial } else { &cfg.platform_public_key_id };
    let mut signature = SignatureHeaders::sign(
        &cfg.platform_key,
        serial,
        Utc::now().timestamp(),
        &random_alphanumeric(32),
        &outgoing.body,
    )
    .map_err(|e| e.to_string())?;
    if forge {
        signature.signature = format!("WECHATPAY/SIGNTEST/{}", BASE64.encode(random_alphanumeric(48)));
    }
    let mut headers = HeaderMap::new();
    signature.insert_into(&mut headers);
    let response = shared
        .http
        .post(&outgoing.notify_url)
        .headers(headers)
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, "Mozilla/4.0")
        .body(outgoing.body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}
