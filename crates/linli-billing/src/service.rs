//! The use cases of billing: permission checks, validation, audit events, and the repository of
//! whole commands that stores them. Money-moving commands run in one transaction each.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use linli_core::date::Window;
use linli_core::time::today;
use linli_core::{AuditEvent, Granted, Id, Page, PageRequest, Permission, Result, Scope};

use crate::account::{Adjustment, AdjustmentState, HouseAccount, NewAdjustment, NewPayment, NewRefund, Receipt};
use crate::allocation::AllocationOrder;
use crate::bill::{Bill, BillDetail, BillFilter};
use crate::counter_service::{CounterRepo, CounterService};
use crate::fee::{FeeItem, Standard};
use crate::ledger::Seal;
use crate::ledger_check::LedgerCheck;
use crate::period::Period;
use crate::report::{ArrearsReport, CollectionRow, IncomeRow};
use crate::run::{self, Assignment, Computed, MAX_PROBLEMS, Run, RunInputs};
use crate::settings::{NewAssignment, NewFeeItem, NewStandard};
use crate::{AdjustmentService, DocumentService, FeeService, PaymentService, ReportService, RunService};
use linli_core::Fen;

/// A run's problems and totals, as stored with it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub bills: i64,
    pub total: Fen,
    pub items: Vec<crate::run::RunItem>,
    pub problems: Vec<crate::run::RunWarning>,
}

impl RunSummary {
    pub fn of(computed: &Computed) -> RunSummary {
        let (bills, total, items) = run::summarize(computed);
        let problems = computed.problems.iter().take(MAX_PROBLEMS).cloned().collect();
        RunSummary { bills, total, items, problems }
    }
}

/// Fee items, their standards and assignments, and the project's allocation order.
#[async_trait]
pub trait FeeRepo: Send + Sync {
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
    /// The house's use (`residential`, `shop`, …), which picks a standard.
    async fn house_usage(&self, house_id: Id) -> Result<String>;
}

/// Billing runs: what a run reads, its preview, and the bills it writes.
#[async_trait]
pub trait RunRepo: Send + Sync {
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
    /// Applies each house's prepaid balance to its open bills (after a run), as of `today`, in
    /// one transaction.
    async fn apply_balances(
        &self,
        project_id: Id,
        house_ids: &[Id],
        order: AllocationOrder,
        today: NaiveDate,
        seal: &Seal,
    ) -> Result<()>;
}

