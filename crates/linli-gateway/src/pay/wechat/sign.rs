//! WeChat Pay's signatures, all SHA256withRSA over newline-terminated lines:
//!
//! - a request, signed with the merchant key: `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`, sent as
//!   `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`;
//! - an answer or a callback, signed by WeChat Pay: `TIMESTAMP\nNONCE\nBODY\n` from the
//!   `Wechatpay-Timestamp`, `Wechatpay-Nonce` headers, the signature in `Wechatpay-Signature`, the
//!   key named by `Wechatpay-Serial` (a platform certificate's serial or a `PUB_KEY_ID_…`);
//! - the JSAPI cashier's `paySign`: `appId\ntimeStamp\nnonceStr\nprepay_id=…\n`.
//!
//! Everything here is pure: timestamps and nonces are inputs.

use std::fmt::Write as _;

use reqwest::header::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::WechatPayError;
use crate::pay::rsa::{Certificate, PrivateKey, PublicKey, RsaError};

/// The `Authorization` scheme (and the `Wechatpay-Signature-Type` of answers).
pub const SCHEMA: &str = "WECHATPAY2-SHA256-RSA2048";
/// How far a signed answer's or callback's timestamp may be from our clock.
pub const TIMESTAMP_WINDOW_SECS: i64 = 300;
/// WeChat Pay public keys (the newer scheme) are named `PUB_KEY_ID_…`; anything else is a
/// platform certificate serial.
pub const PUB_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";

pub const HEADER_TIMESTAMP: &str = "Wechatpay-Timestamp";
pub const HEADER_NONCE: &str = "Wechatpay-Nonce";
pub const HEADER_SIGNATURE: &str = "Wechatpay-Signature";
pub const HEADER_SERIAL: &str = "Wechatpay-Serial";

/// The message a request signature covers. `path_and_query` is the URL as sent, without the host;
/// `body` is exactly the bytes sent (empty for GET).
pub fn request_message(method: &str, path_and_query: &str, timestamp: i64, nonce: &str, body: &str) -> String {
    format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body}\n")
}

/// The message an answer's or callback's signature covers.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for part in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        message.extend_from_slice(part);
        message.push(b'\n');
    }
    message
}

/// The five fields of a request's `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub mchid: String,
    pub nonce_str: String,
    pub timestamp: i64,
    /// The serial of the merchant's API certificate (商户API证书序列号).
    pub serial_no: String,
    pub signature: String,
}

impl Authorization {
    /// Signs one request ([`WechatPayError::Sign`] only when the system's random source fails).
    #[allow(clippy::too_many_arguments)] // the five signed values and the three that name them
    pub fn sign(
        key: &PrivateKey,
        mchid: &str,
        serial_no: &str,
        method: &str,
        path_and_query: &str,
        timestamp: i64,
        nonce: &str,
        body: &str,
    ) -> Result<Self, WechatPayError> {
        let signature = key.sign_sha256(request_message(method, path_and_query, timestamp, nonce, body))?;
        Ok(Authorization {
            mchid: mchid.to_owned(),
            nonce_str: nonce.to_owned(),
            timestamp,
            serial_no: serial_no.to_owned(),
            signature,
        })
    }

    /// Whether `key` signed this request.
    pub fn verify(&self, key: &PublicKey, method: &str, path_and_query: &str, body: &str) -> bool {
        key.verify_sha256(
            request_message(method, path_and_query, self.timestamp, &self.nonce_str, body),
            &self.signature,
        )
    }

    /// The header value, fields in the order WeChat's documentation shows them.
    pub fn header_value(&self) -> String {
        let Authorization { mchid, nonce_str, timestamp, serial_no, signature } = self;
        format!(
            r#"{SCHEMA} mchid="{mchid}",nonce_str="{nonce_str}",timestamp="{timestamp}",serial_no="{serial_no}",signature="{signature}""#
        )
    }

