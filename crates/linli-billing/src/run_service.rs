//! Billing runs: a preview of a month, its confirmation, and the job that writes its bills.

use std::sync::Arc;

use linli_core::date::Window;
use linli_core::time::today;
use linli_core::{AuditEvent, Authz, Error, Id, Page, PageRequest, Result};

use crate::ledger::Seal;
use crate::period::Period;
use crate::run::{self, Run};

use crate::service::{BillingRepo, FeeRepo, RUN, RunRepo, RunSummary};

#[derive(Clone)]
pub struct RunService {
    fees: Arc<dyn FeeRepo>,
    runs: Arc<dyn RunRepo>,
    seal: Seal,
}

impl RunService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { fees: repo.clone(), runs: repo.clone(), seal }
    }

    /// Computes a run and stores it as a preview: nothing is billed until it is confirmed.
    pub async fn preview_run(&self, authz: &Authz, project_id: Id, period: &str, fee_item_ids: &[Id]) -> Result<Run> {
        let granted = authz.require(RUN, project_id)?;
        // The API checks the period as it reads it; the CLI comes through here too.
        linli_core::date::month_in(period, Window::Billing, today()).map_err(|code| Error::invalid("period", code))?;
        let month = Period::parse_month(period).ok_or_else(|| Error::invalid("period", "invalid_month"))?;
        let inputs = self.runs.run_inputs(project_id, month, fee_item_ids).await?;
        let summary = RunSummary::of(&run::compute(project_id, month, &inputs));
        let audit = AuditEvent::new(granted.actor(), "billing.run.previewed", "billing_run").project(Some(project_id));
        self.runs.create_run(&granted, month, fee_item_ids, &summary, audit).await
    }
    pub async fn runs(&self, authz: &Authz, project_id: Option<Id>, page: PageRequest) -> Result<Page<Run>> {
        self.runs.runs(&authz.scope(RUN)?, project_id, page).await
    }
    pub async fn run(&self, authz: &Authz, id: Id) -> Result<Run> {
        self.runs.run(&authz.scope(RUN)?, id).await
    }
    /// The run, for the job that writes it (no caller to check).
    pub async fn run_for_job(&self, id: Id) -> Result<Run> {
        self.runs.run_by_id(id).await
    }
    /// Marks the run to be written; the caller starts `execute_run` (a job, or the CLI).
    pub async fn confirm_run(&self, authz: &Authz, id: Id) -> Result<Run> {
        let run = self.run(authz, id).await?;
        let granted = authz.require(RUN, run.project_id)?;
        let audit = AuditEvent::new(granted.actor(), "billing.run.confirmed", "billing_run")
            .project(Some(run.project_id))
            .entity_id(id);
        self.runs.confirm_run(&granted, id, audit).await
    }
    /// Writes a confirmed run's bills in chunks, each chunk one transaction. Safe to repeat and
    /// to resume after a crash: a bill already written (same key) is skipped. Then applies
    /// prepaid balances. Answers the run and how many bills this call wrote.
    pub async fn execute_run(&self, id: Id, chunk: usize) -> Result<(Run, u64)> {
        let run = self.runs.run_by_id(id).await?;
        match run.state {
            crate::RunState::Completed => return Ok((run, 0)),
            crate::RunState::Preview => return Err(Error::Conflict(linli_core::Code::RunNotPreview)),
            crate::RunState::Running => {}
        }
        let month = Period::parse_month(&run.period).ok_or_else(|| Error::internal("run period"))?;
        let inputs = self.runs.run_inputs(run.project_id, month, &run.fee_item_ids).await?;
        let computed = run::compute(run.project_id, month, &inputs);
        let mut written = 0;
        for bills in computed.bills.chunks(chunk.max(1)) {
            written += self.runs.write_bills(id, bills, &self.seal).await?;
        }
        let order = self.fees.allocation_order(run.project_id).await?;
        let today = today();
        for houses in self.runs.houses_with_balance(run.project_id).await?.chunks(chunk.max(1)) {
            self.runs.apply_balances(run.project_id, houses, order, today, &self.seal).await?;
        }
        let run = self.runs.complete_run(id, &RunSummary::of(&computed)).await?;
        Ok((run, written))
    }
}
