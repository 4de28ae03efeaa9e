//! Attempt counters: how often something was tried for one key (an account, a source address, a
//! phone, a user) within a window, and the 429 beyond a limit. One mechanism for every rate limit
//! (sign-in, searching by ID number, binding codes): a `Limit` names its purpose, its maximum and
//! its window; a `ThrottleStore` keeps the counters where every instance sees them (the
//! database), and counts atomically, so two instances never both admit the last allowed attempt.
//!
//! A window opens with the first attempt for a key and closes `window` later; the next attempt
//! after that opens a new one. The services decide what counts (a failed password, a search, a
//! code request) and check in their own layer; nothing here knows about HTTP.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use crate::{Error, Result};

/// At most `max` attempts per key of `purpose` within `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Stable and unique per rule, e.g. `login.account_source`: the counters' namespace.
    pub purpose: &'static str,
    pub max: u32,
    pub window_secs: i64,
}

impl Limit {
    pub const fn new(purpose: &'static str, max: u32, window_secs: i64) -> Self {
        Self { purpose, max, window_secs }
    }

    pub fn window(&self) -> Duration {
        Duration::seconds(self.window_secs)
    }
}

/// A live counter: attempts since its window opened, and when the window closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub count: u32,
    pub resets_at: DateTime<Utc>,
}

impl Count {
    /// Whole seconds until the window closes, at least 1 (the `Retry-After` header).
    pub fn retry_after(&self, now: DateTime<Utc>) -> u64 {
        let ms = (self.resets_at - now).num_milliseconds();
        (ms.max(1) as u64).div_ceil(1000)
    }

    pub fn refusal(&self, now: DateTime<Utc>) -> Error {
        Error::TooManyAttempts { retry_after_secs: self.retry_after(now) }
    }
}

/// Where counters live. The database implementation serves every instance on PostgreSQL.
#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Counts one attempt for `(purpose, key)` and answers the counter after it. A counter whose
    /// window has closed starts again at 1 with a window of `window` opening at `now`. Atomic:
    /// concurrent hits, from any connection or instance, each see a count of their own.
    async fn hit(&self, purpose: &str, key: &str, now: DateTime<Utc>, window: Duration) -> Result<Count>;
    /// The counter while its window is open.
    async fn peek(&self, purpose: &str, key: &str, now: DateTime<Utc>) -> Result<Option<Count>>;
    async fn clear(&self, purpose: &str, key: &str) -> Result<()>;
    /// Deletes the counters whose window closed before `now`; answers how many.
    async fn purge(&self, now: DateTime<Utc>) -> Result<u64>;
}

/// The checks services make against a store.
#[derive(Clone)]
pub struct Throttle {
    store: Arc<dyn ThrottleStore>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Throttle")
    }
}

impl Throttle {
    pub fn new(store: Arc<dyn ThrottleStore>) -> Self {
        Self { store }
    }

    /// Counts an attempt and refuses it (429 with `Retry-After`) when it goes over the limit.
    /// Refused attempts count too; the window does not move, so waiting it out always works.
    pub async fn hit(&self, limit: &Limit, key: &str, now: DateTime<Utc>) -> Result<Count> {
        let c = self.store.hit(limit.purpose, &bounded(key), now, limit.window()).await?;
        if c.count > limit.max { Err(c.refusal(now)) } else { Ok(c) }
    }

    /// Refuses when the limit is already reached, without counting.
    pub async fn check(&self, limit: &Limit, key: &str, now: DateTime<Utc>) -> Result<()> {
        match self.peek(limit, key, now).await? {
            Some(c) if c.count >= limit.max => Err(c.refusal(now)),
            _ => Ok(()),
        }
    }

    pub async fn peek(&self, limit: &Limit, key: &str, now: DateTime<Utc>) -> Result<Option<Count>> {
        self.store.peek(limit.purpose, &bounded(key), now).await
    }

    /// Counts an attempt without refusing it (recording failures after the fact).
    pub async fn record(&self, limit: &Limit, key: &str, now: DateTime<Utc>) -> Result<Count> {
        self.store.hit(limit.purpose, &bounded(key), now, limit.window()).await
    }

    pub async fn clear(&self, limit: &Limit, key: &str) -> Result<()> {
        self.store.clear(limit.purpose, &bounded(key)).await
    }

    pub async fn purge(&self, now: DateTime<Utc>) -> Result<u64> {
        self.store.purge(now).await
    }
}

/// Keys come from requests (a typed username can be long): long ones are cut, which merges
/// nothing real since no account, address or phone is that long.
fn bounded(key: &str) -> String {
    key.chars().take(200).collect()
}

