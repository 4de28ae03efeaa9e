use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use linli_core::Result;
use tokio::sync::watch;

use crate::{Job, JobStore, NewJob, backoff};

#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Must be idempotent: a job may run again after a crash or a lost lease.
    async fn run(&self, job: &Job) -> anyhow::Result<()>;
}

pub struct Worker {
    store: Arc<dyn JobStore>,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    owner: String,
    lease: Duration,
    batch: u64,
}

impl Worker {
    pub fn new(store: Arc<dyn JobStore>, owner: impl Into<String>) -> Self {
        Self { store, handlers: HashMap::new(), owner: owner.into(), lease: Duration::minutes(5), batch: 10 }
    }

    #[must_use]
    pub fn handler(mut self, kind: &str, h: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(kind.to_string(), h);
        self
    }

    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Claims one batch of due jobs and runs them; answers how many ran.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize> {
        let jobs = self.store.claim(&self.owner, now, self.lease, self.batch).await?;
        for job in &jobs {
            let outcome = match self.handlers.get(&job.kind) {
                Some(h) => h.run(job).await,
                None => Err(anyhow::anyhow!("no handler for job kind {}", job.kind)),
            };
            let finished = Utc::now();
            match outcome {
                Ok(()) => {
                    self.store.complete(job.id, &self.owner, finished).await?;
                }
                Err(e) => {
                    let retry_at = (job.attempts < job.max_attempts && self.handlers.contains_key(&job.kind))
                        .then(|| finished + backoff(job.attempts));
                    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                    self.store.fail(job.id, &self.owner, &format!("{e:#}"), retry_at, finished).await?;
                }
            }
        }
        Ok(jobs.len())
    }

    /// Polls until `shutdown` turns true. A full batch is followed at once by the next claim.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>, poll: std::time::Duration) {
        loop {
            let ran = match self.run_once(Utc::now()).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "claiming jobs failed");
                    0
                }
            };
            if ran as u64 >= self.batch {
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }
}

/// Turns due schedules into jobs. Any number of instances may run one.
pub struct Scheduler {
    store: Arc<dyn JobStore>,
}

impl Scheduler {
    pub fn new(store: Arc<dyn JobStore>) -> Self {
        Self { store }
    }

    /// Fires every due schedule once; a schedule that fell far behind (the server was off)
    /// runs once and resumes from now, rather than once per missed interval.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<usize> {
        let mut fired = 0;
        for s in self.store.due_schedules(now).await? {
            let every = Duration::seconds(s.every_seconds.max(1));
            let mut next = s.next_run_at + every;
            if next <= now {
                next = now + every;
            }
            let job = NewJob::new(s.kind.clone(), s.payload.clone(), now).dedupe(format!(
                "schedule:{}:{}",
                s.name,
                s.next_run_at.timestamp()
            ));
            if self.store.fire_schedule(&s, next, job).await? {
                fired += 1;
            }
        }
        Ok(fired)
    }

    pub async fn run(self, mut shutdown: watch::Receiver<bool>, poll: std::time::Duration) {
        loop {
            if let Err(e) = self.tick(Utc::now()).await {
                tracing::error!(error = %e, "scheduler tick failed");
            }
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }
}
