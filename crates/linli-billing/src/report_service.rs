//! Reports (arrears, collection, income) and the ledger check.

use std::sync::Arc;

use chrono::NaiveDate;
use linli_core::memo::Memo;
use linli_core::{Authz, Error, Id, Result};

use crate::ledger::Seal;
use crate::report::{ArrearsReport, CollectionRow, IncomeRow};

use crate::ledger_check::LedgerCheck;
use crate::service::{BillingRepo, REPORT, ReportRepo, business_day};

#[derive(Clone)]
pub struct ReportService {
    reports: Arc<dyn ReportRepo>,
    seal: Seal,
    /// Reports kept with the project's ledger mark (a report over 100,000 houses sums about
    /// 350,000 owing bills). The mark moves under a row lock, so no age limit is needed.
    arrears: Arc<Memo<(Id, NaiveDate), ArrearsReport>>,
    collection: Arc<Memo<(Id, i32), Vec<CollectionRow>>>,
}

impl ReportService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { reports: repo.clone(), seal, arrears: Arc::new(Memo::new(None)), collection: Arc::new(Memo::new(None)) }
    }

    pub async fn arrears(&self, authz: &Authz, project_id: Id, as_of: Option<NaiveDate>) -> Result<ArrearsReport> {
        let granted = authz.require(REPORT, project_id)?;
        let as_of = business_day(as_of)?;
        let mark = self.reports.ledger_mark(project_id).await?;
        let (mut report, kept) =
            self.arrears.get_or_compute((project_id, as_of), mark, self.reports.arrears(&granted, as_of)).await?;
        if kept {
            let names = self.reports.report_names(project_id).await?;
            for r in &mut report.rows {
                r.building_name = names.buildings.get(&r.building_id).cloned().unwrap_or_default();
            }
            report.rows.sort_by_key(|r| crate::report::natural(&r.building_name));
        }
        Ok(report)
    }
    pub async fn collection(&self, authz: &Authz, project_id: Id, year: i32) -> Result<Vec<CollectionRow>> {
        let granted = authz.require(REPORT, project_id)?;
        if !(2000..=2100).contains(&year) {
            return Err(Error::invalid("year", "out_of_range"));
        }
        let mark = self.reports.ledger_mark(project_id).await?;
        let (mut rows, kept) =
            self.collection.get_or_compute((project_id, year), mark, self.reports.collection(&granted, year)).await?;
        if kept {
            let names = self.reports.report_names(project_id).await?;
            for r in &mut rows {
                r.fee_item_name = names.fee_items.get(&r.fee_item_id).cloned().unwrap_or_default();
            }
        }
        Ok(rows)
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
