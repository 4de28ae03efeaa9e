//! Late fees (滞纳金): simple interest per day on the principal still unpaid.
//!
//! Day count: the fee starts the day after the due date plus the grace days; each day counts at
//! the principal unpaid at the start of that day, so money received on a day lowers the base from
//! the next day; the day asked about is included. The total is rounded once, half away from zero,
//! then capped.

use chrono::{Days, NaiveDate};
use linli_core::Fen;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::fee::LateFeeRule;

/// A change of the bill's unpaid principal on a day: an allocation (negative), a waiver, an
/// adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrincipalChange {
    pub on: NaiveDate,
    pub delta: Fen,
}

/// Consecutive days at one principal, for the statement that explains the fee.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LateFeeDay {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    #[serde(rename = "principal_fen")]
    pub principal: Fen,
    /// principal × rate × days, before the one rounding.
    #[schema(value_type = String)]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LateFee {
    /// What is owed for late payment up to the day asked about, after the cap.
    #[serde(rename = "amount_fen")]
    pub amount: Fen,
    /// Set when the cap cut the fee.
    pub capped: bool,
    #[schema(value_type = String)]
    pub daily_rate: Decimal,
    /// The first day that counts.
    pub starts_on: NaiveDate,
    pub days: Vec<LateFeeDay>,
}

