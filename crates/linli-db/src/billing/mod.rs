//! Billing on both databases. Every command that moves money writes sealed ledger entries and
//! the caches they move in one transaction (see `ledger`).

mod adjust;
mod bills;
mod check;
mod counter;
mod fees;
pub(crate) mod ledger;
mod notices;
mod pay;
mod reports;
mod runs;

pub(crate) use ledger::entry_model;
pub use notices::{overdue_messages, payment_messages, run_messages};
pub(crate) use runs::bill_model;

use async_trait::async_trait;
use chrono::NaiveDate;
use linli_billing::{
    AccountRepo, Adjustment, AdjustmentRepo, AdjustmentState, AllocationOrder, ArrearsReport, Assignment, Bill,
    BillDetail, BillFilter, CollectionRow, FeeItem, FeeRepo, HouseAccount, IncomeRow, LedgerCheck, NewAdjustment,
    NewAssignment, NewBill, NewFeeItem, NewPayment, NewStandard, Period, Receipt, ReportRepo, Run, RunInputs, RunRepo,
    RunSummary, Seal, Standard,
};
use linli_core::{AuditEvent, Fen, Granted, Id, Page, PageRequest, Result, Scope};

use crate::Db;

#[async_trait]
impl FeeRepo for Db {
    async fn fee_items(&self, scope: &Scope, project_id: Option<Id>) -> Result<Vec<FeeItem>> {
        fees::items(&self.conn, scope, project_id).await
    }
    async fn fee_item(&self, scope: &Scope, id: Id) -> Result<FeeItem> {
        fees::item(&self.conn, scope, id).await
    }
    async fn create_fee_item(&self, granted: &Granted, new: NewFeeItem, audit: AuditEvent) -> Result<FeeItem> {
        fees::create_item(self, granted, new, audit).await
    }
    async fn standards(&self, scope: &Scope, fee_item_id: Id) -> Result<Vec<Standard>> {
        fees::standards(&self.conn, scope, fee_item_id).await
    }
    async fn add_standard(
        &self,
        granted: &Granted,
        fee_item_id: Id,
        new: NewStandard,
        audit: AuditEvent,
    ) -> Result<Standard> {
        fees::add_standard(self, granted, fee_item_id, new, audit).await
    }
    async fn assignments(&self, scope: &Scope, fee_item_id: Id) -> Result<Vec<Assignment>> {
        fees::assignments(&self.conn, scope, fee_item_id).await
    }
    async fn add_assignment(
        &self,
        granted: &Granted,
        fee_item_id: Id,
        new: NewAssignment,
        audit: AuditEvent,
    ) -> Result<Assignment> {
        fees::add_assignment(self, granted, fee_item_id, new, audit).await
    }
    async fn allocation_order(&self, project_id: Id) -> Result<AllocationOrder> {
        fees::allocation_order(&self.conn, project_id).await
    }
    async fn set_allocation_order(&self, granted: &Granted, order: AllocationOrder, audit: AuditEvent) -> Result<()> {
        fees::set_allocation_order(self, granted, order, audit).await
    }
    async fn house_usage(&self, house_id: Id) -> Result<String> {
        runs::house_usage(&self.conn, house_id).await
    }
}

