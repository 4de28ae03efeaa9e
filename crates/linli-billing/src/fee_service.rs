//! Fee items, their standards (prices over time) and assignments, and the allocation order.

use std::sync::Arc;

use linli_core::{AuditEvent, Authz, Id, Result};

use crate::allocation::AllocationOrder;
use crate::fee::{FeeItem, Standard};
use crate::run::Assignment;
use crate::settings::{NewAssignment, NewFeeItem, NewStandard};

use crate::service::{BillingRepo, FEE_MANAGE, FEE_READ, FeeRepo};

#[derive(Clone)]
pub struct FeeService {
    fees: Arc<dyn FeeRepo>,
}

impl FeeService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>) -> Self {
        Self { fees: repo.clone() }
    }

    pub async fn fee_items(&self, authz: &Authz, project_id: Option<Id>) -> Result<Vec<FeeItem>> {
        self.fees.fee_items(&authz.scope(FEE_READ)?, project_id).await
    }
    pub async fn create_fee_item(&self, authz: &Authz, new: NewFeeItem) -> Result<FeeItem> {
        let granted = authz.require(FEE_MANAGE, new.project_id)?;
        let new = new.validated()?;
        let audit =
            AuditEvent::new(granted.actor(), "billing.fee_item.created", "fee_item").project(Some(new.project_id));
        self.fees.create_fee_item(&granted, new, audit).await
    }
    pub async fn standards(&self, authz: &Authz, fee_item_id: Id) -> Result<Vec<Standard>> {
        self.fees.standards(&authz.scope(FEE_READ)?, fee_item_id).await
    }
    pub async fn add_standard(&self, authz: &Authz, fee_item_id: Id, new: NewStandard) -> Result<Standard> {
        let item = self.fees.fee_item(&authz.scope(FEE_READ)?, fee_item_id).await?;
        let granted = authz.require(FEE_MANAGE, item.project_id)?;
        let new = new.validated()?;
        let audit = AuditEvent::new(granted.actor(), "billing.fee_standard.created", "fee_standard")
            .project(Some(item.project_id));
        self.fees.add_standard(&granted, fee_item_id, new, audit).await
    }
    pub async fn assignments(&self, authz: &Authz, fee_item_id: Id) -> Result<Vec<Assignment>> {
        self.fees.assignments(&authz.scope(FEE_READ)?, fee_item_id).await
    }
    pub async fn add_assignment(&self, authz: &Authz, fee_item_id: Id, new: NewAssignment) -> Result<Assignment> {
        let item = self.fees.fee_item(&authz.scope(FEE_READ)?, fee_item_id).await?;
        let granted = authz.require(FEE_MANAGE, item.project_id)?;
        let new = new.validated()?;
        let audit = AuditEvent::new(granted.actor(), "billing.fee_assignment.created", "fee_assignment")
            .project(Some(item.project_id));
        self.fees.add_assignment(&granted, fee_item_id, new, audit).await
    }
    pub async fn allocation_order(&self, authz: &Authz, project_id: Id) -> Result<AllocationOrder> {
        authz.require(FEE_READ, project_id)?;
        self.fees.allocation_order(project_id).await
    }
    pub async fn set_allocation_order(&self, authz: &Authz, project_id: Id, order: AllocationOrder) -> Result<()> {
        let granted = authz.require(FEE_MANAGE, project_id)?;
        let audit = AuditEvent::new(granted.actor(), "billing.settings.updated", "billing_settings")
            .project(Some(project_id))
            .after(&order);
        self.fees.set_allocation_order(&granted, order, audit).await
    }
}
