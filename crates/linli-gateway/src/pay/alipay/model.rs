//! The Alipay Open Platform messages Linli uses, as typed values: the common request parameters,
//! the `biz_content` of each method, their answers and the asynchronous notification.
//!
//! Amounts are integer fen here and yuan strings with two decimals (`"88.88"`) only on the wire.
//! Everything in this file is pure.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::AlipayError;

/// The methods (`method` parameter) this adapter calls.
pub mod method {
    pub const PRECREATE: &str = "alipay.trade.precreate";
    pub const WAP_PAY: &str = "alipay.trade.wap.pay";
    pub const QUERY: &str = "alipay.trade.query";
    pub const CLOSE: &str = "alipay.trade.close";
    pub const REFUND: &str = "alipay.trade.refund";
    pub const BILL_DOWNLOAD_URL: &str = "alipay.data.dataservice.bill.downloadurl.query";
}

/// `code` of every successful answer.
pub const SUCCESS_CODE: &str = "10000";
/// `timestamp` and the notification's times: Beijing time, to the second.
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// The smallest and largest order Alipay takes: 0.01 to 100,000,000.00 yuan.
pub const MIN_TOTAL_FEN: i64 = 1;
pub const MAX_TOTAL_FEN: i64 = 10_000_000_000;

/// UTC+8, the zone of every time Alipay writes or reads.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// `2026-03-01 10:00:00` for 02:00 UTC.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format(TIMESTAMP_FORMAT).to_string()
}

/// Reads a Beijing `yyyy-MM-dd HH:mm:ss` time.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(text, TIMESTAMP_FORMAT).ok()?;
    Some(local.and_local_timezone(beijing()).single()?.to_utc())
}

/// `8888` → `"88.88"`, `-1000` → `"-10.00"`.
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `"88.88"`, `"88.8"`, `"88"` or `"-10.00"` → fen, exactly: a third decimal, an exponent, a `+`
/// or spaces are refused rather than rounded.
pub fn yuan_to_fen(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
        return None;
    }
    if digits.contains('.') && fraction.is_empty() {
        return None;
    }
    let cents = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse::<i64>().ok()?,
    };
    let fen = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -fen } else { fen })
}

/// The parameters of one request, `sign` excluded, in the order Alipay's SDKs send them.
pub fn common_params(
    app_id: &str,
    method: &str,
    at: DateTime<Utc>,
    notify_url: Option<&str>,
    return_url: Option<&str>,
    biz_content: &str,
) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = [
        ("app_id", app_id),
        ("method", method),
        ("format", "JSON"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("version", "1.0"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    params.push(("timestamp".to_owned(), timestamp(at)));
    if let Some(url) = notify_url {
        params.push(("notify_url".to_owned(), url.to_owned()));
    }
    if let Some(url) = return_url {
        params.push(("return_url".to_owned(), url.to_owned()));
    }
    params.push(("biz_content".to_owned(), biz_content.to_owned()));
    params
}

/// `out_trade_no`: at most 64 letters, digits or underscores (Alipay's rule for every method).
fn check_out_no(field: &'static str, value: &str) -> Result<(), AlipayError> {
    if value.is_empty() || value.len() > 64 {
        return Err(AlipayError::invalid(field, "1 to 64 characters"));
    }
    if !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(AlipayError::invalid(field, "letters, digits and underscores only"));
    }
    Ok(())
}

fn check_total(field: &'static str, fen: i64) -> Result<(), AlipayError> {
    if (MIN_TOTAL_FEN..=MAX_TOTAL_FEN).contains(&fen) {
        Ok(())
    } else {
        Err(AlipayError::invalid(field, "0.01 to 100000000.00 yuan"))
    }
}

/// `subject`: at most 256 characters and none of `/ = &` (Alipay's rule).
fn check_subject(subject: &str) -> Result<(), AlipayError> {
    if subject.is_empty() || subject.chars().count() > 256 {
        return Err(AlipayError::invalid("subject", "1 to 256 characters"));
    }
    if subject.contains(['/', '=', '&']) {
        return Err(AlipayError::invalid("subject", "must not contain / = or &"));
    }
    Ok(())
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("biz_content is plain strings")
}

/// `alipay.trade.precreate` (当面付 扫码): Alipay answers a `qr_code` for the payer to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecreateRequest {
    pub out_trade_no: String,
    pub total_fen: i64,
    pub subject: String,
    /// How long the payer has, e.g. `"90m"` (Alipay: 1m to 15d; its default is 2h for precreate).
    pub timeout_express: Option<String>,
}