/// One key from several parts, unambiguous whatever the parts contain: `5:admin|9:127.0.0.1`.
pub fn key(parts: &[&str]) -> String {
    parts.iter().map(|p| format!("{}:{p}", p.len())).collect::<Vec<_>>().join("|")
}

/// Counters in memory, for unit tests of the services that throttle.
#[derive(Default)]
pub struct MemoryThrottle {
    counters: std::sync::Mutex<std::collections::HashMap<(String, String), Count>>,
}

#[async_trait]
impl ThrottleStore for MemoryThrottle {
    async fn hit(&self, purpose: &str, key: &str, now: DateTime<Utc>, window: Duration) -> Result<Count> {
        let mut m = self.counters.lock().map_err(|_| Error::internal("throttle lock poisoned"))?;
        let c = m.entry((purpose.to_string(), key.to_string())).or_insert(Count { count: 0, resets_at: now + window });
        if c.resets_at <= now {
            *c = Count { count: 0, resets_at: now + window };
        }
        c.count += 1;
        Ok(*c)
    }

    async fn peek(&self, purpose: &str, key: &str, now: DateTime<Utc>) -> Result<Option<Count>> {
        let m = self.counters.lock().map_err(|_| Error::internal("throttle lock poisoned"))?;
        Ok(m.get(&(purpose.to_string(), key.to_string())).copied().filter(|c| c.resets_at > now))
    }

    async fn clear(&self, purpose: &str, key: &str) -> Result<()> {
        let mut m = self.counters.lock().map_err(|_| Error::internal("throttle lock poisoned"))?;
        m.remove(&(purpose.to_string(), key.to_string()));
        Ok(())
    }

    async fn purge(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut m = self.counters.lock().map_err(|_| Error::internal("throttle lock poisoned"))?;
        let before = m.len();
        m.retain(|_, c| c.resets_at > now);
        Ok((before - m.len()) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    const THREE_A_MINUTE: Limit = Limit::new("test.three", 3, 60);

    fn throttle() -> Throttle {
        Throttle::new(Arc::new(MemoryThrottle::default()))
    }

    #[tokio::test]
    async fn the_attempt_after_the_limit_is_refused_until_the_window_that_the_first_opened_closes() {
        let th = throttle();
        for s in 0..3 {
            th.hit(&THREE_A_MINUTE, "k", t(s * 10)).await.unwrap();
        }
        let Err(Error::TooManyAttempts { retry_after_secs }) = th.hit(&THREE_A_MINUTE, "k", t(30)).await else {
            panic!("the fourth attempt is refused")
        };
        // The window opened at t(0) and closes at t(60).
        assert_eq!(retry_after_secs, 30);
        assert!(th.check(&THREE_A_MINUTE, "k", t(59)).await.is_err());
        // Another key, or the same purpose after the window, starts afresh.
        assert!(th.hit(&THREE_A_MINUTE, "other", t(30)).await.is_ok());
        assert_eq!(th.hit(&THREE_A_MINUTE, "k", t(60)).await.unwrap().count, 1);
    }

    #[tokio::test]
    async fn check_does_not_count_and_clear_forgets() {
        let th = throttle();
        for _ in 0..5 {
            th.check(&THREE_A_MINUTE, "k", t(0)).await.unwrap();
        }
        th.record(&THREE_A_MINUTE, "k", t(0)).await.unwrap();
        th.record(&THREE_A_MINUTE, "k", t(0)).await.unwrap();
        th.check(&THREE_A_MINUTE, "k", t(0)).await.unwrap();
        th.record(&THREE_A_MINUTE, "k", t(0)).await.unwrap();
        assert!(th.check(&THREE_A_MINUTE, "k", t(1)).await.is_err());
        th.clear(&THREE_A_MINUTE, "k").await.unwrap();
        th.check(&THREE_A_MINUTE, "k", t(1)).await.unwrap();
    }

    #[test]
    fn keys_of_several_parts_cannot_be_forged_by_a_separator_in_a_part() {
        assert_eq!(key(&["admin", "1.2.3.4"]), "5:admin|7:1.2.3.4");
        assert_ne!(key(&["a|7:b", "c"]), key(&["a", "b|1:c"]));
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        let c = Count { count: 9, resets_at: t(10) };
        assert_eq!(c.retry_after(t(0)), 10);
        assert_eq!(c.retry_after(t(10)), 1);
        assert_eq!(c.retry_after(t(0) + Duration::milliseconds(500)), 10);
    }
}
