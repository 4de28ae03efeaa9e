//! Alipay's RSA2 signatures, the three places they appear:
//!
//! - **Requests** Linli sends (and the simulator checks): every parameter except `sign` (file
//!   parameters are never strings here, so there are none to leave out), empty values dropped,
//!   sorted by name in ASCII order, joined `k=v&…` with the raw values (never URL-encoded),
//!   SHA256withRSA with the app private key, base64. `sign_type` stays in.
//! - **Synchronous answers**: the signature covers the raw JSON text of the `<method>_response`
//!   object exactly as the body carries it, so it is cut out of the body, never re-serialised.
//! - **Asynchronous notifications** (and the return redirect): `sign` *and* `sign_type` removed,
//!   the URL-decoded values sorted and joined as above; empty values stay in, as Alipay's SDKs
//!   check them (`AlipaySignature.getSignCheckContentV1`).
//!
//! Both answers and notifications are verified with the Alipay public key, never the app's key.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use crate::pay::rsa::{PrivateKey, PublicKey, RsaError};

/// The text a request's `sign` covers. Pure.
pub fn request_content(params: &[(String, String)]) -> String {
    let mut kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(name, value)| name != "sign" && !name.is_empty() && !value.is_empty())
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    kept.sort_unstable();
    join(kept)
}

/// The text a notification's (or return redirect's) `sign` covers. Pure.
pub fn notification_content(params: &[(String, String)]) -> String {
    let mut kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(name, _)| name != "sign" && name != "sign_type")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    kept.sort_unstable();
    join(kept)
}

fn join(pairs: Vec<(&str, &str)>) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The `sign` of a request.
pub fn sign_request(params: &[(String, String)], app_key: &PrivateKey) -> Result<String, RsaError> {
    app_key.sign_sha256(request_content(params).as_bytes())
}

/// Whether a request's `sign` is the app's (the gateway's check).
pub fn verify_request(params: &[(String, String)], sign: &str, app_public_key: &PublicKey) -> bool {
    app_public_key.verify_sha256(request_content(params).as_bytes(), sign)
}

/// The `sign` of a notification (the simulator's side).
pub fn sign_notification(params: &[(String, String)], alipay_key: &PrivateKey) -> Result<String, RsaError> {
    alipay_key.sign_sha256(notification_content(params).as_bytes())
}

/// Whether a notification's `sign` (taken from `params`) is Alipay's.
pub fn verify_notification(params: &[(String, String)], alipay_public_key: &PublicKey) -> bool {
    let Some((_, sign)) = params.iter().find(|(name, _)| name == "sign") else { return false };
    alipay_public_key.verify_sha256(notification_content(params).as_bytes(), sign)
}

/// A synchronous answer split into the signed text and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAnswer<'a> {
    /// The object's key: `alipay_trade_precreate_response`, or `error_response`.
    pub root: String,
    /// The raw JSON text of that object, byte for byte as in the body.
    pub content: &'a str,
    pub sign: Option<String>,
}

/// The root of a method's answer: `alipay.trade.precreate` → `alipay_trade_precreate_response`.
pub fn response_root(method: &str) -> String {
    format!("{}_response", method.replace('.', "_"))
}

/// Finds the answer to `method` in `body` (falling back to `error_response`, which the gateway
/// uses when it could not tell the method) and its `sign`. None when the body is not such JSON.
pub fn split_answer<'a>(body: &'a str, method: &str) -> Option<SignedAnswer<'a>> {
    // Values kept as their raw text: the signed object is a slice of `body`.
    let fields: BTreeMap<String, &'a RawValue> = serde_json::from_str(body).ok()?;
    let wanted = response_root(method);
    let (root, content) = fields.get_key_value(wanted.as_str()).or_else(|| fields.get_key_value("error_response"))?;
    let sign = match fields.get("sign") {
        Some(raw) => Some(serde_json::from_str::<String>(raw.get()).ok()?),
        None => None,
    };
    Some(SignedAnswer { root: root.clone(), content: content.get(), sign })
}

