//! Adjustments (减免, 调账): requested by one person, decided by another.

use std::sync::Arc;

use linli_core::time::today;
use linli_core::{AuditEvent, Authz, Error, Id, Page, PageRequest, Result};

use crate::account::{Adjustment, AdjustmentKind, AdjustmentState, NewAdjustment};
use crate::ledger::Seal;

use crate::service::{APPROVE, AccountRepo, AdjustmentRepo, BILL_READ, BillingRepo, MAX_AMOUNT, REASON_MAX, REQUEST};

#[derive(Clone)]
pub struct AdjustmentService {
    accounts: Arc<dyn AccountRepo>,
    adjustments: Arc<dyn AdjustmentRepo>,
    seal: Seal,
}

impl AdjustmentService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { accounts: repo.clone(), adjustments: repo.clone(), seal }
    }

    pub async fn request_adjustment(&self, authz: &Authz, bill_id: Id, new: NewAdjustment) -> Result<Adjustment> {
        let bill = self.accounts.bill(&authz.scope(BILL_READ)?, bill_id, today()).await?;
        let granted = authz.require(REQUEST, bill.bill.project_id)?;
        let reason = new.reason.trim().to_owned();
        if reason.is_empty() {
            return Err(Error::invalid("reason", "required"));
        }
        if reason.chars().count() > REASON_MAX {
            return Err(Error::invalid("reason", "too_long"));
        }
        if new.amount_fen.0.checked_abs().is_none_or(|a| a > MAX_AMOUNT.0) {
            return Err(Error::invalid("amount_fen", "too_large"));
        }
        if new.amount_fen.0 == 0 {
            return Err(Error::invalid("amount_fen", "must_not_be_zero"));
        }
        if new.kind != AdjustmentKind::Adjust && new.amount_fen.0 < 0 {
            // Only an adjustment may lower a bill; a waiver or a discount is written positive.
            return Err(Error::invalid("amount_fen", "negative_only_for_adjust"));
        }
        let audit = AuditEvent::new(granted.actor(), "billing.adjustment.requested", "adjustment")
            .project(Some(bill.bill.project_id));
        self.adjustments.request_adjustment(&granted, bill_id, NewAdjustment { reason, ..new }, audit).await
    }
    pub async fn adjustments(
        &self,
        authz: &Authz,
        project_id: Option<Id>,
        state: Option<AdjustmentState>,
        page: PageRequest,
    ) -> Result<Page<Adjustment>> {
        self.adjustments.adjustments(&authz.scope(BILL_READ)?, project_id, state, page).await
    }
    /// The approver must be someone other than the requester.
    pub async fn decide_adjustment(&self, authz: &Authz, id: Id, approve: bool) -> Result<Adjustment> {
        let adj = self.adjustments.adjustment(&authz.scope(BILL_READ)?, id).await?;
        let granted = authz.require(APPROVE, adj.project_id)?;
        if granted.actor().user_id == Some(adj.requested_by) {
            return Err(Error::Forbidden(linli_core::Code::SameRequesterAndApprover));
        }
        let action = if approve { "billing.adjustment.approved" } else { "billing.adjustment.rejected" };
        let audit = AuditEvent::new(granted.actor(), action, "adjustment")
            .project(Some(adj.project_id))
            .entity_id(id)
            .before(&adj);
        self.adjustments.decide_adjustment(&granted, id, approve, today(), &self.seal, audit).await
    }
}