/// The late fee of a bill of `amount` due on `due_on`, as of `as_of` (included).
pub fn late_fee(
    rule: &LateFeeRule,
    amount: Fen,
    due_on: NaiveDate,
    changes: &[PrincipalChange],
    as_of: NaiveDate,
) -> LateFee {
    let starts_on = due_on
        .checked_add_days(Days::new(u64::from(rule.grace_days) + 1))
        .expect("due dates are far from chrono's limits");
    let mut fee =
        LateFee { amount: Fen::ZERO, capped: false, daily_rate: rule.daily_rate, starts_on, days: Vec::new() };
    if rule.daily_rate <= Decimal::ZERO || as_of < starts_on {
        return fee;
    }

    let mut changes: Vec<PrincipalChange> = changes.to_vec();
    changes.sort_by_key(|c| c.on);
    // The principal at the start of `starts_on`: everything dated before it.
    let mut principal = amount.0 + changes.iter().filter(|c| c.on < starts_on).map(|c| c.delta.0).sum::<i64>();
    // Later changes take effect the day after they happen.
    let mut steps = changes.iter().filter(|c| c.on >= starts_on && c.on < as_of).peekable();
    let mut from = starts_on;
    let mut exact = Decimal::ZERO;
    while from <= as_of {
        let mut to = as_of;
        if let Some(step) = steps.peek() {
            to = step.on;
        }
        let days = (to - from).num_days() + 1;
        if principal > 0 {
            let amount = Decimal::from(principal) / Decimal::ONE_HUNDRED * rule.daily_rate * Decimal::from(days);
            exact += amount;
            fee.days.push(LateFeeDay { from, to, days, principal: Fen(principal), amount });
        }
        // Apply every change of the day `to`.
        while let Some(step) = steps.next_if(|s| s.on == to) {
            principal += step.delta.0;
        }
        from = to.checked_add_days(Days::new(1)).expect("within chrono's range");
    }
    let mut total = Fen::from_yuan(exact).expect("far below i64");
    if let Some(cap_rate) = rule.cap_rate {
        let cap = Fen::from_yuan(amount.yuan() * cap_rate).expect("far below i64");
        if total > cap {
            total = cap;
            fee.capped = true;
        }
    }
    fee.amount = total;
    fee
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rule(rate: &str, grace: u32) -> LateFeeRule {
        LateFeeRule { daily_rate: rate.parse().unwrap(), grace_days: grace, cap_rate: None }
    }

    #[test]
    fn a_partial_payment_lowers_the_base_from_the_next_day() {
        // 1,000.00 due 2026-01-31, 万分之五, 500.00 paid on 2026-02-10, asked on 2026-02-20:
        // 1000 × 0.0005 × 10 + 500 × 0.0005 × 10 = 5.00 + 2.50 = 7.50.
        let paid = [PrincipalChange { on: day("2026-02-10"), delta: Fen(-50000) }];
        let fee = late_fee(&rule("0.0005", 0), Fen(100_000), day("2026-01-31"), &paid, day("2026-02-20"));
        assert_eq!(fee.amount, Fen(750));
        assert_eq!(fee.starts_on, day("2026-02-01"));
        let spans: Vec<_> = fee.days.iter().map(|d| (d.from, d.to, d.days, d.principal)).collect();
        assert_eq!(
            spans,
            [
                (day("2026-02-01"), day("2026-02-10"), 10, Fen(100_000)),
                (day("2026-02-11"), day("2026-02-20"), 10, Fen(50_000)),
            ]
        );
    }

    #[test]
    fn nothing_accrues_on_the_due_date_or_in_the_grace_days() {
        let r = rule("0.0005", 5);
        assert_eq!(late_fee(&r, Fen(100_000), day("2026-01-31"), &[], day("2026-02-05")).amount, Fen(0));
        // First day counted: 02-06. On 02-07, two days: 1.00.
        assert_eq!(late_fee(&r, Fen(100_000), day("2026-01-31"), &[], day("2026-02-07")).amount, Fen(100));
        assert_eq!(
            late_fee(&rule("0.0005", 0), Fen(100_000), day("2026-01-31"), &[], day("2026-01-31")).amount,
            Fen(0)
        );
    }

    #[test]
    fn paid_in_full_stops_the_fee_and_payment_before_the_start_counts_from_day_one() {
        let r = rule("0.0005", 0);
        let paid = [PrincipalChange { on: day("2026-02-03"), delta: Fen(-100_000) }];
        // 3 days at 1000: 1.50, then nothing.
        assert_eq!(late_fee(&r, Fen(100_000), day("2026-01-31"), &paid, day("2026-03-31")).amount, Fen(150));
        let early = [PrincipalChange { on: day("2026-01-20"), delta: Fen(-40_000) }];
        // 600 × 0.0005 × 10 = 3.00.
        assert_eq!(late_fee(&r, Fen(100_000), day("2026-01-31"), &early, day("2026-02-10")).amount, Fen(300));
    }

    #[test]
    fn the_cap_limits_the_fee_and_says_so() {
        let mut r = rule("0.003", 0);
        r.cap_rate = Some("0.1".parse().unwrap());
        // 1000 × 0.003 × 100 days = 300.00, capped at 100.00.
        let fee = late_fee(&r, Fen(100_000), day("2026-01-31"), &[], day("2026-05-11"));
        assert_eq!((fee.amount, fee.capped), (Fen(10_000), true));
    }

    #[test]
    fn the_total_is_rounded_once() {
        // 333.33 × 0.0005 = 0.166665 a day; 3 days = 0.499995 → 0.50 (per-day rounding would give 0.51).
        let fee = late_fee(&rule("0.0005", 0), Fen(33_333), day("2026-01-31"), &[], day("2026-02-03"));
        assert_eq!(fee.amount, Fen(50));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Asking later never lowers the fee, and paying earlier never raises it.
        #[test]
        fn the_fee_grows_with_time_and_shrinks_with_earlier_payment(
            amount in 1..10_000_000i64, paid in 0..10_000_000i64, paid_day in 0..200u64, later in 0..200u64, asked in 0..400u64,
        ) {
            let due = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
            let rule = LateFeeRule { daily_rate: "0.0005".parse().unwrap(), grace_days: 3, cap_rate: None };
            let day = |n: u64| due.checked_add_days(Days::new(n)).unwrap();
            let pay = |on| [PrincipalChange { on, delta: Fen(-paid.min(amount)) }];
            let now = late_fee(&rule, Fen(amount), due, &pay(day(paid_day)), day(asked)).amount;
            let after = late_fee(&rule, Fen(amount), due, &pay(day(paid_day)), day(asked + later)).amount;
            prop_assert!(after >= now && now >= Fen::ZERO);
            let paid_later = late_fee(&rule, Fen(amount), due, &pay(day(paid_day + later)), day(asked)).amount;
            prop_assert!(paid_later >= now);
        }
    }
}
