//! The demo's year of billing: fee items with standards (and a price change), monthly runs for
//! the last twelve months, and owners who pay on time, late, every quarter, in advance, or not
//! at all, so the arrears report and the collection rate have something true to show.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use linli_billing::{
    AssignmentTarget, BillingCycle, FeeKind, LateFeeRule, NewAssignment, NewFeeItem, NewPayment, NewStandard,
    PaymentChannel, Period,
};
use linli_core::time::today;
use linli_core::{Authz, Fen, Id, PageRequest};
use linli_http::App;
use linli_property::HouseFilter;
use rust_decimal::Decimal;

use super::community::pick;

pub(crate) fn item(project_id: Id, code: &str, name: &str, kind: FeeKind, cycle: BillingCycle) -> NewFeeItem {
    NewFeeItem {
        project_id,
        code: code.into(),
        name: name.into(),
        kind,
        cycle,
        due_day: 31,
        area_basis: linli_billing::AreaBasis::Gross,
        meter_kind: None,
        loss_rate: Decimal::ZERO,
        vacancy_rate: None,
        late_fee: LateFeeRule { daily_rate: Decimal::new(5, 4), grace_days: 0, cap_rate: None },
    }
}

pub(crate) fn standard(from: NaiveDate, price: Decimal) -> NewStandard {
    NewStandard {
        house_usage: None,
        service_level: None,
        effective_from: from,
        effective_to: None,
        price,
        tiers: vec![],
    }
}

pub(crate) fn assign(target: AssignmentTarget, house_id: Option<Id>, label: Option<String>) -> NewAssignment {
    NewAssignment {
        target,
        building_id: None,
        house_usage: None,
        house_id,
        service_level: None,
        quantity: 1,
        label,
        starts_on: None,
        ends_on: None,
    }
}

/// How an owner pays, by house.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Habit {
    /// Within a few days of the due date, sometimes a little late.
    Monthly,
    /// Every third month, everything open.
    Quarterly,
    /// A year in advance, spent by the runs.
    Prepaid,
    /// Paid until some months ago, then stopped.
    Stopped(u32),
    Never,
}

fn habit(i: usize) -> Habit {
    match pick(i, 21, 100) {
        0..=69 => Habit::Monthly,
        70..=83 => Habit::Quarterly,
        84..=88 => Habit::Prepaid,
        89..=97 => Habit::Stopped(2 + pick(i, 22, 11) as u32),
        _ => Habit::Never,
    }
}

