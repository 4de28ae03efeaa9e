//! The JSON WeChat Pay API v3 sends and takes, with the field names it uses, and the bounds its
//! documentation sets on what a merchant sends (checked here, before anything goes out, so a bad
//! bill number is a clear error and not a `PARAM_ERROR` from the other side).
//!
//! Amounts are integer fen, as WeChat's JSON has them. Times are RFC 3339 strings in Beijing time
//! (`2026-03-01T10:00:00+08:00`), kept as WeChat wrote them.

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone};
use serde::{Deserialize, Serialize};

use super::WechatPayError;

pub const CURRENCY_CNY: &str = "CNY";

/// WeChat Pay's time zone: every time it writes, and `time_expire`, is +08:00.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// `2026-03-01T10:00:00+08:00`.
pub fn rfc3339_beijing<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    at.with_timezone(&beijing()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// An order Linli wants paid; the client adds its `appid`, `mchid` and `notify_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// What the payer sees (商品描述), at most 127 characters.
    pub description: String,
    /// 6–32 characters of `[0-9A-Za-z_*-]`, unique within the merchant.
    pub out_trade_no: String,
    pub total_fen: i64,
    /// When the order stops being payable; sent as +08:00.
    pub time_expire: Option<DateTime<FixedOffset>>,
    /// Echoed back in the query and the notification, at most 128 characters.
    pub attach: Option<String>,
}

/// The body of `POST /v3/pay/transactions/native` and `…/jsapi`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub appid: String,
    pub mchid: String,
    pub description: String,
    pub out_trade_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_expire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    pub notify_url: String,
    pub amount: OrderAmount,
    /// JSAPI only: who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
}

impl OrderRequest {
    /// The wire form of `order`, checked. `openid` makes it a JSAPI order.
    pub fn new(
        appid: &str,
        mchid: &str,
        notify_url: &str,
        order: &NewOrder,
        openid: Option<&str>,
    ) -> Result<Self, WechatPayError> {
        let request = OrderRequest {
            appid: appid.to_owned(),
            mchid: mchid.to_owned(),
            description: order.description.clone(),
            out_trade_no: order.out_trade_no.clone(),
            time_expire: order.time_expire.as_ref().map(rfc3339_beijing),
            attach: order.attach.clone(),
            notify_url: notify_url.to_owned(),
            amount: OrderAmount { total: order.total_fen, currency: CURRENCY_CNY.to_owned() },
            payer: openid.map(|openid| Payer { openid: openid.to_owned() }),
        };
        request.validate()?;
        Ok(request)
    }

    /// The bounds of WeChat's order page (4012525095); the simulator checks the same.
    pub fn validate(&self) -> Result<(), WechatPayError> {
        validate_id("appid", &self.appid, 32)?;
        validate_id("mchid", &self.mchid, 32)?;
        validate_description(&self.description)?;
        validate_out_trade_no(&self.out_trade_no)?;
        if let Some(time_expire) = &self.time_expire {
            parse_time_expire(time_expire)?;
        }
        if let Some(attach) = &self.attach {
            validate_attach(attach)?;
        }
        validate_notify_url(&self.notify_url)?;
        if self.amount.total < 1 {
            return Err(WechatPayError::invalid("amount.total", "must be at least 1 fen"));
        }
        if self.amount.currency != CURRENCY_CNY {
            return Err(WechatPayError::invalid("amount.currency", "only CNY"));
        }
        if let Some(payer) = &self.payer {
            validate_openid(&payer.openid)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAmount {
    /// Fen.
    pub total: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    pub openid: String,
}

/// The answer to a Native order: the URL to show as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativeAnswer {
    pub code_url: String,
}

/// The answer to a JSAPI order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsapiAnswer {
    pub prepay_id: String,
}

/// The body of `POST …/out-trade-no/{out_trade_no}/close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRequest {
    pub mchid: String,
}

