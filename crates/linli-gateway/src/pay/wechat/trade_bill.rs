//! The daily trade bill (交易账单, `GET /v3/bill/tradebill` then its `download_url`), the channel's
//! side of the daily reconciliation. Its layout (merchant doc 4012556654):
//!
//! ```text
//! 交易时间,公众账号ID,商户号,…,费率备注                  ← the detail header, plain
//! `2026-03-01 10:00:00,`wx…,`1900000001,…,`            ← one line per payment or refund; every
//! …                                                       value starts with a backtick
//! 总交易单数,应结订单总金额,退款总金额,…                  ← the summary header
//! `2,`12.80,`0.00,…                                      ← the summary values
//! ```
//!
//! Amounts are yuan with two decimals (the fee with five); they become fen here. Columns are found
//! by their header name, so the SUCCESS and REFUND bill types, whose columns differ, read too. A
//! detail line is split on `,` followed by a backtick, so a comma inside a product name stays.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use rust_decimal::Decimal;

use super::WechatPayError;
use super::model::beijing;

/// One payment or refund line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeBillRow {
    /// 交易时间, Beijing time.
    pub trade_time: DateTime<FixedOffset>,
    /// 公众账号ID.
    pub appid: String,
    /// 商户号.
    pub mchid: String,
    /// 特约商户号; WeChat writes `0` for a direct merchant.
    pub sub_mchid: Option<String>,
    /// 设备号.
    pub device_info: String,
    /// 微信订单号.
    pub transaction_id: String,
    /// 商户订单号.
    pub out_trade_no: String,
    /// 用户标识.
    pub openid: String,
    /// 交易类型: `NATIVE`, `JSAPI`, …
    pub trade_type: String,
    /// 交易状态: `SUCCESS` for a payment line, `REFUND` for a refund line, …
    pub trade_state: String,
    /// 付款银行.
    pub bank_type: String,
    /// 货币种类.
    pub currency: String,
    /// 应结订单金额 (what settles to the merchant for a payment; 0 on a refund line).
    pub settlement_total_fen: i64,
    /// 代金券金额.
    pub coupon_fen: i64,
    /// 微信退款单号; WeChat writes `0` on a payment line.
    pub refund_id: Option<String>,
    /// 商户退款单号.
    pub out_refund_no: Option<String>,
    /// 退款金额.
    pub refund_fen: i64,
    /// 充值券退款金额.
    pub recharge_coupon_refund_fen: i64,
    /// 退款类型.
    pub refund_type: String,
    /// 退款状态.
    pub refund_status: String,
    /// 商品名称.
    pub description: String,
    /// 商户数据包 (the order's `attach`).
    pub attach: String,
    /// 手续费 in yuan: five decimals, finer than a fen; negative on a refund line.
    pub fee_yuan: Decimal,
    /// 费率 as printed, e.g. `0.60%`.
    pub fee_rate: String,
    /// 订单金额.
    pub total_fen: i64,
    /// 申请退款金额.
    pub requested_refund_fen: i64,
    /// 费率备注.
    pub fee_rate_remark: String,
}

impl TradeBillRow {
    pub fn is_refund(&self) -> bool {
        self.trade_state == "REFUND"
    }
}

/// The summary under the detail lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeBillSummary {
    /// 总交易单数: the number of detail lines.
    pub count: usize,
    /// 应结订单总金额.
    pub settlement_total_fen: i64,
    /// 退款总金额.
    pub refund_total_fen: i64,
    /// 充值券退款总金额.
    pub recharge_coupon_refund_total_fen: i64,
    /// 手续费总金额, yuan.
    pub fee_total_yuan: Decimal,
    /// 订单总金额.
    pub order_total_fen: i64,
    /// 申请退款总金额.
    pub requested_refund_total_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeBill {
    pub rows: Vec<TradeBillRow>,
    pub summary: TradeBillSummary,
}

