//! Sign-in throttling, by account and by source (the client's address), so that an attacker
//! cannot lock the office out by failing on purpose. The rule, in the order it is checked:
//!
//! 1. A source with `SOURCE_MAX` failures within `WINDOW` (on any accounts) is refused for every
//!    account until that window closes: password spraying.
//! 2. A source with `ACCOUNT_SOURCE_MAX` failures on one account within `WINDOW` is refused for
//!    that account until that window closes. Signing in there successfully clears it.
//! 3. An account with `ACCOUNT_MAX` failures within `WINDOW` (from all sources together) is in
//!    slow mode until that window closes: a source that has failed on it in its current window
//!    is refused; a source it signed in from successfully within `KNOWN_SOURCE_DAYS` tries as
//!    usual; any other source gets one password check per `SLOW_PACE_SECS` for the account, and
//!    is told to retry after at most that many seconds otherwise. The right password from a
//!    source that has not failed is never refused for longer than that.
//!
//! Unknown usernames count like known ones, so the answers do not tell which accounts exist. The
//! counters are the shared `linli_core::throttle` ones, in the database.

use chrono::{DateTime, Utc};
use linli_core::throttle::{Limit, Throttle, key};
use linli_core::{Error, Result};

pub const WINDOW_MINUTES: i64 = 15;
const WINDOW: i64 = WINDOW_MINUTES * 60;
pub const ACCOUNT_SOURCE_MAX: u32 = 5;
pub const ACCOUNT_MAX: u32 = 20;
pub const SOURCE_MAX: u32 = 30;
pub const SLOW_PACE_SECS: i64 = 5;
pub const KNOWN_SOURCE_DAYS: i64 = 30;

pub const PER_ACCOUNT_SOURCE: Limit = Limit::new("login.account_source", ACCOUNT_SOURCE_MAX, WINDOW);
pub const PER_ACCOUNT: Limit = Limit::new("login.account", ACCOUNT_MAX, WINDOW);
pub const PER_SOURCE: Limit = Limit::new("login.source", SOURCE_MAX, WINDOW);
/// One password check per account and pace while the account is in slow mode.
const SLOW_PACE: Limit = Limit::new("login.slow_pace", 1, SLOW_PACE_SECS);
/// Sources an account signed in from (a counter used as a mark that lasts its window).
const KNOWN_SOURCE: Limit = Limit::new("login.known_source", u32::MAX, KNOWN_SOURCE_DAYS * 24 * 3600);

/// Where a sign-in comes from, as a counter key: the address, or `-` when unknown.
pub fn source_of(ip: Option<&str>) -> &str {
    ip.filter(|s| !s.is_empty()).unwrap_or("-")
}

/// Whether this attempt may check a password now; `Err(429)` with how long to wait otherwise.
pub async fn admit(th: &Throttle, account: &str, source: &str, now: DateTime<Utc>) -> Result<()> {
    let pair = key(&[account, source]);
    th.check(&PER_SOURCE, source, now).await?;
    let mine = th.peek(&PER_ACCOUNT_SOURCE, &pair, now).await?;
    if let Some(c) = mine.filter(|c| c.count >= ACCOUNT_SOURCE_MAX) {
        return Err(c.refusal(now));
    }
    let Some(all) = th.peek(&PER_ACCOUNT, account, now).await?.filter(|c| c.count >= ACCOUNT_MAX) else {
        return Ok(());
    };
    // Slow mode.
    if let Some(c) = mine {
        return Err(c.refusal(now));
    }
    if th.peek(&KNOWN_SOURCE, &pair, now).await?.is_some() {
        return Ok(());
    }
    match th.hit(&SLOW_PACE, account, now).await {
        Ok(_) => Ok(()),
        // Never ask to wait longer than the slow mode itself lasts.
        Err(Error::TooManyAttempts { retry_after_secs }) => {
            Err(Error::TooManyAttempts { retry_after_secs: retry_after_secs.min(all.retry_after(now)) })
        }
        Err(e) => Err(e),
    }
}

/// Counts a wrong password (or an unknown username) against the source, the pair and the account.
pub async fn failed(th: &Throttle, account: &str, source: &str, now: DateTime<Utc>) -> Result<()> {
    th.record(&PER_SOURCE, source, now).await?;
    th.record(&PER_ACCOUNT_SOURCE, &key(&[account, source]), now).await?;
    th.record(&PER_ACCOUNT, account, now).await?;
    Ok(())
}

