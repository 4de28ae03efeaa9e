//! Reconciling a channel's day: its trade bill fetched, compared with Linli's records by
//! [`reconcile::compare`], the differences kept for someone to resolve and the day signed off.
//! A merchant account serves the whole company, so this is company-wide work: reading needs the
//! report permission over every project, acting the approval permission.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use linli_billing::PaymentChannel;
use linli_core::time::today;
use linli_core::{Actor, AuditEvent, Authz, Code, Error, Id, Page, PageRequest, Permission, Result};

use crate::reconcile::{
    self, Comparison, Discrepancy, NewReconciliation, NewResolution, Reconciliation, ReconciliationDetail,
    ReconciliationState, Record, Resolution, SignOff,
};
use crate::service::OrderService;

const READ: Permission = Permission::BillingReportRead;
const DECIDE: Permission = Permission::BillingAdjustmentApprove;

/// Which reconciled days a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReconciliationFilter {
    pub channel: Option<PaymentChannel>,
    pub state: Option<ReconciliationState>,
}

/// Who decided (a resolution, a sign-off) and when.
#[derive(Debug, Clone, Copy)]
pub struct Decided {
    pub by: Option<Id>,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait ReconcileRepo: Send + Sync {
    /// The company's records through `channel` paid or refunded from the day before `day` to the
    /// day after (Beijing), those of `day` itself marked `on_day`.
    async fn records(&self, company_id: Id, channel: PaymentChannel, day: NaiveDate) -> Result<Vec<Record>>;
    /// Of these order and refund numbers, the ones that are another company's (one merchant
    /// account may serve several).
    async fn numbers_elsewhere(&self, company_id: Id, numbers: &[String]) -> Result<Vec<String>>;
    /// Stores the day's comparison: a day reconciled before keeps its resolved differences that
    /// are still found and loses the open ones no longer found; a signed-off day is
    /// `reconciliation_signed_off`.
    async fn save(
        &self,
        company_id: Id,
        channel: PaymentChannel,
        day: NaiveDate,
        comparison: &Comparison,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<ReconciliationDetail>;
    async fn reconciliations(
        &self,
        company_id: Id,
        filter: &ReconciliationFilter,
        page: PageRequest,
    ) -> Result<Page<Reconciliation>>;
    async fn reconciliation(&self, company_id: Id, id: Id) -> Result<ReconciliationDetail>;
    async fn discrepancy(&self, company_id: Id, id: Id) -> Result<Discrepancy>;
    /// Records the resolution unless the difference was resolved meanwhile
    /// (`discrepancy_resolved`) or its day signed off.
    async fn resolve(
        &self,
        company_id: Id,
        id: Id,
        resolution: Resolution,
        note: String,
        decided: Decided,
        audit: AuditEvent,
    ) -> Result<Discrepancy>;
    /// Signs the day off if, read again in the transaction, nothing is open.
    async fn sign_off(
        &self,
        company_id: Id,
        id: Id,
        note: Option<String>,
        decided: Decided,
        audit: AuditEvent,
    ) -> Result<Reconciliation>;
}

#[derive(Clone)]
pub struct ReconcileService {
    repo: Arc<dyn ReconcileRepo>,
    orders: OrderService,
}

impl ReconcileService {
    pub fn new(repo: Arc<dyn ReconcileRepo>, orders: OrderService) -> Self {
        Self { repo, orders }
    }

    /// Reads bills through these orders' channels and credits through them from now on.
    #[must_use]
    pub fn with_orders(mut self, orders: OrderService) -> Self {
        self.orders = orders;
        self
    }

    /// Reconciles a day of a channel now (again, while it is open).
    pub async fn reconcile(&self, authz: &Authz, new: NewReconciliation) -> Result<ReconciliationDetail> {
        let granted = authz.require_company(DECIDE)?;
        reconcile::check_day(new.bill_date, today())?;
        self.run(granted.actor(), new.channel, new.bill_date).await
    }

    /// The reconciliation job: yesterday of every configured channel, for the company. A day
    /// signed off already is left as it is.
    pub async fn reconcile_yesterday(&self, company_id: Id) -> Result<usize> {
        let day = today() - chrono::Days::new(1);
        let system = Authz::system(company_id);
        let mut done = 0;
        for channel in self.orders.channels() {
            match self.run(system.actor(), channel, day).await {
                Ok(_) => done += 1,
                Err(Error::Conflict(Code::ReconciliationSignedOff)) => {}
                // The other channels still go; this one is tried again on the next round.
                Err(e) => tracing::warn!(channel = channel.as_str(), error = %e, "a day could not be reconciled"),
            }
        }
        Ok(done)
    }

    async fn run(&self, actor: &Actor, channel: PaymentChannel, day: NaiveDate) -> Result<ReconciliationDetail> {
        let adapter = self.orders.channel(channel)?.clone();
        let mut lines = adapter.trade_bill(day).await.map_err(|reason| {
            tracing::warn!(channel = channel.as_str(), %day, %reason, "the channel's trade bill could not be read");
            Error::Unavailable { retry_after_secs: 60 }
        })?;
        let ours = self.repo.records(actor.company_id, channel, day).await?;
        let unknown: Vec<String> =
            lines.iter().filter(|l| !ours.iter().any(|r| r.out_no == l.out_no)).map(|l| l.out_no.clone()).collect();
        if !unknown.is_empty() {
            let elsewhere = self.repo.numbers_elsewhere(actor.company_id, &unknown).await?;
            lines.retain(|l| !elsewhere.contains(&l.out_no));
        }
        let comparison = reconcile::compare(&ours, &lines);
        let audit = AuditEvent::new(actor, "payments.reconciliation.run", "reconciliation").after(&serde_json::json!({
            "channel": channel, "bill_date": day, "matched": comparison.matched, "differences": comparison.found.len(),
        }));
        self.repo.save(actor.company_id, channel, day, &comparison, Utc::now(), audit).await
    }

    pub async fn reconciliations(
        &self,
        authz: &Authz,
        filter: &ReconciliationFilter,
        page: PageRequest,
    ) -> Result<Page<Reconciliation>> {
        let granted = authz.require_company(READ)?;
        self.repo.reconciliations(granted.actor().company_id, filter, page).await
    }

    pub async fn reconciliation(&self, authz: &Authz, id: Id) -> Result<ReconciliationDetail> {
        let granted = authz.require_company(READ)?;
        self.repo.reconciliation(granted.actor().company_id, id).await
    }

    /// Resolves a difference with a note; crediting settles the order the channel took money for
    /// first (asking the channel again), so the books move before the difference closes.
    pub async fn resolve(&self, authz: &Authz, id: Id, new: NewResolution) -> Result<Discrepancy> {
        let granted = authz.require_company(DECIDE)?;
        let company_id = granted.actor().company_id;
        let d = self.repo.discrepancy(company_id, id).await?;
        let day = self.repo.reconciliation(company_id, d.reconciliation_id).await?;
        if day.reconciliation.state == ReconciliationState::SignedOff {
            return Err(Error::Conflict(Code::ReconciliationSignedOff));
        }
        reconcile::check_resolution(&d, new.resolution)?;
        let note = reconcile::check_note(&new.note)?;
        if new.resolution == Resolution::Credited
            && let Some(order_id) = d.order_id
        {
            self.orders.credit(order_id).await?;
        }
        let audit = AuditEvent::new(granted.actor(), "payments.discrepancy.resolved", "reconciliation")
            .entity_id(d.reconciliation_id)
            .before(&d)
            .after(&serde_json::json!({ "discrepancy_id": id, "resolution": new.resolution, "note": note }));
        let decided = Decided { by: granted.actor().user_id, at: Utc::now() };
        self.repo.resolve(company_id, id, new.resolution, note, decided, audit).await
    }

    /// Signs a day off once every difference is resolved.
    pub async fn sign_off(&self, authz: &Authz, id: Id, s: SignOff) -> Result<Reconciliation> {
        let granted = authz.require_company(DECIDE)?;
        let company_id = granted.actor().company_id;
        let day = self.repo.reconciliation(company_id, id).await?;
        reconcile::check_sign_off(&day.reconciliation)?;
        let note = match s.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(reconcile::check_note(n)?),
            None => None,
        };
        let audit =
            AuditEvent::new(granted.actor(), "payments.reconciliation.signed_off", "reconciliation").entity_id(id);
        let decided = Decided { by: granted.actor().user_id, at: Utc::now() };
        self.repo.sign_off(company_id, id, note, decided, audit).await
    }
}