impl TradeBill {
    /// Reads a bill, then checks that its lines add up to its summary (count, settled and refunded
    /// totals): a truncated or altered file is an error, not a short reconciliation.
    pub fn parse(text: &str) -> Result<Self, WechatPayError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| malformed(1, "the file is empty"))?;
        let columns = Columns::new(header);
        for required in [TRADE_TIME, TRANSACTION_ID, OUT_TRADE_NO, TRADE_STATE, SETTLEMENT_TOTAL] {
            if !columns.index.contains_key(required) {
                return Err(malformed(1, &format!("no {required} column")));
            }
        }
        let mut rows = Vec::new();
        let summary_header = loop {
            let (n, line) =
                lines.next().ok_or_else(|| malformed(0, "no summary (总交易单数) after the detail lines"))?;
            if line.starts_with(SUMMARY_COUNT) {
                break Columns::new(line);
            }
            let values = backticked(line).ok_or_else(|| malformed(n + 1, "a detail value without its backtick"))?;
            if values.len() != columns.index.len() {
                let reason = format!("{} values under {} columns", values.len(), columns.index.len());
                return Err(malformed(n + 1, &reason));
            }
            rows.push(row(&columns, &values).map_err(|reason| malformed(n + 1, &reason))?);
        };
        let (n, line) = lines.next().ok_or_else(|| malformed(0, "the summary has no values"))?;
        let values = backticked(line).ok_or_else(|| malformed(n + 1, "a summary value without its backtick"))?;
        let summary = summary(&summary_header, &values).map_err(|reason| malformed(n + 1, &reason))?;
        let bill = TradeBill { rows, summary };
        bill.check_totals()?;
        Ok(bill)
    }

    fn check_totals(&self) -> Result<(), WechatPayError> {
        let sum = |amount: fn(&TradeBillRow) -> i64| self.rows.iter().map(amount).sum::<i64>();
        let summary = &self.summary;
        if summary.count != self.rows.len() {
            return Err(WechatPayError::Malformed(format!(
                "trade bill: the summary counts {} lines, the file has {}",
                summary.count,
                self.rows.len()
            )));
        }
        for (name, total, lines) in [
            (SUMMARY_SETTLEMENT_TOTAL, summary.settlement_total_fen, sum(|r| r.settlement_total_fen)),
            (SUMMARY_REFUND_TOTAL, summary.refund_total_fen, sum(|r| r.refund_fen)),
        ] {
            if total != lines {
                return Err(WechatPayError::Malformed(format!(
                    "trade bill: {name} is {} but the lines add up to {}",
                    fen_to_yuan(total),
                    fen_to_yuan(lines)
                )));
            }
        }
        Ok(())
    }
}

/// `12.30` yuan → 1230 fen. Exact: at most two decimals, no exponent, no rounding.
pub fn yuan_to_fen(yuan: &str) -> Result<i64, WechatPayError> {
    let bad = || WechatPayError::invalid("amount", format!("{yuan:?} is not a yuan amount with at most two decimals"));
    let (negative, digits) = match yuan.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, yuan),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || fraction.len() > 2 || !(whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    let fen = whole.checked_mul(100).and_then(|f| f.checked_add(cents)).ok_or_else(bad)?;
    Ok(if negative { -fen } else { fen })
}

/// 1230 fen → `12.30`.
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

const TRADE_TIME: &str = "交易时间";
const TRANSACTION_ID: &str = "微信订单号";
const OUT_TRADE_NO: &str = "商户订单号";
const TRADE_STATE: &str = "交易状态";
const SETTLEMENT_TOTAL: &str = "应结订单金额";
const SUMMARY_COUNT: &str = "总交易单数";
const SUMMARY_SETTLEMENT_TOTAL: &str = "应结订单总金额";
const SUMMARY_REFUND_TOTAL: &str = "退款总金额";

fn malformed(line: usize, reason: &str) -> WechatPayError {
    if line == 0 {
        WechatPayError::Malformed(format!("trade bill: {reason}"))
    } else {
        WechatPayError::Malformed(format!("trade bill line {line}: {reason}"))
    }
}

