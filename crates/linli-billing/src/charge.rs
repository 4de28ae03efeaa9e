//! What a house owes for one fee item and period, as lines that explain themselves: quantity ×
//! price × months, tiers, the loss surcharge, shared usage and the vacancy discount. Each line is
//! rounded once, half away from zero; the bill is the sum of its lines.

use chrono::{Days, NaiveDate};
use linli_core::{Area, Fen};
use linli_meters::MeteredUse;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fee::{AreaBasis, FeeItem, FeeKind, Standard, standard_for};
use crate::period::Period;
use crate::tier;

linli_core::text_enum! {
    LineKind {
        /// Quantity (area, spaces, 1) × price × months.
        Base = "base",
        /// Consumption in one tier × that tier's price.
        Tier = "tier",
        /// 公摊: this house's share of a shared meter × price.
        Shared = "shared",
        /// 损耗: the loss surcharge on the metered amount.
        Loss = "loss",
        /// 空置折扣: the part not charged for a house vacant the whole period.
        Vacancy = "vacancy",
    }
}

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Line {
    pub kind: LineKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// m², spaces, 1, or consumption.
    #[schema(value_type = String)]
    pub quantity: Decimal,
    #[schema(value_type = String)]
    pub price: Decimal,
    /// Months charged, with days prorated by their month's length.
    #[schema(value_type = String)]
    pub months: Decimal,
    /// Loss surcharge or the share not charged for vacancy.
    #[schema(value_type = Option<String>)]
    pub rate: Option<Decimal>,
    #[serde(rename = "amount_fen")]
    pub amount: Fen,
    /// The computation in numbers, e.g. `89.47 × 2.35 × 1 = 210.25`.
    pub formula: String,
}

/// What billing needs to know about a house for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseFacts {
    pub usage: String,
    pub service_level: Option<String>,
    pub gross_area: Area,
    pub inner_area: Option<Area>,
    /// Charged from the handover (收房) day; none = before the period.
    pub charged_from: Option<NaiveDate>,
    /// Charged until this day (ownership ended with no successor); none = after the period.
    pub charged_until: Option<NaiveDate>,
    /// Nobody lived there on any day of the period.
    pub vacant: bool,
    /// Parking spaces (or other units) the assignment charges; 1 otherwise.
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeError {
    /// No standard prices this day for the house's use and level.
    NoStandard(NaiveDate),
    /// An inner-area fee for a house without an inner area.
    NoInnerArea,
}

fn round(yuan: Decimal) -> Fen {
    Fen::from_yuan(yuan).expect("bill amounts are far below i64 fen")
}

fn num(d: Decimal) -> String {
    linli_core::money::round(d, 4).normalize().to_string()
}

