use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use linli_core::{Id, Result};

use crate::claim::{self, Verdict};
use crate::{Job, NewJob, Schedule};

#[async_trait]
pub trait JobStore: Send + Sync {
    /// `None` when a job with the same dedupe key already exists.
    async fn enqueue(&self, job: NewJob) -> Result<Option<Id>>;
    /// Up to `limit` jobs due at `now` (`claim::is_due`), the longest waiting first.
    async fn due(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<Job>>;
    /// Leases `job` to `owner` until `until` with one more attempt, only if it is still as it was
    /// read (same state and attempts): false when another claimer won it.
    async fn lease(&self, job: &Job, owner: &str, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<bool>;
    /// Marks `job` dead with `why`, only if it is still as it was read.
    async fn give_up(&self, job: &Job, why: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Leases up to `limit` due jobs to `owner`, deciding each by `claim::verdict`. Each job is
    /// handed to one claimer only, whatever runs concurrently.
    async fn claim(&self, owner: &str, now: DateTime<Utc>, lease: Duration, limit: u64) -> Result<Vec<Job>> {
        let mut claimed = Vec::new();
        for job in self.due(now, limit).await? {
            match claim::verdict(&job) {
                Verdict::GiveUp => {
                    self.give_up(&job, claim::LAST_LEASE_EXPIRED, now).await?;
                }
                Verdict::Lease => {
                    if self.lease(&job, owner, now + lease, now).await? {
                        claimed.push(claim::leased(job, owner, now + lease));
                    }
                }
            }
        }
        Ok(claimed)
    }
    /// False when the lease was lost (another worker owns the job now).
    async fn complete(&self, id: Id, owner: &str, now: DateTime<Utc>) -> Result<bool>;
    /// Back to pending at `retry_at`, or dead when `retry_at` is `None`.
    async fn fail(
        &self,
        id: Id,
        owner: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    async fn get(&self, id: Id) -> Result<Option<Job>>;

    /// Creates the schedule, or updates its kind, payload and interval keeping its next run.
    async fn upsert_schedule(&self, schedule: Schedule) -> Result<()>;
    async fn due_schedules(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>>;
    /// Moves the schedule from `seen.next_run_at` to `next` and enqueues `job`, in one
    /// transaction, only if no other instance moved it first.
    async fn fire_schedule(&self, seen: &Schedule, next: DateTime<Utc>, job: NewJob) -> Result<bool>;
}
