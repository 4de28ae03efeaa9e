//! The simulator's trade bill: one line per payment on its Beijing payment day and one per refund
//! on its refund day, in the 27 columns of the ALL bill (used for every bill type here), CRLF line
//! ends as WeChat's files have them, a fee of 0.60%.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};

use super::SimulatorConfig;
use super::state::Book;
use crate::pay::wechat::model::{BillType, beijing};
use crate::pay::wechat::trade_bill::fen_to_yuan;

const HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const SUMMARY_HEADER: &str =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

struct Line {
    at: DateTime<Utc>,
    values: Vec<String>,
    settlement: i64,
    refund: i64,
    /// 手续费 in 1/100000 yuan: 0.60% of a fen amount is `fen × 6` of those.
    fee: i64,
    total: i64,
}

/// The bill of `date`, or `None` when nothing happened that day (WeChat: `NO_STATEMENT_EXIST`).
pub(super) fn trade_bill(book: &Book, cfg: &SimulatorConfig, date: NaiveDate, bill_type: BillType) -> Option<String> {
    let on_date = |at: &DateTime<Utc>| at.with_timezone(&beijing()).date_naive() == date;
    let mut lines = Vec::new();
    if bill_type != BillType::Refund {
        for order in book.orders.values() {
            let Some(at) = order.success_time.filter(on_date) else { continue };
            let total = order.total();
            lines.push(Line {
                at,
                values: common(cfg, order, &at, "SUCCESS", total)
                    .into_iter()
                    .chain([
                        "0".into(),
                        "0".into(),
                        "0.00".into(),
                        "0.00".into(),
                        String::new(),
                        String::new(),
                        order.request.description.clone(),
                        order.request.attach.clone().unwrap_or_default(),
                        fee(total * 6),
                        "0.60%".into(),
                        fen_to_yuan(total),
                        "0.00".into(),
                        String::new(),
                    ])
                    .collect(),
                settlement: total,
                refund: 0,
                fee: total * 6,
                total,
            });
        }
    }
    if bill_type != BillType::Success {
        for refund in book.refunds.values() {
            let Some(at) = refund.success_time.filter(on_date) else { continue };
            let Some(order) = book.orders.get(&refund.out_trade_no) else { continue };
            lines.push(Line {
                at,
                values: common(cfg, order, &at, "REFUND", 0)
                    .into_iter()
                    .chain([
                        refund.refund_id.clone(),
                        refund.out_refund_no.clone(),
                        fen_to_yuan(refund.refund),
                        "0.00".into(),
                        "ORIGINAL".into(),
                        "SUCCESS".into(),
                        order.request.description.clone(),
                        order.request.attach.clone().unwrap_or_default(),
                        fee(-refund.refund * 6),
                        "0.60%".into(),
                        fen_to_yuan(order.total()),
                        fen_to_yuan(refund.refund),
                        String::new(),
                    ])
                    .collect(),
                settlement: 0,
                refund: refund.refund,
                fee: -refund.refund * 6,
                total: order.total(),
            });
        }
    }
    if lines.is_empty() {
        return None;
    }
    lines.sort_by_key(|line| line.at);
    let mut text = format!("{HEADER}\r\n");
    for line in &lines {
        let values: Vec<String> = line.values.iter().map(|value| format!("`{value}")).collect();
        let _ = write!(text, "{}\r\n", values.join(","));
    }
    let sum = |amount: fn(&Line) -> i64| lines.iter().map(amount).sum::<i64>();
    let refunded = sum(|l| l.refund);
    let _ = write!(
        text,
        "{SUMMARY_HEADER}\r\n`{},`{},`{},`0.00,`{},`{},`{}\r\n",
        lines.len(),
        fen_to_yuan(sum(|l| l.settlement)),
        fen_to_yuan(refunded),
        fee(sum(|l| l.fee)),
        fen_to_yuan(sum(|l| l.total)),
        fen_to_yuan(refunded),
    );
    Some(text)
}

/// The first twelve columns and 应结订单金额, 代金券金额.
fn common(
    cfg: &SimulatorConfig,
    order: &super::state::Order,
    at: &DateTime<Utc>,
    state: &str,
    settlement: i64,
) -> Vec<String> {
    vec![
        at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string(),
        order.request.appid.clone(),
        cfg.mchid.clone(),
        "0".into(),
        String::new(),
        order.transaction_id.clone().unwrap_or_default(),
        order.request.out_trade_no.clone(),
        order.openid.clone().unwrap_or_default(),
        order.trade_type.to_owned(),
        state.to_owned(),
        "OTHERS".into(),
        "CNY".into(),
        fen_to_yuan(settlement),
        "0.00".into(),
    ]
}

/// 1/100000 yuan → `0.05940`.
fn fee(units: i64) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    format!("{sign}{}.{:05}", abs / 100_000, abs % 100_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_is_written_with_five_decimals() {
        assert_eq!(fee(990 * 6), "0.05940");
        assert_eq!(fee(-50_000 * 6), "-3.00000");
        assert_eq!(fee(0), "0.00000");
    }
}
