//! The counter (收银台) beyond taking money: the payment log (收费流水), printing receipts,
//! voiding them (作废, with a reason and the approval permission: never the cashier alone), and
//! the cashier's till sessions (交班).

use std::sync::Arc;

use async_trait::async_trait;
use linli_core::time::today;
use linli_core::{AuditEvent, Authz, Code, Error, Granted, Id, Page, PageRequest, Resident, Result, Scope};

use crate::ledger::Seal;
use crate::receipt::{self, NewVoid, PaymentFilter, PaymentRow, ReceiptFacts, ReceiptLayout};
use crate::service::{APPROVE, BILL_READ, BillingRepo, COLLECT};
use crate::till::{self, NewTillSession, TillFilter, TillHandOver, TillReport, TillSession};

/// Receipts, voids and till sessions as stored.
#[async_trait]
pub trait CounterRepo: Send + Sync {
    async fn payments(&self, scope: &Scope, filter: &PaymentFilter, page: PageRequest) -> Result<Page<PaymentRow>>;
    async fn payment(&self, scope: &Scope, id: Id) -> Result<PaymentRow>;
    /// What the receipt prints, this printing counted (the first is the original).
    async fn print_receipt(&self, scope: &Scope, id: Id, audit: AuditEvent) -> Result<ReceiptFacts>;
    /// What the receipt says, nothing counted (`print_no` 0: the electronic receipt).
    async fn receipt(&self, scope: &Scope, id: Id) -> Result<ReceiptFacts>;
    /// Voids the payment of the granted project: its reversal (`receipt::reversal`) posted as of
    /// `on` with the house locked, the void recorded, in one transaction.
    async fn void(
        &self,
        granted: &Granted,
        id: Id,
        reason: String,
        on: chrono::NaiveDate,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<PaymentRow>;
    /// A second open session of the same cashier and project is `till_session_open`.
    async fn open_till(&self, granted: &Granted, float: linli_core::Fen, audit: AuditEvent) -> Result<TillSession>;
    async fn tills(&self, scope: &Scope, filter: &TillFilter, page: PageRequest) -> Result<Page<TillSession>>;
    /// The session with its payments and the cash refunded from its drawer, the report computed
    /// by `till::takings`.
    async fn till(&self, scope: &Scope, id: Id) -> Result<TillReport>;
    /// Closes an open session of the granted project with the cash counted (`till_session_closed`
    /// when it is closed already), the expected cash and the difference written with it.
    async fn close_till(
        &self,
        granted: &Granted,
        id: Id,
        counted: linli_core::Fen,
        note: Option<String>,
        audit: AuditEvent,
    ) -> Result<TillReport>;
}

#[derive(Clone)]
pub struct CounterService {
    repo: Arc<dyn BillingRepo>,
    seal: Seal,
}

impl CounterService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { repo: repo.clone(), seal }
    }

    pub async fn payments(&self, authz: &Authz, filter: &PaymentFilter, page: PageRequest) -> Result<Page<PaymentRow>> {
        if filter.receipt_no.as_deref().is_some_and(|n| n.chars().count() > 40) {
            return Err(Error::invalid("receipt_no", "too_long"));
        }
        self.repo.payments(&authz.scope(BILL_READ)?, filter, page).await
    }
    pub async fn payment(&self, authz: &Authz, id: Id) -> Result<PaymentRow> {
        self.repo.payment(&authz.scope(BILL_READ)?, id).await
    }
    /// The receipt as a printable page; a reprint is marked 副本 and counted.
    pub async fn receipt_html(&self, authz: &Authz, id: Id, layout: ReceiptLayout) -> Result<String> {
        let audit = AuditEvent::new(authz.actor(), "billing.receipt.printed", "payment");
        let facts = self.repo.print_receipt(&authz.scope(BILL_READ)?, id, audit).await?;
        crate::statement::receipt_html(&facts, layout)
    }
    /// The payments of the resident's house, newest first (缴费记录).
    pub async fn resident_payments(&self, resident: &Resident, page: PageRequest) -> Result<Page<PaymentRow>> {
        let filter = PaymentFilter { house_id: Some(resident.house_id()), ..PaymentFilter::default() };
        self.repo.payments(&resident.scope(), &filter, page).await
    }
    /// The electronic receipt (电子收据) of a payment of the resident's house, on the phone; a
    /// payment of another house is 404 like a missing one.
    pub async fn resident_receipt_html(&self, resident: &Resident, id: Id) -> Result<String> {
        let facts = self.repo.receipt(&resident.scope(), id).await?;
        if facts.row.house_id != resident.house_id() {
            return Err(Error::not_found("payment", id));
        }
        crate::statement::receipt_html(&facts, ReceiptLayout::Thermal)
    }
    /// Voids a receipt: the approval permission, never the collecting one alone.
    pub async fn void(&self, authz: &Authz, id: Id, v: NewVoid) -> Result<PaymentRow> {
        let row = self.repo.payment(&authz.scope(BILL_READ)?, id).await?;
        let granted = authz.require(APPROVE, row.project_id)?;
        let reason = receipt::check_reason(&v.reason)?;
        receipt::check_voidable(row.cashier_id, row.voided)?;
        let audit = AuditEvent::new(granted.actor(), "billing.receipt.voided", "payment")
            .project(Some(row.project_id))
            .entity_id(id)
            .before(&row);
        self.repo.void(&granted, id, reason, today(), &self.seal, audit).await
    }

    pub async fn open_till(&self, authz: &Authz, new: NewTillSession) -> Result<TillSession> {
        let granted = authz.require(COLLECT, new.project_id)?;
        if granted.actor().user_id.is_none() {
            return Err(Error::Forbidden(Code::Forbidden));
        }
        till::check_float(new.opening_float_fen)?;
        let audit =
            AuditEvent::new(granted.actor(), "billing.till.opened", "till_session").project(Some(new.project_id));
        self.repo.open_till(&granted, new.opening_float_fen, audit).await
    }
    pub async fn tills(&self, authz: &Authz, filter: &TillFilter, page: PageRequest) -> Result<Page<TillSession>> {
        self.repo.tills(&authz.scope(BILL_READ)?, filter, page).await
    }
    pub async fn till(&self, authz: &Authz, id: Id) -> Result<TillReport> {
        self.repo.till(&authz.scope(BILL_READ)?, id).await
    }
    /// The shift report as a printable page.
    pub async fn till_html(&self, authz: &Authz, id: Id) -> Result<String> {
        let report = self.till(authz, id).await?;
        crate::statement::till_html(&report)
    }
    /// Hand-over: the session's own cashier, or someone who may approve (a manager closing a
    /// drawer left open).
    pub async fn close_till(&self, authz: &Authz, id: Id, h: TillHandOver) -> Result<TillReport> {
        let report = self.repo.till(&authz.scope(BILL_READ)?, id).await?;
        let project_id = report.session.project_id;
        let granted = if authz.actor().user_id == Some(report.session.cashier_id) {
            authz.require(COLLECT, project_id)?
        } else {
            authz.require(APPROVE, project_id)?
        };
        let note = till::check_hand_over(&h)?;
        if report.session.state == till::TillState::Closed {
            return Err(Error::Conflict(Code::TillSessionClosed));
        }
        let audit = AuditEvent::new(granted.actor(), "billing.till.closed", "till_session")
            .project(Some(project_id))
            .entity_id(id);
        self.repo.close_till(&granted, id, h.counted_cash_fen, note, audit).await
    }
}