/// Area, fixed and parking fees. No lines when the house is not charged in the period.
pub fn compute_area_or_fixed(
    item: &FeeItem,
    standards: &[Standard],
    house: &HouseFacts,
    period: Period,
) -> Result<Vec<Line>, ChargeError> {
    let charged = Period::new(
        house.charged_from.map_or(period.start, |d| d.max(period.start)),
        house.charged_until.map_or(period.end, |d| d.min(period.end)),
    );
    let Some(span) = charged else { return Ok(Vec::new()) };
    let quantity = match item.kind {
        FeeKind::Area => match item.area_basis {
            AreaBasis::Gross => house.gross_area.decimal(),
            AreaBasis::Inner => house.inner_area.ok_or(ChargeError::NoInnerArea)?.decimal(),
        },
        FeeKind::Parking => Decimal::from(house.quantity),
        FeeKind::Fixed | FeeKind::Metered | FeeKind::OneOff => Decimal::ONE,
    };

    // Segments inside one month and under one standard, merged while the price stays the same.
    let mut runs: Vec<(i64, Decimal, Period, Decimal)> = Vec::new(); // (standard, price, span, months)
    for (month, _) in span.month_parts() {
        for part in split_by_standards(month, standards) {
            let s = standard_for(standards, part.start, &house.usage, house.service_level.as_deref())
                .ok_or(ChargeError::NoStandard(part.start))?;
            let fraction = Decimal::from(part.days()) / Decimal::from(days_in_month(part.start));
            match runs.last_mut() {
                Some((id, price, run, months)) if *id == s.id && *price == s.price => {
                    run.end = part.end;
                    *months += fraction;
                }
                _ => runs.push((s.id, s.price, part, fraction)),
            }
        }
    }

    let mut lines: Vec<Line> = runs
        .into_iter()
        .map(|(_, price, run, months)| {
            let amount = round(quantity * price * months);
            Line {
                kind: LineKind::Base,
                from: run.start,
                to: run.end,
                quantity,
                price,
                months,
                rate: None,
                amount,
                formula: format!("{} × {} × {} = {amount}", num(quantity), num(price), num(months)),
            }
        })
        .collect();

    if let (true, Some(rate)) = (house.vacant, item.vacancy_rate) {
        let base = Fen(lines.iter().map(|l| l.amount.0).sum());
        let off = Decimal::ONE - rate;
        let amount = Fen(-round(base.yuan() * off).0);
        lines.push(Line {
            kind: LineKind::Vacancy,
            from: span.start,
            to: span.end,
            quantity: Decimal::ONE,
            price: base.yuan(),
            months: Decimal::ONE,
            rate: Some(off),
            amount,
            formula: format!("-({base} × {}) = {amount}", num(off)),
        });
    }
    Ok(lines)
}

/// Metered fees: tiers on the house's own consumption, shared use at the standard's price, then
/// the loss surcharge on both.
pub fn compute_metered(item: &FeeItem, standard: &Standard, used: MeteredUse, period: Period) -> Vec<Line> {
    let line = |kind, quantity: Decimal, price: Decimal| {
        let amount = round(quantity * price);
        Line {
            kind,
            from: period.start,
            to: period.end,
            quantity,
            price,
            months: Decimal::ONE,
            rate: None,
            amount,
            formula: format!("{} × {} = {amount}", num(quantity), num(price)),
        }
    };
    let mut lines: Vec<Line> = if standard.tiers.is_empty() {
        if used.consumption > Decimal::ZERO {
            vec![line(LineKind::Base, used.consumption, standard.price)]
        } else {
            vec![]
        }
    } else {
        tier::split(used.consumption, &standard.tiers).into_iter().map(|(q, p)| line(LineKind::Tier, q, p)).collect()
    };
    if used.shared > Decimal::ZERO {
        lines.push(line(LineKind::Shared, used.shared, standard.price));
    }
    if item.loss_rate > Decimal::ZERO && !lines.is_empty() {
        let base = Fen(lines.iter().map(|l| l.amount.0).sum());
        let amount = round(base.yuan() * item.loss_rate);
        lines.push(Line {
            kind: LineKind::Loss,
            from: period.start,
            to: period.end,
            quantity: Decimal::ONE,
            price: base.yuan(),
            months: Decimal::ONE,
            rate: Some(item.loss_rate),
            amount,
            formula: format!("{base} × {} = {amount}", num(item.loss_rate)),
        });
    }
    lines
}

/// The sum of a bill's lines.
pub fn total(lines: &[Line]) -> Fen {
    Fen(lines.iter().map(|l| l.amount.0).sum())
}

fn days_in_month(d: NaiveDate) -> i64 {
    Period::month(chrono::Datelike::year(&d), chrono::Datelike::month(&d)).map_or(30, Period::days)
}

