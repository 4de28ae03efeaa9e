use chrono::Duration;

/// Delay before retry number `attempts` (1-based): 10 s, 20 s, 40 s, … capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 10i64.saturating_mul(1i64 << exp).min(3600);
    Duration::seconds(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
        let secs: Vec<_> = (1..=10).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(secs, [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]);
        assert_eq!(backoff(50).num_seconds(), 3600);
    }
}
