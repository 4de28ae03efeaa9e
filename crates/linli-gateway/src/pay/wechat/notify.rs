//! Callbacks (回调通知): WeChat Pay POSTs a signed JSON envelope whose `resource` is encrypted with
//! the APIv3 key. A callback is trusted only after its signature verifies with a key we hold and
//! its timestamp is fresh; then its resource is decrypted and read by its `original_type`.
//!
//! Answer 200 or 204 with no body when it is handled (or was already), 4xx/5xx otherwise: WeChat
//! retries until it sees a 2xx, so the same notification `id` arrives more than once.

use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use super::WechatPayError;
use super::aead::{self, ALGORITHM};
use super::model::{RefundNotification, Transaction};
use super::sign::{PlatformKeys, SignatureHeaders};

/// The JSON body of a callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationEnvelope {
    /// `EV-…` or a UUID; the same on every redelivery.
    pub id: String,
    pub create_time: String,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, …
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    #[serde(default)]
    pub summary: String,
    pub resource: EncryptedResource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// `transaction`, `refund`, …: what the plaintext is.
    pub original_type: String,
    pub algorithm: String,
    pub ciphertext: String,
    #[serde(default)]
    pub associated_data: String,
    pub nonce: String,
}

impl NotificationEnvelope {
    /// Encrypts `plaintext` into a new envelope, as WeChat Pay does (the simulator).
    #[allow(clippy::too_many_arguments)] // the envelope's fields, each one a protocol value
    pub fn seal(
        apiv3_key: &[u8],
        id: &str,
        create_time: &str,
        event_type: &str,
        summary: &str,
        original_type: &str,
        nonce: &str,
        plaintext: &[u8],
    ) -> Result<Self, WechatPayError> {
        let ciphertext = aead::encrypt(apiv3_key, nonce.as_bytes(), original_type.as_bytes(), plaintext)?;
        Ok(NotificationEnvelope {
            id: id.to_owned(),
            create_time: create_time.to_owned(),
            event_type: event_type.to_owned(),
            resource_type: "encrypt-resource".to_owned(),
            summary: summary.to_owned(),
            resource: EncryptedResource {
                original_type: original_type.to_owned(),
                algorithm: ALGORITHM.to_owned(),
                ciphertext,
                associated_data: original_type.to_owned(),
                nonce: nonce.to_owned(),
            },
        })
    }
}

/// A verified and decrypted callback.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: String,
    pub create_time: String,
    pub event_type: String,
    pub summary: String,
    pub original_type: String,
    /// The decrypted resource as WeChat wrote it, for the audit log.
    pub plaintext: String,
    pub event: NotificationEvent,
}

/// The decrypted resource, read by its `original_type`.
#[derive(Debug, Clone, PartialEq)]
pub enum NotificationEvent {
    Transaction(Transaction),
    Refund(RefundNotification),
    /// A resource this client has no type for (PayScore, complaints…).
    Other(serde_json::Value),
}

