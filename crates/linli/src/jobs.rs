//! The job kinds the platform itself runs, and starting workers and the scheduler.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use linli_auth::AuthRepo;
use linli_db::Db;
use linli_http::App;
use linli_jobs::{Job, JobHandler, JobStore, Schedule, Scheduler, Worker};
use linli_notify::{DELIVER_JOB, Delivered, NotifyService};
use tokio::sync::watch;

pub const PURGE_SESSIONS: &str = "auth.sessions.purge";

/// Delivers one outbox message; a failure is an error so the queue retries it with backoff.
struct DeliverMessage(NotifyService);

#[async_trait]
impl JobHandler for DeliverMessage {
    async fn run(&self, job: &Job) -> anyhow::Result<()> {
        let id = job.payload["message_id"].as_i64().ok_or_else(|| anyhow::anyhow!("payload without message_id"))?;
        match self.0.deliver(id, job.attempts >= job.max_attempts).await? {
            Delivered::Failed(why) => anyhow::bail!("delivery failed: {why}"),
            Delivered::GaveUp(why) => {
                tracing::warn!(message = id, reason = %why, "gave up on a message");
                Ok(())
            }
            Delivered::Sent | Delivered::AlreadySent => Ok(()),
        }
    }
}

/// Deletes expired and revoked sessions and old login attempts.
struct PurgeSessions(Arc<Db>);

#[async_trait]
impl JobHandler for PurgeSessions {
    async fn run(&self, _job: &Job) -> anyhow::Result<()> {
        let n = self.0.purge_sessions(Utc::now()).await?;
        tracing::info!(sessions = n, "purged ended sessions");
        Ok(())
    }
}

/// Writes a confirmed billing run's bills; a retry after a crash resumes it.
struct BillingRun(linli_billing::BillingService);

#[async_trait]
impl JobHandler for BillingRun {
    async fn run(&self, job: &Job) -> anyhow::Result<()> {
        let id = job.payload["run_id"].as_i64().ok_or_else(|| anyhow::anyhow!("payload without run_id"))?;
        let (run, written) = self.0.execute_run(id, crate::billing_cli::CHUNK).await?;
        tracing::info!(run = id, written, bills = run.bills, "billing run completed");
        Ok(())
    }
}

pub fn worker(db: &Db, app: &App, owner: String) -> Worker {
    let store: Arc<dyn JobStore> = Arc::new(db.clone());
    Worker::new(store, owner)
        .handler(PURGE_SESSIONS, Arc::new(PurgeSessions(Arc::new(db.clone()))))
        .handler(DELIVER_JOB, Arc::new(DeliverMessage(app.notify.clone())))
        .handler(linli_billing::RUN_JOB, Arc::new(BillingRun(app.billing.clone())))
}

/// Registers the recurring jobs and starts one worker and the scheduler.
pub async fn spawn(
    db: &Db,
    app: &App,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let store: Arc<dyn JobStore> = Arc::new(db.clone());
    store
        .upsert_schedule(Schedule {
            name: PURGE_SESSIONS.into(),
            kind: PURGE_SESSIONS.into(),
            payload: serde_json::json!({}),
            every_seconds: 3600,
            next_run_at: Utc::now(),
        })
        .await?;
    let owner = format!("{}-{}", hostname(), std::process::id());
    let w = worker(db, app, owner);
    let s = Scheduler::new(store);
    Ok(vec![tokio::spawn(w.run(stop.clone(), crate::server::POLL)), tokio::spawn(s.run(stop, crate::server::POLL * 5))])
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "linli".into())
}
