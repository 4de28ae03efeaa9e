//! Values computed from the database, kept with the mark they were computed after (a counter
//! that moves in every transaction that changes what they are computed from) and served again
//! while the mark has not moved: staff open reports and dashboards all day between changes.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::Result;

pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    /// Held while a value is computed: fifty staff asking at once after a change compute it
    /// once, not fifty times side by side (at 100,000 houses they starved each other past any
    /// timeout).
    computing: Mutex<()>,
    /// Kept no longer than this even with the mark unmoved, for marks that may be read before
    /// an earlier change commits (an id taken from a sequence); `None` for counters moved under
    /// a row lock.
    max_age: Option<Duration>,
}

struct Entry<V> {
    mark: i64,
    at: Instant,
    value: V,
}

/// Bounded: full, a memo starts over.
const MAX_ENTRIES: usize = 256;

impl<K: std::hash::Hash + Eq, V: Clone> Memo<K, V> {
    pub fn new(max_age: Option<Duration>) -> Self {
        Self { entries: Mutex::new(HashMap::new()), computing: Mutex::new(()), max_age }
    }

    /// The value kept for `mark` (`true`: computed earlier, names in it may be stale), or the
    /// one `compute` makes now.
    pub async fn get_or_compute<F>(&self, key: K, mark: i64, compute: F) -> Result<(V, bool)>
    where
        F: Future<Output = Result<V>>,
    {
        if let Some(v) = self.get(&key, mark).await {
            return Ok((v, true));
        }
        let _one = self.computing.lock().await;
        if let Some(v) = self.get(&key, mark).await {
            return Ok((v, true));
        }
        let v = compute.await?;
        self.put(key, mark, v.clone()).await;
        Ok((v, false))
    }

    async fn get(&self, key: &K, mark: i64) -> Option<V> {
        let entries = self.entries.lock().await;
        let fresh = |k: &Entry<V>| k.mark == mark && self.max_age.is_none_or(|age| k.at.elapsed() < age);
        entries.get(key).filter(|k| fresh(k)).map(|k| k.value.clone())
    }

    async fn put(&self, key: K, mark: i64, value: V) {
        let mut entries = self.entries.lock().await;
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, Entry { mark, at: Instant::now(), value });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_value_asked_for_by_many_at_once_is_computed_once_and_again_after_the_mark_moves() {
        let memo: Memo<i64, i64> = Memo::new(None);
        let computed = AtomicUsize::new(0);
        let compute = |value: i64| {
            let computed = &computed;
            async move {
                computed.fetch_add(1, Ordering::SeqCst);
                // Others ask meanwhile.
                tokio::task::yield_now().await;
                Ok(value)
            }
        };
        let (a, b, c, d) = tokio::join!(
            memo.get_or_compute(1, 7, compute(100)),
            memo.get_or_compute(1, 7, compute(100)),
            memo.get_or_compute(1, 7, compute(100)),
            memo.get_or_compute(1, 7, compute(100)),
        );
        let kept = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        assert_eq!(kept.iter().filter(|(_, kept)| !kept).count(), 1);
        assert!(kept.iter().all(|(v, _)| *v == 100));
        // A change moved the mark: computed anew.
        assert_eq!(memo.get_or_compute(1, 8, compute(250)).await.unwrap(), (250, false));
        assert_eq!(computed.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_value_older_than_the_max_age_is_computed_anew_under_the_same_mark() {
        let memo: Memo<i64, i64> = Memo::new(Some(Duration::ZERO));
        assert_eq!(memo.get_or_compute(1, 7, async { Ok(1) }).await.unwrap(), (1, false));
        assert_eq!(memo.get_or_compute(1, 7, async { Ok(2) }).await.unwrap(), (2, false));
        let memo: Memo<i64, i64> = Memo::new(Some(Duration::from_hours(1)));
        assert_eq!(memo.get_or_compute(1, 7, async { Ok(1) }).await.unwrap(), (1, false));
        assert_eq!(memo.get_or_compute(1, 7, async { Ok(2) }).await.unwrap(), (1, true));
    }
}
