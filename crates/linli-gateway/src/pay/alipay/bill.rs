//! The daily trade bill (业务账单, `bill_type=trade`) behind the URL that
//! `alipay.data.dataservice.bill.downloadurl.query` answers, read into rows for reconciliation.
//!
//! The download is a ZIP holding two GBK-encoded CSV files, `<account>_<yyyyMMdd>_业务明细.csv`
//! (the details, read here) and `…_业务明细(汇总).csv` (per-store totals, ignored). The entry
//! names are GBK without the ZIP UTF-8 flag, so the detail file is found by its content, not its
//! name. The detail file, line by line:
//!
//! ```text
//! #支付宝业务明细查询
//! #账号：[20881234567890120156]
//! #起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]
//! #-----------------------------------------业务明细列表----------------------------------------
//! 支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,
//!   订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,
//!   券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注
//! 2026030122001…\t,P2026…\t,交易,3月物业费,2026-03-01 10:00:00,2026-03-01 10:00:30,…,88.88,88.88,…,-0.53,0.00,
//! 2026030122001…\t,P2026…\t,退款,3月物业费,…,-10.00,-10.00,…,P2026…_R1\t,0.06,0.00,
//! #-----------------------------------------业务明细列表结束------------------------------------
//! #交易合计：1笔，商家实收共88.88元，商家优惠共0.00元
//! #退款合计：1笔，商家实收退款共-10.00元，商家优惠退款共0.00元
//! #导出时间：[2026年03月02日 09:15:32]
//! ```
//!
//! (the header is one line; it is wrapped here). Columns are found by their header names, so a
//! reordered or extended header still reads. Text values may carry a trailing tab (Alipay adds it
//! so spreadsheets keep long numbers as text); every value is trimmed. Amounts are yuan, refunds
//! negative, the service fee negative on trades and positive on refunds; all become fen here. The
//! rows must add up to the summary lines, or the bill is refused.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use chrono::NaiveDateTime;

use super::AlipayError;
use super::model::{TIMESTAMP_FORMAT, yuan_to_fen};

/// The marker line before the header, and the one after the last row.
pub const DETAIL_START: &str =
    "#-----------------------------------------业务明细列表----------------------------------------";
pub const DETAIL_END: &str =
    "#-----------------------------------------业务明细列表结束------------------------------------";

/// The detail header as Alipay writes it.
pub const DETAIL_HEADER: [&str; 25] = [
    "支付宝交易号",
    "商户订单号",
    "业务类型",
    "商品名称",
    "创建时间",
    "完成时间",
    "门店编号",
    "门店名称",
    "操作员",
    "终端号",
    "对方账户",
    "订单金额（元）",
    "商家实收（元）",
    "支付宝红包（元）",
    "集分宝（元）",
    "支付宝优惠（元）",
    "商家优惠（元）",
    "券核销金额（元）",
    "券名称",
    "商家红包消费金额（元）",
    "卡消费金额（元）",
    "退款批次号/请求号",
    "服务费（元）",
    "分润（元）",
    "备注",
];

/// A detail file larger than this is refused rather than read into memory.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillKind {
    /// 交易: a payment.
    Trade,
    /// 退款: a refund, amounts negative.
    Refund,
    /// Anything else Alipay may list, by its name.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillRow {
    pub trade_no: String,
    pub out_trade_no: String,
    pub kind: BillKind,
    pub subject: String,
    /// Beijing time, as written.
    pub created_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    /// 对方账户: the payer, masked.
    pub buyer_account: String,
    /// 订单金额: negative on refunds.
    pub order_fen: i64,
    /// 商家实收: what the merchant received (negative on refunds).
    pub receipt_fen: i64,
    /// 退款批次号/请求号: the refund's `out_request_no`.
    pub refund_request_no: Option<String>,
    /// 服务费: Alipay's fee, negative on trades, given back (positive) on refunds.
    pub service_fee_fen: i64,
    pub remark: String,
}

/// The `#交易合计` and `#退款合计` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BillSummary {
    pub trade_count: u64,
    pub trade_receipt_fen: i64,
    pub refund_count: u64,
    /// Negative.
    pub refund_receipt_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeBill {
    /// `#账号：[…]`, the merchant's 2088… account.
    pub account: Option<String>,
    pub rows: Vec<BillRow>,
    pub summary: BillSummary,
}

fn malformed(what: impl Into<String>) -> AlipayError {
    AlipayError::Malformed(format!("trade bill: {}", what.into()))
}