    /// Reads a header value; the fields may come in any order, values in double quotes.
    pub fn parse(value: &str) -> Result<Self, WechatPayError> {
        let bad = |reason: &str| WechatPayError::invalid("Authorization", reason);
        let fields = value.strip_prefix(SCHEMA).ok_or_else(|| bad("not the WECHATPAY2-SHA256-RSA2048 scheme"))?;
        if !fields.starts_with(' ') {
            return Err(bad("no space after the scheme"));
        }
        let (mut mchid, mut nonce_str, mut timestamp, mut serial_no, mut signature) = (None, None, None, None, None);
        for field in fields.split(',').map(str::trim) {
            let (name, quoted) = field.split_once('=').ok_or_else(|| bad("a field without '='"))?;
            let value = quoted
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(|| bad("a value without double quotes"))?;
            let slot = match name.trim() {
                "mchid" => &mut mchid,
                "nonce_str" => &mut nonce_str,
                "timestamp" => &mut timestamp,
                "serial_no" => &mut serial_no,
                "signature" => &mut signature,
                _ => return Err(bad("an unknown field")),
            };
            if slot.replace(value.to_owned()).is_some() {
                return Err(bad("a field given twice"));
            }
        }
        let timestamp = timestamp.ok_or_else(|| bad("no timestamp"))?;
        Ok(Authorization {
            mchid: mchid.ok_or_else(|| bad("no mchid"))?,
            nonce_str: nonce_str.ok_or_else(|| bad("no nonce_str"))?,
            timestamp: timestamp.parse().map_err(|_| bad("timestamp is not a number"))?,
            serial_no: serial_no.ok_or_else(|| bad("no serial_no"))?,
            signature: signature.ok_or_else(|| bad("no signature"))?,
        })
    }
}

/// The four `Wechatpay-*` headers of a signed answer or callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    pub timestamp: String,
    pub nonce: String,
    pub signature: String,
    pub serial: String,
}

impl SignatureHeaders {
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, WechatPayError> {
        let get = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or(WechatPayError::MissingHeader(name))
        };
        Ok(SignatureHeaders {
            timestamp: get(HEADER_TIMESTAMP)?,
            nonce: get(HEADER_NONCE)?,
            signature: get(HEADER_SIGNATURE)?,
            serial: get(HEADER_SERIAL)?,
        })
    }

    /// Whether an answer carries a signature at all (WeChat signs even its error answers).
    pub fn present(headers: &HeaderMap) -> bool {
        headers.contains_key(HEADER_SIGNATURE)
    }

    /// What WeChat Pay's side puts on an answer or callback (the simulator).
    pub fn sign(
        key: &PrivateKey,
        serial: &str,
        timestamp: i64,
        nonce: &str,
        body: &[u8],
    ) -> Result<Self, WechatPayError> {
        let timestamp = timestamp.to_string();
        let signature = key.sign_sha256(response_message(&timestamp, nonce, body))?;
        Ok(SignatureHeaders { timestamp, nonce: nonce.to_owned(), signature, serial: serial.to_owned() })
    }

    pub fn insert_into(&self, headers: &mut HeaderMap) {
        for (name, value) in [
            (HEADER_TIMESTAMP, &self.timestamp),
            (HEADER_NONCE, &self.nonce),
            (HEADER_SIGNATURE, &self.signature),
            (HEADER_SERIAL, &self.serial),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        headers.insert("Wechatpay-Signature-Type", HeaderValue::from_static(SCHEMA));
    }
}

/// The keys WeChat Pay signs with, by the name `Wechatpay-Serial` gives: platform certificates by
/// serial (the older scheme) and WeChat Pay public keys by `PUB_KEY_ID_…`. During the migration
/// between the two both are configured.
#[derive(Debug, Clone, Default)]
pub struct PlatformKeys {
    keys: Vec<(String, PublicKey)>,
}

impl PlatformKeys {
    pub fn new() -> Self {
        PlatformKeys::default()
    }

    pub fn with_certificate(mut self, certificate: Certificate) -> Self {
        self.keys.push((certificate.serial_no, certificate.public_key));
        self
    }

    pub fn with_certificate_pem(self, pem: &str) -> Result<Self, RsaError> {
        Ok(self.with_certificate(Certificate::from_pem(pem)?))
    }

    /// A WeChat Pay public key (`pub_key.pem`) and its id, `PUB_KEY_ID_…`.
    pub fn with_public_key(mut self, key_id: impl Into<String>, key: PublicKey) -> Self {
        self.keys.push((key_id.into(), key));
        self
    }

