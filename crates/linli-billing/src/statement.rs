//! Printable documents, rendered on the server as HTML with print styles (the browser's "print
//! to PDF" makes the PDF): a house's statement (对账单) and the bill notices (缴费通知单) of a
//! building for a period, one page per house.

use std::fmt::Write as _;

use linli_core::Fen;
use linli_core::html::escape;

use crate::account::HouseAccount;
use crate::bill::BillDetail;
use crate::late_fee::LateFee;

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;font-size:13px;margin:24px}\
h1{font-size:20px;margin:0 0 4px}table{border-collapse:collapse;width:100%;margin:8px 0}\
th,td{border:1px solid #999;padding:4px 6px;text-align:left}td.n,th.n{text-align:right}\
.muted{color:#555}.page{page-break-after:always}.page:last-child{page-break-after:auto}\
@media print{body{margin:0}}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body>{body}</body></html>\n",
        escape(title)
    )
}

fn late_fee_rows(fee: &LateFee, out: &mut String) {
    for d in &fee.days {
        let _ = write!(
            out,
            "<div class=\"muted\">滞纳金 {} 至 {}：{} 天 × {} 元 × {} = {} 元</div>",
            d.from,
            d.to,
            d.days,
            d.principal,
            fee.daily_rate.normalize(),
            // The same rounding as the charge (四舍五入), so the line and the column agree.
            Fen::from_yuan(d.amount).unwrap_or_default()
        );
    }
}

fn bill_rows(details: &[BillDetail], out: &mut String) {
    out.push_str(
        "<table><tr><th>收费项目</th><th>账期</th><th>计算</th><th class=\"n\">应收(元)</th><th>缴费期限</th>\
         <th class=\"n\">未缴(元)</th><th class=\"n\">滞纳金(元)</th></tr>",
    );
    for d in details {
        let b = &d.bill;
        let mut how = String::new();
        for l in &d.lines {
            let _ = write!(how, "<div>{}</div>", escape(&l.formula));
        }
        late_fee_rows(&d.late_fee, &mut how);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{} 至 {}</td><td>{how}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&b.fee_item_name),
            b.period_start,
            b.period_end,
            b.amount_fen,
            b.due_on,
            b.principal_due_fen,
            d.late_fee.amount,
        );
    }
    out.push_str("</table>");
}

/// A house's open bills as of a day, with how each amount and late fee came about.
pub fn statement_html(account: &HouseAccount, details: &[BillDetail]) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>对账单 · {}</h1><div class=\"muted\">截至 {}</div>",
        escape(&account.house_label),
        account.as_of
    );
    bill_rows(details, &mut body);
    let _ = write!(
        body,
        "<p>应缴合计（含滞纳金）：<b>{} 元</b>　预存余额：{} 元</p>",
        account.total_due_fen, account.balance_fen
    );
    page(&format!("对账单 {}", account.house_label), &body)
}

/// One notice per house: `houses` are (house label, its bills of the period).
pub fn notices_html(title: &str, houses: &[(String, Vec<BillDetail>)]) -> String {
    let mut body = String::new();
    for (label, details) in houses {
        let total: i64 = details.iter().map(|d| d.bill.principal_due_fen.0).sum();
        let _ = write!(
            body,
            "<div class=\"page\"><h1>缴费通知单 · {}</h1><div class=\"muted\">{}</div>",
            escape(label),
            escape(title)
        );
        bill_rows(details, &mut body);
        let _ = write!(
            body,
            "<p>本期应缴：<b>{} 元</b>。请于缴费期限前缴纳，逾期按约定计收滞纳金。</p></div>",
            linli_core::Fen(total)
        );
    }
    page(title, &body)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use linli_core::Fen;
    use rust_decimal::Decimal;

    use super::late_fee_rows;
    use crate::fee::LateFeeRule;
    use crate::late_fee::late_fee;

    #[test]
    fn a_late_fee_line_rounds_as_the_charge_does() {
        // 10.00 元 one day late at 万分之五: 0.005 元. The charge is 0.01 (四舍五入), and so is the line
        // (half to even would print 0.00 beside a column of 0.01).
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let rule = LateFeeRule { daily_rate: Decimal::new(5, 4), grace_days: 0, cap_rate: None };
        let fee = late_fee(&rule, Fen(1_000), day("2026-01-31"), &[], day("2026-02-01"));
        assert_eq!(fee.amount, Fen(1));
        let mut out = String::new();
        late_fee_rows(&fee, &mut out);
        assert!(out.contains("滞纳金 2026-02-01 至 2026-02-01：1 天 × 10.00 元 × 0.0005 = 0.01 元"), "{out}");

        // 0.015 → 0.02 and 2.675 → 2.68 (half to even: 0.02 and 2.67).
        let fee = late_fee(&rule, Fen(3_000), day("2026-01-31"), &[], day("2026-02-01"));
        assert_eq!(fee.amount, Fen(2));
        let mut out = String::new();
        late_fee_rows(&fee, &mut out);
        assert!(out.contains("= 0.02 元"), "{out}");
        let fee = late_fee(&rule, Fen(535_000), day("2026-01-31"), &[], day("2026-02-01"));
        assert_eq!(fee.amount, Fen(268));
        let mut out = String::new();
        late_fee_rows(&fee, &mut out);
        assert!(out.contains("1 天 × 5350.00 元 × 0.0005 = 2.68 元"), "{out}");
    }
}