/// A house's bills and account, and the money that comes in or goes back.
#[async_trait]
pub trait AccountRepo: Send + Sync {
    async fn bills(
        &self,
        scope: &Scope,
        filter: &BillFilter,
        today: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<Bill>>;
    async fn bill(&self, scope: &Scope, id: Id, as_of: NaiveDate) -> Result<BillDetail>;
    async fn account(&self, scope: &Scope, house_id: Id, as_of: NaiveDate) -> Result<HouseAccount>;
    /// The project of a house in `scope` (404 outside it): what a command needs to ask for its
    /// grant, without computing the account.
    async fn house_project(&self, scope: &Scope, house_id: Id) -> Result<Id>;
    /// Records the payment (once per idempotency key) on `recorded_on`, posts late fees accrued
    /// up to that day, and allocates the house's balance to its open bills in `order`, as of
    /// that day, under the next number of the project's receipt book and in the till session its
    /// cashier has open there. When the money was received earlier, proposes for each bill whose principal it
    /// paid a waiver of the late fee the earlier day would have saved (pending, requested by
    /// whoever recorded the payment).
    // One transaction's inputs; a struct for them would only be unpacked again.
    #[allow(clippy::too_many_arguments)]
    async fn pay(
        &self,
        granted: &Granted,
        house_id: Id,
        payment: NewPayment,
        recorded_on: NaiveDate,
        idempotency_key: Option<String>,
        reference: Option<String>,
        order: AllocationOrder,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Receipt>;
    /// `pay` for many houses of the granted project at once (one payment each, no idempotency
    /// keys), in one transaction: all are recorded or none.
    async fn pay_many(
        &self,
        granted: &Granted,
        payments: Vec<(Id, NewPayment)>,
        recorded_on: NaiveDate,
        order: AllocationOrder,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Vec<Receipt>>;
    /// What each of these houses of the granted project owes as of `as_of` beyond its prepaid
    /// balance (open principal and late fees, accrued ones included); other houses left out.
    async fn owed(&self, granted: &Granted, house_ids: &[Id], as_of: NaiveDate) -> Result<Vec<(Id, Fen)>>;
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
}

/// Adjustments (减免, 调账) and their approval.
#[async_trait]
pub trait AdjustmentRepo: Send + Sync {
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
}

/// The names a report shows beside its figures.
#[derive(Debug, Clone, Default)]
pub struct ReportNames {
    pub buildings: std::collections::HashMap<Id, String>,
    pub fee_items: std::collections::HashMap<Id, String>,
}

/// Reports, and the ledger check.
#[async_trait]
pub trait ReportRepo: Send + Sync {
    async fn arrears(&self, granted: &Granted, as_of: NaiveDate) -> Result<ArrearsReport>;
    async fn collection(&self, granted: &Granted, year: i32) -> Result<Vec<CollectionRow>>;
    async fn income(&self, granted: &Granted, from: NaiveDate, to: NaiveDate) -> Result<Vec<IncomeRow>>;
    /// The project's ledger mark: a number that changes, in the same transaction, with every
    /// entry posted in the project (so with every bill written and every due moved). A report
    /// computed after reading mark M holds at least everything up to M.
    async fn ledger_mark(&self, project_id: Id) -> Result<i64>;
    /// The names of the project's buildings and fee items, by id: read fresh for a report
    /// served from the cache, so a rename shows at once.
    async fn report_names(&self, project_id: Id) -> Result<ReportNames>;
    /// Verifies every seal and every cached balance against the entries.
    async fn check_ledger(&self, seal: &Seal) -> Result<LedgerCheck>;
}

/// Everything the billing services store: `FeeRepo`, `RunRepo`, `AccountRepo`, `AdjustmentRepo`, `ReportRepo`, one trait per
/// business process; whatever implements them all is a `BillingRepo`.
pub trait BillingRepo: FeeRepo + RunRepo + AccountRepo + AdjustmentRepo + ReportRepo + CounterRepo {}
impl<T: FeeRepo + RunRepo + AccountRepo + AdjustmentRepo + ReportRepo + CounterRepo> BillingRepo for T {}

/// The job that writes a confirmed run's bills; its payload is `{"run_id": …}`.
pub const RUN_JOB: &str = "billing.run";

/// The most one payment, refund or adjustment may move: 1 亿元. Larger figures are typing
/// mistakes, and keeping them out keeps every sum far from overflowing.
pub const MAX_AMOUNT: Fen = Fen(10_000_000_000);
/// The longest reason a refund or adjustment records (characters).
pub(crate) const REASON_MAX: usize = 200;

/// `received_on` of a payment recorded on `recorded_on`: not later, and not more than the
/// backdating window earlier.
pub(crate) fn check_received_on(received_on: NaiveDate, recorded_on: NaiveDate) -> Result<()> {
    Window::Backdating.check_field("received_on", received_on, recorded_on).map(|_| ())
}

/// The day a question is asked about (today by default), within the billing window.
pub(crate) fn business_day(as_of: Option<NaiveDate>) -> Result<NaiveDate> {
    let today = today();
    Window::Billing.check_field("as_of", as_of.unwrap_or(today), today)
}

pub(crate) const FEE_READ: Permission = Permission::BillingFeeRead;
pub(crate) const FEE_MANAGE: Permission = Permission::BillingFeeManage;
pub(crate) const RUN: Permission = Permission::BillingRunManage;
pub(crate) const BILL_READ: Permission = Permission::BillingBillRead;
pub(crate) const COLLECT: Permission = Permission::BillingPaymentCollect;
pub(crate) const REQUEST: Permission = Permission::BillingAdjustmentRequest;
pub(crate) const APPROVE: Permission = Permission::BillingAdjustmentApprove;
pub(crate) const REPORT: Permission = Permission::BillingReportRead;

/// Billing's services, one per business process (pretix's shape): each holds the small repo
/// traits it needs and nothing else.
#[derive(Clone)]
pub struct BillingService {
    pub fees: FeeService,
    pub runs: RunService,
    pub payments: PaymentService,
    pub adjustments: AdjustmentService,
    pub reports: ReportService,
    pub documents: DocumentService,
    pub counter: CounterService,
    seal: Seal,
}

impl BillingService {
    pub fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self {
            fees: FeeService::new(repo),
            runs: RunService::new(repo, seal.clone()),
            payments: PaymentService::new(repo, seal.clone()),
            adjustments: AdjustmentService::new(repo, seal.clone()),
            reports: ReportService::new(repo, seal.clone()),
            documents: DocumentService::new(repo),
            counter: CounterService::new(repo, seal.clone()),
            seal,
        }
    }

    pub fn seal(&self) -> &Seal {
        &self.seal
    }

    /// Payments recorded from now on are told to `listener` (`PaymentService::with_listener`).
    #[must_use]
    pub fn with_payment_listener(mut self, listener: Arc<dyn crate::PaymentListener>) -> Self {
        self.payments = self.payments.with_listener(listener);
        self
    }
}

#[cfg(test)]
mod tests {
    use linli_core::Error;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn money_may_be_dated_back_a_year_and_no_further() {
        let recorded = day("2026-12-01");
        assert!(check_received_on(day("2026-12-01"), recorded).is_ok());
        assert!(check_received_on(day("2026-11-24"), recorded).is_ok());
        assert!(check_received_on(day("2025-12-01"), recorded).is_ok());
        let code = |d: &str| match check_received_on(day(d), recorded) {
            Err(Error::Validation(e)) => e[0].code.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(code("2025-11-30"), "too_far_back");
        assert_eq!(code("2000-01-01"), "too_far_back");
        assert_eq!(code("0000-01-01"), "too_far_back");
        assert_eq!(code("2026-12-02"), "in_the_future");
    }
}