    pub fn with_public_key_pem(self, key_id: impl Into<String>, pem: &str) -> Result<Self, RsaError> {
        Ok(self.with_public_key(key_id, PublicKey::from_pem(pem)?))
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key named `serial`; certificate serials are hex, compared without regard to case.
    pub fn get(&self, serial: &str) -> Option<&PublicKey> {
        self.keys.iter().find(|(name, _)| name.eq_ignore_ascii_case(serial)).map(|(_, key)| key)
    }

    /// The public key id to send as `Wechatpay-Serial`: WeChat signs its answer with the public
    /// key only when the request names it.
    pub fn public_key_id(&self) -> Option<&str> {
        self.keys.iter().map(|(name, _)| name.as_str()).find(|name| name.starts_with(PUB_KEY_ID_PREFIX))
    }

    /// Checks a signed answer or callback: a timestamp within [`TIMESTAMP_WINDOW_SECS`] of `now`,
    /// a key we hold, and the signature over `TIMESTAMP\nNONCE\nBODY\n`.
    pub fn verify(&self, headers: &SignatureHeaders, body: &[u8], now: i64) -> Result<(), WechatPayError> {
        let timestamp: i64 = headers.timestamp.parse().map_err(|_| WechatPayError::MissingHeader(HEADER_TIMESTAMP))?;
        if (now - timestamp).abs() > TIMESTAMP_WINDOW_SECS {
            return Err(WechatPayError::StaleTimestamp { timestamp, now });
        }
        let key = self.get(&headers.serial).ok_or_else(|| WechatPayError::UnknownSerial(headers.serial.clone()))?;
        if key.verify_sha256(response_message(&headers.timestamp, &headers.nonce, body), &headers.signature) {
            Ok(())
        } else {
            Err(WechatPayError::BadSignature)
        }
    }
}

/// What the JSAPI cashier in WeChat's browser takes (`WeixinJSBridge.invoke('getBrandWCPayRequest', …)`
/// or `wx.chooseWXPay`): field names as WeChat spells them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsapiPayParams {
    pub app_id: String,
    pub time_stamp: String,
    pub nonce_str: String,
    /// `prepay_id=…`.
    pub package: String,
    /// Always `RSA` in API v3.
    pub sign_type: String,
    pub pay_sign: String,
}

/// The four lines `paySign` covers.
pub fn jsapi_pay_message(appid: &str, timestamp: i64, nonce: &str, prepay_id: &str) -> String {
    let mut message = String::new();
    let _ = write!(message, "{appid}\n{timestamp}\n{nonce}\nprepay_id={prepay_id}\n");
    message
}

