//! Login throttling: after `MAX_FAILURES` failed attempts for a username within
//! `WINDOW_MINUTES`, further attempts answer 429 until the oldest of them leaves the window.

use chrono::{DateTime, Duration, Utc};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW_MINUTES: i64 = 15;

pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::minutes(WINDOW_MINUTES)
}

/// Seconds to wait, or `None` when a new attempt may be checked. `failures` are the failed
/// attempts since `window_start(now)`, in any order.
pub fn retry_after(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<u64> {
    if failures.len() < MAX_FAILURES {
        return None;
    }
    let mut recent: Vec<_> = failures.to_vec();
    recent.sort_unstable_by(|a, b| b.cmp(a));
    // The attempt that must age out for the count to drop below the limit.
    let blocking = recent[MAX_FAILURES - 1];
    let free_at = blocking + Duration::minutes(WINDOW_MINUTES);
    Some((free_at - now).num_seconds().max(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn five_failures_in_the_window_block_until_the_fifth_newest_ages_out() {
        let fails = [t(0), t(1), t(2), t(3), t(4)];
        assert_eq!(retry_after(&fails[..4], t(5)), None);
        // Blocked until t(0) + 15 min = t(15); at t(5) that is 600 s away.
        assert_eq!(retry_after(&fails, t(5)), Some(600));
        let more = [t(0), t(1), t(2), t(3), t(4), t(6)];
        // With six, the fifth newest is t(1): free at t(16).
        assert_eq!(retry_after(&more, t(6)), Some(600));
    }
}