#[derive(Serialize)]
struct PrecreateBiz<'a> {
    out_trade_no: &'a str,
    total_amount: String,
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_express: Option<&'a str>,
}

impl PrecreateRequest {
    pub fn validate(&self) -> Result<(), AlipayError> {
        check_out_no("out_trade_no", &self.out_trade_no)?;
        check_total("total_amount", self.total_fen)?;
        check_subject(&self.subject)
    }

    pub fn biz_content(&self) -> String {
        json(&PrecreateBiz {
            out_trade_no: &self.out_trade_no,
            total_amount: fen_to_yuan(self.total_fen),
            subject: &self.subject,
            timeout_express: self.timeout_express.as_deref(),
        })
    }
}

/// `alipay.trade.wap.pay` (手机网站支付): a signed page request the phone's browser opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WapPayRequest {
    pub out_trade_no: String,
    pub total_fen: i64,
    pub subject: String,
    /// Where the cashier's "back" button leads.
    pub quit_url: Option<String>,
    /// Where the browser goes after paying. Arriving there proves nothing: wait for the
    /// notification or query.
    pub return_url: Option<String>,
    pub timeout_express: Option<String>,
}

#[derive(Serialize)]
struct WapPayBiz<'a> {
    out_trade_no: &'a str,
    total_amount: String,
    subject: &'a str,
    product_code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    quit_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_express: Option<&'a str>,
}

/// The `product_code` of phone-web payments.
pub const QUICK_WAP_WAY: &str = "QUICK_WAP_WAY";

impl WapPayRequest {
    pub fn validate(&self) -> Result<(), AlipayError> {
        check_out_no("out_trade_no", &self.out_trade_no)?;
        check_total("total_amount", self.total_fen)?;
        check_subject(&self.subject)
    }

    pub fn biz_content(&self) -> String {
        json(&WapPayBiz {
            out_trade_no: &self.out_trade_no,
            total_amount: fen_to_yuan(self.total_fen),
            subject: &self.subject,
            product_code: QUICK_WAP_WAY,
            quit_url: self.quit_url.as_deref(),
            timeout_express: self.timeout_express.as_deref(),
        })
    }
}

/// Which trade a query, close or refund is about: ours or Alipay's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeRef {
    OutTradeNo(String),
    TradeNo(String),
}

impl TradeRef {
    fn validate(&self) -> Result<(), AlipayError> {
        match self {
            TradeRef::OutTradeNo(no) => check_out_no("out_trade_no", no),
            TradeRef::TradeNo(no) if no.is_empty() || no.len() > 64 => {
                Err(AlipayError::invalid("trade_no", "1 to 64 characters"))
            }
            TradeRef::TradeNo(_) => Ok(()),
        }
    }

    fn fields(&self) -> (Option<&str>, Option<&str>) {
        match self {
            TradeRef::OutTradeNo(no) => (Some(no), None),
            TradeRef::TradeNo(no) => (None, Some(no)),
        }
    }

    /// The `biz_content` of `alipay.trade.query` and `alipay.trade.close`.
    pub fn biz_content(&self) -> Result<String, AlipayError> {
        self.validate()?;
        let (out_trade_no, trade_no) = self.fields();
        Ok(json(&TradeBiz { out_trade_no, trade_no }))
    }
}

// Structs rather than maps: the field order is then the same whatever serde_json's features.
#[derive(Serialize)]
struct TradeBiz<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    out_trade_no: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trade_no: Option<&'a str>,
}

#[derive(Serialize)]
struct RefundBiz<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    out_trade_no: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trade_no: Option<&'a str>,
    refund_amount: String,
    out_request_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct BillBiz {
    bill_type: &'static str,
    bill_date: String,
}

/// `alipay.trade.refund`. Each `out_request_no` is refunded at most once, so a retry with the same
/// one is safe; a second partial refund takes a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub trade: TradeRef,
    pub refund_fen: i64,
    pub out_request_no: String,
    pub refund_reason: Option<String>,
}