/// Reads what the bill URL served: the ZIP, or the detail CSV itself; GBK or UTF-8.
pub fn parse(bytes: &[u8]) -> Result<TradeBill, AlipayError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return parse_detail(&decode(bytes)?);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(format!("not a ZIP: {e}")))?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| malformed(format!("ZIP entry {index}: {e}")))?;
        // The raw name: Alipay's is GBK, which the ZIP reader would take for CP437.
        if entry.is_dir() || !entry.name_raw().to_ascii_lowercase().ends_with(b".csv") {
            continue;
        }
        if entry.size() > MAX_FILE_BYTES {
            return Err(malformed(format!("a file of {} bytes", entry.size())));
        }
        let mut raw = Vec::new();
        (&mut entry).take(MAX_FILE_BYTES).read_to_end(&mut raw).map_err(|e| malformed(format!("unzip: {e}")))?;
        let text = decode(&raw)?;
        if text.lines().any(|line| is_marker(line, false)) {
            return parse_detail(&text);
        }
    }
    Err(malformed("no 业务明细 file in the ZIP"))
}

/// UTF-8 (with or without BOM) when it is valid UTF-8, else GBK, as Alipay writes it.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, AlipayError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(malformed("neither UTF-8 nor GBK"));
    }
    Ok(text)
}

/// The start marker (`end` false) or the end marker, however many dashes surround it.
fn is_marker(line: &str, end: bool) -> bool {
    let Some(inner) = line.trim().strip_prefix('#') else { return false };
    let name = inner.trim_matches('-');
    if end { name == "业务明细列表结束" } else { name == "业务明细列表" }
}

/// Full-width parentheses, as Alipay writes `（元）`, whichever the file uses.
fn canonical_header(name: &str) -> String {
    name.trim().trim_start_matches('\u{feff}').replace('(', "（").replace(')', "）")
}

/// Reads the text of a detail file (see the module documentation for its layout).
pub fn parse_detail(text: &str) -> Result<TradeBill, AlipayError> {
    let lines: Vec<&str> = text.lines().map(|line| line.trim_end_matches('\r')).collect();
    let start = lines.iter().position(|line| is_marker(line, false)).ok_or_else(|| malformed("no start marker"))?;
    let end = start
        + lines[start..].iter().position(|line| is_marker(line, true)).ok_or_else(|| malformed("no end marker"))?;
    let account = lines[..start].iter().find_map(|line| {
        let rest = line.trim().strip_prefix("#账号：")?;
        Some(rest.trim().trim_start_matches('[').trim_end_matches(']').to_owned())
    });

    let section = lines[start + 1..end].join("\n");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(section.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(record) => record.map_err(|e| malformed(format!("header: {e}")))?,
        None => return Err(malformed("no header line")),
    };
    let columns = Columns::new(&header.iter().map(canonical_header).collect::<Vec<_>>())?;
    let mut rows = Vec::new();
    for (index, record) in records.enumerate() {
        let record = record.map_err(|e| malformed(format!("row {}: {e}", index + 1)))?;
        if record.iter().all(|value| value.trim().is_empty()) {
            continue;
        }
        let values: Vec<&str> = record.iter().map(str::trim).collect();
        rows.push(columns.row(&values).map_err(|why| malformed(format!("row {}: {why}", index + 1)))?);
    }

    let summary = summary(&lines[end + 1..])?;
    check_totals(&rows, &summary)?;
    Ok(TradeBill { account, rows, summary })
}

/// Where each column this parser reads sits in the header.
struct Columns {
    trade_no: usize,
    out_trade_no: usize,
    kind: usize,
    order: usize,
    receipt: usize,
    subject: Option<usize>,
    created_at: Option<usize>,
    finished_at: Option<usize>,
    buyer_account: Option<usize>,
    refund_request_no: Option<usize>,
    service_fee: Option<usize>,
    remark: Option<usize>,
}

impl Columns {
    fn new(header: &[String]) -> Result<Self, AlipayError> {
        let find = |name: &str| header.iter().position(|h| h == name);
        let need = |name: &str| find(name).ok_or_else(|| malformed(format!("no column {name}")));
        Ok(Columns {
            trade_no: need("支付宝交易号")?,
            out_trade_no: need("商户订单号")?,
            kind: need("业务类型")?,
            order: need("订单金额（元）")?,
            receipt: need("商家实收（元）")?,
            subject: find("商品名称"),
            created_at: find("创建时间"),
            finished_at: find("完成时间"),
            buyer_account: find("对方账户"),
            refund_request_no: find("退款批次号/请求号"),
            service_fee: find("服务费（元）"),
            remark: find("备注"),
        })
    }

