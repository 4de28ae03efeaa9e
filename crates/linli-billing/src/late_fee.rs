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

/// The changes of a bill's principal after it was issued (payments, waivers, adjustments): what
/// the late fee is computed over.
pub fn principal_changes(entries: &[crate::ledger::PostedEntry]) -> Vec<PrincipalChange> {
    entries
        .iter()
        .filter(|e| e.kind != crate::EntryKind::Charge && e.principal.0 != 0)
        .map(|e| PrincipalChange { on: e.effective_on, delta: e.principal })
        .collect()
}

/// The late fee a bill has accrued up to `as_of` by its ledger entries, and how much of it is
/// posted already (the rest is posted before anything pays or waives it).
pub fn accrued(
    rule: &LateFeeRule,
    amount: Fen,
    due_on: NaiveDate,
    entries: &[crate::ledger::PostedEntry],
    as_of: NaiveDate,
) -> (LateFee, Fen) {
    let fee = late_fee(rule, amount, due_on, &principal_changes(entries), as_of);
    let posted = entries.iter().filter(|e| e.kind == crate::EntryKind::LateFee).map(|e| e.late_fee.0).sum();
    (fee, Fen(posted))
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

/// A payment recorded on `recorded_on` for money that arrived earlier, on `received_on` (补录).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backdated {
    /// The principal of the bill this payment paid.
    pub paid: Fen,
    pub received_on: NaiveDate,
    pub recorded_on: NaiveDate,
    /// The day the bill was issued: money that came before it would have waited as prepaid
    /// balance until then, so it cannot have saved anything earlier.
    pub issued_on: NaiveDate,
}