/// `trade_state` (交易状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TradeState {
    #[serde(rename = "SUCCESS")]
    Success,
    /// Paid, then (partly) refunded (转入退款).
    #[serde(rename = "REFUND")]
    Refund,
    #[serde(rename = "NOTPAY")]
    NotPay,
    #[serde(rename = "CLOSED")]
    Closed,
    /// Cancelled (已撤销, payment-code orders only).
    #[serde(rename = "REVOKED")]
    Revoked,
    /// Waiting for the payer's password.
    #[serde(rename = "USERPAYING")]
    UserPaying,
    #[serde(rename = "PAYERROR")]
    PayError,
    /// A state this client does not know yet: treat as not final and query again later.
    #[serde(other, skip_serializing)]
    Unknown,
}

impl TradeState {
    /// `NOTPAY` and `USERPAYING` may still change; so may a state we do not know.
    pub fn is_final(self) -> bool {
        !matches!(self, TradeState::NotPay | TradeState::UserPaying | TradeState::Unknown)
    }

    /// The money arrived (a later refund does not undo that).
    pub fn is_paid(self) -> bool {
        matches!(self, TradeState::Success | TradeState::Refund)
    }
}

/// An order as the query answers it and as the payment notification's resource decrypts to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub appid: String,
    pub mchid: String,
    pub out_trade_no: String,
    /// WeChat's order number (微信支付订单号), once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// `NATIVE`, `JSAPI`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
    pub trade_state: TradeState,
    #[serde(default)]
    pub trade_state_desc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<TransactionAmount>,
}

impl Transaction {
    /// The order's amount in fen, when WeChat gave it.
    pub fn total_fen(&self) -> Option<i64> {
        self.amount.as_ref().and_then(|amount| amount.total)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TransactionAmount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// What the payer paid after coupons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// Which payment a refund is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeRef {
    OutTradeNo(String),
    TransactionId(String),
}

/// A refund Linli wants made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub trade: TradeRef,
    /// At most 64 characters of `[0-9A-Za-z_*@|-]`. WeChat refunds each one once: retry a failed
    /// request with the same number.
    pub out_refund_no: String,
    /// Shown to the payer, at most 80 characters.
    pub reason: Option<String>,
    pub refund_fen: i64,
    /// The original order's amount.
    pub total_fen: i64,
}

/// The body of `POST /v3/refund/domestic/refunds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    pub out_refund_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    pub amount: RefundRequestAmount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequestAmount {
    pub refund: i64,
    pub total: i64,
    pub currency: String,
}

impl RefundRequest {
    pub fn new(refund: &NewRefund, notify_url: Option<&str>) -> Result<Self, WechatPayError> {
        let (transaction_id, out_trade_no) = match &refund.trade {
            TradeRef::OutTradeNo(no) => (None, Some(no.clone())),
            TradeRef::TransactionId(id) => (Some(id.clone()), None),
        };
        let request = RefundRequest {
            transaction_id,
            out_trade_no,
            out_refund_no: refund.out_refund_no.clone(),
            reason: refund.reason.clone(),
            notify_url: notify_url.map(str::to_owned),
            amount: RefundRequestAmount {
                refund: refund.refund_fen,
                total: refund.total_fen,
                currency: CURRENCY_CNY.to_owned(),
            },
        };
        request.validate()?;
        Ok(request)
    }

    pub fn validate(&self) -> Result<(), WechatPayError> {
        match (&self.transaction_id, &self.out_trade_no) {
            (Some(id), None) => validate_transaction_id(id)?,
            (None, Some(no)) => validate_out_trade_no(no)?,
            _ => {
                return Err(WechatPayError::invalid(
                    "transaction_id",
                    "give exactly one of transaction_id and out_trade_no",
                ));
            }
        }
        validate_out_refund_no(&self.out_refund_no)?;
        if let Some(reason) = &self.reason {
            check_chars("reason", reason, 0, 80)?;
        }
        if let Some(url) = &self.notify_url {
            validate_notify_url(url)?;
        }
        let amount = &self.amount;
        if amount.total < 1 {
            return Err(WechatPayError::invalid("amount.total", "must be at least 1 fen"));
        }
        if amount.refund < 1 || amount.refund > amount.total {
            return Err(WechatPayError::invalid("amount.refund", "must be between 1 fen and the order's total"));
        }
        if amount.currency != CURRENCY_CNY {
            return Err(WechatPayError::invalid("amount.currency", "only CNY"));
        }
        Ok(())
    }
}