impl RefundRequest {
    pub fn validate(&self) -> Result<(), AlipayError> {
        self.trade.validate()?;
        check_total("refund_amount", self.refund_fen)?;
        if self.out_request_no.is_empty() || self.out_request_no.len() > 64 {
            return Err(AlipayError::invalid("out_request_no", "1 to 64 characters"));
        }
        if self.refund_reason.as_ref().is_some_and(|r| r.chars().count() > 256) {
            return Err(AlipayError::invalid("refund_reason", "at most 256 characters"));
        }
        Ok(())
    }

    pub fn biz_content(&self) -> String {
        let (out_trade_no, trade_no) = self.trade.fields();
        json(&RefundBiz {
            out_trade_no,
            trade_no,
            refund_amount: fen_to_yuan(self.refund_fen),
            out_request_no: &self.out_request_no,
            refund_reason: self.refund_reason.as_deref(),
        })
    }
}

/// `alipay.data.dataservice.bill.downloadurl.query` for one day's trade bill (业务账单).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillRequest {
    /// A Beijing date; the bill is ready the next morning.
    pub bill_date: NaiveDate,
}

/// The `bill_type` of the trade bill (the other, `signcustomer`, is the account statement).
pub const BILL_TYPE_TRADE: &str = "trade";

impl BillRequest {
    pub fn biz_content(&self) -> String {
        json(&BillBiz { bill_type: BILL_TYPE_TRADE, bill_date: self.bill_date.format("%Y-%m-%d").to_string() })
    }
}

/// `code`, `msg`, `sub_code`, `sub_msg`: the head of every answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Outcome {
    pub code: String,
    #[serde(default)]
    pub msg: String,
    #[serde(default)]
    pub sub_code: Option<String>,
    #[serde(default)]
    pub sub_msg: Option<String>,
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        self.code == SUCCESS_CODE
    }

    pub fn into_error(self) -> AlipayError {
        AlipayError::Provider {
            code: self.code,
            msg: self.msg,
            sub_code: self.sub_code.unwrap_or_default(),
            sub_msg: self.sub_msg.unwrap_or_default(),
        }
    }
}

fn de_fen<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let text = String::deserialize(deserializer)?;
    yuan_to_fen(&text).ok_or_else(|| serde::de::Error::custom(format!("not an amount in yuan: {text:?}")))
}

fn de_opt_fen<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) => yuan_to_fen(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("not an amount in yuan: {text:?}"))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PrecreateResponse {
    pub out_trade_no: String,
    /// The text to show as a QR code (`https://qr.alipay.com/…`).
    pub qr_code: String,
}

/// Where a trade stands. Only [`TradeStatus::TradeSuccess`] and [`TradeStatus::TradeFinished`]
/// mean the money arrived; `TRADE_FINISHED` may follow `TRADE_SUCCESS` (after the refund window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeStatus {
    WaitBuyerPay,
    /// Closed unpaid (timeout or `alipay.trade.close`) or refunded in full.
    TradeClosed,
    TradeSuccess,
    /// Paid and no longer refundable.
    TradeFinished,
}

impl TradeStatus {
    pub fn is_paid(self) -> bool {
        matches!(self, TradeStatus::TradeSuccess | TradeStatus::TradeFinished)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TradeStatus::WaitBuyerPay => "WAIT_BUYER_PAY",
            TradeStatus::TradeClosed => "TRADE_CLOSED",
            TradeStatus::TradeSuccess => "TRADE_SUCCESS",
            TradeStatus::TradeFinished => "TRADE_FINISHED",
        }
    }
}

