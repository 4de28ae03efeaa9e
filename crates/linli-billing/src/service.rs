//! The use cases of billing: permission checks, validation, audit events, and the repository of
//! whole commands that stores them. Money-moving commands run in one transaction each.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use linli_core::time::today;
use linli_core::{AuditEvent, Authz, Error, Granted, Id, Page, PageRequest, Permission, Result, Scope};

use crate::account::{
    Adjustment, AdjustmentKind, AdjustmentState, HouseAccount, NewAdjustment, NewPayment, NewRefund, Receipt,
};
use crate::allocation::AllocationOrder;
use crate::bill::{Bill, BillDetail, BillFilter};
use crate::fee::{FeeItem, Standard};
use crate::ledger::Seal;
use crate::period::Period;
use crate::report::{ArrearsReport, CollectionRow, IncomeRow};
use crate::run::{self, Assignment, Computed, MAX_PROBLEMS, Run, RunInputs};
use crate::settings::{NewAssignment, NewFeeItem, NewStandard};
use linli_core::Fen;

/// A run's problems and totals, as stored with it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub bills: i64,
    pub total: Fen,
    pub items: Vec<crate::run::RunItem>,
    pub problems: Vec<crate::run::Problem>,
}

impl RunSummary {
    pub fn of(computed: &Computed) -> RunSummary {
        let (bills, total, items) = run::summarize(computed);
        let problems = computed.problems.iter().take(MAX_PROBLEMS).cloned().collect();
        RunSummary { bills, total, items, problems }
    }
}

/// What `linli check ledger` found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LedgerCheck {
    pub entries: u64,
    pub bills: u64,
    /// Entries whose seal does not match their fields (edited in the database).
    pub bad_seals: Vec<Id>,
    /// Bills whose cached principal or late fee differs from the sum of their entries, or whose
    /// charge entries differ from their amount.
    pub bill_mismatches: Vec<Id>,
    /// Houses whose cached prepaid balance differs from their entries, or went negative.
    pub balance_mismatches: Vec<Id>,
    /// Payments whose amount differs from their payment entry.
    pub payment_mismatches: Vec<Id>,
}

impl LedgerCheck {
    pub fn ok(&self) -> bool {
        self.bad_seals.is_empty()
            && self.bill_mismatches.is_empty()
            && self.balance_mismatches.is_empty()
            && self.payment_mismatches.is_empty()
    }
}

#[async_trait]
pub trait BillingRepo: Send + Sync {
    async fn fee_items(&self, scope: &Scope, project_id: Option<Id>) -> Result<Vec<FeeItem>>;
    async fn fee_item(&self, scope: &Scope, id: Id) -> Result<FeeItem>;
    /// A taken code is `fee_item_code_taken`.
    async fn create_fee_item(&self, granted: &Granted, new: NewFeeItem, audit: AuditEvent) -> Result<FeeItem>;
    async fn standards(&self, scope: &Scope, fee_item_id: Id) -> Result<Vec<Standard>>;
    /// Ends the open standard of the same use and level the day before the new one starts.
    async fn add_standard(
        &self,
        granted: &Granted,
        fee_item_id: Id,
        new: NewStandard,
        audit: AuditEvent,
    ) -> Result<Standard>;
    async fn assignments(&self, scope: &Scope, fee_item_id: Id) -> Result<Vec<Assignment>>;
    /// The building or house must be the project's (422 otherwise).
    async fn add_assignment(
        &self,
        granted: &Granted,
        fee_item_id: Id,
        new: NewAssignment,
        audit: AuditEvent,
    ) -> Result<Assignment>;
    async fn allocation_order(&self, project_id: Id) -> Result<AllocationOrder>;
    async fn set_allocation_order(&self, granted: &Granted, order: AllocationOrder, audit: AuditEvent) -> Result<()>;