/// The right password: this source is known for the account from now on and its failures end.
pub async fn succeeded(th: &Throttle, account: &str, source: &str, now: DateTime<Utc>) -> Result<()> {
    let pair = key(&[account, source]);
    th.clear(&PER_ACCOUNT_SOURCE, &pair).await?;
    if th.peek(&KNOWN_SOURCE, &pair, now).await?.is_none() {
        th.record(&KNOWN_SOURCE, &pair, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use linli_core::throttle::MemoryThrottle;

    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn throttle() -> Throttle {
        Throttle::new(Arc::new(MemoryThrottle::default()))
    }

    fn wait(r: Result<()>) -> u64 {
        match r {
            Err(Error::TooManyAttempts { retry_after_secs }) => retry_after_secs,
            other => panic!("expected 429, got {other:?}"),
        }
    }

    async fn fail_n(th: &Throttle, account: &str, source: &str, n: u32, now: DateTime<Utc>) {
        for _ in 0..n {
            admit(th, account, source, now).await.unwrap();
            failed(th, account, source, now).await.unwrap();
        }
    }

    #[tokio::test]
    async fn five_failures_refuse_that_source_only_and_until_its_window_closes() {
        let th = throttle();
        fail_n(&th, "admin", "203.0.113.9", 5, t(0)).await;
        assert_eq!(wait(admit(&th, "admin", "203.0.113.9", t(60)).await), 840);
        // The office's own address is not affected, nor another account from the attacker's.
        admit(&th, "admin", "198.51.100.7", t(60)).await.unwrap();
        admit(&th, "cashier", "203.0.113.9", t(60)).await.unwrap();
        admit(&th, "admin", "203.0.113.9", t(WINDOW)).await.unwrap();
    }

    #[tokio::test]
    async fn signing_in_clears_the_sources_failures() {
        let th = throttle();
        fail_n(&th, "admin", "10.0.0.1", 4, t(0)).await;
        succeeded(&th, "admin", "10.0.0.1", t(1)).await.unwrap();
        fail_n(&th, "admin", "10.0.0.1", 5, t(2)).await;
        assert!(admit(&th, "admin", "10.0.0.1", t(3)).await.is_err());
    }

    #[tokio::test]
    async fn spraying_many_accounts_from_one_source_refuses_the_source_everywhere() {
        let th = throttle();
        for i in 0..SOURCE_MAX {
            fail_n(&th, &format!("user{i}"), "203.0.113.9", 1, t(0)).await;
        }
        assert_eq!(wait(admit(&th, "someone-else", "203.0.113.9", t(10)).await), 890);
        admit(&th, "someone-else", "198.51.100.7", t(10)).await.unwrap();
    }

    #[tokio::test]
    async fn an_account_failing_from_many_sources_slows_down_but_admits_a_clean_source() {
        let th = throttle();
        for i in 0..4 {
            fail_n(&th, "admin", &format!("203.0.113.{i}"), 5, t(0)).await;
        }
        // 20 failures: slow mode. A source that failed once is refused for the rest of its window.
        fail_n(&th, "admin", "203.0.113.50", 1, t(50)).await;
        assert_eq!(wait(admit(&th, "admin", "203.0.113.50", t(100)).await), 850);
        // A clean source checks one password per pace; the next one waits at most the pace.
        admit(&th, "admin", "198.51.100.7", t(100)).await.unwrap();
        let w = wait(admit(&th, "admin", "198.51.100.8", t(101)).await);
        assert!(w <= SLOW_PACE_SECS as u64, "{w}");
        admit(&th, "admin", "198.51.100.8", t(100 + SLOW_PACE_SECS)).await.unwrap();
        // A source the admin signed in from before is not paced at all.
        succeeded(&th, "admin", "192.0.2.1", t(-3600)).await.unwrap();
        admit(&th, "admin", "192.0.2.1", t(106)).await.unwrap();
        admit(&th, "admin", "192.0.2.1", t(106)).await.unwrap();
        // The slow mode ends with the account's window.
        admit(&th, "admin", "203.0.113.77", t(WINDOW)).await.unwrap();
        admit(&th, "admin", "203.0.113.78", t(WINDOW)).await.unwrap();
    }
}