/// A header line's column positions by name.
struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    fn new(header: &str) -> Self {
        Columns { index: header.split(',').enumerate().map(|(i, name)| (name.trim().to_owned(), i)).collect() }
    }

    /// The value under `name`, empty when the bill type has no such column.
    fn get<'a>(&self, values: &[&'a str], name: &str) -> &'a str {
        self.index.get(name).and_then(|&i| values.get(i)).copied().unwrap_or("")
    }
}

/// The values of a line where every value starts with a backtick.
fn backticked(line: &str) -> Option<Vec<&str>> {
    Some(line.trim_end_matches('\r').strip_prefix('`')?.split(",`").collect())
}

fn row(columns: &Columns, values: &[&str]) -> Result<TradeBillRow, String> {
    let text = |name: &str| columns.get(values, name).trim().to_owned();
    let optional = |name: &str| Some(text(name)).filter(|v| !v.is_empty() && v != "0");
    let fen = |name: &str| amount(columns.get(values, name), name);
    let time = text(TRADE_TIME);
    let trade_time = NaiveDateTime::parse_from_str(&time, "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|t| t.and_local_timezone(beijing()).single())
        .ok_or_else(|| format!("{TRADE_TIME} {time:?} is not yyyy-MM-dd HH:mm:ss"))?;
    Ok(TradeBillRow {
        trade_time,
        appid: text("公众账号ID"),
        mchid: text("商户号"),
        sub_mchid: optional("特约商户号").or_else(|| optional("子商户号")),
        device_info: text("设备号"),
        transaction_id: text(TRANSACTION_ID),
        out_trade_no: text(OUT_TRADE_NO),
        openid: text("用户标识"),
        trade_type: text("交易类型"),
        trade_state: text(TRADE_STATE),
        bank_type: text("付款银行"),
        currency: text("货币种类"),
        settlement_total_fen: fen(SETTLEMENT_TOTAL)?,
        coupon_fen: fen("代金券金额")?,
        refund_id: optional("微信退款单号"),
        out_refund_no: optional("商户退款单号"),
        refund_fen: fen("退款金额")?,
        recharge_coupon_refund_fen: fen("充值券退款金额")?,
        refund_type: text("退款类型"),
        refund_status: text("退款状态"),
        description: text("商品名称"),
        attach: text("商户数据包"),
        fee_yuan: decimal(columns.get(values, "手续费"), "手续费")?,
        fee_rate: text("费率"),
        total_fen: fen("订单金额")?,
        requested_refund_fen: fen("申请退款金额")?,
        fee_rate_remark: text("费率备注"),
    })
}

fn summary(columns: &Columns, values: &[&str]) -> Result<TradeBillSummary, String> {
    let fen = |name: &str| amount(columns.get(values, name), name);
    let count = columns.get(values, SUMMARY_COUNT);
    Ok(TradeBillSummary {
        count: count.trim().parse().map_err(|_| format!("{SUMMARY_COUNT} {count:?} is not a count"))?,
        settlement_total_fen: fen(SUMMARY_SETTLEMENT_TOTAL)?,
        refund_total_fen: fen(SUMMARY_REFUND_TOTAL)?,
        recharge_coupon_refund_total_fen: fen("充值券退款总金额")?,
        fee_total_yuan: decimal(columns.get(values, "手续费总金额"), "手续费总金额")?,
        order_total_fen: fen("订单总金额")?,
        requested_refund_total_fen: fen("申请退款总金额")?,
    })
}

/// A yuan column in fen; a column the bill type lacks is 0.
fn amount(value: &str, name: &str) -> Result<i64, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(0);
    }
    yuan_to_fen(value).map_err(|_| format!("{name} {value:?} is not a yuan amount"))
}

