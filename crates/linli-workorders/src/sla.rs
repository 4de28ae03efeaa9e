//! Response and resolution deadlines (时限) of a work order (pure). Urgent orders run on the
//! clock, day and night; the others count only the service's working hours in China time, on
//! working days: the weekdays it works, less public holidays, plus the make-up working days
//! (调休) the State Council announces with them. A warning is due once 80% of the time is used.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use linli_core::time::cst;
use linli_core::{Error, Result, text_enum};

use crate::Priority;

/// The service's working time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    opens: NaiveTime,
    closes: NaiveTime,
    /// Monday first.
    weekdays: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Working hours from `opens` to `closes` on the weekdays marked (Monday first). 422
    /// `before_start` on `closes` when it is not after `opens`.
    pub fn new(opens: NaiveTime, closes: NaiveTime, weekdays: [bool; 7]) -> Result<Self> {
        if closes <= opens {
            return Err(Error::invalid("closes", "before_start"));
        }
        Ok(Calendar { opens, closes, weekdays, holidays: BTreeSet::new(), workdays: BTreeSet::new() })
    }

    /// A property's service desk: 08:00–18:00 every day of the week (residents' repairs do not
    /// stop at the weekend), holidays as the company lists them.
    pub fn service_desk() -> Self {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("a valid time");
        Calendar::new(t(8), t(18), [true; 7]).expect("opens before it closes")
    }

    /// Public holidays (法定节假日) on which the service does not count time.
    #[must_use]
    pub fn holidays(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(days);
        self
    }

    /// Make-up working days (调休上班), worked though their weekday is not.
    #[must_use]
    pub fn workdays(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.workdays.extend(days);
        self
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && self.weekdays[day.weekday().num_days_from_monday() as usize]
    }

    /// The instant `minutes` of working time after `start`.
    pub fn add(&self, start: DateTime<Utc>, minutes: u32) -> DateTime<Utc> {
        let mut at = start.with_timezone(&cst()).naive_local();
        let mut left = i64::from(minutes);
        // Two years without a working day is a calendar with none: count on the clock then.
        for _ in 0..731 {
            let day = at.date();
            if !self.is_working_day(day) || at.time() >= self.closes {
                at = NaiveDateTime::new(day + Duration::days(1), self.opens);
                continue;
            }
            if at.time() < self.opens {
                at = NaiveDateTime::new(day, self.opens);
            }
            let today = (NaiveDateTime::new(day, self.closes) - at).num_minutes();
            if left <= today {
                return local_to_utc(at + Duration::minutes(left));
            }
            left -= today;
            at = NaiveDateTime::new(day + Duration::days(1), self.opens);
        }
        start + Duration::minutes(i64::from(minutes))
    }
}

fn local_to_utc(at: NaiveDateTime) -> DateTime<Utc> {
    (at - TimeDelta::hours(8)).and_utc()
}

/// How long an order may take to be answered (someone accepts or is assigned) and to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub respond_minutes: u32,
    pub resolve_minutes: u32,
}

impl Targets {
    /// What a category has unless it sets its own: urgent 15 minutes and 4 hours on the clock;
    /// high 30 minutes and 8 working hours; normal 2 and 24 working hours; low 8 and 72.
    pub fn default_for(priority: Priority) -> Self {
        let (respond_minutes, resolve_minutes) = match priority {
            Priority::Urgent => (15, 4 * 60),
            Priority::High => (30, 8 * 60),
            Priority::Normal => (2 * 60, 24 * 60),
            Priority::Low => (8 * 60, 72 * 60),
        };
        Targets { respond_minutes, resolve_minutes }
    }
}

/// One deadline and the moment its warning is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub warn_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

text_enum! {
    SlaState {
        OnTime = "on_time",
        /// 80% of the time is used.
        Warning = "warning",
        Overdue = "overdue",
        Met = "met",
        MetLate = "met_late",
    }
}

impl Deadline {
    /// `minutes` from `start`, on the clock for urgent orders, in working time for the others.
    pub fn after(calendar: &Calendar, priority: Priority, start: DateTime<Utc>, minutes: u32) -> Self {
        let warn = minutes - minutes / 5;
        if priority == Priority::Urgent {
            let on_clock = |m: u32| start + Duration::minutes(i64::from(m));
            Deadline { warn_at: on_clock(warn), due_at: on_clock(minutes) }
        } else {
            Deadline { warn_at: calendar.add(start, warn), due_at: calendar.add(start, minutes) }
        }
    }