/// The late fee a backdated payment would have saved on one bill: the fee as of the day the
/// payment is recorded (when it lowers the principal from the next day on, as every payment
/// does) minus the fee had the principal it paid been lowered from the day the money arrived
/// (or the bill was issued, if later). `changes` are the bill's other principal changes. Never
/// negative; zero when the payment is not backdated.
pub fn backdating_saving(
    rule: &LateFeeRule,
    amount: Fen,
    due_on: NaiveDate,
    changes: &[PrincipalChange],
    payment: Backdated,
) -> Fen {
    let from = payment.received_on.max(payment.issued_on);
    if from >= payment.recorded_on || payment.paid.0 <= 0 {
        return Fen::ZERO;
    }
    let charged = late_fee(rule, amount, due_on, changes, payment.recorded_on).amount;
    let mut earlier = changes.to_vec();
    earlier.push(PrincipalChange { on: from, delta: Fen(-payment.paid.0) });
    let would_be = late_fee(rule, amount, due_on, &earlier, payment.recorded_on).amount;
    Fen((charged.0 - would_be.0).max(0))
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

    fn backdated(paid: i64, received: &str, recorded: &str, issued: &str) -> Backdated {
        Backdated { paid: Fen(paid), received_on: day(received), recorded_on: day(recorded), issued_on: day(issued) }
    }

    #[test]
    fn a_backdated_payment_would_have_saved_the_fee_between_arrival_and_recording() {
        let r = rule("0.0005", 0);
        // 1,000.00 due 2026-01-31, issued 2026-01-05. 1,000.00 arrived 2026-02-10, recorded 2026-03-02:
        // charged as of 03-02: 1000 × 0.0005 × 30 days (02-01..03-02) = 15.00;
        // had it counted from 02-10: 1000 × 0.0005 × 10 days (02-01..02-10) = 5.00; saved 10.00.
        let p = backdated(100_000, "2026-02-10", "2026-03-02", "2026-01-05");
        assert_eq!(backdating_saving(&r, Fen(100_000), day("2026-01-31"), &[], p), Fen(1_000));
        // Half of it paid: 500 × 0.0005 × 20 days (02-11..03-02) = 5.00 saved.
        let p = backdated(50_000, "2026-02-10", "2026-03-02", "2026-01-05");
        assert_eq!(backdating_saving(&r, Fen(100_000), day("2026-01-31"), &[], p), Fen(500));
    }

    #[test]
    fn nothing_is_saved_before_the_bill_was_issued_or_the_fee_started() {
        let r = rule("0.0005", 0);
        // Money dated 2000-01-01 for a bill issued 2026-02-15: it could only have counted from 02-15.
        // Charged as of 03-02: 30 days × 0.50 = 15.00; from 02-15: 15 days (02-01..02-15) × 0.50 = 7.50.
        let p = backdated(100_000, "2000-01-01", "2026-03-02", "2026-02-15");
        assert_eq!(backdating_saving(&r, Fen(100_000), day("2026-01-31"), &[], p), Fen(750));
        // Arrived before the due date and recorded before any fee: nothing to save.
        let p = backdated(100_000, "2026-01-20", "2026-01-31", "2026-01-05");
        assert_eq!(backdating_saving(&r, Fen(100_000), day("2026-01-31"), &[], p), Fen(0));
        // Arrived before the fee starts, recorded on 02-03: the 3 days × 0.50 = 1.50 all saved.
        let p = backdated(100_000, "2026-01-20", "2026-02-03", "2026-01-05");
        assert_eq!(backdating_saving(&r, Fen(100_000), day("2026-01-31"), &[], p), Fen(150));
    }

    #[test]
    fn a_payment_dated_the_day_it_is_recorded_saves_nothing() {
        let r = rule("0.0005", 0);
        let p = backdated(100_000, "2026-03-02", "2026-03-02", "2026-01-05");
        assert_eq!(backdating_saving(&r, Fen(100_000), day("2026-01-31"), &[], p), Fen(0));
    }

    #[test]
    fn other_payments_and_the_cap_count() {
        // 400.00 of the 1,000.00 paid on 02-20 (recorded then); 600.00 more arrived 02-10, recorded 03-02.
        // Charged: 1000 × 20 days (02-01..02-20) × 0.0005 = 10.00, then 600 × 10 days = 3.00: 13.00.
        // From 02-10: 1000 × 10 days = 5.00, then 400 × 10 days (02-11..02-20) = 2.00, then 0: 7.00. Saved 6.00.
        let r = rule("0.0005", 0);
        let other = [PrincipalChange { on: day("2026-02-20"), delta: Fen(-40_000) }];
        let p = backdated(60_000, "2026-02-10", "2026-03-02", "2026-01-05");
        assert_eq!(backdating_saving(&r, Fen(100_000), day("2026-01-31"), &other, p), Fen(600));
        // With a cap of 1% (10.00): charged 10.00 (capped from 13.00), would be 7.00: saved 3.00.
        let mut capped = r;
        capped.cap_rate = Some("0.01".parse().unwrap());
        assert_eq!(backdating_saving(&capped, Fen(100_000), day("2026-01-31"), &other, p), Fen(300));
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

        /// What a backdated payment would have saved is never negative and never more than the
        /// fee charged as of the day it is recorded.
        #[test]
        fn a_backdating_saving_is_within_the_fee(
            amount in 1..10_000_000i64, paid in 1..10_000_000i64, received in 0..400u64, late in 0..400u64, issued in 0..60u64,
        ) {
            let due = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
            let rule = LateFeeRule { daily_rate: "0.0005".parse().unwrap(), grace_days: 3, cap_rate: None };
            let day = |n: u64| due.checked_add_days(Days::new(n)).unwrap();
            let p = Backdated {
                paid: Fen(paid.min(amount)),
                received_on: day(received),
                recorded_on: day(received + late),
                issued_on: due.checked_sub_days(Days::new(issued)).unwrap(),
            };
            let saved = backdating_saving(&rule, Fen(amount), due, &[], p);
            let charged = late_fee(&rule, Fen(amount), due, &[], p.recorded_on).amount;
            prop_assert!(saved >= Fen::ZERO && saved <= charged);
        }
    }
}
