//! Reports (arrears, collection, income) and the ledger check.

use std::sync::Arc;

use chrono::NaiveDate;
use linli_core::{Authz, Error, Id, Result};

use crate::ledger::Seal;
use crate::report::{ArrearsReport, CollectionRow, IncomeRow};

use crate::ledger_check::LedgerCheck;
use crate::service::{BillingRepo, REPORT, ReportRepo, business_day};

#[derive(Clone)]
pub struct ReportService {
    reports: Arc<dyn ReportRepo>,
    seal: Seal,
}

impl ReportService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { reports: repo.clone(), seal }
    }

    pub async fn arrears(&self, authz: &Authz, project_id: Id, as_of: Option<NaiveDate>) -> Result<ArrearsReport> {
        let granted = authz.require(REPORT, project_id)?;
        self.reports.arrears(&granted, business_day(as_of)?).await
    }
    pub async fn collection(&self, authz: &Authz, project_id: Id, year: i32) -> Result<Vec<CollectionRow>> {
        let granted = authz.require(REPORT, project_id)?;
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid("year", "out_of_range"));
        }
        self.reports.collection(&granted, year).await
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
        self.reports.income(&granted, from, to).await
    }
    pub async fn check_ledger(&self) -> Result<LedgerCheck> {
        self.reports.check_ledger(&self.seal).await
    }
}
