//! The trade bill the simulator serves: the layout [`crate::pay::alipay::bill`] documents and
//! reads, GBK-encoded, zipped with a per-store summary file as Alipay ships it.

use std::io::{Cursor, Write as _};

use chrono::{DateTime, NaiveDate, Utc};

use super::state::{BUYER_LOGON_ID, Order};
use crate::pay::alipay::bill::{DETAIL_END, DETAIL_HEADER, DETAIL_START};
use crate::pay::alipay::model::{beijing, fen_to_yuan, timestamp};

/// 0.6%, the usual fee of 当面付 and 手机网站支付, rounded half up to the fen.
fn service_fee_fen(amount_fen: i64) -> i64 {
    (amount_fen * 6 + 500).div_euclid(1000)
}

/// One row of the detail list.
struct Row<'a> {
    order: &'a Order,
    refund: Option<(&'a str, i64)>,
    finished_at: DateTime<Utc>,
}

/// The day's rows: payments made and refunds done that Beijing day, in time order.
fn rows(orders: &[Order], date: NaiveDate) -> Vec<Row<'_>> {
    let on_date = |at: DateTime<Utc>| at.with_timezone(&beijing()).date_naive() == date;
    let mut rows: Vec<Row<'_>> = Vec::new();
    for order in orders {
        if let Some(paid_at) = order.paid_at.filter(|at| on_date(*at)) {
            rows.push(Row { order, refund: None, finished_at: paid_at });
        }
        for refund in order.refunds.iter().filter(|r| on_date(r.at)) {
            rows.push(Row { order, refund: Some((&refund.out_request_no, refund.fen)), finished_at: refund.at });
        }
    }
    rows.sort_by_key(|row| row.finished_at);
    rows
}

fn chinese_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y年%m月%d日 %H:%M:%S").to_string()
}

fn day_bounds(date: NaiveDate) -> (String, String) {
    let show = |d: NaiveDate| d.format("%Y年%m月%d日 00:00:00").to_string();
    (show(date), show(date.succ_opt().unwrap_or(date)))
}

