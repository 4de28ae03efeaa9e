//! Billing periods (账期). Cycles are calendar-aligned: a quarter starts in January, April, July or
//! October, a half-year in January or July, a year in January. A run for a month bills every item
//! whose cycle starts in that month.

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fee::BillingCycle;

/// A span of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<Period> {
        (start <= end).then_some(Period { start, end })
    }

    /// The calendar month `year-month`.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Period { start, end: last_day_of_month(start) })
    }

    /// `"2026-01"` → January 2026; strictly `YYYY-MM` (`linli_core::date::parse_month`).
    pub fn parse_month(s: &str) -> Option<Period> {
        let start = linli_core::date::parse_month(s)?;
        Some(Period { start, end: last_day_of_month(start) })
    }

    /// The cycle period that starts in `month`, or `None` when the cycle does not start there.
    pub fn of_cycle(cycle: BillingCycle, month: Period) -> Option<Period> {
        let months = cycle.months();
        if !month.start.month0().is_multiple_of(months) {
            return None;
        }
        let end = month.start.checked_add_months(Months::new(months))?.pred_opt()?;
        Some(Period { start: month.start, end })
    }

    pub fn days(self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn contains(self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// The overlap of two spans.
    pub fn intersect(self, other: Period) -> Option<Period> {
        Period::new(self.start.max(other.start), self.end.min(other.end))
    }

    /// `2026-01` for a period starting in January 2026.
    pub fn label(self) -> String {
        self.start.format("%Y-%m").to_string()
    }

    /// Each calendar month's share of this span: `(part, days in part / days in its month)`.
    pub fn month_parts(self) -> Vec<(Period, Decimal)> {
        let mut parts = Vec::new();
        let mut start = self.start;
        while start <= self.end {
            let month_end = last_day_of_month(start);
            let end = month_end.min(self.end);
            let part = Period { start, end };
            let in_month = i64::from(month_end.day());
            parts.push((part, Decimal::from(part.days()) / Decimal::from(in_month)));
            match end.checked_add_days(Days::new(1)) {
                Some(next) => start = next,
                None => break,
            }
        }
        parts
    }
}

pub fn last_day_of_month(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).expect("day 1 exists");
    first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).expect("a month within chrono's range")
}

/// The due date of a period: day `due_day` of its first month, or that month's last day when the
/// month is shorter (a due day of 31 means "month end").
pub fn due_on(period: Period, due_day: u32) -> NaiveDate {
    let last = last_day_of_month(period.start);
    period.start.with_day(due_day.clamp(1, last.day())).unwrap_or(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn cycles_start_on_calendar_boundaries() {
        let jan = Period::parse_month("2026-01").unwrap();
        let feb = Period::parse_month("2026-02").unwrap();
        let apr = Period::parse_month("2026-04").unwrap();
        let jul = Period::parse_month("2026-07").unwrap();
        assert_eq!(Period::of_cycle(BillingCycle::Monthly, feb), Some(feb));
        assert_eq!(Period::of_cycle(BillingCycle::Quarterly, jan).unwrap().end, d("2026-03-31"));
        assert_eq!(Period::of_cycle(BillingCycle::Quarterly, feb), None);
        assert_eq!(Period::of_cycle(BillingCycle::Quarterly, apr).unwrap().end, d("2026-06-30"));
        assert_eq!(Period::of_cycle(BillingCycle::HalfYearly, jul).unwrap().end, d("2026-12-31"));
        assert_eq!(Period::of_cycle(BillingCycle::HalfYearly, apr), None);
        assert_eq!(Period::of_cycle(BillingCycle::Yearly, jan).unwrap().end, d("2026-12-31"));
        assert_eq!(Period::parse_month("2026-13"), None);
        assert_eq!(Period::parse_month("2026-1"), None);
    }

    #[test]
    fn month_parts_are_day_fractions_of_their_own_month() {
        let p = Period::new(d("2026-01-17"), d("2026-03-10")).unwrap();
        let parts = p.month_parts();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].1, Decimal::from(15) / Decimal::from(31));
        assert_eq!(parts[1].1, Decimal::ONE);
        assert_eq!(parts[2].1, Decimal::from(10) / Decimal::from(31));
        assert_eq!(parts[2].0.start, d("2026-03-01"));
    }

    #[test]
    fn due_day_is_clamped_to_month_end() {
        let feb = Period::parse_month("2026-02").unwrap();
        assert_eq!(due_on(feb, 31), d("2026-02-28"));
        assert_eq!(due_on(feb, 15), d("2026-02-15"));
        assert_eq!(due_on(Period::parse_month("2026-01").unwrap(), 31), d("2026-01-31"));
    }
}