/// Answers a line for the start-up banner; does nothing when the project has fee items.
pub async fn seed(app: &App, company: Id, project_id: Id) -> anyhow::Result<String> {
    let system = Authz::system(company);
    if !app.billing.fees.fee_items(&system, Some(project_id)).await?.is_empty() {
        return Ok("kept the existing billing".into());
    }
    let today = today();
    let first = Period::month(today.year(), today.month())
        .and_then(|m| m.start.checked_sub_months(Months::new(11)))
        .ok_or_else(|| anyhow::anyhow!("no first month"))?;
    let mut wyf = item(project_id, "WYF", "物业费", FeeKind::Area, BillingCycle::Monthly);
    wyf.vacancy_rate = Some(Decimal::new(7, 1));
    let wyf = app.billing.fees.create_fee_item(&system, wyf).await?;
    app.billing.fees.add_standard(&system, wyf.id, standard("2023-01-01".parse()?, Decimal::new(235, 2))).await?;
    // A price change in the middle of the year: bills before it keep the old price.
    let change = first.checked_add_months(Months::new(6)).ok_or_else(|| anyhow::anyhow!("date"))?;
    app.billing.fees.add_standard(&system, wyf.id, standard(change, Decimal::new(250, 2))).await?;
    app.billing.fees.add_assignment(&system, wyf.id, assign(AssignmentTarget::Project, None, None)).await?;

    let ljf = app
        .billing
        .fees
        .create_fee_item(&system, item(project_id, "LJF", "垃圾清运费", FeeKind::Fixed, BillingCycle::Monthly))
        .await?;
    app.billing.fees.add_standard(&system, ljf.id, standard("2023-01-01".parse()?, Decimal::from(10))).await?;
    app.billing.fees.add_assignment(&system, ljf.id, assign(AssignmentTarget::Project, None, None)).await?;

    let cwf = app
        .billing
        .fees
        .create_fee_item(&system, item(project_id, "CWF", "车位管理费", FeeKind::Parking, BillingCycle::Quarterly))
        .await?;
    app.billing.fees.add_standard(&system, cwf.id, standard("2023-01-01".parse()?, Decimal::from(150))).await?;
    // One-off fees the counter charges on demand; billing runs leave them alone.
    for (code, name, price) in [("ZXYJ", "装修押金", 2000), ("MJK", "门禁卡工本费", 20)] {
        let mut once = item(project_id, code, name, FeeKind::OneOff, BillingCycle::Monthly);
        once.late_fee = LateFeeRule::NONE;
        let once = app.billing.fees.create_fee_item(&system, once).await?;
        app.billing.fees.add_standard(&system, once.id, standard("2023-01-01".parse()?, Decimal::from(price))).await?;
    }
    let filter = HouseFilter { project_id: Some(project_id), ..Default::default() };
    let houses = app.structure.list_houses(&system, &filter, PageRequest::all()).await?.items;
    for (n, h) in houses.iter().enumerate().filter(|(i, _)| pick(*i, 23, 100) < 15) {
        let label = Some(format!("B1-{:03}", n % 1000));
        app.billing.fees.add_assignment(&system, cwf.id, assign(AssignmentTarget::House, Some(h.id), label)).await?;
    }

    // Prepaid owners deposit a year of property fees before the first run.
    let day_before = first.pred_opt().unwrap_or(first);
    let prepaid: Vec<(Id, NewPayment)> = houses
        .iter()
        .enumerate()
        .filter(|(i, _)| habit(*i) == Habit::Prepaid)
        .map(|(i, h)| {
            let year =
                Fen::from_yuan(h.gross_area.decimal() * Decimal::new(235, 2) * Decimal::from(12)).unwrap_or_default();
            (h.id, payment(year, day_before, Some(wyf.id), channel(i)))
        })
        .collect();
    for batch in prepaid.chunks(BATCH) {
        app.billing.payments.replay_payments(&system, project_id, batch.to_vec(), day_before).await?;
    }

    let mut payments = 0;
    let mut month = first;
    let mut m = 0;
    while month <= today {
        let label = month.format("%Y-%m").to_string();
        let run = app.billing.runs.preview_run(&system, project_id, &label, &[]).await?;
        app.billing.runs.confirm_run(&system, run.id).await?;
        app.billing.runs.execute_run(run.id, crate::billing_cli::CHUNK).await?;
        let months_left = (today.year() - month.year()) * 12 + today.month() as i32 - month.month() as i32;
        // Who pays this month, by the day they pay; each day's owners pay what they owe then.
        let mut by_day: BTreeMap<NaiveDate, Vec<(Id, PaymentChannel)>> = BTreeMap::new();
        for (i, h) in houses.iter().enumerate() {
            let due = Period::month(month.year(), month.month()).map_or(month, |p| p.end);
            let paid_on = match habit(i) {
                Habit::Monthly => due
                    .checked_sub_days(Days::new(10))
                    .and_then(|d| d.checked_add_days(Days::new(pick(i + m, 24, 25) as u64))),
                Habit::Quarterly if m % 3 == 2 => due.checked_add_days(Days::new(pick(i, 25, 20) as u64)),
                Habit::Stopped(k) if months_left >= k as i32 => due.checked_sub_days(Days::new(3)),
                _ => None,
            };
            if let Some(day) = paid_on.filter(|d| *d <= today) {
                by_day.entry(day).or_default().push((h.id, channel(i)));
            }
        }
        for (day, payers) in by_day {
            for batch in payers.chunks(BATCH) {
                let ids: Vec<Id> = batch.iter().map(|(h, _)| *h).collect();
                let owed: BTreeMap<Id, Fen> =
                    app.billing.payments.owed(&system, project_id, &ids, Some(day)).await?.into_iter().collect();
                let pays: Vec<(Id, NewPayment)> = batch
                    .iter()
                    .filter_map(|(h, channel)| {
                        let owed = owed.get(h).copied().filter(|f| f.0 > 0)?;
                        Some((*h, payment(owed, day, None, *channel)))
                    })
                    .collect();
                payments += pays.len();
                if !pays.is_empty() {
                    // Recorded on the day it was paid, as the office would have done all year.
                    app.billing.payments.replay_payments(&system, project_id, pays, day).await?;
                }
            }
        }
        month = month.checked_add_months(Months::new(1)).ok_or_else(|| anyhow::anyhow!("date"))?;
        m += 1;
    }
    Ok(format!("{m} monthly billing runs, {payments} payments"))
}

/// Payments replayed in one transaction: a day's payers in a large estate.
const BATCH: usize = 2_000;

fn channel(i: usize) -> PaymentChannel {
    [PaymentChannel::Wechat, PaymentChannel::Wechat, PaymentChannel::Alipay, PaymentChannel::Bank, PaymentChannel::Cash]
        [pick(i, 26, 5)]
}

fn payment(amount: Fen, on: NaiveDate, earmark: Option<Id>, channel: PaymentChannel) -> NewPayment {
    NewPayment {
        amount_fen: amount,
        channel,
        received_on: on,
        bill_ids: None,
        earmark_fee_item_id: earmark,
        allocate: true,
        payer: None,
        note: None,
    }
}