/// The detail file's text (UTF-8; [`zip`] encodes it).
pub(super) fn detail_csv(account: &str, orders: &[Order], date: NaiveDate, exported_at: DateTime<Utc>) -> String {
    let (start, end) = day_bounds(date);
    let mut out = String::new();
    for line in [
        "#支付宝业务明细查询".to_owned(),
        format!("#账号：[{account}]"),
        format!("#起始日期：[{start}]   终止日期：[{end}]"),
        DETAIL_START.to_owned(),
        DETAIL_HEADER.join(","),
    ] {
        out.push_str(&line);
        out.push_str("\r\n");
    }
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let (mut trades, mut trade_fen, mut refunds, mut refund_fen) = (0, 0, 0, 0);
    for row in rows(orders, date) {
        let order = row.order;
        let (kind, amount_fen, fee_fen, request_no) = match row.refund {
            None => ("交易", order.total_fen, -service_fee_fen(order.total_fen), String::new()),
            Some((request_no, fen)) => ("退款", -fen, service_fee_fen(fen), format!("{request_no}\t")),
        };
        if row.refund.is_none() {
            trades += 1;
            trade_fen += amount_fen;
        } else {
            refunds += 1;
            refund_fen += amount_fen;
        }
        let amount = fen_to_yuan(amount_fen);
        let zero = "0.00".to_owned();
        let record = [
            format!("{}\t", order.trade_no),
            format!("{}\t", order.out_trade_no),
            kind.to_owned(),
            order.subject.clone(),
            timestamp(order.created_at),
            timestamp(row.finished_at),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            BUYER_LOGON_ID.to_owned(),
            amount.clone(),
            amount,
            zero.clone(),
            zero.clone(),
            zero.clone(),
            zero.clone(),
            zero.clone(),
            String::new(),
            zero.clone(),
            zero.clone(),
            request_no,
            fen_to_yuan(fee_fen),
            zero,
            String::new(),
        ];
        writer.write_record(&record).expect("writing to memory");
    }
    let body = writer.into_inner().expect("writing to memory");
    out.push_str(&String::from_utf8_lossy(&body));
    for line in [
        DETAIL_END.to_owned(),
        format!("#交易合计：{trades}笔，商家实收共{}元，商家优惠共0.00元", fen_to_yuan(trade_fen)),
        format!("#退款合计：{refunds}笔，商家实收退款共{}元，商家优惠退款共0.00元", fen_to_yuan(refund_fen)),
        format!("#导出时间：[{}]", chinese_time(exported_at)),
    ] {
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

/// The per-store summary file (one store; the adapter does not read it).
fn summary_csv(account: &str, orders: &[Order], date: NaiveDate, exported_at: DateTime<Utc>) -> String {
    let (start, end) = day_bounds(date);
    let rows = rows(orders, date);
    let trades = rows.iter().filter(|r| r.refund.is_none()).count();
    let refunds = rows.len() - trades;
    let receipt: i64 = rows.iter().map(|r| r.refund.map_or(r.order.total_fen, |(_, fen)| -fen)).sum();
    let fee: i64 = rows
        .iter()
        .map(|r| r.refund.map_or(-service_fee_fen(r.order.total_fen), |(_, fen)| service_fee_fen(fen)))
        .sum();
    let totals = format!(
        "{trades},{refunds},{receipt},{receipt},0.00,0.00,0.00,{fee},0.00,{net}",
        receipt = fen_to_yuan(receipt),
        fee = fen_to_yuan(fee),
        net = fen_to_yuan(receipt + fee)
    );
    [
        "#支付宝业务汇总查询".to_owned(),
        format!("#账号：[{account}]"),
        format!("#起始日期：[{start}]   终止日期：[{end}]"),
        "#-----------------------------------------业务汇总列表----------------------------------------".to_owned(),
        "门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）".to_owned(),
        format!(",,{totals}"),
        format!("合计,,{totals}"),
        "#-----------------------------------------业务汇总列表结束-----------------------------------".to_owned(),
        format!("#导出时间：[{}]", chinese_time(exported_at)),
    ]
    .join("\r\n")
}

/// The ZIP Alipay serves: both files, GBK-encoded.
pub(super) fn zip(account: &str, orders: &[Order], date: NaiveDate, exported_at: DateTime<Utc>) -> Vec<u8> {
    let day = date.format("%Y%m%d");
    let files = [
        (format!("{account}_{day}_业务明细.csv"), detail_csv(account, orders, date, exported_at)),
        (format!("{account}_{day}_业务明细(汇总).csv"), summary_csv(account, orders, date, exported_at)),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in files {
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("writing to memory");
        zip.write_all(&gbk).expect("writing to memory");
    }
    zip.finish().expect("writing to memory").into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pay::alipay::bill::{self, BillKind};
    use crate::pay::alipay::model::TradeStatus;
    use crate::pay::alipay::simulator::state::Refund;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn order(no: u32, total_fen: i64, paid_at: &str) -> Order {
        Order {
            trade_no: format!("2026030122001{no:015}"),
            out_trade_no: format!("P{no}"),
            total_fen,
            subject: "3月物业费,2-1-301".to_owned(),
            status: TradeStatus::TradeSuccess,
            scanned: true,
            notify_url: None,
            return_url: None,
            created_at: at(paid_at),
            paid_at: Some(at(paid_at)),
            refunds: Vec::new(),
        }
    }

    #[test]
    fn fees_are_six_per_mille_rounded_half_up() {
        assert_eq!(service_fee_fen(8888), 53);
        assert_eq!(service_fee_fen(10_000), 60);
        assert_eq!(service_fee_fen(1000), 6);
        assert_eq!(service_fee_fen(250), 2);
        assert_eq!(service_fee_fen(1), 0);
    }

    #[test]
    fn the_served_zip_reads_back_through_the_adapters_parser() {
        let mut paid = order(1, 8888, "2026-03-01T02:00:00Z");
        paid.refunds.push(Refund { out_request_no: "P1_R1".to_owned(), fen: 1000, at: at("2026-03-01T07:20:00Z") });
        // Paid the evening before (Beijing), refunded in full the same day: only the refund is listed.
        let mut earlier = order(2, 5000, "2026-02-28T15:00:00Z");
        earlier.refunds.push(Refund { out_request_no: "P2".to_owned(), fen: 5000, at: at("2026-03-01T01:00:00Z") });
        // Paid the next Beijing day: not listed.
        let later = order(3, 100, "2026-03-01T16:00:00Z");
        let orders = [paid, earlier, later];

        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let bytes = zip("20880000000000010156", &orders, date, at("2026-03-02T01:15:32Z"));
        let bill = bill::parse(&bytes).unwrap();
        assert_eq!(bill.account.as_deref(), Some("20880000000000010156"));
        let listed: Vec<(&str, &BillKind, i64, i64)> =
            bill.rows.iter().map(|r| (r.out_trade_no.as_str(), &r.kind, r.receipt_fen, r.service_fee_fen)).collect();
        assert_eq!(
            listed,
            [
                ("P2", &BillKind::Refund, -5000, 30),
                ("P1", &BillKind::Trade, 8888, -53),
                ("P1", &BillKind::Refund, -1000, 6)
            ]
        );
        assert_eq!(bill.rows[0].refund_request_no.as_deref(), Some("P2"));
        assert_eq!(bill.rows[1].subject, "3月物业费,2-1-301");
        assert_eq!((bill.summary.trade_count, bill.summary.trade_receipt_fen), (1, 8888));
        assert_eq!((bill.summary.refund_count, bill.summary.refund_receipt_fen), (2, -6000));
    }
}