fn decimal(value: &str, name: &str) -> Result<Decimal, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Decimal::ZERO);
    }
    Decimal::from_str(value).map_err(|_| format!("{name} {value:?} is not a number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
    const SUMMARY_HEADER: &str =
        "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

    /// The bill `gunsluo/wechatpay-go` (`client_test.go`, `TestDownloadForClient`) expects its
    /// download to return, a copy of a real one: three Native payments of 0.01.
    #[test]
    fn a_bill_of_three_payments_reads_into_fen() {
        let text = format!(
            "{HEADER}\n\
             `2021-01-28 17:07:11,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000925202101284997714292,`S20210128170702357723,`ofyak5qR_1wYsC99CsWA6R9MJazA,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`for testing,`cipher code,`0.00000,`1.00%,`0.01,`0.00,`\n\
             `2021-01-28 15:35:18,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000910202101282955148400,`S20210128153505214586,`ofyak5qR_1wYsC99CsWA6R9MJazA,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`for testing,`cipher code,`0.00000,`1.00%,`0.01,`0.00,`\n\
             `2021-01-28 16:59:46,`wx81be3101902f7cb2,`1601959334,`0,`,`4200000926202101281412639609,`S20210128165824499930,`ofyak5qR_1wYsC99CsWA6R9MJazA,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`for testing,`cipher code,`0.00000,`1.00%,`0.01,`0.00,`\n\
             {SUMMARY_HEADER}\n\
             `3,`0.03,`0.00,`0.00,`0.00000,`0.03,`0.00\n"
        );
        let bill = TradeBill::parse(&text).unwrap();
        assert_eq!(bill.rows.len(), 3);
        let first = &bill.rows[0];
        assert_eq!(first.trade_time.to_rfc3339(), "2021-01-28T17:07:11+08:00");
        assert_eq!(first.appid, "wx81be3101902f7cb2");
        assert_eq!(first.mchid, "1601959334");
        assert_eq!(first.sub_mchid, None, "0 means none");
        assert_eq!(first.transaction_id, "4200000925202101284997714292");
        assert_eq!(first.out_trade_no, "S20210128170702357723");
        assert_eq!((first.trade_type.as_str(), first.trade_state.as_str()), ("NATIVE", "SUCCESS"));
        assert_eq!((first.settlement_total_fen, first.total_fen, first.refund_fen), (1, 1, 0));
        assert_eq!((first.refund_id.as_deref(), first.out_refund_no.as_deref()), (None, None));
        assert_eq!((first.description.as_str(), first.attach.as_str()), ("for testing", "cipher code"));
        assert_eq!((first.fee_yuan, first.fee_rate.as_str()), (Decimal::ZERO, "1.00%"));
        assert_eq!(first.fee_rate_remark, "");
        assert_eq!(
            bill.summary,
            TradeBillSummary {
                count: 3,
                settlement_total_fen: 3,
                refund_total_fen: 0,
                recharge_coupon_refund_total_fen: 0,
                fee_total_yuan: Decimal::ZERO,
                order_total_fen: 3,
                requested_refund_total_fen: 0,
            }
        );
    }

    fn refund_day() -> String {
        format!(
            "\u{feff}{HEADER}\r\n\
             `2026-03-01 10:00:00,`wx1234567890abcdef,`1900000001,`0,`,`4200000001202603010000000001,`LL20260301_000123,`o1,`NATIVE,`SUCCESS,`OTHERS,`CNY,`1280.50,`0.00,`0,`0,`0.00,`0.00,`,`,`物业费,3月,`house=12,`7.68300,`0.60%,`1280.50,`0.00,`\r\n\
             `2026-03-01 15:30:00,`wx1234567890abcdef,`1900000001,`0,`,`4200000001202603010000000001,`LL20260301_000123,`o1,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300000012026030100000001,`RF20260301_0001,`500.00,`0.00,`ORIGINAL,`SUCCESS,`物业费,3月,`house=12,`-3.00000,`0.60%,`1280.50,`500.00,`\r\n\
             {SUMMARY_HEADER}\r\n\
             `2,`1280.50,`500.00,`0.00,`4.68300,`2561.00,`500.00\r\n"
        )
    }

    #[test]
    fn a_refund_line_carries_its_refund_numbers_and_a_negative_fee() {
        let bill = TradeBill::parse(&refund_day()).unwrap();
        let (payment, refund) = (&bill.rows[0], &bill.rows[1]);
        assert!(!payment.is_refund() && refund.is_refund());
        assert_eq!(payment.description, "物业费,3月", "a comma inside a value stays");
        assert_eq!(payment.fee_yuan, Decimal::new(768_300, 5));
        assert_eq!(refund.refund_id.as_deref(), Some("50300000012026030100000001"));
        assert_eq!(refund.out_refund_no.as_deref(), Some("RF20260301_0001"));
        assert_eq!((refund.settlement_total_fen, refund.refund_fen, refund.requested_refund_fen), (0, 50_000, 50_000));
        assert_eq!(refund.fee_yuan, Decimal::new(-300_000, 5));
        assert_eq!(bill.summary.order_total_fen, 256_100);
        assert_eq!(bill.summary.fee_total_yuan, Decimal::new(468_300, 5));
    }

    #[test]
    fn a_bill_that_does_not_add_up_or_is_cut_short_is_refused() {
        let text = refund_day();
        let wrong_total = text.replace("`2,`1280.50,`500.00", "`2,`1280.51,`500.00");
        assert!(
            matches!(TradeBill::parse(&wrong_total), Err(WechatPayError::Malformed(m)) if m.contains("应结订单总金额"))
        );
        let wrong_count = text.replace("`2,`1280.50", "`3,`1280.50");
        assert!(matches!(TradeBill::parse(&wrong_count), Err(WechatPayError::Malformed(m)) if m.contains("counts 3")));
        let cut = &text[..text.find("总交易单数").unwrap()];
        assert!(matches!(TradeBill::parse(cut), Err(WechatPayError::Malformed(m)) if m.contains("no summary")));
        let bad_amount = text.replace("`1280.50,`0.00,`0,`0", "`1280.5x,`0.00,`0,`0");
        assert!(matches!(TradeBill::parse(&bad_amount), Err(WechatPayError::Malformed(m)) if m.contains("line 2")));
        let no_backtick = text.replace("`2026-03-01 10:00:00", "2026-03-01 10:00:00");
        assert!(TradeBill::parse(&no_backtick).is_err());
        assert!(TradeBill::parse("").is_err());
        assert!(TradeBill::parse("a,b,c\n").is_err());
    }

    #[test]
    fn an_empty_day_reads_as_no_lines() {
        let bill =
            TradeBill::parse(&format!("{HEADER}\n{SUMMARY_HEADER}\n`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\n"))
                .unwrap();
        assert!(bill.rows.is_empty());
        assert_eq!(bill.summary.count, 0);
    }

    #[test]
    fn yuan_become_fen_exactly_and_back() {
        assert_eq!(yuan_to_fen("1280.50").unwrap(), 128_050);
        assert_eq!(yuan_to_fen("0.01").unwrap(), 1);
        assert_eq!(yuan_to_fen("12.3").unwrap(), 1230);
        assert_eq!(yuan_to_fen("7").unwrap(), 700);
        assert_eq!(yuan_to_fen("-0.05").unwrap(), -5);
        for bad in ["", ".5", "1.234", "1e3", "1,000.00", "+1.00", "¥1.00", "--1", "99999999999999999999"] {
            assert!(yuan_to_fen(bad).is_err(), "{bad}");
        }
        assert_eq!(fen_to_yuan(128_050), "1280.50");
        assert_eq!(fen_to_yuan(1), "0.01");
        assert_eq!(fen_to_yuan(0), "0.00");
        assert_eq!(fen_to_yuan(-5), "-0.05");
        assert_eq!(fen_to_yuan(i64::MIN), "-92233720368547758.08");
    }
}
