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
        ("receipt.html", include_str!("../templates/receipt.html")),
        ("till.html", include_str!("../templates/till.html")),
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

#[derive(Serialize)]
struct ReceiptPage<'a> {
    thermal: bool,
    /// 0 is the electronic receipt, 1 the original, above 1 a copy (the template says which).
    print_no: i32,
    voided: bool,
    void_reason: Option<&'a str>,
    company_name: &'a str,
    project_name: &'a str,
    receipt_no: &'a str,
    date: String,
    house_label: &'a str,
    payer: Option<&'a str>,
    lines: &'a [crate::receipt::ReceiptLine],
    amount_fen: Fen,
    capitals: String,
    channel: &'static str,
    reference: Option<&'a str>,
    cashier: &'a str,
}

/// A receipt as printed on A5 or 80 mm thermal paper: a reprint says 副本 and which printing
/// it is; a voided one says 作废 and why. The date is the day the money came in. Printing 0 is
/// the resident's electronic receipt (电子收据) on the phone, which counts no printing.
pub fn receipt_html(f: &crate::receipt::ReceiptFacts, layout: crate::receipt::ReceiptLayout) -> Result<String> {
    use crate::receipt::{amount_in_capitals, channel_label, written_date};
    let r = &f.row;
    render(
        "receipt.html",
        ReceiptPage {
            thermal: layout == crate::receipt::ReceiptLayout::Thermal,
            print_no: f.print_no,
            voided: r.voided,
            void_reason: r.void_reason.as_deref(),
            company_name: &f.company_name,
            project_name: &f.project_name,
            receipt_no: &r.receipt_no,
            date: written_date(r.received_on),
            house_label: &r.house_label,
            payer: r.payer.as_deref(),
            lines: &f.lines,
            amount_fen: r.amount_fen,
            capitals: amount_in_capitals(r.amount_fen),
            channel: channel_label(r.channel),
            reference: r.reference.as_deref(),
            // The system records what online channels paid: say which, never a code.
            cashier: r.cashier_name.as_deref().unwrap_or("线上缴费"),
        },
    )
}

#[derive(Serialize)]
struct ChannelLine {
    channel: &'static str,
    count: i64,
    amount_fen: Fen,
}

#[derive(Serialize)]
struct PaymentLine<'a> {
    receipt_no: &'a str,
    house_label: &'a str,
    channel: &'static str,
    reference: Option<&'a str>,
    amount_fen: Fen,
    voided: bool,
}

#[derive(Serialize)]
struct TillPage<'a> {
    cashier: &'a str,
    opened_at: String,
    closed_at: Option<String>,
    by_channel: Vec<ChannelLine>,
    count: i64,
    total_fen: Fen,
    opening_float_fen: Fen,
    cash_fen: Fen,
    cash_refunds_fen: Fen,
    expected_cash_fen: Fen,
    counted_cash_fen: Option<Fen>,
    difference_fen: Option<Fen>,
    outcome: &'static str,
    voided_count: i64,
    voided_fen: Fen,
    payments: Vec<PaymentLine<'a>>,
}

/// The shift report (交班报表) as printed: takings by channel, the cash the drawer should hold,
/// what was counted and the difference (短款/长款), and every receipt of the session.
pub fn till_html(r: &crate::till::TillReport) -> Result<String> {
    use crate::receipt::channel_label;
    use crate::till::TillOutcome;
    let at = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&linli_core::time::cst()).format("%Y-%m-%d %H:%M").to_string()
    };
    let t = &r.takings;
    let cash =
        t.by_channel.iter().find(|c| c.channel == crate::PaymentChannel::Cash).map_or(Fen::ZERO, |c| c.amount_fen);
    render(
        "till.html",
        TillPage {
            cashier: &r.session.cashier_name,
            opened_at: at(r.session.opened_at),
            closed_at: r.session.closed_at.map(at),
            by_channel: t
                .by_channel
                .iter()
                .map(|c| ChannelLine { channel: channel_label(c.channel), count: c.count, amount_fen: c.amount_fen })
                .collect(),
            count: t.count,
            total_fen: t.total_fen,
            opening_float_fen: r.session.opening_float_fen,
            cash_fen: cash,
            cash_refunds_fen: t.cash_refunds_fen,
            expected_cash_fen: t.expected_cash_fen,
            counted_cash_fen: r.session.counted_cash_fen,
            difference_fen: r.session.difference_fen,
            outcome: match r.outcome {
                Some(TillOutcome::Short) => "短款",
                Some(TillOutcome::Over) => "长款",
                _ => "账实相符",
            },
            voided_count: t.voided_count,
            voided_fen: t.voided_fen,
            payments: r
                .payments
                .iter()
                .map(|p| PaymentLine {
                    receipt_no: &p.receipt_no,
                    house_label: &p.house_label,
                    channel: channel_label(p.channel),
                    reference: p.reference.as_deref(),
                    amount_fen: p.amount_fen,
                    voided: p.voided,
                })
                .collect(),
        },
    )
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

#[cfg(test)]
mod receipt_tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use linli_core::Fen;

    use crate::PaymentChannel;
    use crate::receipt::{PaymentRow, ReceiptFacts, ReceiptLayout, ReceiptLine};

    fn facts(print_no: i32) -> ReceiptFacts {
        ReceiptFacts {
            company_name: "邻里物业".into(),
            project_name: "翠湖花园".into(),
            row: PaymentRow {
                id: 5,
                project_id: 1,
                house_id: 2,
                house_label: "1栋301".into(),
                receipt_no: "SK1-00000007".into(),
                amount_fen: Fen(105_000),
                channel: PaymentChannel::Card,
                reference: Some("POS-0042".into()),
                received_on: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
                payer: Some("张三".into()),
                note: None,
                cashier_id: Some(3),
                cashier_name: Some("王收银".into()),
                till_session_id: None,
                created_at: Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap(),
                voided: false,
                voided_at: None,
                voided_by_name: None,
                void_reason: None,
                prints: print_no,
            },
            lines: vec![ReceiptLine { item: "物业费".into(), period: "2026-11".into(), amount_fen: Fen(105_000) }],
            print_no,
        }
    }

    #[test]
    fn a_receipt_prints_the_number_the_date_as_written_the_amount_in_capitals_and_the_cashier() {
        for layout in [ReceiptLayout::A5, ReceiptLayout::Thermal] {
            let html = super::receipt_html(&facts(1), layout).unwrap();
            for want in [
                "SK1-00000007",
                "2026年12月3日",
                "1050.00",
                "壹仟零伍拾元整",
                "银行卡",
                "POS-0042",
                "王收银",
                "1栋301",
                "物业费",
            ] {
                assert!(html.contains(want), "{layout:?} lacks {want}: {html}");
            }
            assert!(!html.contains("副本") && !html.contains("电子收据"));
            let copy = super::receipt_html(&facts(2), layout).unwrap();
            assert!(copy.contains("副本（第 2 次打印）"), "{copy}");
            let electronic = super::receipt_html(&facts(0), layout).unwrap();
            assert!(electronic.contains("电子收据") && !electronic.contains("副本"), "{electronic}");
        }
        assert!(super::receipt_html(&facts(1), ReceiptLayout::Thermal).unwrap().contains("size:80mm"));
    }
}
