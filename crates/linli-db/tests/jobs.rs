//! The job queue on both databases: exclusive claims, lease expiry, retries, dedupe, schedules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex};

use async_trait::async_trait;
use chrono::{Duration, Utc};
use linli_db::db_test;
use linli_jobs::{Job, JobHandler, JobState, JobStore, NewJob, Schedule, Scheduler, Worker};
use serde_json::json;

/// Counts runs per job id; fails a job while its payload asks for more failures.
#[derive(Default)]
struct Recorder {
    runs: StdMutex<HashMap<i64, u32>>,
}

#[async_trait]
impl JobHandler for Recorder {
    async fn run(&self, job: &Job) -> anyhow::Result<()> {
        let n = {
            let mut runs = self.runs.lock().unwrap();
            let n = runs.entry(job.id).or_default();
            *n += 1;
            *n
        };
        let fail_times = job.payload["fail_times"].as_u64().unwrap_or(0) as u32;
        if n <= fail_times {
            anyhow::bail!("planned failure {n}");
        }
        Ok(())
    }
}

fn store(db: &linli_db::testing::TestDb) -> Arc<dyn JobStore> {
    Arc::new(db.db.clone())
}

db_test!(
    async fn two_workers_racing_run_every_job_exactly_once(db: TestDb) {
        let s = store(&db);
        let now = Utc::now();
        for i in 0..40 {
            s.enqueue(NewJob::new("count", json!({"i": i}), now)).await.unwrap();
        }
        let rec = Arc::new(Recorder::default());
        let w1 = Arc::new(Worker::new(s.clone(), "w1").handler("count", rec.clone()));
        let w2 = Arc::new(Worker::new(s.clone(), "w2").handler("count", rec.clone()));
        let later = now + Duration::seconds(1);
        let mut handles = Vec::new();
        for w in [w1, w2] {
            handles.push(tokio::spawn(async move {
                let mut total = 0;
                loop {
                    let n = w.run_once(later).await.unwrap();
                    if n == 0 {
                        return total;
                    }
                    total += n;
                }
            }));
        }
        let mut total = 0;
        for h in handles {
            total += h.await.unwrap();
        }
        assert_eq!(total, 40);
        let runs = rec.runs.lock().unwrap();
        assert_eq!(runs.len(), 40);
        assert!(runs.values().all(|n| *n == 1), "{runs:?}");
    }
);

db_test!(
    async fn a_crashed_workers_job_is_claimed_again_after_its_lease(db: TestDb) {
        let s = store(&db);
        let now = Utc::now();
        let id = s.enqueue(NewJob::new("count", json!({}), now)).await.unwrap().unwrap();
        // "crashed" claims the job and never reports back.
        let claimed = s.claim("crashed", now, Duration::seconds(30), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let rec = Arc::new(Recorder::default());
        let w = Worker::new(s.clone(), "rescuer").handler("count", rec.clone());
        assert_eq!(w.run_once(now + Duration::seconds(10)).await.unwrap(), 0, "lease still held");
        assert_eq!(w.run_once(now + Duration::seconds(31)).await.unwrap(), 1);
        let job = s.get(id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Done);
        assert_eq!(job.attempts, 2);
        // The crashed worker's late report does not undo the rescue.
        assert!(!s.complete(id, "crashed", Utc::now()).await.unwrap());
    }
);

db_test!(
    async fn failures_retry_with_backoff_then_give_up(db: TestDb) {
        let s = store(&db);
        let now = Utc::now();
        let mut job = NewJob::new("count", json!({"fail_times": 10}), now);
        job.max_attempts = 3;
        let id = s.enqueue(job).await.unwrap().unwrap();
        let w = Worker::new(s.clone(), "w").handler("count", Arc::new(Recorder::default()));
        assert_eq!(w.run_once(now).await.unwrap(), 1);
        let j = s.get(id).await.unwrap().unwrap();
        assert_eq!((j.state, j.attempts), (JobState::Pending, 1));
        assert!(j.last_error.as_deref().unwrap().contains("planned failure 1"));
        // Not due again until the 10 s backoff has passed.
        assert_eq!(w.run_once(now).await.unwrap(), 0);
        let t = j.run_at + Duration::seconds(1);
        assert_eq!(w.run_once(t).await.unwrap(), 1);
        let j = s.get(id).await.unwrap().unwrap();
        assert_eq!(w.run_once(j.run_at + Duration::seconds(1)).await.unwrap(), 1);
        let j = s.get(id).await.unwrap().unwrap();
        assert_eq!((j.state, j.attempts), (JobState::Dead, 3));
        assert_eq!(w.run_once(j.run_at + Duration::days(1)).await.unwrap(), 0);
    }
);

db_test!(
    async fn a_dedupe_key_enqueues_once(db: TestDb) {
        let s = store(&db);
        let now = Utc::now();
        let first = s.enqueue(NewJob::new("count", json!({}), now).dedupe("bill:1:2026-11-26")).await.unwrap();
        let second = s.enqueue(NewJob::new("count", json!({}), now).dedupe("bill:1:2026-11-26")).await.unwrap();
        assert!(first.is_some());
        assert_eq!(second, None);
    }
);

db_test!(
    async fn a_schedule_fires_once_per_tick_whatever_the_number_of_schedulers(db: TestDb) {
        let s = store(&db);
        let start = Utc::now();
        s.upsert_schedule(Schedule {
            name: "purge".into(),
            kind: "count".into(),
            payload: json!({}),
            every_seconds: 60,
            next_run_at: start,
        })
        .await
        .unwrap();
        let (a, b) = (Scheduler::new(s.clone()), Scheduler::new(s.clone()));
        let t = start + Duration::seconds(1);
        let (fa, fb) = tokio::join!(a.tick(t), b.tick(t));
        assert_eq!(fa.unwrap() + fb.unwrap(), 1);
        assert_eq!(a.tick(t).await.unwrap(), 0, "not due again for a minute");
        assert_eq!(b.tick(start + Duration::seconds(61)).await.unwrap(), 1);
        let w = Worker::new(s.clone(), "w").handler("count", Arc::new(Recorder::default()));
        assert_eq!(w.run_once(start + Duration::seconds(62)).await.unwrap(), 2);
    }
);