    /// Everything a run of `month` reads, for the items given (all when empty).
    async fn run_inputs(&self, project_id: Id, month: Period, fee_item_ids: &[Id]) -> Result<RunInputs>;
    async fn create_run(
        &self,
        granted: &Granted,
        month: Period,
        fee_item_ids: &[Id],
        summary: &RunSummary,
        audit: AuditEvent,
    ) -> Result<Run>;
    async fn run(&self, scope: &Scope, id: Id) -> Result<Run>;
    /// The run regardless of grants (the job that writes it).
    async fn run_by_id(&self, id: Id) -> Result<Run>;
    async fn runs(&self, scope: &Scope, project_id: Option<Id>, page: PageRequest) -> Result<Page<Run>>;
    /// Preview → running, and enqueues `RUN_JOB`; a run already running or completed is
    /// `run_not_preview`.
    async fn confirm_run(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<Run>;
    /// Inserts the bills not yet present (by key) with their charge entries, in one transaction.
    /// Answers how many were new.
    async fn write_bills(&self, run_id: Id, bills: &[crate::NewBill], seal: &Seal) -> Result<u64>;
    /// A one-off bill with its charge entry and audit row; a key already written answers that bill.
    async fn write_one_off(
        &self,
        granted: &Granted,
        bill: crate::NewBill,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Bill>;
    /// Records the totals of what the run wrote and marks it completed.
    async fn complete_run(&self, id: Id, summary: &RunSummary) -> Result<Run>;
    /// Houses of the project with a positive prepaid balance.
    async fn houses_with_balance(&self, project_id: Id) -> Result<Vec<Id>>;

    async fn bills(
        &self,
        scope: &Scope,
        filter: &BillFilter,
        today: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<Bill>>;
    async fn bill(&self, scope: &Scope, id: Id, as_of: NaiveDate) -> Result<BillDetail>;
    async fn account(&self, scope: &Scope, house_id: Id, as_of: NaiveDate) -> Result<HouseAccount>;
    /// Records the payment (once per idempotency key), posts late fees accrued up to the day it
    /// was received, and allocates the house's balance to its open bills in `order`.
    // One transaction's inputs; a struct for them would only be unpacked again.
    #[allow(clippy::too_many_arguments)]
    async fn pay(
        &self,
        granted: &Granted,
        house_id: Id,
        payment: NewPayment,
        idempotency_key: Option<String>,
        order: AllocationOrder,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Receipt>;
    /// The house's use (`residential`, `shop`, …), which picks a standard.
    async fn house_usage(&self, house_id: Id) -> Result<String>;
    /// Returns money from the house's balance; more than it holds is `exceeds_balance` (422).
    async fn refund(
        &self,
        granted: &Granted,
        house_id: Id,
        refund: NewRefund,
        today: NaiveDate,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<HouseAccount>;
    /// Applies a house's prepaid balance to its open bills (after a run), as of `today`.
    async fn apply_balance(
        &self,
        project_id: Id,
        house_id: Id,
        order: AllocationOrder,
        today: NaiveDate,
        seal: &Seal,
    ) -> Result<()>;
    async fn request_adjustment(
        &self,
        granted: &Granted,
        bill_id: Id,
        new: NewAdjustment,
        audit: AuditEvent,
    ) -> Result<Adjustment>;
    async fn adjustment(&self, scope: &Scope, id: Id) -> Result<Adjustment>;
    async fn adjustments(
        &self,
        scope: &Scope,
        project_id: Option<Id>,
        state: Option<AdjustmentState>,
        page: PageRequest,
    ) -> Result<Page<Adjustment>>;
    /// Approves (writing the ledger entries as of `today`) or rejects a pending adjustment.
    async fn decide_adjustment(
        &self,
        granted: &Granted,
        id: Id,
        approve: bool,
        today: NaiveDate,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Adjustment>;

    async fn arrears(&self, granted: &Granted, as_of: NaiveDate) -> Result<ArrearsReport>;
    async fn collection(&self, granted: &Granted, year: i32) -> Result<Vec<CollectionRow>>;
    async fn income(&self, granted: &Granted, from: NaiveDate, to: NaiveDate) -> Result<Vec<IncomeRow>>;

    /// Verifies every seal and every cached balance against the entries.
    async fn check_ledger(&self, seal: &Seal) -> Result<LedgerCheck>;
}

/// The job that writes a confirmed run's bills; its payload is `{"run_id": …}`.
pub const RUN_JOB: &str = "billing.run";

/// The most one payment, refund or adjustment may move: 1 亿元. Larger figures are typing
/// mistakes, and keeping them out keeps every sum far from overflowing.
const MAX_AMOUNT: Fen = Fen(10_000_000_000);

/// The day a question is asked about (today by default), within the years billing deals with.
fn business_day(as_of: Option<NaiveDate>) -> Result<NaiveDate> {
    let day = as_of.unwrap_or_else(today);
    let ok = (2000..=2100).contains(&chrono::Datelike::year(&day));
    if ok { Ok(day) } else { Err(Error::invalid("as_of", "out_of_range")) }
}

const FEE_READ: Permission = Permission::BillingFeeRead;
const FEE_MANAGE: Permission = Permission::BillingFeeManage;
const RUN: Permission = Permission::BillingRunManage;
const BILL_READ: Permission = Permission::BillingBillRead;
const COLLECT: Permission = Permission::BillingPaymentCollect;
const REQUEST: Permission = Permission::BillingAdjustmentRequest;
const APPROVE: Permission = Permission::BillingAdjustmentApprove;
const REPORT: Permission = Permission::BillingReportRead;

#[derive(Clone)]
pub struct BillingService {
    repo: Arc<dyn BillingRepo>,
    seal: Seal,
}

impl BillingService {
    pub fn new(repo: Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { repo, seal }
    }

    pub fn seal(&self) -> &Seal {
        &self.seal
    }

    pub async fn fee_items(&self, authz: &Authz, project_id: Option<Id>) -> Result<Vec<FeeItem>> {
        self.repo.fee_items(&authz.scope(FEE_READ)?, project_id).await
    }

    pub async fn create_fee_item(&self, authz: &Authz, new: NewFeeItem) -> Result<FeeItem> {
        let granted = authz.require(FEE_MANAGE, new.project_id)?;
        let new = new.validated()?;
        let audit =
            AuditEvent::new(granted.actor(), "billing.fee_item.created", "fee_item").project(Some(new.project_id));
        self.repo.create_fee_item(&granted, new, audit).await
    }

    pub async fn standards(&self, authz: &Authz, fee_item_id: Id) -> Result<Vec<Standard>> {
        self.repo.standards(&authz.scope(FEE_READ)?, fee_item_id).await
    }

    pub async fn add_standard(&self, authz: &Authz, fee_item_id: Id, new: NewStandard) -> Result<Standard> {
        let item = self.repo.fee_item(&authz.scope(FEE_READ)?, fee_item_id).await?;
        let granted = authz.require(FEE_MANAGE, item.project_id)?;
        let new = new.validated()?;
        let audit = AuditEvent::new(granted.actor(), "billing.fee_standard.created", "fee_standard")
            .project(Some(item.project_id));
        self.repo.add_standard(&granted, fee_item_id, new, audit).await
    }

    pub async fn assignments(&self, authz: &Authz, fee_item_id: Id) -> Result<Vec<Assignment>> {
        self.repo.assignments(&authz.scope(FEE_READ)?, fee_item_id).await
    }

    pub async fn add_assignment(&self, authz: &Authz, fee_item_id: Id, new: NewAssignment) -> Result<Assignment> {
        let item = self.repo.fee_item(&authz.scope(FEE_READ)?, fee_item_id).await?;
        let granted = authz.require(FEE_MANAGE, item.project_id)?;
        let new = new.validated()?;
        let audit = AuditEvent::new(granted.actor(), "billing.fee_assignment.created", "fee_assignment")
            .project(Some(item.project_id));
        self.repo.add_assignment(&granted, fee_item_id, new, audit).await
    }

    pub async fn allocation_order(&self, authz: &Authz, project_id: Id) -> Result<AllocationOrder> {
        authz.require(FEE_READ, project_id)?;
        self.repo.allocation_order(project_id).await
    }

    pub async fn set_allocation_order(&self, authz: &Authz, project_id: Id, order: AllocationOrder) -> Result<()> {
        let granted = authz.require(FEE_MANAGE, project_id)?;
        let audit = AuditEvent::new(granted.actor(), "billing.settings.updated", "billing_settings")
            .project(Some(project_id))
            .after(&order);
        self.repo.set_allocation_order(&granted, order, audit).await
    }

    /// Computes a run and stores it as a preview: nothing is billed until it is confirmed.
    pub async fn preview_run(&self, authz: &Authz, project_id: Id, period: &str, fee_item_ids: &[Id]) -> Result<Run> {
        let granted = authz.require(RUN, project_id)?;
        let month = Period::parse_month(period).ok_or_else(|| Error::invalid("period", "invalid_month"))?;
        let inputs = self.repo.run_inputs(project_id, month, fee_item_ids).await?;
        let summary = RunSummary::of(&run::compute(project_id, month, &inputs));
        let audit = AuditEvent::new(granted.actor(), "billing.run.previewed", "billing_run").project(Some(project_id));
        self.repo.create_run(&granted, month, fee_item_ids, &summary, audit).await
    }

    pub async fn runs(&self, authz: &Authz, project_id: Option<Id>, page: PageRequest) -> Result<Page<Run>> {
        self.repo.runs(&authz.scope(RUN)?, project_id, page).await
    }

    pub async fn run(&self, authz: &Authz, id: Id) -> Result<Run> {
        self.repo.run(&authz.scope(RUN)?, id).await
    }

    /// The run, for the job that writes it (no caller to check).
    pub async fn run_for_job(&self, id: Id) -> Result<Run> {
        self.repo.run_by_id(id).await
    }

    /// Marks the run to be written; the caller starts `execute_run` (a job, or the CLI).
    pub async fn confirm_run(&self, authz: &Authz, id: Id) -> Result<Run> {
        let run = self.run(authz, id).await?;
        let granted = authz.require(RUN, run.project_id)?;
        let audit = AuditEvent::new(granted.actor(), "billing.run.confirmed", "billing_run")
            .project(Some(run.project_id))
            .entity_id(id);
        self.repo.confirm_run(&granted, id, audit).await
    }

    /// Writes a confirmed run's bills in chunks, each chunk one transaction. Safe to repeat and
    /// to resume after a crash: a bill already written (same key) is skipped. Then applies
    /// prepaid balances. Answers the run and how many bills this call wrote.
    pub async fn execute_run(&self, id: Id, chunk: usize) -> Result<(Run, u64)> {
        let run = self.repo.run_by_id(id).await?;
        match run.state {
            crate::RunState::Completed => return Ok((run, 0)),
            crate::RunState::Preview => return Err(Error::Conflict(linli_core::Code::RunNotPreview)),
            crate::RunState::Running => {}
        }
        let month = Period::parse_month(&run.period).ok_or_else(|| Error::internal("run period"))?;
        let inputs = self.repo.run_inputs(run.project_id, month, &run.fee_item_ids).await?;
        let computed = run::compute(run.project_id, month, &inputs);
        let mut written = 0;
        for bills in computed.bills.chunks(chunk.max(1)) {
            written += self.repo.write_bills(id, bills, &self.seal).await?;
        }
        let order = self.repo.allocation_order(run.project_id).await?;
        let today = today();
        for house in self.repo.houses_with_balance(run.project_id).await? {
            self.repo.apply_balance(run.project_id, house, order, today, &self.seal).await?;
        }
        let run = self.repo.complete_run(id, &RunSummary::of(&computed)).await?;
        Ok((run, written))
    }

    pub async fn bills(&self, authz: &Authz, filter: &BillFilter, page: PageRequest) -> Result<Page<Bill>> {
        self.repo.bills(&authz.scope(BILL_READ)?, filter, today(), page).await
    }

    pub async fn bill(&self, authz: &Authz, id: Id, as_of: Option<NaiveDate>) -> Result<BillDetail> {
        self.repo.bill(&authz.scope(BILL_READ)?, id, business_day(as_of)?).await
    }

    pub async fn account(&self, authz: &Authz, house_id: Id, as_of: Option<NaiveDate>) -> Result<HouseAccount> {
        self.repo.account(&authz.scope(BILL_READ)?, house_id, business_day(as_of)?).await
    }

    /// A house's printable statement (对账单) as of a day.
    pub async fn statement(&self, authz: &Authz, house_id: Id, as_of: Option<NaiveDate>) -> Result<String> {
        let scope = authz.scope(BILL_READ)?;
        let as_of = business_day(as_of)?;
        let account = self.repo.account(&scope, house_id, as_of).await?;
        let mut details = Vec::with_capacity(account.open_bills.len());
        for b in &account.open_bills {
            details.push(self.repo.bill(&scope, b.bill.id, as_of).await?);
        }
        Ok(crate::statement::statement_html(&account, &details))
    }

    /// The bill notices (缴费通知单) of a building for a month, one page per house.
    pub async fn notices(&self, authz: &Authz, building_id: Id, period: &str) -> Result<String> {
        let scope = authz.scope(BILL_READ)?;
        let filter =
            BillFilter { building_id: Some(building_id), period: Some(period.to_owned()), ..BillFilter::default() };
        let mut houses: Vec<(String, Vec<crate::BillDetail>)> = Vec::new();
        let mut page = 1;
        loop {
            let bills = self.repo.bills(&scope, &filter, today(), PageRequest { page, page_size: 500 }).await?;
            if bills.items.is_empty() {
                break;
            }
            for b in bills.items {
                let detail = self.repo.bill(&scope, b.id, today()).await?;
                match houses.iter_mut().find(|(label, _)| *label == b.house_label) {
                    Some((_, list)) => list.push(detail),
                    None => houses.push((b.house_label.clone(), vec![detail])),
                }
            }
            page += 1;
        }
        if houses.is_empty() {
            return Err(Error::not_found("bills", format!("{building_id}/{period}")));
        }
        Ok(crate::statement::notices_html(&format!("账期 {period}"), &houses))
    }

    pub async fn pay(
        &self,
        authz: &Authz,
        house_id: Id,
        payment: NewPayment,
        idempotency_key: Option<String>,
    ) -> Result<Receipt> {
        let account = self.repo.account(&authz.scope(COLLECT)?, house_id, today()).await?;
        let granted = authz.require(COLLECT, account.project_id)?;
        if payment.amount_fen.0 <= 0 {
            return Err(Error::invalid("amount_fen", "must_be_positive"));
        }
        if payment.amount_fen > MAX_AMOUNT {
            return Err(Error::invalid("amount_fen", "too_large"));
        }
        if payment.received_on > today() {
            return Err(Error::invalid("received_on", "in_the_future"));
        }
        if let Some(key) = &idempotency_key
            && (key.is_empty() || key.len() > 100)
        {
            return Err(Error::invalid("Idempotency-Key", "invalid"));
        }
        let order = self.repo.allocation_order(account.project_id).await?;
        let audit =
            AuditEvent::new(granted.actor(), "billing.payment.received", "payment").project(Some(account.project_id));
        self.repo.pay(&granted, house_id, payment, idempotency_key, order, &self.seal, audit).await
    }

    /// A one-off fee (装修押金, 门禁卡…) charged to a house now, priced by the item's standard in
    /// force today times `quantity`. The same idempotency key charges once.
    pub async fn charge_one_off(
        &self,
        authz: &Authz,
        house_id: Id,
        new: crate::account::NewCharge,
        idempotency_key: Option<String>,
    ) -> Result<Bill> {
        let scope = authz.scope(BILL_READ)?;
        let account = self.repo.account(&scope, house_id, today()).await?;
        let granted = authz.require(COLLECT, account.project_id)?;
        let item = self.repo.fee_item(&scope, new.fee_item_id).await?;
        if item.project_id != account.project_id || item.kind != crate::FeeKind::OneOff {
            return Err(Error::invalid("fee_item_id", "not_one_off"));
        }
        let quantity = new.quantity.unwrap_or(1);
        if quantity == 0 || quantity > 1000 {
            return Err(Error::invalid("quantity", "out_of_range"));
        }
        let day = today();
        let standards = self.repo.standards(&scope, item.id).await?;
        let usage = self.repo.house_usage(house_id).await?;
        let price = crate::standard_for(&standards, day, &usage, None)
            .ok_or_else(|| Error::invalid("fee_item_id", "no_standard"))?
            .price;
        let q = rust_decimal::Decimal::from(quantity);
        let amount = Fen::from_yuan(q * price).ok_or_else(|| Error::invalid("quantity", "out_of_range"))?;
        let line = crate::Line {
            kind: crate::LineKind::Base,
            from: day,
            to: day,
            quantity: q,
            price,
            months: rust_decimal::Decimal::ONE,
            rate: None,
            amount,
            formula: format!("{q} × {} = {amount}", price.normalize()),
        };
        let key = idempotency_key.unwrap_or_else(|| format!("{}", Utc::now().timestamp_micros()));
        let bill = crate::NewBill {
            project_id: account.project_id,
            building_id: 0,
            house_id,
            fee_item_id: item.id,
            bill_key: format!("one-off/{}/{house_id}/{key}", item.id),
            period_start: day,
            period_end: day,
            due_on: new.due_on.unwrap_or(day),
            amount,
            lines: vec![line],
            late_fee: item.late_fee,
            note: new.note,
        };
        let audit = AuditEvent::new(granted.actor(), "billing.bill.charged", "bill").project(Some(account.project_id));
        self.repo.write_one_off(&granted, bill, &self.seal, audit).await
    }

    /// Money leaves: only someone who may approve adjustments may refund.
    pub async fn refund(&self, authz: &Authz, house_id: Id, refund: NewRefund) -> Result<HouseAccount> {
        let account = self.repo.account(&authz.scope(BILL_READ)?, house_id, today()).await?;
        let granted = authz.require(APPROVE, account.project_id)?;
        if refund.amount_fen.0 <= 0 {
            return Err(Error::invalid("amount_fen", "must_be_positive"));
        }
        if refund.amount_fen > MAX_AMOUNT {
            return Err(Error::invalid("amount_fen", "too_large"));
        }
        if refund.reason.trim().is_empty() {
            return Err(Error::invalid("reason", "required"));
        }
        let audit = AuditEvent::new(granted.actor(), "billing.refund.paid", "house")
            .project(Some(account.project_id))
            .entity_id(house_id);
        self.repo.refund(&granted, house_id, refund, today(), &self.seal, audit).await
    }

    pub async fn request_adjustment(&self, authz: &Authz, bill_id: Id, new: NewAdjustment) -> Result<Adjustment> {
        let bill = self.repo.bill(&authz.scope(BILL_READ)?, bill_id, today()).await?;
        let granted = authz.require(REQUEST, bill.bill.project_id)?;
        let reason = new.reason.trim().to_owned();
        if reason.is_empty() {
            return Err(Error::invalid("reason", "required"));
        }
        if new.amount_fen.0.checked_abs().is_none_or(|a| a > MAX_AMOUNT.0) {
            return Err(Error::invalid("amount_fen", "too_large"));
        }
        let positive = new.amount_fen.0 > 0;
        if new.kind != AdjustmentKind::Adjust && !positive || new.amount_fen.0 == 0 {
            return Err(Error::invalid("amount_fen", "must_be_positive"));
        }
        let audit = AuditEvent::new(granted.actor(), "billing.adjustment.requested", "adjustment")
            .project(Some(bill.bill.project_id));
        self.repo.request_adjustment(&granted, bill_id, NewAdjustment { reason, ..new }, audit).await
    }

    pub async fn adjustments(
        &self,
        authz: &Authz,
        project_id: Option<Id>,
        state: Option<AdjustmentState>,
        page: PageRequest,
    ) -> Result<Page<Adjustment>> {
        self.repo.adjustments(&authz.scope(BILL_READ)?, project_id, state, page).await
    }

    /// The approver must be someone other than the requester.
    pub async fn decide_adjustment(&self, authz: &Authz, id: Id, approve: bool) -> Result<Adjustment> {
        let adj = self.repo.adjustment(&authz.scope(BILL_READ)?, id).await?;
        let granted = authz.require(APPROVE, adj.project_id)?;
        if granted.actor().user_id == Some(adj.requested_by) {
            return Err(Error::Forbidden(linli_core::Code::SameRequesterAndApprover));
        }
        let action = if approve { "billing.adjustment.approved" } else { "billing.adjustment.rejected" };
        let audit = AuditEvent::new(granted.actor(), action, "adjustment")
            .project(Some(adj.project_id))
            .entity_id(id)
            .before(&adj);
        self.repo.decide_adjustment(&granted, id, approve, today(), &self.seal, audit).await
    }

    pub async fn arrears(&self, authz: &Authz, project_id: Id, as_of: Option<NaiveDate>) -> Result<ArrearsReport> {
        let granted = authz.require(REPORT, project_id)?;
        self.repo.arrears(&granted, business_day(as_of)?).await
    }

    pub async fn collection(&self, authz: &Authz, project_id: Id, year: i32) -> Result<Vec<CollectionRow>> {
        let granted = authz.require(REPORT, project_id)?;
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid("year", "out_of_range"));
        }
        self.repo.collection(&granted, year).await
    }

    pub async fn income(
        &self,
        authz: &Authz,
        project_id: Id,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<IncomeRow>> {
        let granted = authz.require(REPORT, project_id)?;
        if to < from {
            return Err(Error::invalid("to", "before_start"));
        }
        self.repo.income(&granted, from, to).await
    }

    pub async fn check_ledger(&self) -> Result<LedgerCheck> {
        self.repo.check_ledger(&self.seal).await
    }
}