/// Cuts a span (inside one month) where a standard starts or ends.
fn split_by_standards(span: Period, standards: &[Standard]) -> Vec<Period> {
    let mut cuts: Vec<NaiveDate> = standards
        .iter()
        .flat_map(|s| [Some(s.effective_from), s.effective_to.and_then(|t| t.checked_add_days(Days::new(1)))])
        .flatten()
        .filter(|d| span.start < *d && *d <= span.end)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut parts = Vec::with_capacity(cuts.len() + 1);
    let mut start = span.start;
    for cut in cuts {
        parts.push(Period { start, end: cut.pred_opt().expect("after span start") });
        start = cut;
    }
    parts.push(Period { start, end: span.end });
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fee::{BillingCycle, LateFeeRule, Tier};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn item(kind: FeeKind) -> FeeItem {
        FeeItem {
            id: 1,
            project_id: 1,
            code: "WYF".into(),
            name: "物业费".into(),
            kind,
            cycle: BillingCycle::Monthly,
            due_day: 31,
            area_basis: AreaBasis::Gross,
            meter_kind: None,
            loss_rate: Decimal::ZERO,
            vacancy_rate: Some(d("0.7")),
            late_fee: LateFeeRule::NONE,
            active: true,
        }
    }

    fn standard(id: i64, from: &str, price: &str) -> Standard {
        Standard {
            id,
            fee_item_id: 1,
            house_usage: None,
            service_level: None,
            effective_from: day(from),
            effective_to: None,
            price: d(price),
            tiers: vec![],
        }
    }

    fn house(area: &str) -> HouseFacts {
        HouseFacts {
            usage: "residential".into(),
            service_level: None,
            gross_area: Area::parse_str(area).unwrap(),
            inner_area: None,
            charged_from: None,
            charged_until: None,
            vacant: false,
            quantity: 1,
        }
    }

    fn month(s: &str) -> Period {
        Period::parse_month(s).unwrap()
    }

    #[test]
    fn one_month_of_89_47_square_metres_at_2_35_is_210_25() {
        let lines = compute_area_or_fixed(
            &item(FeeKind::Area),
            &[standard(1, "2020-01-01", "2.35")],
            &house("89.47"),
            month("2026-01"),
        )
        .unwrap();
        assert_eq!(total(&lines), Fen(21025));
        assert_eq!(lines[0].formula, "89.47 × 2.35 × 1 = 210.25");
    }

    #[test]
    fn a_price_change_in_the_middle_of_a_quarter_splits_the_lines() {
        // 100 m², 2.00 for January and February, 2.50 from 1 March: 400.00 + 250.00.
        let quarter = Period::of_cycle(BillingCycle::Quarterly, month("2026-01")).unwrap();
        let mut s1 = standard(1, "2025-01-01", "2.00");
        s1.effective_to = Some(day("2026-02-28"));
        let all = [s1, standard(2, "2026-03-01", "2.50")];
        let lines = compute_area_or_fixed(&item(FeeKind::Area), &all, &house("100"), quarter).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].months, lines[0].amount), (d("2"), Fen(40000)));
        assert_eq!((lines[1].from, lines[1].amount), (day("2026-03-01"), Fen(25000)));
        assert_eq!(total(&lines), Fen(65000));

        // A change on 15 February: 1.5 months at each price = 300.00 + 375.00.
        let all = [standard(1, "2025-01-01", "2.00"), standard(2, "2026-02-15", "2.50")];
        let lines = compute_area_or_fixed(&item(FeeKind::Area), &all, &house("100"), quarter).unwrap();
        assert_eq!(lines.iter().map(|l| l.amount).collect::<Vec<_>>(), [Fen(30000), Fen(37500)]);
    }

    #[test]
    fn a_handover_inside_the_period_prorates_by_days() {
        // Handed over on 17 January: 15 of 31 days. 89.47 × 2.35 × 15/31 = 101.7361… → 101.74.
        let mut h = house("89.47");
        h.charged_from = Some(day("2026-01-17"));
        let lines =
            compute_area_or_fixed(&item(FeeKind::Area), &[standard(1, "2020-01-01", "2.35")], &h, month("2026-01"))
                .unwrap();
        assert_eq!(total(&lines), Fen(10174));
        assert_eq!(lines[0].from, day("2026-01-17"));

        // Ownership ended on 10 February of a quarter: January whole + 10/28 of February.
        // 100 × 2 × (1 + 10/28) = 271.428… → 271.43.
        let mut h = house("100");
        h.charged_until = Some(day("2026-02-10"));
        let quarter = Period::of_cycle(BillingCycle::Quarterly, month("2026-01")).unwrap();
        let lines =
            compute_area_or_fixed(&item(FeeKind::Area), &[standard(1, "2020-01-01", "2")], &h, quarter).unwrap();
        assert_eq!(total(&lines), Fen(27143));

        // Handed over after the period: nothing.
        let mut h = house("100");
        h.charged_from = Some(day("2026-02-01"));
        assert!(
            compute_area_or_fixed(&item(FeeKind::Area), &[standard(1, "2020-01-01", "2")], &h, month("2026-01"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_house_vacant_the_whole_period_pays_the_vacancy_rate() {
        // 120.5 m² × 1.80 × 3 = 650.70; vacant at 70%: −(650.70 × 0.3) = −195.21 → 455.49.
        let mut h = house("120.5");
        h.vacant = true;
        let quarter = Period::of_cycle(BillingCycle::Quarterly, month("2026-04")).unwrap();
        let lines =
            compute_area_or_fixed(&item(FeeKind::Area), &[standard(1, "2020-01-01", "1.80")], &h, quarter).unwrap();
        assert_eq!(lines[1].kind, LineKind::Vacancy);
        assert_eq!(lines[1].amount, Fen(-19521));
        assert_eq!(total(&lines), Fen(45549));
    }

    #[test]
    fn fixed_and_parking_fees_multiply_months_and_spaces() {
        let quarter = Period::of_cycle(BillingCycle::Quarterly, month("2026-01")).unwrap();
        let mut h = house("90");
        h.quantity = 2;
        let parking =
            compute_area_or_fixed(&item(FeeKind::Parking), &[standard(1, "2020-01-01", "150")], &h, quarter).unwrap();
        assert_eq!(total(&parking), Fen(90000));
        let fixed =
            compute_area_or_fixed(&item(FeeKind::Fixed), &[standard(1, "2020-01-01", "10")], &h, quarter).unwrap();
        assert_eq!(total(&fixed), Fen(3000));
    }

    #[test]
    fn a_day_without_a_standard_is_an_error_not_a_free_day() {
        let r = compute_area_or_fixed(
            &item(FeeKind::Area),
            &[standard(1, "2026-01-10", "2")],
            &house("90"),
            month("2026-01"),
        );
        assert_eq!(r, Err(ChargeError::NoStandard(day("2026-01-01"))));
    }

    #[test]
    fn tiered_water_with_shared_use_and_loss() {
        // 25 t: 10 × 3.5 + 10 × 4.5 + 5 × 6.0 = 35 + 45 + 30 = 110.00;
        // 2.4 t shared at 3.5 = 8.40; loss 5% of 118.40 = 5.92; total 124.32.
        let mut water = item(FeeKind::Metered);
        water.loss_rate = d("0.05");
        let mut s = standard(1, "2020-01-01", "3.5");
        s.tiers = vec![
            Tier { up_to: Some(d("10")), price: d("3.5") },
            Tier { up_to: Some(d("20")), price: d("4.5") },
            Tier { up_to: None, price: d("6.0") },
        ];
        let lines =
            compute_metered(&water, &s, MeteredUse { consumption: d("25"), shared: d("2.4") }, month("2026-01"));
        let amounts: Vec<i64> = lines.iter().map(|l| l.amount.0).collect();
        assert_eq!(amounts, [3500, 4500, 3000, 840, 592]);
        assert_eq!(total(&lines), Fen(12432));
    }
}
