//! Printable documents, rendered on the server as HTML with print styles (the browser's "print
//! to PDF" makes the PDF): a house's statement (对账单) and the bill notices (缴费通知单) of a
//! building for a period, one page per house. The words and markup are minijinja templates in
//! `templates/`, escaped as HTML like the messages' email bodies; this module only gathers the
//! values they show.

use std::sync::LazyLock;

use chrono::NaiveDate;
use linli_core::{Error, Fen, Result};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::account::HouseAccount;
use crate::bill::BillDetail;
use crate::late_fee::LateFee;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // A value the template names but the document lacks is a bug, not a blank on paper.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    // Money in 元 with two decimals, as everywhere people read it.
    env.add_filter("yuan", |fen: i64| Fen(fen).to_string());
    for (name, source) in [
        ("document.html", include_str!("../templates/document.html")),
        ("bills.html", include_str!("../templates/bills.html")),
        ("statement.html", include_str!("../templates/statement.html")),
        ("notices.html", include_str!("../templates/notices.html")),
    ] {
        env.add_template(name, source).expect("the document templates parse");
    }
    env
});

fn render(name: &str, ctx: impl Serialize) -> Result<String> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::internal(format_args!("rendering {name}: {e:#}")))
}

/// One span of a bill's late fee as printed.
#[derive(Debug, Serialize)]
struct LateFeeSpan {
    from: NaiveDate,
    to: NaiveDate,
    days: i64,
    principal_fen: Fen,
    amount_fen: Fen,
}

/// A bill's late fee, span by span.
#[derive(Debug, Serialize)]
struct LateFeeLines {
    daily_rate: String,
    days: Vec<LateFeeSpan>,
}

/// A bill's row in the table of bills.
#[derive(Debug, Serialize)]
struct BillRow<'a> {
    fee_item_name: &'a str,
    period_start: NaiveDate,
    period_end: NaiveDate,
    formulas: Vec<&'a str>,
    late_fee: LateFeeLines,
    amount_fen: Fen,
    due_on: NaiveDate,
    principal_due_fen: Fen,
    late_fee_fen: Fen,
}

fn late_fee_lines(fee: &LateFee) -> LateFeeLines {
    let days = fee
        .days
        .iter()
        .map(|d| LateFeeSpan {
            from: d.from,
            to: d.to,
            days: d.days,
            principal_fen: d.principal,
            // The same rounding as the charge (四舍五入), so the line and the column agree.
            amount_fen: Fen::from_yuan(d.amount).unwrap_or_default(),
        })
        .collect();
    LateFeeLines { daily_rate: fee.daily_rate.normalize().to_string(), days }
}

fn bill_rows(details: &[BillDetail]) -> Vec<BillRow<'_>> {
    details
        .iter()
        .map(|d| BillRow {
            fee_item_name: &d.bill.fee_item_name,
            period_start: d.bill.period_start,
            period_end: d.bill.period_end,
            formulas: d.lines.iter().map(|l| l.formula.as_str()).collect(),
            late_fee: late_fee_lines(&d.late_fee),
            amount_fen: d.bill.amount_fen,
            due_on: d.bill.due_on,
            principal_due_fen: d.bill.principal_due_fen,
            late_fee_fen: d.late_fee.amount,
        })
        .collect()
}

#[derive(Serialize)]
struct Statement<'a> {
    house_label: &'a str,
    as_of: NaiveDate,
    bills: Vec<BillRow<'a>>,
    total_due_fen: Fen,
    balance_fen: Fen,
}

/// A house's open bills as of a day, with how each amount and late fee came about.
pub fn statement_html(account: &HouseAccount, details: &[BillDetail]) -> Result<String> {
    render(
        "statement.html",
        Statement {
            house_label: &account.house_label,
            as_of: account.as_of,
            bills: bill_rows(details),
            total_due_fen: account.total_due_fen,
            balance_fen: account.balance_fen,
        },
    )
}

#[derive(Serialize)]
struct Notification<'a> {
    house_label: &'a str,
    bills: Vec<BillRow<'a>>,
    /// Principal still due on the period's bills.
    total_fen: Fen,
}

#[derive(Serialize)]
struct Notices<'a> {
    period: &'a str,
    notices: Vec<Notification<'a>>,
}

/// One notice per house for the month `period` (`YYYY-MM`): `houses` are (house label, its
/// bills of the period).
pub fn notices_html(period: &str, houses: &[(String, Vec<BillDetail>)]) -> Result<String> {
    let notices = houses
        .iter()
        .map(|(label, details)| Notification {
            house_label: label,
            bills: bill_rows(details),
            total_fen: Fen(details.iter().map(|d| d.bill.principal_due_fen.0).sum()),
        })
        .collect();
    render("notices.html", Notices { period, notices })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use linli_core::Fen;
    use rust_decimal::Decimal;

    use super::{TEMPLATES, late_fee_lines};
    use crate::fee::LateFeeRule;
    use crate::late_fee::{LateFee, late_fee};

    /// A late fee's lines as the documents print them.
    fn late_fee_rows(fee: &LateFee, out: &mut String) {
        let source = r#"{% from "bills.html" import late_fee_lines %}{{ late_fee_lines(fee) }}"#;
        out.push_str(&TEMPLATES.render_str(source, minijinja::context! { fee => late_fee_lines(fee) }).unwrap());
    }

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