pub fn jsapi_pay_params(
    key: &PrivateKey,
    appid: &str,
    timestamp: i64,
    nonce: &str,
    prepay_id: &str,
) -> Result<JsapiPayParams, WechatPayError> {
    Ok(JsapiPayParams {
        app_id: appid.to_owned(),
        time_stamp: timestamp.to_string(),
        nonce_str: nonce.to_owned(),
        package: format!("prepay_id={prepay_id}"),
        sign_type: "RSA".to_owned(),
        pay_sign: key.sign_sha256(jsapi_pay_message(appid, timestamp, nonce, prepay_id))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::rsa::vectors::*;

    fn go_key() -> PrivateKey {
        PrivateKey::from_pem(GO_PRIVATE_KEY).unwrap()
    }

    #[test]
    fn a_get_request_message_ends_with_an_empty_body_line() {
        // The example on WeChat's signature page (wechatpay4_0).
        assert_eq!(
            request_message("GET", "/v3/certificates", 1_554_208_460, "593BEC0C930BF1AFEB40B4A08C8FB242", ""),
            "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
        );
        assert_eq!(
            request_message("POST", "/v3/pay/transactions/native", 1, "N", r#"{"a":1}"#),
            "POST\n/v3/pay/transactions/native\n1\nN\n{\"a\":1}\n"
        );
        assert_eq!(response_message("1", "N", b""), b"1\nN\n\n");
    }

    /// The expected signature was computed independently with OpenSSL over the same message:
    /// `printf 'POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"appid":"wxd678efh567hg6787"}\n'
    /// | openssl dgst -sha256 -sign go_key.pem | base64 -w0` (go_key.pem = [`GO_PRIVATE_KEY`]).
    #[test]
    fn the_authorization_header_carries_the_five_fields_and_round_trips() {
        let auth = Authorization::sign(
            &go_key(),
            "1900000001",
            "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "POST",
            "/v3/pay/transactions/native",
            1_554_208_460,
            "593BEC0C930BF1AFEB40B4A08C8FB242",
            r#"{"appid":"wxd678efh567hg6787"}"#,
        )
        .unwrap();
        assert_eq!(auth.signature, OPENSSL_NATIVE_SIGNATURE);
        let header = auth.header_value();
        assert_eq!(
            header,
            format!(
                "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",\
                 timestamp=\"1554208460\",serial_no=\"5157F09EFDC096DE15EBE81A47057A7232F1B8E1\",\
                 signature=\"{OPENSSL_NATIVE_SIGNATURE}\""
            )
        );
        assert_eq!(Authorization::parse(&header).unwrap(), auth);
        let public = PublicKey::from_pem(GO_PUBLIC_KEY).unwrap();
        assert!(auth.verify(&public, "POST", "/v3/pay/transactions/native", r#"{"appid":"wxd678efh567hg6787"}"#));
        assert!(!auth.verify(&public, "POST", "/v3/pay/transactions/jsapi", r#"{"appid":"wxd678efh567hg6787"}"#));
        assert!(!auth.verify(&public, "POST", "/v3/pay/transactions/native", r#"{"appid":"wx0"}"#));
    }

    const OPENSSL_NATIVE_SIGNATURE: &str = include_str!("testdata/native_request_signature.txt");

    #[test]
    fn an_authorization_header_is_read_in_any_field_order_and_refused_when_incomplete() {
        let parsed = Authorization::parse(
            r#"WECHATPAY2-SHA256-RSA2048 signature="c2ln", serial_no="ABC",timestamp="1700000000", mchid="1900000001",nonce_str="n1""#,
        )
        .unwrap();
        assert_eq!(
            parsed,
            Authorization {
                mchid: "1900000001".into(),
                nonce_str: "n1".into(),
                timestamp: 1_700_000_000,
                serial_no: "ABC".into(),
                signature: "c2ln".into()
            }
        );
        for bad in [
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="x",serial_no="s",signature="c""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n",timestamp="1",serial_no="s",signature="c""#,
            r#"WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="1",serial_no="s",signature="c""#,
            r#"Bearer mchid="1",nonce_str="n",timestamp="1",serial_no="s",signature="c""#,
            "",
        ] {
            assert!(matches!(Authorization::parse(bad), Err(WechatPayError::Invalid { .. })), "{bad}");
        }
    }

    fn headers(timestamp: &str, nonce: &str, signature: &str, serial: &str) -> SignatureHeaders {
        SignatureHeaders {
            timestamp: timestamp.into(),
            nonce: nonce.into(),
            signature: signature.into(),
            serial: serial.into(),
        }
    }

    /// `core/auth/verifiers/sha256withrsa_verifier_test.go` and `…pubkey_verifier_test.go`: the
    /// same signature of `source`, verified through a platform certificate by its serial and
    /// through a public key by its id.
    #[test]
    fn the_key_set_verifies_by_certificate_serial_and_by_public_key_id() {
        let keys = PlatformKeys::new()
            .with_certificate_pem(GO_PLATFORM_CERTIFICATE)
            .unwrap()
            .with_public_key_pem("PUB_KEY_ID_0000000000000024101100397200000006", GO_PUBLIC_KEY)
            .unwrap();
        assert!(keys.get("F5765756002FDD77").is_some());
        assert!(keys.get("f5765756002fdd77").is_some(), "hex serials compare without case");
        assert_eq!(keys.public_key_id(), Some("PUB_KEY_ID_0000000000000024101100397200000006"));
        // The Go vectors sign the bare word `source`: they prove the keys are read right; the
        // answer layout is checked with signatures made here.
        let cert_key = keys.get("F5765756002FDD77").unwrap();
        assert!(cert_key.verify_sha256("source", GO_SIGNATURE_OF_SOURCE));
        assert!(!cert_key.verify_sha256("wrong source", GO_SIGNATURE_OF_SOURCE));

        let now = 1_700_000_000;
        let body = br#"{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}"#;
        for serial in ["F5765756002FDD77", "PUB_KEY_ID_0000000000000024101100397200000006"] {
            let signed = SignatureHeaders::sign(&go_key(), serial, now, "nonce-1", body).unwrap();
            assert_eq!(keys.verify(&signed, body, now), Ok(()));
            assert_eq!(keys.verify(&signed, b"{}", now), Err(WechatPayError::BadSignature));
        }
    }

    #[test]
    fn verification_refuses_stale_timestamps_unknown_serials_and_probes() {
        let keys = PlatformKeys::new().with_public_key_pem("PUB_KEY_ID_1", GO_PUBLIC_KEY).unwrap();
        let body = b"{}";
        let now = 1_700_000_000;
        let signed = |ts: i64| SignatureHeaders::sign(&go_key(), "PUB_KEY_ID_1", ts, "n", body).unwrap();
        assert_eq!(keys.verify(&signed(now - 300), body, now), Ok(()));
        assert_eq!(keys.verify(&signed(now + 300), body, now), Ok(()));
        assert_eq!(
            keys.verify(&signed(now - 301), body, now),
            Err(WechatPayError::StaleTimestamp { timestamp: now - 301, now })
        );
        assert_eq!(
            keys.verify(&signed(now + 301), body, now),
            Err(WechatPayError::StaleTimestamp { timestamp: now + 301, now })
        );
        let unknown = SignatureHeaders { serial: "PUB_KEY_ID_2".into(), ..signed(now) };
        assert_eq!(keys.verify(&unknown, body, now), Err(WechatPayError::UnknownSerial("PUB_KEY_ID_2".into())));
        // WeChat's signature probes start like this and must fail like any forgery.
        let probe = headers(&now.to_string(), "n", "WECHATPAY/SIGNTEST/c2lnbmF0dXJl", "PUB_KEY_ID_1");
        assert_eq!(keys.verify(&probe, body, now), Err(WechatPayError::BadSignature));
        let garbled = headers("soon", "n", "x", "PUB_KEY_ID_1");
        assert_eq!(keys.verify(&garbled, body, now), Err(WechatPayError::MissingHeader(HEADER_TIMESTAMP)));
    }

    #[test]
    fn signature_headers_are_read_from_and_written_to_a_header_map() {
        let signed = SignatureHeaders::sign(&go_key(), "PUB_KEY_ID_1", 1_700_000_000, "n", b"{}").unwrap();
        let mut map = HeaderMap::new();
        assert!(!SignatureHeaders::present(&map));
        assert_eq!(SignatureHeaders::from_headers(&map), Err(WechatPayError::MissingHeader(HEADER_TIMESTAMP)));
        signed.insert_into(&mut map);
        assert!(SignatureHeaders::present(&map));
        assert_eq!(SignatureHeaders::from_headers(&map).unwrap(), signed);
        map.remove(HEADER_SERIAL);
        assert_eq!(SignatureHeaders::from_headers(&map), Err(WechatPayError::MissingHeader(HEADER_SERIAL)));
    }

    /// The expected `paySign` was computed with OpenSSL:
    /// `printf 'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n'
    /// | openssl dgst -sha256 -sign go_key.pem | base64 -w0`, the values being the examples of
    /// WeChat's JSAPI cashier page.
    #[test]
    fn the_jsapi_pay_sign_covers_the_four_lines_of_the_cashier() {
        let message = jsapi_pay_message(
            "wx8888888888888888",
            1_414_561_699,
            "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
            "wx201410272009395522657a690389285100",
        );
        assert_eq!(
            message,
            "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n"
        );
        let params = jsapi_pay_params(
            &go_key(),
            "wx8888888888888888",
            1_414_561_699,
            "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
            "wx201410272009395522657a690389285100",
        )
        .unwrap();
        assert_eq!(params.pay_sign, include_str!("testdata/jsapi_pay_sign.txt"));
        let json = serde_json::to_value(&params).unwrap();
        assert_eq!(json["appId"], "wx8888888888888888");
        assert_eq!(json["timeStamp"], "1414561699");
        assert_eq!(json["nonceStr"], "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        assert_eq!(json["package"], "prepay_id=wx201410272009395522657a690389285100");
        assert_eq!(json["signType"], "RSA");
        assert!(json["paySign"].is_string());
    }
}