impl fmt::Display for TradeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TradeStatus {
    type Err = AlipayError;
    fn from_str(s: &str) -> Result<Self, AlipayError> {
        [TradeStatus::WaitBuyerPay, TradeStatus::TradeClosed, TradeStatus::TradeSuccess, TradeStatus::TradeFinished]
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| AlipayError::Malformed(format!("unknown trade_status {s:?}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct QueryResponse {
    pub trade_no: String,
    pub out_trade_no: String,
    pub trade_status: TradeStatus,
    #[serde(rename = "total_amount", deserialize_with = "de_fen")]
    pub total_fen: i64,
    /// What the merchant receives (after the payer's discounts funded by Alipay).
    #[serde(rename = "receipt_amount", default, deserialize_with = "de_opt_fen")]
    pub receipt_fen: Option<i64>,
    #[serde(rename = "buyer_pay_amount", default, deserialize_with = "de_opt_fen")]
    pub buyer_pay_fen: Option<i64>,
    #[serde(default)]
    pub buyer_logon_id: Option<String>,
    /// When it was paid, Beijing time.
    #[serde(default)]
    pub send_pay_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CloseResponse {
    #[serde(default)]
    pub trade_no: Option<String>,
    #[serde(default)]
    pub out_trade_no: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefundResponse {
    pub trade_no: String,
    pub out_trade_no: String,
    #[serde(default)]
    pub buyer_logon_id: Option<String>,
    /// `"Y"` when this call moved money; `"N"` when the `out_request_no` was refunded before.
    pub fund_change: String,
    /// Everything refunded on the trade so far, this refund included.
    #[serde(rename = "refund_fee", deserialize_with = "de_fen")]
    pub refund_fee_fen: i64,
}

impl RefundResponse {
    pub fn moved_money(&self) -> bool {
        self.fund_change == "Y"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BillUrlResponse {
    /// Valid for 30 seconds: fetch it at once.
    pub bill_download_url: String,
}

/// The `notify_type` of trade notifications.
pub const TRADE_STATUS_SYNC: &str = "trade_status_sync";

/// An asynchronous trade notification, once its signature has been checked. The receiver must
/// still check that `out_trade_no` is its order and `total_fen` its amount, and handle repeats:
/// the same `notify_id` arrives again until it answers `success`, and `TRADE_FINISHED` may follow
/// `TRADE_SUCCESS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub notify_id: String,
    pub notify_type: String,
    pub notify_time: String,
    pub app_id: String,
    pub seller_id: String,
    pub trade_no: String,
    pub out_trade_no: String,
    pub trade_status: TradeStatus,
    pub total_fen: i64,
    pub receipt_fen: Option<i64>,
    pub buyer_pay_fen: Option<i64>,
    /// Everything refunded so far, on a refund's notification.
    pub refund_fee_fen: Option<i64>,
    /// The refund's `out_request_no`, on a refund's notification.
    pub out_biz_no: Option<String>,
    pub buyer_id: Option<String>,
    pub gmt_payment: Option<String>,
    /// Every field as received (URL-decoded), `sign` included, for the audit trail.
    pub fields: BTreeMap<String, String>,
}

impl Notification {
    /// Reads the fields of a verified notification. Duplicate names are refused: which one the
    /// signature covered would be ambiguous.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, AlipayError> {
        let mut fields = BTreeMap::new();
        for (name, value) in params {
            if fields.insert(name.clone(), value.clone()).is_some() {
                return Err(AlipayError::Malformed(format!("notification field {name} given twice")));
            }
        }
        let required = |name: &str| {
            fields
                .get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| AlipayError::Malformed(format!("notification without {name}")))
        };
        let optional = |name: &str| fields.get(name).filter(|v| !v.is_empty()).cloned();
        let amount = |name: &str, text: &str| {
            yuan_to_fen(text).ok_or_else(|| AlipayError::Malformed(format!("{name} is not an amount: {text:?}")))
        };
        let optional_amount = |name: &str| optional(name).map(|text| amount(name, &text)).transpose();
        Ok(Notification {
            notify_id: required("notify_id")?,
            notify_type: required("notify_type")?,
            notify_time: required("notify_time")?,
            app_id: required("app_id")?,
            seller_id: required("seller_id")?,
            trade_no: required("trade_no")?,
            out_trade_no: required("out_trade_no")?,
            trade_status: required("trade_status")?.parse()?,
            total_fen: amount("total_amount", &required("total_amount")?)?,
            receipt_fen: optional_amount("receipt_amount")?,
            buyer_pay_fen: optional_amount("buyer_pay_amount")?,
            refund_fee_fen: optional_amount("refund_fee")?,
            out_biz_no: optional("out_biz_no"),
            buyer_id: optional("buyer_id"),
            gmt_payment: optional("gmt_payment"),
            fields,
        })
    }

    pub fn is_paid(&self) -> bool {
        self.trade_status.is_paid()
    }

    /// A refund's notification (Alipay sends one with the trade's status and `refund_fee`).
    pub fn is_refund(&self) -> bool {
        self.out_biz_no.is_some() || self.refund_fee_fen.is_some_and(|fee| fee > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_become_yuan_with_two_decimals() {
        assert_eq!(fen_to_yuan(8888), "88.88");
        assert_eq!(fen_to_yuan(1), "0.01");
        assert_eq!(fen_to_yuan(100), "1.00");
        assert_eq!(fen_to_yuan(0), "0.00");
        assert_eq!(fen_to_yuan(-1000), "-10.00");
        assert_eq!(fen_to_yuan(MAX_TOTAL_FEN), "100000000.00");
        assert_eq!(fen_to_yuan(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn yuan_are_read_exactly_or_not_at_all() {
        for (text, fen) in
            [("88.88", 8888), ("88.8", 8880), ("88", 8800), ("0.01", 1), ("-10.00", -1000), ("007.50", 750)]
        {
            assert_eq!(yuan_to_fen(text), Some(fen), "{text}");
        }
        for text in
            ["", "-", ".5", "88.", "88.888", "1e3", "+1.00", " 1.00", "1.00 ", "1,000.00", "９", "99999999999999999999"]
        {
            assert_eq!(yuan_to_fen(text), None, "{text:?}");
        }
    }

    #[test]
    fn timestamps_are_beijing_time() {
        let at = DateTime::parse_from_rfc3339("2026-02-28T16:30:05Z").unwrap().to_utc();
        assert_eq!(timestamp(at), "2026-03-01 00:30:05");
        assert_eq!(parse_timestamp("2026-03-01 00:30:05"), Some(at));
        assert_eq!(parse_timestamp("2026-03-01T00:30:05"), None);
    }

    #[test]
    fn common_parameters_carry_the_fixed_values_and_the_optional_urls() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T02:00:00Z").unwrap().to_utc();
        let params = common_params("2021000000000001", method::QUERY, at, None, None, "{}");
        let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["app_id", "method", "format", "charset", "sign_type", "version", "timestamp", "biz_content"]
        );
        assert!(params.contains(&("timestamp".to_owned(), "2026-03-01 10:00:00".to_owned())));
        let params = common_params("a", method::WAP_PAY, at, Some("https://n"), Some("https://r"), "{}");
        assert!(params.contains(&("notify_url".to_owned(), "https://n".to_owned())));
        assert!(params.contains(&("return_url".to_owned(), "https://r".to_owned())));
    }

    fn precreate(out_trade_no: &str, total_fen: i64, subject: &str) -> PrecreateRequest {
        PrecreateRequest {
            out_trade_no: out_trade_no.to_owned(),
            total_fen,
            subject: subject.to_owned(),
            timeout_express: None,
        }
    }

    #[test]
    fn precreate_biz_content_has_the_amount_in_yuan() {
        let req = PrecreateRequest {
            timeout_express: Some("90m".to_owned()),
            ..precreate("P2026_001", 8888, "3月物业费")
        };
        req.validate().unwrap();
        assert_eq!(
            req.biz_content(),
            r#"{"out_trade_no":"P2026_001","total_amount":"88.88","subject":"3月物业费","timeout_express":"90m"}"#
        );
    }

    #[test]
    fn precreate_limits_are_alipays() {
        let field = |req: PrecreateRequest| match req.validate() {
            Err(AlipayError::InvalidRequest { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(field(precreate("", 1, "s")), "out_trade_no");
        assert_eq!(field(precreate(&"x".repeat(65), 1, "s")), "out_trade_no");
        assert_eq!(field(precreate("P-1", 1, "s")), "out_trade_no");
        assert_eq!(field(precreate("P1", 0, "s")), "total_amount");
        assert_eq!(field(precreate("P1", MAX_TOTAL_FEN + 1, "s")), "total_amount");
        assert_eq!(field(precreate("P1", 1, "")), "subject");
        assert_eq!(field(precreate("P1", 1, "a&b")), "subject");
        assert!(precreate(&"x".repeat(64), MAX_TOTAL_FEN, &"物".repeat(256)).validate().is_ok());
    }

    #[test]
    fn wap_pay_biz_content_names_the_product() {
        let req = WapPayRequest {
            out_trade_no: "W1".to_owned(),
            total_fen: 100,
            subject: "停车费".to_owned(),
            quit_url: Some("https://linli.example/bills".to_owned()),
            return_url: None,
            timeout_express: None,
        };
        assert_eq!(
            req.biz_content(),
            r#"{"out_trade_no":"W1","total_amount":"1.00","subject":"停车费","product_code":"QUICK_WAP_WAY","quit_url":"https://linli.example/bills"}"#
        );
    }

    #[test]
    fn refund_biz_content_names_the_trade_the_amount_and_the_request() {
        let req = RefundRequest {
            trade: TradeRef::OutTradeNo("P1".to_owned()),
            refund_fen: 1000,
            out_request_no: "P1_R1".to_owned(),
            refund_reason: Some("多缴".to_owned()),
        };
        req.validate().unwrap();
        assert_eq!(
            req.biz_content(),
            r#"{"out_trade_no":"P1","refund_amount":"10.00","out_request_no":"P1_R1","refund_reason":"多缴"}"#
        );
        assert_eq!(TradeRef::TradeNo("2026".to_owned()).biz_content().unwrap(), r#"{"trade_no":"2026"}"#);
        assert!(TradeRef::OutTradeNo("a b".to_owned()).biz_content().is_err());
        let bill = BillRequest { bill_date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() };
        assert_eq!(bill.biz_content(), r#"{"bill_type":"trade","bill_date":"2026-03-01"}"#);
    }

    #[test]
    fn answers_read_amounts_as_fen() {
        let query: QueryResponse = serde_json::from_str(
            r#"{"code":"10000","msg":"Success","trade_no":"T","out_trade_no":"P","trade_status":"TRADE_SUCCESS","total_amount":"88.88","receipt_amount":"88.88","buyer_logon_id":"138****8000"}"#,
        )
        .unwrap();
        assert_eq!((query.total_fen, query.receipt_fen, query.buyer_pay_fen), (8888, Some(8888), None));
        assert!(query.trade_status.is_paid());
        let bad = r#"{"trade_no":"T","out_trade_no":"P","trade_status":"TRADE_SUCCESS","total_amount":"88.888"}"#;
        assert!(serde_json::from_str::<QueryResponse>(bad).is_err());
        let refund: RefundResponse = serde_json::from_str(
            r#"{"code":"10000","msg":"Success","trade_no":"T","out_trade_no":"P","fund_change":"Y","refund_fee":"10.00"}"#,
        )
        .unwrap();
        assert!(refund.moved_money());
        assert_eq!(refund.refund_fee_fen, 1000);
    }

    #[test]
    fn only_success_and_finished_mean_paid() {
        assert!(TradeStatus::TradeSuccess.is_paid());
        assert!(TradeStatus::TradeFinished.is_paid());
        assert!(!TradeStatus::WaitBuyerPay.is_paid());
        assert!(!TradeStatus::TradeClosed.is_paid());
        assert_eq!("TRADE_FINISHED".parse::<TradeStatus>().unwrap(), TradeStatus::TradeFinished);
        assert!("TRADE_PENDING".parse::<TradeStatus>().is_err());
    }

    #[test]
    fn a_notification_reads_its_fields_and_refuses_duplicates() {
        let notification = Notification::from_params(&crate::pay::alipay::vectors::yansongda_notification()).unwrap();
        assert_eq!(notification.notify_id, "2022091800222133008098120532343049");
        assert_eq!(notification.out_trade_no, "web1663478942");
        assert_eq!(notification.total_fen, 1);
        assert_eq!(notification.receipt_fen, Some(1));
        assert!(notification.is_paid() && !notification.is_refund());
        assert_eq!(notification.fields["subject"], "yansongda+测试-1");

        let mut twice = crate::pay::alipay::vectors::yansongda_notification();
        twice.push(("total_amount".to_owned(), "0.02".to_owned()));
        assert!(matches!(Notification::from_params(&twice), Err(AlipayError::Malformed(_))));
        let mut missing = crate::pay::alipay::vectors::yansongda_notification();
        missing.retain(|(name, _)| name != "seller_id");
        assert!(matches!(Notification::from_params(&missing), Err(AlipayError::Malformed(_))));
    }
}
