//! Who gets a work order (pure): the rota (排班) says who is on shift, the category says which
//! skill it needs, and automatic assignment takes, among those on shift with the skill, the one
//! with the least open work, then the one whose own building is the order's, then the one who
//! waited longest since their last order (a fair tie-break, not the lowest id every time).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use linli_core::Id;
use linli_core::time::cst;

/// One shift of a weekly rota: a weekday and hours; a night shift ends the next morning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub weekday: Weekday,
    pub starts: NaiveTime,
    /// Before `starts` for a night shift (20:00–08:00).
    pub ends: NaiveTime,
}

impl Shift {
    /// Whether the shift covers the China time `at` when it starts on `day`.
    fn covers(&self, day: NaiveDate, at: chrono::NaiveDateTime) -> bool {
        if day.weekday() != self.weekday {
            return false;
        }
        let start = day.and_time(self.starts);
        let end = if self.ends > self.starts {
            day.and_time(self.ends)
        } else {
            (day + Duration::days(1)).and_time(self.ends)
        };
        start <= at && at < end
    }
}

/// A technician's week and their leave (请假), by day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rota {
    pub shifts: Vec<Shift>,
    pub leave: BTreeSet<NaiveDate>,
}

impl Rota {
    /// On shift at `at`: a shift of that day, or a night shift of the day before, not on leave
    /// on the day the shift started.
    pub fn on_shift(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&cst()).naive_local();
        let today = local.date();
        [today, today - Duration::days(1)]
            .into_iter()
            .filter(|day| !self.leave.contains(day))
            .any(|day| self.shifts.iter().any(|s| s.covers(day, local)))
    }
}

/// A technician as assignment sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: Id,
    pub skills: BTreeSet<String>,
    pub rota: Rota,
    /// Orders assigned, in progress or paused.
    pub open_orders: u32,
    /// The building they are based in (a 管家 or a building's technician), if any.
    pub building_id: Option<Id>,
    pub last_assigned_at: Option<DateTime<Utc>>,
}

/// The technician an order needing `skill` (none: anyone) in `building_id` goes to at `at`, or
/// none when nobody on shift has the skill (the order then waits for the dispatcher or a grab).
pub fn choose(candidates: &[Candidate], skill: Option<&str>, building_id: Option<Id>, at: DateTime<Utc>) -> Option<Id> {
    candidates
        .iter()
        .filter(|c| skill.is_none_or(|s| c.skills.contains(s)))
        .filter(|c| c.rota.on_shift(at))
        .min_by_key(|c| {
            (c.open_orders, building_id.is_none() || c.building_id != building_id, c.last_assigned_at, c.user_id)
        })
        .map(|c| c.user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap()
    }

    /// A China time as UTC.
    fn cn(day: &str, hour: u32) -> DateTime<Utc> {
        let d: NaiveDate = day.parse().unwrap();
        (d.and_time(t(hour)) - Duration::hours(8)).and_utc()
    }

    fn days(starts: u32, ends: u32) -> Rota {
        let week = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
        Rota {
            shifts: week.iter().map(|&weekday| Shift { weekday, starts: t(starts), ends: t(ends) }).collect(),
            leave: BTreeSet::new(),
        }
    }

    fn tech(id: Id, skills: &[&str], rota: Rota, open: u32, building: Option<Id>) -> Candidate {
        Candidate {
            user_id: id,
            skills: skills.iter().map(|s| (*s).to_owned()).collect(),
            rota,
            open_orders: open,
            building_id: building,
            last_assigned_at: None,
        }
    }

    #[test]
    fn a_night_shift_covers_the_next_morning_and_leave_takes_the_whole_shift() {
        // Monday 2026-12-07 20:00 to Tuesday 08:00.
        let mut night =
            Rota { shifts: vec![Shift { weekday: Weekday::Mon, starts: t(20), ends: t(8) }], leave: BTreeSet::new() };
        assert!(night.on_shift(cn("2026-12-07", 23)));
        assert!(night.on_shift(cn("2026-12-08", 7)));
        assert!(!night.on_shift(cn("2026-12-08", 8)));
        assert!(!night.on_shift(cn("2026-12-07", 19)));
        night.leave.insert("2026-12-07".parse().unwrap());
        assert!(!night.on_shift(cn("2026-12-08", 7)));
    }

    #[test]
    fn the_order_goes_to_the_least_busy_on_shift_technician_with_the_skill() {
        let at = cn("2026-12-07", 10);
        let team = [
            tech(1, &["plumbing"], days(8, 18), 3, None),
            tech(2, &["plumbing", "electrical"], days(8, 18), 1, None),
            // Idle, but off shift now.
            tech(3, &["plumbing"], days(20, 8), 0, None),
            tech(4, &["electrical"], days(8, 18), 0, None),
        ];
        assert_eq!(choose(&team, Some("plumbing"), None, at), Some(2));
        assert_eq!(choose(&team, Some("electrical"), None, at), Some(4));
        assert_eq!(choose(&team, Some("lift"), None, at), None);
        assert_eq!(choose(&team, Some("plumbing"), None, cn("2026-12-07", 22)), Some(3));
    }

    #[test]
    fn between_equally_busy_technicians_the_one_of_the_orders_building_then_who_waited_longest() {
        let at = cn("2026-12-07", 10);
        let mut team = [tech(1, &[], days(8, 18), 1, Some(10)), tech(2, &[], days(8, 18), 1, Some(20))];
        assert_eq!(choose(&team, None, Some(20), at), Some(2));
        assert_eq!(choose(&team, None, Some(10), at), Some(1));
        team[0].last_assigned_at = Some(cn("2026-12-07", 9));
        team[1].last_assigned_at = Some(cn("2026-12-07", 8));
        assert_eq!(choose(&team, None, None, at), Some(2));
    }
}