/// Verifies a callback's signature and timestamp against `keys` at `now` (Unix seconds), then
/// decrypts and reads it. `body` must be the bytes received, untouched.
pub fn verify_notification(
    keys: &PlatformKeys,
    apiv3_key: &[u8],
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<Notification, WechatPayError> {
    let signature = SignatureHeaders::from_headers(headers)?;
    keys.verify(&signature, body, now)?;
    open(apiv3_key, body)
}

/// Decrypts and reads a callback body whose signature was already checked.
pub fn open(apiv3_key: &[u8], body: &[u8]) -> Result<Notification, WechatPayError> {
    let malformed = |what: &str| WechatPayError::Malformed(format!("notification: {what}"));
    let envelope: NotificationEnvelope =
        serde_json::from_slice(body).map_err(|e| malformed(&format!("not an envelope: {e}")))?;
    let resource = &envelope.resource;
    if resource.algorithm != ALGORITHM {
        return Err(malformed(&format!("unknown algorithm {}", resource.algorithm)));
    }
    let plaintext =
        aead::decrypt(apiv3_key, resource.nonce.as_bytes(), resource.associated_data.as_bytes(), &resource.ciphertext)?;
    let plaintext = String::from_utf8(plaintext).map_err(|_| malformed("the resource is not UTF-8"))?;
    let event = match resource.original_type.as_str() {
        "transaction" => NotificationEvent::Transaction(
            serde_json::from_str(&plaintext).map_err(|e| malformed(&format!("transaction: {e}")))?,
        ),
        "refund" => {
            NotificationEvent::Refund(serde_json::from_str(&plaintext).map_err(|e| malformed(&format!("refund: {e}")))?)
        }
        _ => NotificationEvent::Other(serde_json::from_str(&plaintext).map_err(|e| malformed(&e.to_string()))?),
    };
    Ok(Notification {
        id: envelope.id,
        create_time: envelope.create_time,
        event_type: envelope.event_type,
        summary: envelope.summary,
        original_type: envelope.resource.original_type,
        plaintext,
        event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::rsa::PrivateKey;
    use crate::pay::rsa::vectors::{GO_PRIVATE_KEY, GO_PUBLIC_KEY};
    use crate::pay::wechat::model::TradeState;

    /// `wechatpay-apiv3/wechatpay-go`, `core/notify/notify_test.go`, `TestHandler_ParseNotifyRequest`:
    /// a PayScore callback signed by the certificate below, its resource encrypted with the
    /// 16-byte key `testMchAPIv3Key0` (so AES-128-GCM, see `aead`), received at 1624523846.
    const GO_NOTIFY_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----";
    const GO_NOTIFY_BODY: &str = concat!(
        r#"{"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17","create_time":"2021-06-24T16:37:26+08:00","#,
        r#""resource_type":"encrypt-resource","event_type":"PAYSCORE.USER_OPEN_SERVICE","summary":"签约成功","#,
        r#""resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM","ciphertext":"#,
        r#""YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZt"#,
        r#"tevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR"#,
        r#"7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==","associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}"#,
    );
    const GO_NOTIFY_SIGNATURE: &str = concat!(
        "tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXF",
        "lbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1I",
        "BLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY4",
        "06ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q==",
    );
    const GO_NOTIFY_NOW: i64 = 1_624_523_846;

    fn go_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("Content-Type", "application/json".parse().unwrap());
        headers.insert("Wechatpay-Nonce", "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz".parse().unwrap());
        headers.insert("Wechatpay-Timestamp", "1624523846".parse().unwrap());
        headers.insert("Wechatpay-Serial", "D7CE59D1F522D701".parse().unwrap());
        headers.insert("Wechatpay-Signature", GO_NOTIFY_SIGNATURE.parse().unwrap());
        headers
    }

    fn go_keys() -> PlatformKeys {
        PlatformKeys::new().with_certificate_pem(GO_NOTIFY_CERTIFICATE).unwrap()
    }

    #[test]
    fn the_wechatpay_go_notification_verifies_and_decrypts() {
        let notification = verify_notification(
            &go_keys(),
            b"testMchAPIv3Key0",
            &go_headers(),
            GO_NOTIFY_BODY.as_bytes(),
            GO_NOTIFY_NOW,
        )
        .unwrap();
        assert_eq!(notification.id, "3119dfba-e649-5eec-ab1e-3412bc4d2e17");
        assert_eq!(notification.create_time, "2021-06-24T16:37:26+08:00");
        assert_eq!(notification.event_type, "PAYSCORE.USER_OPEN_SERVICE");
        assert_eq!(notification.summary, "签约成功");
        assert_eq!(notification.original_type, "payscore");
        assert_eq!(
            notification.plaintext,
            r#"{"mchid":"1234567890","appid":"054aa7d7a2a54ab5898df65bd96f001c","create_time":"2020-06-30T12:12:00+08:00","out_contract_code":"21640bdbd08e473e828f3206a2741c6e"}"#
        );
        let NotificationEvent::Other(content) = notification.event else { panic!("PayScore has no type here") };
        assert_eq!(content["out_contract_code"], "21640bdbd08e473e828f3206a2741c6e");
    }

    #[test]
    fn the_wechatpay_go_notification_is_refused_when_anything_is_off() {
        let verify = |headers: &HeaderMap, body: &str, key: &[u8], now: i64| {
            verify_notification(&go_keys(), key, headers, body.as_bytes(), now)
        };
        let key = b"testMchAPIv3Key0";
        let tampered = GO_NOTIFY_BODY.replace("签约成功", "签约失败");
        assert_eq!(verify(&go_headers(), &tampered, key, GO_NOTIFY_NOW), Err(WechatPayError::BadSignature));
        assert_eq!(
            verify(&go_headers(), GO_NOTIFY_BODY, key, GO_NOTIFY_NOW + 301),
            Err(WechatPayError::StaleTimestamp { timestamp: GO_NOTIFY_NOW, now: GO_NOTIFY_NOW + 301 })
        );
        let mut other_serial = go_headers();
        other_serial.insert("Wechatpay-Serial", "F5765756002FDD77".parse().unwrap());
        assert_eq!(
            verify(&other_serial, GO_NOTIFY_BODY, key, GO_NOTIFY_NOW),
            Err(WechatPayError::UnknownSerial("F5765756002FDD77".into()))
        );
        let mut unsigned = go_headers();
        unsigned.remove("Wechatpay-Signature");
        assert_eq!(
            verify(&unsigned, GO_NOTIFY_BODY, key, GO_NOTIFY_NOW),
            Err(WechatPayError::MissingHeader("Wechatpay-Signature"))
        );
        assert!(matches!(
            verify(&go_headers(), GO_NOTIFY_BODY, b"testMchAPIv3Key1", GO_NOTIFY_NOW),
            Err(WechatPayError::Decrypt(_))
        ));
    }

    #[test]
    fn a_sealed_transaction_notification_opens_into_a_transaction() {
        let key = b"LinliTestApiV3Key000000000000001";
        let plaintext = r#"{"appid":"wx1","mchid":"1900000001","out_trade_no":"LL000001","transaction_id":"4200000001202603010000000001","trade_type":"NATIVE","trade_state":"SUCCESS","trade_state_desc":"支付成功","success_time":"2026-03-01T10:00:00+08:00","payer":{"openid":"o1"},"amount":{"total":128050,"payer_total":128050,"currency":"CNY","payer_currency":"CNY"}}"#;
        let envelope = NotificationEnvelope::seal(
            key,
            "EV-1",
            "2026-03-01T10:00:01+08:00",
            "TRANSACTION.SUCCESS",
            "支付成功",
            "transaction",
            "0123456789ab",
            plaintext.as_bytes(),
        )
        .unwrap();
        let body = serde_json::to_vec(&envelope).unwrap();
        let signer = PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap();
        let now = 1_772_330_401;
        let mut headers = HeaderMap::new();
        SignatureHeaders::sign(&signer, "PUB_KEY_ID_1", now, "n1", &body).unwrap().insert_into(&mut headers);
        let keys = PlatformKeys::new().with_public_key_pem("PUB_KEY_ID_1", GO_PUBLIC_KEY).unwrap();
        let notification = verify_notification(&keys, key, &headers, &body, now).unwrap();
        let NotificationEvent::Transaction(transaction) = notification.event else { panic!("a transaction") };
        assert_eq!(transaction.trade_state, TradeState::Success);
        assert_eq!(transaction.total_fen(), Some(128_050));
        assert_eq!(notification.plaintext, plaintext);

        let mut wrong = envelope.clone();
        wrong.resource.algorithm = "AEAD_SM4_GCM".into();
        assert!(matches!(open(key, &serde_json::to_vec(&wrong).unwrap()), Err(WechatPayError::Malformed(_))));
        assert!(matches!(open(key, b"not json"), Err(WechatPayError::Malformed(_))));
    }
}
