//! The maintenance cycle rule: when an item is next due. Pure, so a table of hand-computed dates
//! tests it; storage keeps the answer in `next_maintenance_on` so lists can filter on it.

use chrono::{Days, Months, NaiveDate};
use linli_core::text_enum;

text_enum! {
    /// The step of a maintenance cycle (保养周期).
    CycleUnit { Day = "day", Week = "week", Month = "month", Year = "year", }
}

/// Every `every` units, e.g. every 3 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub unit: CycleUnit,
    pub every: u32,
}

/// The most units a cycle may span; larger values are typing mistakes.
pub const MAX_EVERY: i32 = 999;

impl Cycle {
    /// One cycle after `from`. Month and year steps land on the same day of the month, or on the
    /// month's last day when it is shorter (01-31 + 1 month = 02-28; 2024-02-29 + 1 year =
    /// 2025-02-28), which is how maintenance contracts count. `None` only past year 262143.
    pub fn after(self, from: NaiveDate) -> Option<NaiveDate> {
        let n = self.every;
        match self.unit {
            CycleUnit::Day => from.checked_add_days(Days::new(u64::from(n))),
            CycleUnit::Week => from.checked_add_days(Days::new(u64::from(n) * 7)),
            CycleUnit::Month => from.checked_add_months(Months::new(n)),
            CycleUnit::Year => from.checked_add_months(Months::new(n.checked_mul(12)?)),
        }
    }
}

/// When an item is next due: one cycle after its last maintenance, or, never maintained, after
/// its purchase, else after the day it was registered. No cycle, no date.
pub fn next_maintenance_on(
    cycle: Option<Cycle>,
    last_maintained_on: Option<NaiveDate>,
    purchased_on: Option<NaiveDate>,
    registered_on: NaiveDate,
) -> Option<NaiveDate> {
    cycle?.after(last_maintained_on.or(purchased_on).unwrap_or(registered_on))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn every(every: u32, unit: CycleUnit) -> Cycle {
        Cycle { unit, every }
    }

    #[test]
    fn one_cycle_after_a_date_by_hand() {
        use CycleUnit::{Day, Month, Week, Year};
        let cases = [
            (every(1, Day), "2026-01-01", "2026-01-02"),
            (every(15, Day), "2026-12-20", "2027-01-04"),
            (every(1, Week), "2026-03-30", "2026-04-06"),
            (every(2, Week), "2026-02-20", "2026-03-06"),
            (every(1, Month), "2026-01-15", "2026-02-15"),
            (every(1, Month), "2026-01-31", "2026-02-28"),
            (every(1, Month), "2024-01-31", "2024-02-29"),
            (every(1, Month), "2026-03-31", "2026-04-30"),
            (every(3, Month), "2026-11-30", "2027-02-28"),
            (every(6, Month), "2026-08-31", "2027-02-28"),
            (every(12, Month), "2026-05-10", "2027-05-10"),
            (every(1, Year), "2024-02-29", "2025-02-28"),
            (every(4, Year), "2024-02-29", "2028-02-29"),
            (every(2, Year), "2026-07-01", "2028-07-01"),
        ];
        for (cycle, from, want) in cases {
            assert_eq!(cycle.after(d(from)), Some(d(want)), "{cycle:?} after {from}");
        }
    }

    #[test]
    fn counting_starts_at_the_last_maintenance_else_purchase_else_registration() {
        let monthly = Some(every(1, CycleUnit::Month));
        let (last, bought, registered) = (Some(d("2026-03-10")), Some(d("2025-12-31")), d("2026-04-02"));
        assert_eq!(next_maintenance_on(monthly, last, bought, registered), Some(d("2026-04-10")));
        assert_eq!(next_maintenance_on(monthly, None, bought, registered), Some(d("2026-01-31")));
        assert_eq!(next_maintenance_on(monthly, None, None, registered), Some(d("2026-05-02")));
        assert_eq!(next_maintenance_on(None, last, bought, registered), None);
    }

    #[test]
    fn a_multi_month_cycle_is_one_step_not_repeated_single_months() {
        // 01-31 + 2 months is 03-31; two one-month steps would clamp to 02-28 and end on 03-28.
        assert_eq!(every(2, CycleUnit::Month).after(d("2026-01-31")), Some(d("2026-03-31")));
        let twice = every(1, CycleUnit::Month).after(d("2026-01-31")).and_then(|f| every(1, CycleUnit::Month).after(f));
        assert_eq!(twice, Some(d("2026-03-28")));
    }
}