/// A refund's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefundStatus {
    #[serde(rename = "SUCCESS")]
    Success,
    #[serde(rename = "CLOSED")]
    Closed,
    #[serde(rename = "PROCESSING")]
    Processing,
    /// The money could not go back (the payer's card was cancelled…): handle by hand.
    #[serde(rename = "ABNORMAL")]
    Abnormal,
    #[serde(other, skip_serializing)]
    Unknown,
}

/// The answer to a refund request and to a refund query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// WeChat's refund number (微信支付退款单号).
    pub refund_id: String,
    pub out_refund_no: String,
    pub transaction_id: String,
    pub out_trade_no: String,
    /// `ORIGINAL`, `BALANCE`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_received_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    pub create_time: String,
    pub status: RefundStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funds_account: Option<String>,
    pub amount: RefundAmount,
}

/// A refund's amounts, in the answers and in the refund notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAmount {
    pub total: i64,
    pub refund: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_refund: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// What a refund notification's resource (`original_type: refund`) decrypts to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundNotification {
    pub mchid: String,
    pub out_trade_no: String,
    pub transaction_id: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund_status: RefundStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_received_account: Option<String>,
    pub amount: RefundAmount,
}

/// `bill_type` of the trade bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BillType {
    /// Every payment and refund of the day.
    #[default]
    All,
    Success,
    Refund,
}

impl BillType {
    pub fn as_str(self) -> &'static str {
        match self {
            BillType::All => "ALL",
            BillType::Success => "SUCCESS",
            BillType::Refund => "REFUND",
        }
    }
}

/// The answer to `GET /v3/bill/tradebill`: where to fetch the file and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeBillAnswer {
    /// `SHA1`.
    pub hash_type: String,
    /// Lowercase hex.
    pub hash_value: String,
    pub download_url: String,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

/// Checks the length in characters (WeChat's `string[min,max]`).
fn check_chars(field: &'static str, value: &str, min: usize, max: usize) -> Result<(), WechatPayError> {
    let len = value.chars().count();
    if len < min || len > max {
        let reason = if min == 0 {
            format!("at most {max} characters, got {len}")
        } else {
            format!("{min} to {max} characters, got {len}")
        };
        return Err(WechatPayError::invalid(field, reason));
    }
    Ok(())
}

fn check_charset(field: &'static str, value: &str, allowed: &str, extra: &str) -> Result<(), WechatPayError> {
    if value.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c)) {
        Ok(())
    } else {
        Err(WechatPayError::invalid(field, format!("only {allowed}")))
    }
}

pub fn validate_description(description: &str) -> Result<(), WechatPayError> {
    check_chars("description", description, 1, 127)
}

/// 6–32 characters of `[0-9A-Za-z_*-]`.
pub fn validate_out_trade_no(out_trade_no: &str) -> Result<(), WechatPayError> {
    check_chars("out_trade_no", out_trade_no, 6, 32)?;
    check_charset("out_trade_no", out_trade_no, "digits, letters and _-*", "_-*")
}

/// At most 64 characters of `[0-9A-Za-z_*@|-]`.
pub fn validate_out_refund_no(out_refund_no: &str) -> Result<(), WechatPayError> {
    check_chars("out_refund_no", out_refund_no, 1, 64)?;
    check_charset("out_refund_no", out_refund_no, "digits, letters and _-|*@", "_-|*@")
}