    fn row(&self, values: &[&str]) -> Result<BillRow, String> {
        let text = |index: Option<usize>| index.and_then(|i| values.get(i)).copied().unwrap_or_default();
        let amount = |index: Option<usize>, name: &str, required: bool| match text(index) {
            "" if !required => Ok(0),
            value => yuan_to_fen(value).ok_or_else(|| format!("{name} is not an amount: {value:?}")),
        };
        let time = |index: Option<usize>, name: &str| match text(index) {
            "" => Ok(None),
            value => NaiveDateTime::parse_from_str(value, TIMESTAMP_FORMAT)
                .map(Some)
                .map_err(|_| format!("{name} is not a time: {value:?}")),
        };
        let kind = match text(Some(self.kind)) {
            "交易" => BillKind::Trade,
            "退款" => BillKind::Refund,
            other => BillKind::Other(other.to_owned()),
        };
        let trade_no = text(Some(self.trade_no));
        if trade_no.is_empty() {
            return Err("no 支付宝交易号".to_owned());
        }
        Ok(BillRow {
            trade_no: trade_no.to_owned(),
            out_trade_no: text(Some(self.out_trade_no)).to_owned(),
            kind,
            subject: text(self.subject).to_owned(),
            created_at: time(self.created_at, "创建时间")?,
            finished_at: time(self.finished_at, "完成时间")?,
            buyer_account: text(self.buyer_account).to_owned(),
            order_fen: amount(Some(self.order), "订单金额", true)?,
            receipt_fen: amount(Some(self.receipt), "商家实收", true)?,
            refund_request_no: Some(text(self.refund_request_no)).filter(|s| !s.is_empty()).map(str::to_owned),
            service_fee_fen: amount(self.service_fee, "服务费", false)?,
            remark: text(self.remark).to_owned(),
        })
    }
}

/// `#交易合计：2笔，商家实收共177.76元，…` and `#退款合计：1笔，商家实收退款共-10.00元，…`.
fn summary(lines: &[&str]) -> Result<BillSummary, AlipayError> {
    let line = |label: &str| {
        lines
            .iter()
            .find_map(|line| line.trim().strip_prefix(label))
            .ok_or_else(|| malformed(format!("no {label} line")))
    };
    let (trade_count, trade_receipt_fen) = totals(line("#交易合计：")?, "商家实收共")?;
    let (refund_count, refund_receipt_fen) = totals(line("#退款合计：")?, "商家实收退款共")?;
    Ok(BillSummary { trade_count, trade_receipt_fen, refund_count, refund_receipt_fen })
}

/// The count before `笔` and the amount after `label` (or `label` + `计`) up to `元`.
fn totals(rest: &str, label: &str) -> Result<(u64, i64), AlipayError> {
    let count = rest
        .split_once('笔')
        .and_then(|(count, _)| count.trim().parse::<u64>().ok())
        .ok_or_else(|| malformed(format!("no count in {rest:?}")))?;
    let amount = rest
        .split_once(label)
        .map(|(_, after)| after.strip_prefix('计').unwrap_or(after))
        .and_then(|after| after.split_once('元'))
        .and_then(|(amount, _)| yuan_to_fen(amount.trim()))
        .ok_or_else(|| malformed(format!("no {label} amount in {rest:?}")))?;
    Ok((count, amount))
}