    /// Where it stands at `now`, or how it ended when it was met at `met_at`.
    pub fn state(&self, now: DateTime<Utc>, met_at: Option<DateTime<Utc>>) -> SlaState {
        match met_at {
            Some(m) if m <= self.due_at => SlaState::Met,
            Some(_) => SlaState::MetLate,
            None if now > self.due_at => SlaState::Overdue,
            None if now >= self.warn_at => SlaState::Warning,
            None => SlaState::OnTime,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A China time as UTC.
    fn cn(day: &str, time: &str) -> DateTime<Utc> {
        let at = NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M").unwrap();
        local_to_utc(at)
    }

    fn office_days() -> Calendar {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        Calendar::new(t(8), t(18), [true, true, true, true, true, false, false]).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn working_time_stops_at_closing_and_over_the_weekend() {
        // Friday 2026-12-04 17:00 + 2 h: one hour on Friday, one on Monday from 08:00.
        let cal = office_days();
        assert_eq!(cal.add(cn("2026-12-04", "17:00"), 120), cn("2026-12-07", "09:00"));
        // Before opening counts from the opening; exactly a day's hours ends at closing.
        assert_eq!(cal.add(cn("2026-12-07", "06:30"), 600), cn("2026-12-07", "18:00"));
        assert_eq!(cal.add(cn("2026-12-07", "19:00"), 30), cn("2026-12-08", "08:30"));
    }

    #[test]
    fn public_holidays_do_not_count_and_make_up_workdays_do() {
        // National Day week off; the Saturday after it worked (调休).
        let holidays = (1..=7).map(|n| d(&format!("2026-10-0{n}")));
        let cal = office_days().holidays(holidays).workdays([d("2026-10-10")]);
        assert_eq!(cal.add(cn("2026-09-30", "17:00"), 120), cn("2026-10-08", "09:00"));
        assert_eq!(cal.add(cn("2026-10-09", "17:30"), 60), cn("2026-10-10", "08:30"));
        assert!(!cal.is_working_day(d("2026-10-11")));
    }

    #[test]
    fn urgent_orders_run_on_the_clock_the_others_in_working_time() {
        let cal = Calendar::service_desk();
        let start = cn("2026-12-07", "23:00");
        let urgent =
            Deadline::after(&cal, Priority::Urgent, start, Targets::default_for(Priority::Urgent).resolve_minutes);
        assert_eq!(urgent.due_at, cn("2026-12-08", "03:00"));
        assert_eq!(urgent.warn_at, cn("2026-12-08", "02:12"));
        let normal =
            Deadline::after(&cal, Priority::Normal, start, Targets::default_for(Priority::Normal).respond_minutes);
        assert_eq!(normal.due_at, cn("2026-12-08", "10:00"));
    }

    #[test]
    fn a_deadline_warns_at_four_fifths_and_is_overdue_after() {
        let cal = Calendar::service_desk();
        let dl = Deadline::after(&cal, Priority::High, cn("2026-12-07", "09:00"), 100);
        assert_eq!((dl.warn_at, dl.due_at), (cn("2026-12-07", "10:20"), cn("2026-12-07", "10:40")));
        assert_eq!(dl.state(cn("2026-12-07", "10:00"), None), SlaState::OnTime);
        assert_eq!(dl.state(cn("2026-12-07", "10:20"), None), SlaState::Warning);
        assert_eq!(dl.state(cn("2026-12-07", "10:41"), None), SlaState::Overdue);
        assert_eq!(dl.state(cn("2026-12-07", "11:00"), Some(cn("2026-12-07", "10:40"))), SlaState::Met);
        assert_eq!(dl.state(cn("2026-12-07", "11:00"), Some(cn("2026-12-07", "10:41"))), SlaState::MetLate);
    }

    #[test]
    fn a_calendar_without_working_days_counts_on_the_clock_and_one_that_closes_before_it_opens_is_refused() {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let never = Calendar::new(t(8), t(18), [false; 7]).unwrap();
        assert_eq!(never.add(cn("2026-12-07", "09:00"), 60), cn("2026-12-07", "10:00"));
        assert!(Calendar::new(t(18), t(8), [true; 7]).is_err());
    }
}