/// The body of an answer as the gateway writes it: `{"<root>":<content>,"sign":"…"}`.
pub fn answer_body(root: &str, content: &str, sign: &str) -> String {
    format!("{{\"{root}\":{content},\"sign\":{}}}", serde_json::Value::from(sign))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::alipay::vectors::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    /// A request of yansongda/pay's test suite, `tests/Plugin/Alipay/AddSignaturePluginTest.php`
    /// (`testSignNormal`), signed with the PKCS#1 app key of its `tests/TestCase.php`
    /// (`alipay.default.app_secret_cert`); the expected `sign` is the one that test asserts.
    #[test]
    fn request_signature_reproduces_yansongda_pays_published_value() {
        let key = PrivateKey::from_pem(YANSONGDA_APP_SECRET).unwrap();
        let params = pairs(&[
            ("app_id", "9021000122682882"),
            ("method", "alipay.trade.query"),
            ("format", "JSON"),
            ("return_url", "http://hk.ysdor.cn/index.php"),
            ("charset", "utf-8"),
            ("sign_type", "RSA2"),
            ("timestamp", "2023-12-21 06:54:37"),
            ("version", "1.0"),
            ("notify_url", "http://hk.ysdor.cn/index.php"),
            ("app_cert_sn", "e90dd23a37c5c7b616e003970817ff82"),
            ("alipay_root_cert_sn", "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"),
            ("biz_content", "{\"out_trade_no\":\"1703141270\"}"),
        ]);
        assert_eq!(
            request_content(&params),
            "alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6\
             &app_cert_sn=e90dd23a37c5c7b616e003970817ff82&app_id=9021000122682882\
             &biz_content={\"out_trade_no\":\"1703141270\"}&charset=utf-8&format=JSON&method=alipay.trade.query\
             &notify_url=http://hk.ysdor.cn/index.php&return_url=http://hk.ysdor.cn/index.php&sign_type=RSA2\
             &timestamp=2023-12-21 06:54:37&version=1.0"
        );
        assert_eq!(
            sign_request(&params, &key).unwrap(),
            "FrzUwXziVWK2x5glZkGoQ6dGR87O33APv3D/lWjVqPrFnMwcYjOYyln1B1bw5VuOwokLRmqcwWuTumBg8Q+n4FkVR3DMCvL8ywTBp5+6pRAE\
             TfhFop4m+r6jI+dgOavwyoZ69CWCzCcEyb0vMjgrV2eoSI4bgLjJyPcGpZ+iDBTSvE6eVxs05bUjainAOB5NnAvME06nkaxGLB4qwF9c3SQoiZ\
             t7QcMRdyy6mRItZxRaEjMm6qX8dfPuuquJC4wpTRk8PQeu5EMR4yyc1atxso3CMovjkGr5LzDtqLNseyqqorYW+Gfu3ugHSs9aqkwAAysg79O6\
             TsvuFa9OHq64Tg=="
        );
        let public = key.public_key();
        let sign = sign_request(&params, &key).unwrap();
        assert!(verify_request(&params, &sign, &public));
        let mut tampered = params.clone();
        tampered[0].1 = "9021000122682883".to_owned();
        assert!(!verify_request(&tampered, &sign, &public));
    }

    #[test]
    fn request_content_drops_sign_and_empty_values_and_sorts_by_name() {
        let params =
            pairs(&[("b", "2"), ("sign", "xyz"), ("a", "1"), ("empty", ""), ("A", "0"), ("sign_type", "RSA2")]);
        assert_eq!(request_content(&params), "A=0&a=1&b=2&sign_type=RSA2");
    }

    #[test]
    fn notification_content_drops_sign_and_sign_type_but_keeps_empty_values() {
        let params = pairs(&[("b", "x y+z"), ("sign", "xyz"), ("sign_type", "RSA2"), ("a", "")]);
        assert_eq!(notification_content(&params), "a=&b=x y+z");
    }

    /// A real sandbox notification of yansongda/pay's test suite,
    /// `tests/Plugin/Alipay/CallbackPluginTest.php` (`testNotifyCallbackIncludePlus`; its subject
    /// carries a literal `+`), signed by Alipay's sandbox key. The public key is the one in that
    /// repository's `tests/Cert/alipayCertPublicKey_RSA2.crt` (subject CN ends with the seller id
    /// 2088102172237210), taken out of the certificate with `openssl x509 -pubkey`.
    #[test]
    fn a_published_sandbox_notification_verifies_with_alipays_public_key() {
        let public = PublicKey::from_pem(YANSONGDA_ALIPAY_PUBLIC).unwrap();
        let mut params = yansongda_notification();
        assert!(verify_notification(&params, &public));
        // One field changed and the signature no longer covers it.
        let amount = params.iter_mut().find(|(n, _)| n == "total_amount").unwrap();
        amount.1 = "100.01".to_owned();
        assert!(!verify_notification(&params, &public));
    }

    /// The same repository's `testReturnCallback`: the signed query of the return redirect.
    #[test]
    fn a_published_sandbox_return_redirect_verifies_the_same_way() {
        let public = PublicKey::from_pem(YANSONGDA_ALIPAY_PUBLIC).unwrap();
        let query = "charset=utf-8&out_trade_no=yansongda-1622986519&method=alipay.trade.page.pay.return\
            &total_amount=0.01&sign=oSazH3ZnzPQBGfJ8piYuri0E683D7bEKtd1NPcuYctvCEiRWP1QBVWma3hwoTLc19KdXbMGGZcOS5UvtlWwIvcK3o\
            qkuRkFOwcRRmyF0UScmdHrTEPO9VwcaEWPK9Hy%2BTSlYrlnfCae1zlDo4vvNojFZf%2BduaaYCGS2L4Q55atloeztOPsZTNSYI7Jy0rrQcOaAWL7\
            F9aJNqFPW6WkWL31w6HwDHcRSEQzD9C9YTsRkQ7khPHFEw8CHSYp5h8XOq%2BfE0yRDAEEw2pxYYC5QhCtbqVjLdfFXp792cTRd31IB6iAznnDvOA\
            TZVgulpC0Z6MV0k0MInL2CarbuO5SZfRg%3D%3D&trade_no=2021060622001498120501382075&auth_app_id=2016082000295641\
            &version=1.0&app_id=2016082000295641&sign_type=RSA2&seller_id=2088102172237210&timestamp=2021-06-06+21%3A35%3A50";
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        assert!(verify_notification(&params, &public));
    }

    /// A real `alipay.trade.query` answer and its signature, from go-pay/gopay's
    /// `alipay/sign_test.go` (`TestSyncVerifySign`), with the Alipay public key printed there (bare
    /// base64, as the Alipay console shows it). The body is rebuilt around the published object.
    #[test]
    fn a_published_query_answer_verifies_over_its_raw_response_text() {
        let public = PublicKey::from_pem(GOPAY_ALIPAY_PUBLIC).unwrap();
        let body =
            format!("{{\"alipay_trade_query_response\":{GOPAY_QUERY_RESPONSE},\"sign\":\"{GOPAY_QUERY_SIGN}\"}}");
        let answer = split_answer(&body, "alipay.trade.query").unwrap();
        assert_eq!(answer.root, "alipay_trade_query_response");
        assert_eq!(answer.content, GOPAY_QUERY_RESPONSE);
        assert!(public.verify_sha256(answer.content.as_bytes(), answer.sign.as_deref().unwrap()));
        // Re-serialising (here: only reordering the keys) would break it, which is why the text is cut out.
        let reserialised =
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(answer.content).unwrap()).unwrap();
        assert_ne!(reserialised, GOPAY_QUERY_RESPONSE);
        assert!(!public.verify_sha256(reserialised.as_bytes(), GOPAY_QUERY_SIGN));
    }

    #[test]
    fn split_answer_keeps_whitespace_and_escapes_of_the_body_and_falls_back_to_error_response() {
        let body =
            "{ \"alipay_trade_close_response\" : {\"code\":\"10000\", \"msg\":\"\\u6210\\u529f\"} ,\"sign\":\"c2ln\"}";
        let answer = split_answer(body, "alipay.trade.close").unwrap();
        assert_eq!(answer.content, "{\"code\":\"10000\", \"msg\":\"\\u6210\\u529f\"}");
        assert_eq!(answer.sign.as_deref(), Some("c2ln"));

        let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-method"}}"#;
        let answer = split_answer(body, "alipay.trade.close").unwrap();
        assert_eq!(answer.root, "error_response");
        assert_eq!(answer.sign, None);

        assert!(split_answer("<html>", "alipay.trade.close").is_none());
        assert!(split_answer(r#"{"other_response":{}}"#, "alipay.trade.close").is_none());
        assert!(split_answer(r#"{"alipay_trade_close_response":{},"sign":5}"#, "alipay.trade.close").is_none());
    }

    #[test]
    fn answer_body_is_what_split_answer_reads_back() {
        let body = answer_body("alipay_trade_close_response", r#"{"code":"10000","msg":"Success"}"#, "c2ln");
        let answer = split_answer(&body, "alipay.trade.close").unwrap();
        assert_eq!(answer.content, r#"{"code":"10000","msg":"Success"}"#);
        assert_eq!(answer.sign.as_deref(), Some("c2ln"));
    }
}