fn check_totals(rows: &[BillRow], summary: &BillSummary) -> Result<(), AlipayError> {
    let sum = |kind: BillKind| {
        let of_kind = rows.iter().filter(|row| row.kind == kind);
        (of_kind.clone().count() as u64, of_kind.map(|row| row.receipt_fen).sum::<i64>())
    };
    let trades = sum(BillKind::Trade);
    let refunds = sum(BillKind::Refund);
    if trades != (summary.trade_count, summary.trade_receipt_fen)
        || refunds != (summary.refund_count, summary.refund_receipt_fen)
    {
        return Err(malformed(format!(
            "rows add up to {} trades of {} fen and {} refunds of {} fen, the summary says {summary:?}",
            trades.0, trades.1, refunds.0, refunds.1
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made bill in Alipay's layout: one payment, one partial refund of it, a payment
    /// whose subject has a comma (quoted), trailing tabs on the numbers kept as text.
    fn sample() -> String {
        [
            "#支付宝业务明细查询",
            "#账号：[20881234567890120156]",
            "#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年03月02日 00:00:00]",
            DETAIL_START,
            &DETAIL_HEADER.join(","),
            "2026030122001000000000000001\t,P20260301001\t,交易,3月物业费,2026-03-01 10:00:00,2026-03-01 10:00:30,,,,,138****8000,88.88,88.88,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.53,0.00,",
            "2026030122001000000000000001\t,P20260301001\t,退款,3月物业费,2026-03-01 10:00:00,2026-03-01 15:20:00,,,,,138****8000,-10.00,-10.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,P20260301001_R1\t,0.06,0.00,多缴",
            "2026030122001000000000000002\t,P20260301002\t,交易,\"车位费,2号\",2026-03-01 11:00:00,2026-03-01 11:00:05,,,,,139****9000,100.00,100.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.60,0.00,",
            DETAIL_END,
            "#交易合计：2笔，商家实收共188.88元，商家优惠共0.00元",
            "#退款合计：1笔，商家实收退款共-10.00元，商家优惠退款共0.00元",
            "#导出时间：[2026年03月02日 09:15:32]",
        ]
        .join("\r\n")
    }

    #[test]
    fn a_detail_file_reads_into_rows_in_fen() {
        let bill = parse_detail(&sample()).unwrap();
        assert_eq!(bill.account.as_deref(), Some("20881234567890120156"));
        assert_eq!(bill.rows.len(), 3);
        let paid = &bill.rows[0];
        assert_eq!(paid.trade_no, "2026030122001000000000000001");
        assert_eq!(paid.out_trade_no, "P20260301001");
        assert_eq!(paid.kind, BillKind::Trade);
        assert_eq!((paid.order_fen, paid.receipt_fen, paid.service_fee_fen), (8888, 8888, -53));
        assert_eq!(paid.finished_at.unwrap().to_string(), "2026-03-01 10:00:30");
        assert_eq!(paid.refund_request_no, None);
        let refund = &bill.rows[1];
        assert_eq!(refund.kind, BillKind::Refund);
        assert_eq!((refund.receipt_fen, refund.service_fee_fen), (-1000, 6));
        assert_eq!(refund.refund_request_no.as_deref(), Some("P20260301001_R1"));
        assert_eq!(refund.remark, "多缴");
        assert_eq!(bill.rows[2].subject, "车位费,2号");
        assert_eq!(
            bill.summary,
            BillSummary { trade_count: 2, trade_receipt_fen: 18888, refund_count: 1, refund_receipt_fen: -1000 }
        );
    }

    #[test]
    fn a_bill_whose_rows_do_not_add_up_is_refused() {
        let text = sample().replace("商家实收共188.88元", "商家实收共188.89元");
        assert!(matches!(parse_detail(&text), Err(AlipayError::Malformed(_))));
        let text = sample().replace("#交易合计：2笔", "#交易合计：3笔");
        assert!(matches!(parse_detail(&text), Err(AlipayError::Malformed(_))));
    }

    #[test]
    fn an_empty_day_has_a_header_and_zero_totals() {
        let text = [
            DETAIL_START,
            &DETAIL_HEADER.join(","),
            DETAIL_END,
            // The `共计` spelling some bills use reads too.
            "#交易合计：0笔，商家实收共计0.00元",
            "#退款合计：0笔，商家实收退款共计0.00元",
        ]
        .join("\n");
        let bill = parse_detail(&text).unwrap();
        assert!(bill.rows.is_empty());
        assert_eq!(bill.summary, BillSummary::default());
    }

    #[test]
    fn columns_are_found_by_name_and_ascii_parentheses_read_too() {
        let text = [
            DETAIL_START,
            "商户订单号,支付宝交易号,业务类型,商家实收(元),订单金额(元)",
            "P1\t,T1\t,交易,1.00,1.00",
            DETAIL_END,
            "#交易合计：1笔，商家实收共1.00元",
            "#退款合计：0笔，商家实收退款共0.00元",
        ]
        .join("\n");
        let bill = parse_detail(&text).unwrap();
        assert_eq!((bill.rows[0].trade_no.as_str(), bill.rows[0].out_trade_no.as_str()), ("T1", "P1"));
        assert_eq!(bill.rows[0].service_fee_fen, 0);
    }

    #[test]
    fn broken_bills_are_errors_not_panics() {
        let no_column = sample().replace("商家实收（元）", "实收");
        let bad_amount = sample().replace(",88.88,88.88,", ",88.88,88.888,");
        let bad_time = sample().replace("2026-03-01 10:00:30", "10:00:30");
        for text in [String::new(), "#支付宝业务明细查询".to_owned(), no_column, bad_amount, bad_time] {
            assert!(parse_detail(&text).is_err());
        }
        assert!(parse(b"PK\x03\x04 not really a zip").is_err());
        assert!(parse(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn gbk_text_and_a_zip_of_it_read_the_same() {
        let text = sample();
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        assert_eq!(parse(&gbk).unwrap(), parse_detail(&sample()).unwrap());

        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("20881234567890120156_20260301_业务明细(汇总).csv", options).unwrap();
        std::io::Write::write_all(&mut zip, "#支付宝业务汇总查询\n".as_bytes()).unwrap();
        zip.start_file("20881234567890120156_20260301_业务明细.csv", options).unwrap();
        std::io::Write::write_all(&mut zip, &gbk).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(parse(&bytes).unwrap().rows.len(), 3);
    }
}
