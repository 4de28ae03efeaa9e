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

pub const REMIND_OVERDUE: &str = "billing.remind_overdue";

/// Writes a confirmed billing run's bills (a retry after a crash resumes it), then tells each
/// owner: one `bill_issued` per bill and owner, deduplicated, so a retry sends nothing twice.
struct BillingRun(linli_billing::BillingService, NotifyService, Db);

#[async_trait]
impl JobHandler for BillingRun {
    async fn run(&self, job: &Job) -> anyhow::Result<()> {
        let id = job.payload["run_id"].as_i64().ok_or_else(|| anyhow::anyhow!("payload without run_id"))?;
        // A run someone else already finished (the CLI, the demo's past months) is not announced again.
        let before = self.0.run_for_job(id).await?.state;
        let (run, written) = self.0.execute_run(id, crate::billing_cli::CHUNK).await?;
        tracing::info!(run = id, written, bills = run.bills, "billing run completed");
        if before == linli_billing::RunState::Running {
            notify_run(&self.2, &self.1, id).await?;
        }
        Ok(())
    }
}

/// Tells each current owner of a house the run billed, once per bill and owner.
pub async fn notify_run(db: &Db, notify: &NotifyService, run_id: i64) -> anyhow::Result<usize> {
    let notices = linli_db::run_notices(db, run_id).await?;
    for n in &notices {
        let key = format!("bill_issued:{}:{}", n.bill_id.unwrap_or_default(), n.person_id);
        notify.notify(bill_notice(n, linli_notify::Kind::BillIssued, key), Utc::now()).await?;
    }
    Ok(notices.len())
}

/// Reminds owners of overdue bills, at most once a month per house and owner (the dedupe key).
struct RemindOverdue(NotifyService, Db);

#[async_trait]
impl JobHandler for RemindOverdue {
    async fn run(&self, _job: &Job) -> anyhow::Result<()> {
        let today = linli_core::time::today();
        let notices = linli_db::overdue_notices(&self.1, today).await?;
        for n in &notices {
            let key = format!("bill_overdue:{}:{}:{}", n.house_id, n.person_id, today.format("%Y-%m"));
            self.0.notify(bill_notice(n, linli_notify::Kind::BillOverdue, key), Utc::now()).await?;
        }
        tracing::info!(owners = notices.len(), "overdue reminders enqueued");
        Ok(())
    }
}

fn bill_notice(n: &linli_db::BillNotice, kind: linli_notify::Kind, key: String) -> linli_notify::Notice {
    linli_notify::Notice {
        company_id: n.company_id,
        project_id: Some(n.project_id),
        kind,
        recipient: linli_notify::Recipient { user_id: n.user_id, email: None, phone: n.phone.clone(), locale: None },
        params: serde_json::json!({
            "name": n.name,
            "house": n.house_label,
            "period": n.period_start.map(|d| d.format("%Y年%-m月").to_string()).unwrap_or_default(),
            "amount": n.amount.to_string(),
            "due_date": n.due_on.map(|d| d.to_string()).unwrap_or_default(),
        }),
        dedupe_key: Some(key),
    }
}

pub fn worker(db: &Db, app: &App, owner: String) -> Worker {
    let store: Arc<dyn JobStore> = Arc::new(db.clone());
    Worker::new(store, owner)
        .handler(PURGE_SESSIONS, Arc::new(PurgeSessions(Arc::new(db.clone()))))
        .handler(DELIVER_JOB, Arc::new(DeliverMessage(app.notify.clone())))
        .handler(linli_billing::RUN_JOB, Arc::new(BillingRun(app.billing.clone(), app.notify.clone(), db.clone())))
        .handler(REMIND_OVERDUE, Arc::new(RemindOverdue(app.notify.clone(), db.clone())))
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
    store
        .upsert_schedule(Schedule {
            name: REMIND_OVERDUE.into(),
            kind: REMIND_OVERDUE.into(),
            payload: serde_json::json!({}),
            every_seconds: 86_400,
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
