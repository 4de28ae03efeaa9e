//! Quiet hours: non-urgent messages created between 22:00 and 08:00 (China time) wait until 08:00.

use chrono::{DateTime, Duration, NaiveTime, Utc};

pub const QUIET_START: u32 = 22;
pub const QUIET_END: u32 = 8;

pub fn send_after(now: DateTime<Utc>, urgent: bool) -> DateTime<Utc> {
    if urgent {
        return now;
    }
    let cst = linli_core::time::cst();
    let local = now.with_timezone(&cst);
    let hour = chrono::Timelike::hour(&local);
    let end = NaiveTime::from_hms_opt(QUIET_END, 0, 0).expect("valid time");
    let day = if hour >= QUIET_START {
        local.date_naive() + Duration::days(1)
    } else if hour < QUIET_END {
        local.date_naive()
    } else {
        return now;
    };
    day.and_time(end).and_local_timezone(cst).single().map_or(now, |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn non_urgent_messages_wait_for_eight_in_the_morning_china_time() {
        assert_eq!(send_after(at("2026-11-26T23:30:00+08:00"), false), at("2026-11-27T08:00:00+08:00"));
        assert_eq!(send_after(at("2026-11-27T06:00:00+08:00"), false), at("2026-11-27T08:00:00+08:00"));
        assert_eq!(send_after(at("2026-11-27T09:15:00+08:00"), false), at("2026-11-27T09:15:00+08:00"));
        assert_eq!(send_after(at("2026-11-26T23:30:00+08:00"), true), at("2026-11-26T23:30:00+08:00"));
    }
}