pub fn validate_transaction_id(transaction_id: &str) -> Result<(), WechatPayError> {
    check_chars("transaction_id", transaction_id, 1, 32)?;
    check_charset("transaction_id", transaction_id, "digits and letters", "")
}

pub fn validate_attach(attach: &str) -> Result<(), WechatPayError> {
    check_chars("attach", attach, 0, 128)
}

pub fn validate_openid(openid: &str) -> Result<(), WechatPayError> {
    check_chars("payer.openid", openid, 1, 128)?;
    check_charset("payer.openid", openid, "digits, letters, _ and -", "_-")
}

fn validate_id(field: &'static str, value: &str, max: usize) -> Result<(), WechatPayError> {
    check_chars(field, value, 1, max)?;
    check_charset(field, value, "digits and letters", "_")
}

/// RFC 3339 (`yyyy-MM-DDTHH:mm:ss+TIMEZONE`).
pub fn parse_time_expire(time_expire: &str) -> Result<DateTime<FixedOffset>, WechatPayError> {
    DateTime::parse_from_rfc3339(time_expire)
        .map_err(|_| WechatPayError::invalid("time_expire", "not an RFC 3339 time such as 2026-03-01T10:00:00+08:00"))
}

/// An absolute URL without a query string, at most 256 characters; HTTPS, except plain HTTP to a
/// loopback address (the simulator and tests).
pub fn validate_notify_url(notify_url: &str) -> Result<(), WechatPayError> {
    let bad = |reason: &str| WechatPayError::invalid("notify_url", reason);
    check_chars("notify_url", notify_url, 1, 256)?;
    let url = reqwest::Url::parse(notify_url).map_err(|_| bad("not an absolute URL"))?;
    if url.query().is_some() || notify_url.contains('?') {
        return Err(bad("WeChat Pay does not allow a query string"));
    }
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad("must be HTTPS")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> NewOrder {
        NewOrder {
            description: "邻里物业-2026年3月物业费".to_owned(),
            out_trade_no: "LL20260301_000123".to_owned(),
            total_fen: 128_050,
            time_expire: Some(DateTime::parse_from_rfc3339("2026-03-01T02:30:00Z").unwrap()),
            attach: Some("house=12".to_owned()),
        }
    }

    #[test]
    fn a_native_order_is_written_as_wechat_defines_it_with_the_expiry_in_beijing_time() {
        let request =
            OrderRequest::new("wxd678efh567hg6787", "1230000109", "https://pay.example.cn/wx", &order(), None).unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({
                "appid": "wxd678efh567hg6787",
                "mchid": "1230000109",
                "description": "邻里物业-2026年3月物业费",
                "out_trade_no": "LL20260301_000123",
                "time_expire": "2026-03-01T10:30:00+08:00",
                "attach": "house=12",
                "notify_url": "https://pay.example.cn/wx",
                "amount": { "total": 128_050, "currency": "CNY" }
            })
        );
        let jsapi = OrderRequest::new(
            "wx1",
            "1230000109",
            "https://pay.example.cn/wx",
            &order(),
            Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
        )
        .unwrap();
        assert_eq!(serde_json::to_value(&jsapi).unwrap()["payer"]["openid"], "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    }

    fn field_of(result: Result<OrderRequest, WechatPayError>) -> &'static str {
        match result {
            Err(WechatPayError::Invalid { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn an_order_outside_wechats_bounds_is_refused_naming_the_field() {
        let new = |change: fn(&mut NewOrder)| {
            let mut order = order();
            change(&mut order);
            OrderRequest::new("wx1", "1230000109", "https://pay.example.cn/wx", &order, None)
        };
        assert!(new(|o| o.description = "物".repeat(127)).is_ok(), "127 characters, not bytes");
        assert_eq!(field_of(new(|o| o.description = "物".repeat(128))), "description");
        assert_eq!(field_of(new(|o| o.description = String::new())), "description");
        assert!(new(|o| o.out_trade_no = "A1_-*b".to_owned()).is_ok());
        assert!(new(|o| o.out_trade_no = "9".repeat(32)).is_ok());
        assert_eq!(field_of(new(|o| o.out_trade_no = "12345".to_owned())), "out_trade_no");
        assert_eq!(field_of(new(|o| o.out_trade_no = "9".repeat(33))), "out_trade_no");
        assert_eq!(field_of(new(|o| o.out_trade_no = "LL2026/03".to_owned())), "out_trade_no");
        assert_eq!(field_of(new(|o| o.out_trade_no = "LL2026 03".to_owned())), "out_trade_no");
        assert_eq!(field_of(new(|o| o.out_trade_no = "订单号123456".to_owned())), "out_trade_no");
        assert!(new(|o| o.attach = Some("a".repeat(128))).is_ok());
        assert_eq!(field_of(new(|o| o.attach = Some("a".repeat(129)))), "attach");
        assert_eq!(field_of(new(|o| o.total_fen = 0)), "amount.total");
        let bad_url = |url: &str| field_of(OrderRequest::new("wx1", "1230000109", url, &order(), None));
        assert_eq!(bad_url("https://pay.example.cn/wx?bill=1"), "notify_url");
        assert_eq!(bad_url("http://pay.example.cn/wx"), "notify_url");
        assert_eq!(bad_url("/wx/notify"), "notify_url");
        assert!(OrderRequest::new("wx1", "1230000109", "http://127.0.0.1:8080/wx", &order(), None).is_ok());
        assert_eq!(
            field_of(OrderRequest::new("wx1", "1230000109", "https://a.cn/n", &order(), Some("bad openid"))),
            "payer.openid"
        );
    }

    #[test]
    fn trade_states_read_as_wechat_spells_them_and_only_two_may_still_change() {
        let state = |s: &str| serde_json::from_value::<TradeState>(serde_json::json!(s)).unwrap();
        assert_eq!(state("SUCCESS"), TradeState::Success);
        assert_eq!(state("NOTPAY"), TradeState::NotPay);
        assert_eq!(state("USERPAYING"), TradeState::UserPaying);
        assert_eq!(state("PAYERROR"), TradeState::PayError);
        assert_eq!(state("SOMETHING_NEW"), TradeState::Unknown);
        assert_eq!(serde_json::to_value(TradeState::NotPay).unwrap(), "NOTPAY");
        let open: Vec<_> = [
            TradeState::Success,
            TradeState::Refund,
            TradeState::NotPay,
            TradeState::Closed,
            TradeState::Revoked,
            TradeState::UserPaying,
            TradeState::PayError,
        ]
        .into_iter()
        .filter(|s| !s.is_final())
        .collect();
        assert_eq!(open, [TradeState::NotPay, TradeState::UserPaying]);
        assert!(TradeState::Refund.is_paid() && !TradeState::Closed.is_paid());
    }

    /// A query answer as the community SDK `gunsluo/wechatpay-go` mocks it (`client_test.go`,
    /// `mockData`, the `/v3/pay/transactions/id/…` case).
    #[test]
    fn a_paid_query_answer_reads_into_a_transaction() {
        let answer = r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"S20210119074247105778399200","transaction_id":"4200000914202101195554393855","trade_type":"NATIVE","trade_state":"SUCCESS","trade_state_desc":"支付成功","bank_type":"OTHERS","success_time":"2021-01-19T15:43:01+08:00","payer":{"openid":"ofyak5qYxYJVnhTlrkk_ACWIVrHI"},"amount":{"total":1,"payer_total":1,"currency":"CNY","payer_currency":"CNY"}}"#;
        let transaction: Transaction = serde_json::from_str(answer).unwrap();
        assert_eq!(transaction.trade_state, TradeState::Success);
        assert_eq!(transaction.transaction_id.as_deref(), Some("4200000914202101195554393855"));
        assert_eq!(transaction.total_fen(), Some(1));
        assert_eq!(transaction.payer.unwrap().openid, "ofyak5qYxYJVnhTlrkk_ACWIVrHI");
        let unpaid: Transaction = serde_json::from_str(
            r#"{"appid":"wx1","mchid":"1","out_trade_no":"LL000001","trade_state":"NOTPAY","trade_state_desc":"订单未支付"}"#,
        )
        .unwrap();
        assert_eq!(unpaid.trade_state, TradeState::NotPay);
        assert_eq!(unpaid.total_fen(), None);
    }

    fn refund() -> NewRefund {
        NewRefund {
            trade: TradeRef::OutTradeNo("LL20260301_000123".to_owned()),
            out_refund_no: "RF20260302_0001".to_owned(),
            reason: Some("多缴退费".to_owned()),
            refund_fen: 50_000,
            total_fen: 128_050,
        }
    }

    #[test]
    fn a_refund_names_one_payment_and_refunds_at_most_its_total() {
        let request = RefundRequest::new(&refund(), Some("https://pay.example.cn/wx/refund")).unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            serde_json::json!({
                "out_trade_no": "LL20260301_000123",
                "out_refund_no": "RF20260302_0001",
                "reason": "多缴退费",
                "notify_url": "https://pay.example.cn/wx/refund",
                "amount": { "refund": 50_000, "total": 128_050, "currency": "CNY" }
            })
        );
        let by_id = NewRefund { trade: TradeRef::TransactionId("4200000914202101195554393855".into()), ..refund() };
        assert!(RefundRequest::new(&by_id, None).unwrap().transaction_id.is_some());
        let invalid = |r: NewRefund| match RefundRequest::new(&r, None) {
            Err(WechatPayError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(invalid(NewRefund { refund_fen: 128_051, ..refund() }), "amount.refund");
        assert_eq!(invalid(NewRefund { refund_fen: 0, ..refund() }), "amount.refund");
        assert_eq!(invalid(NewRefund { out_refund_no: "R".repeat(65), ..refund() }), "out_refund_no");
        assert_eq!(invalid(NewRefund { out_refund_no: "R 1".into(), ..refund() }), "out_refund_no");
        assert_eq!(invalid(NewRefund { reason: Some("因".repeat(81)), ..refund() }), "reason");
        let mut both = RefundRequest::new(&refund(), None).unwrap();
        both.transaction_id = Some("4200000914202101195554393855".into());
        assert!(matches!(both.validate(), Err(WechatPayError::Invalid { field: "transaction_id", .. })));
    }

    /// The refund answer of `gunsluo/wechatpay-go`'s `client_test.go` (`/v3/refund/domestic/refunds/…`).
    #[test]
    fn a_refund_answer_reads_with_its_status_and_amounts() {
        let answer = r#"{"refund_id":"50000000382019052709732678859","out_refund_no":"1217752501201407033233368018","transaction_id":"1217752501201407033233368018","out_trade_no":"1217752501201407033233368018","channel":"ORIGINAL","user_received_account":"招商银行信用卡0403","success_time":"2020-12-01T16:18:12+08:00","create_time":"2020-12-01T16:18:12+08:00","status":"SUCCESS","funds_account":"UNSETTLED","amount":{"total":100,"refund":100,"payer_total":90,"payer_refund":90,"settlement_refund":100,"settlement_total":100,"discount_refund":10,"currency":"CNY"}}"#;
        let refund: Refund = serde_json::from_str(answer).unwrap();
        assert_eq!(refund.status, RefundStatus::Success);
        assert_eq!((refund.amount.total, refund.amount.refund, refund.amount.payer_refund), (100, 100, Some(90)));
    }

    #[test]
    fn an_error_body_keeps_its_code_message_and_detail() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/amount/total","issue":"less than 1"}}"#,
        )
        .unwrap();
        assert_eq!(body.code, "PARAM_ERROR");
        assert_eq!(body.detail.unwrap()["field"], "/amount/total");
    }
}
