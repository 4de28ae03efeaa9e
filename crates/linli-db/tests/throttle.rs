//! Attempt counters on both databases: windows, refusals, and atomic counting under concurrency.
use std::sync::Arc;

use linli_core::throttle::{Limit, Throttle};

use chrono::{DateTime, Utc};
use linli_core::Error;
use linli_db::db_test;

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

const LIMIT: Limit = Limit::new("test.five", 5, 60);

db_test!(
    async fn counters_open_a_window_with_the_first_hit_and_start_again_after_it(db: TestDb) {
        let th = Throttle::new(Arc::new(db.db.clone()));
        for s in 0..5 {
            assert_eq!(th.hit(&LIMIT, "k", t(s)).await.unwrap().count, (s + 1) as u32);
        }
        let Err(Error::TooManyAttempts { retry_after_secs }) = th.hit(&LIMIT, "k", t(20)).await else {
            panic!("the sixth is refused")
        };
        assert_eq!(retry_after_secs, 40);
        assert!(th.check(&LIMIT, "k", t(59)).await.is_err());
        assert_eq!(th.peek(&LIMIT, "other", t(1)).await.unwrap(), None);
        // The window opened at t(0) closes at t(60); the next hit opens a new one.
        let fresh = th.hit(&LIMIT, "k", t(60)).await.unwrap();
        assert_eq!((fresh.count, fresh.resets_at), (1, t(120)));
        th.clear(&LIMIT, "k").await.unwrap();
        assert_eq!(th.peek(&LIMIT, "k", t(61)).await.unwrap(), None);
        th.hit(&LIMIT, "gone", t(0)).await.unwrap();
        assert_eq!(th.purge(t(60)).await.unwrap(), 1);
    }
);

db_test!(
    async fn concurrent_hits_each_get_their_own_count(db: TestDb) {
        let th = Throttle::new(Arc::new(db.db.clone()));
        let hits = (0..20).map(|_| {
            let th = th.clone();
            tokio::spawn(async move { th.record(&LIMIT, "race", t(0)).await.unwrap().count })
        });
        let mut counts = Vec::new();
        for h in hits {
            counts.push(h.await.unwrap());
        }
        counts.sort_unstable();
        assert_eq!(counts, (1..=20).collect::<Vec<u32>>(), "no two hits saw the same count");
    }
);
