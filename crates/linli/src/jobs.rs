//! The job kinds the platform itself runs, and starting workers and the scheduler.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use linli_auth::SessionRepo;
use linli_billing::reminder::{self, BillMessage};
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
        // Hourly, the planner's statistics follow what imports and edits changed.
        self.0.analyze().await?;
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
        let before = self.0.runs.run_for_job(id).await?.state;
        let (run, written) = self.0.runs.execute_run(id, crate::billing_cli::CHUNK).await?;
        tracing::info!(run = id, written, bills = run.bills, "billing run completed");
        self.2.analyze().await?;
        if before == linli_billing::RunState::Running {
            notify_run(&self.2, &self.1, id).await?;
        }
        Ok(())
    }
}

/// Tells each current owner of a house the run billed, once per bill and owner.
pub async fn notify_run(db: &Db, notify: &NotifyService, run_id: i64) -> anyhow::Result<usize> {
    let messages = linli_db::run_messages(db, run_id).await?;
    for m in &messages {
        let key = reminder::issued_key(m.bill_id.unwrap_or_default(), m.owner.person_id);
        notify.notify(notice_of(m, linli_notify::Kind::BillIssued, key), Utc::now()).await?;
    }
    Ok(messages.len())
}

/// Reminds owners of overdue bills (how often: `linli_billing::reminder`).
struct RemindOverdue(NotifyService, Db);

#[async_trait]
impl JobHandler for RemindOverdue {
    async fn run(&self, _job: &Job) -> anyhow::Result<()> {
        let today = linli_core::time::today();
        let messages = linli_db::overdue_messages(&self.1, today).await?;
        for m in &messages {
            let key = reminder::overdue_key(m.house_id, m.owner.person_id, today);
            self.0.notify(notice_of(m, linli_notify::Kind::BillOverdue, key), Utc::now()).await?;
        }
        tracing::info!(owners = messages.len(), "overdue reminders enqueued");
        Ok(())
    }
}

/// Tells a house's current owners that its payment was received (`payment_received`), once per
/// payment and owner however often the payment is told.
pub struct PaymentNotices {
    pub db: Db,
    pub notify: NotifyService,
}

#[async_trait]
impl linli_billing::PaymentListener for PaymentNotices {
    async fn received(&self, receipt: &linli_billing::Receipt) {
        let p = &receipt.payment;
        let messages = match linli_db::payment_messages(&self.db, p.project_id, p.house_id, p.amount_fen).await {
            Ok(m) => m,
            Err(e) => {
                return tracing::warn!(error = %e, payment = p.id, "payment_received: the owners could not be read");
            }
        };
        for m in &messages {
            let key = reminder::received_key(p.id, m.owner.person_id);
            if let Err(e) = self.notify.notify(notice_of(m, linli_notify::Kind::PaymentReceived, key), Utc::now()).await
            {
                tracing::warn!(error = %e, payment = p.id, "payment_received could not be queued");
            }
        }
    }
}

pub const QUERY_ORDERS: &str = "payments.orders.query";

/// Asks the channels about expired orders no notification settled (`OrderService::settle_expired`)
/// and about refunds still pending (`OrderService::settle_refunds`).
struct QueryOrders(linli_payments::OrderService);

#[async_trait]
impl JobHandler for QueryOrders {
    async fn run(&self, _job: &Job) -> anyhow::Result<()> {
        let done = self.0.settle_expired(Utc::now()).await?;
        if done != linli_payments::Expired::default() {
            tracing::info!(
                settled = done.settled,
                closed = done.closed,
                failed = done.failed,
                "expired payment orders queried"
            );
        }
        let refunds = self.0.settle_refunds().await?;
        if refunds > 0 {
            tracing::info!(refunds, "pending refunds ended");
        }
        Ok(())
    }
}

pub const RECONCILE: &str = "payments.reconcile";

/// Reconciles yesterday of every configured channel for every company (a day still open is
/// compared again, its resolved differences kept; run every six hours, so the bill WeChat Pay
/// and Alipay publish in the morning is read the same day).
struct Reconcile(linli_payments::ReconcileService, Db);

#[async_trait]
impl JobHandler for Reconcile {
    async fn run(&self, _job: &Job) -> anyhow::Result<()> {
        for company in self.1.company_ids().await? {
            let days = self.0.reconcile_yesterday(company).await?;
            if days > 0 {
                tracing::info!(company, days, "yesterday reconciled");
            }
        }
        Ok(())
    }
}

pub(crate) fn notice_of(n: &BillMessage, kind: linli_notify::Kind, key: String) -> linli_notify::Notification {
    linli_notify::Notification {
        company_id: n.company_id,
        project_id: Some(n.project_id),
        kind,
        recipient: linli_notify::Recipient {
            user_id: n.owner.user_id,
            email: None,
            phone: n.owner.phone.clone(),
            locale: None,
        },
        params: serde_json::json!({
            "name": n.owner.name,
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
        .handler(QUERY_ORDERS, Arc::new(QueryOrders(app.payments.clone())))
        .handler(RECONCILE, Arc::new(Reconcile(app.reconcile.clone(), db.clone())))
}

async fn register_schedules(store: &Arc<dyn JobStore>) -> anyhow::Result<()> {
    for (kind, every_seconds) in
        [(PURGE_SESSIONS, 3600), (REMIND_OVERDUE, 86_400), (QUERY_ORDERS, 60), (RECONCILE, 21_600)]
    {
        store
            .upsert_schedule(Schedule {
                name: kind.into(),
                kind: kind.into(),
                payload: serde_json::json!({}),
                every_seconds,
                next_run_at: Utc::now(),
            })
            .await?;
    }
    Ok(())
}

/// Registers the recurring jobs and starts one worker and the scheduler.
pub async fn spawn(
    db: &Db,
    app: &App,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let store: Arc<dyn JobStore> = Arc::new(db.clone());
    register_schedules(&store).await?;
    let owner = linli_jobs::process_owner();
    let w = worker(db, app, owner);
    let s = Scheduler::new(store);
    Ok(vec![tokio::spawn(w.run(stop.clone(), crate::server::POLL)), tokio::spawn(s.run(stop, crate::server::POLL * 5))])
}

/// Fires the due schedules and runs every job due now until none is left (a job that failed
/// waits for its retry): what the demo does before it serves, so that what the job workers
/// would send at start has been sent. Answers how many jobs ran.
pub async fn drain(db: &Db, app: &App) -> anyhow::Result<usize> {
    let store: Arc<dyn JobStore> = Arc::new(db.clone());
    register_schedules(&store).await?;
    Scheduler::new(store).tick(Utc::now()).await?;
    let w = worker(db, app, format!("{}-drain", linli_jobs::process_owner()));
    let mut ran = 0;
    loop {
        let n = w.run_once(Utc::now()).await?;
        if n == 0 {
            return Ok(ran);
        }
        ran += n;
    }
}