#[async_trait]
impl RunRepo for Db {
    /// Metered items take the accepted readings of the month, apportioned (公摊) to houses.
    async fn run_inputs(&self, project_id: Id, month: Period, fee_item_ids: &[Id]) -> Result<RunInputs> {
        let mut inputs = runs::inputs(&self.conn, project_id, month, fee_item_ids).await?;
        let metered: Vec<(Id, linli_meters::MeterKind)> = inputs
            .items
            .iter()
            .filter(|i| i.kind == linli_billing::FeeKind::Metered)
            .filter_map(|i| i.meter_kind.as_deref().and_then(linli_meters::MeterKind::parse).map(|k| (i.id, k)))
            .collect();
        for (item, kind) in metered {
            let usage = linli_meters::MeterRepo::usage(self, project_id, &month.label(), kind).await?;
            inputs.usage.extend(usage.into_iter().map(|(house, used)| ((item, house), used)));
        }
        Ok(inputs)
    }
    async fn create_run(
        &self,
        granted: &Granted,
        month: Period,
        ids: &[Id],
        summary: &RunSummary,
        audit: AuditEvent,
    ) -> Result<Run> {
        runs::create(self, granted, month, ids, summary, audit).await
    }
    async fn run(&self, scope: &Scope, id: Id) -> Result<Run> {
        runs::scoped(&self.conn, scope, id).await
    }
    async fn run_by_id(&self, id: Id) -> Result<Run> {
        runs::by_id(&self.conn, id).await
    }
    async fn runs(&self, scope: &Scope, project_id: Option<Id>, page: PageRequest) -> Result<Page<Run>> {
        runs::list(&self.conn, scope, project_id, page).await
    }
    async fn confirm_run(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<Run> {
        runs::confirm(self, granted, id, audit).await
    }
    async fn write_bills(&self, run_id: Id, bills: &[NewBill], seal: &Seal) -> Result<u64> {
        runs::write_bills(self, run_id, bills, seal).await
    }
    async fn write_one_off(&self, granted: &Granted, bill: NewBill, seal: &Seal, audit: AuditEvent) -> Result<Bill> {
        runs::write_one_off(self, granted, bill, seal, audit).await
    }
    async fn complete_run(&self, id: Id, summary: &RunSummary) -> Result<Run> {
        runs::complete(self, id, summary).await
    }
    async fn houses_with_balance(&self, project_id: Id) -> Result<Vec<Id>> {
        runs::houses_with_balance(&self.conn, project_id).await
    }
    async fn apply_balances(
        &self,
        project_id: Id,
        house_ids: &[Id],
        order: AllocationOrder,
        today: NaiveDate,
        seal: &Seal,
    ) -> Result<()> {
        pay::apply_balances(self, project_id, house_ids, order, today, seal).await
    }
}

#[async_trait]
impl AccountRepo for Db {
    async fn bills(
        &self,
        scope: &Scope,
        filter: &BillFilter,
        today: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<Bill>> {
        bills::list(&self.conn, scope, filter, today, page).await
    }
    async fn bill(&self, scope: &Scope, id: Id, as_of: NaiveDate) -> Result<BillDetail> {
        bills::detail(&self.conn, scope, id, as_of).await
    }
    async fn account(&self, scope: &Scope, house_id: Id, as_of: NaiveDate) -> Result<HouseAccount> {
        bills::account(&self.conn, scope, house_id, as_of).await
    }
    async fn house_project(&self, scope: &Scope, house_id: Id) -> Result<Id> {
        bills::house_project(&self.conn, scope, house_id).await
    }
    async fn pay(
        &self,
        granted: &Granted,
        house_id: Id,
        payment: NewPayment,
        recorded_on: NaiveDate,
        key: Option<String>,
        reference: Option<String>,
        order: AllocationOrder,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Receipt> {
        pay::pay(self, granted, house_id, payment, recorded_on, key, reference, order, seal, audit).await
    }
    async fn pay_many(
        &self,
        granted: &Granted,
        payments: Vec<(Id, NewPayment)>,
        recorded_on: NaiveDate,
        order: AllocationOrder,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Vec<Receipt>> {
        pay::pay_many(self, granted, payments, recorded_on, order, seal, audit).await
    }
    async fn owed(&self, granted: &Granted, house_ids: &[Id], as_of: NaiveDate) -> Result<Vec<(Id, Fen)>> {
        pay::owed(&self.conn, granted.project_id(), house_ids, as_of).await
    }
    async fn refund(
        &self,
        granted: &Granted,
        house_id: Id,
        refund: linli_billing::NewRefund,
        today: NaiveDate,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<HouseAccount> {
        pay::refund(self, granted, house_id, refund, today, seal, audit).await
    }
}

#[async_trait]
impl AdjustmentRepo for Db {
    async fn request_adjustment(
        &self,
        granted: &Granted,
        bill_id: Id,
        new: NewAdjustment,
        audit: AuditEvent,
    ) -> Result<Adjustment> {
        adjust::request(self, granted, bill_id, new, audit).await
    }
    async fn adjustment(&self, scope: &Scope, id: Id) -> Result<Adjustment> {
        adjust::scoped(&self.conn, scope, id).await
    }
    async fn adjustments(
        &self,
        scope: &Scope,
        project_id: Option<Id>,
        state: Option<AdjustmentState>,
        page: PageRequest,
    ) -> Result<Page<Adjustment>> {
        adjust::list(&self.conn, scope, project_id, state, page).await
    }
    async fn decide_adjustment(
        &self,
        granted: &Granted,
        id: Id,
        approve: bool,
        today: NaiveDate,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<Adjustment> {
        adjust::decide(self, granted, id, approve, today, seal, audit).await
    }
}

#[async_trait]
impl ReportRepo for Db {
    async fn arrears(&self, granted: &Granted, as_of: NaiveDate) -> Result<ArrearsReport> {
        reports::arrears(&self.conn, granted, as_of).await
    }
    async fn collection(&self, granted: &Granted, year: i32) -> Result<Vec<CollectionRow>> {
        reports::collection(&self.conn, granted, year).await
    }
    async fn income(&self, granted: &Granted, from: NaiveDate, to: NaiveDate) -> Result<Vec<IncomeRow>> {
        reports::income(&self.conn, granted, from, to).await
    }
    async fn ledger_mark(&self, project_id: Id) -> Result<i64> {
        ledger::mark(&self.conn, project_id).await
    }
    async fn report_names(&self, project_id: Id) -> Result<linli_billing::ReportNames> {
        reports::names(&self.conn, project_id).await
    }
    async fn check_ledger(&self, seal: &Seal) -> Result<LedgerCheck> {
        check::check(&self.conn, seal).await
    }
}

#[async_trait]
impl linli_billing::CounterRepo for Db {
    async fn payments(
        &self,
        scope: &Scope,
        filter: &linli_billing::PaymentFilter,
        page: PageRequest,
    ) -> Result<Page<linli_billing::PaymentRow>> {
        counter::payments(&self.conn, scope, filter, page).await
    }
    async fn payment(&self, scope: &Scope, id: Id) -> Result<linli_billing::PaymentRow> {
        counter::payment(&self.conn, scope, id).await
    }
    async fn print_receipt(&self, scope: &Scope, id: Id, audit: AuditEvent) -> Result<linli_billing::ReceiptFacts> {
        counter::print_receipt(self, scope, id, audit).await
    }
    async fn receipt(&self, scope: &Scope, id: Id) -> Result<linli_billing::ReceiptFacts> {
        counter::receipt(self, scope, id).await
    }
    async fn void(
        &self,
        granted: &Granted,
        id: Id,
        reason: String,
        on: NaiveDate,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<linli_billing::PaymentRow> {
        counter::void(self, granted, id, reason, on, seal, audit).await
    }
    async fn open_till(&self, granted: &Granted, float: Fen, audit: AuditEvent) -> Result<linli_billing::TillSession> {
        counter::open_till(self, granted, float, audit).await
    }
    async fn tills(
        &self,
        scope: &Scope,
        filter: &linli_billing::TillFilter,
        page: PageRequest,
    ) -> Result<Page<linli_billing::TillSession>> {
        counter::tills(&self.conn, scope, filter, page).await
    }
    async fn till(&self, scope: &Scope, id: Id) -> Result<linli_billing::TillReport> {
        counter::till(&self.conn, scope, id).await
    }
    async fn close_till(
        &self,
        granted: &Granted,
        id: Id,
        counted: Fen,
        note: Option<String>,
        audit: AuditEvent,
    ) -> Result<linli_billing::TillReport> {
        counter::close_till(self, granted, id, counted, note, audit).await
    }
}
