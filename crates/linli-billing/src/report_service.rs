//! Reports (arrears, collection, income) and the ledger check.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;

use chrono::NaiveDate;
use linli_core::{Authz, Error, Id, Result};

use crate::ledger::Seal;
use crate::report::{ArrearsReport, CollectionRow, IncomeRow};

use crate::ledger_check::LedgerCheck;
use crate::service::{BillingRepo, REPORT, ReportRepo, business_day};

/// Reports computed from the ledger, kept with the project's ledger mark they were computed
/// after: served again while the mark has not moved (a report over 100,000 houses sums about
/// 350,000 owing bills; staff open it all day between payments). Bounded: full, it starts over.
struct Cached<K, V> {
    entries: Mutex<HashMap<K, (i64, V)>>,
    /// Held while a report is computed: fifty staff opening it at once after a payment compute
    /// it once, not fifty times over side by side (at 100,000 houses they starved each other
    /// past any timeout).
    computing: Mutex<()>,
}

const CACHED_REPORTS: usize = 256;

impl<K: std::hash::Hash + Eq, V: Clone> Cached<K, V> {
    fn new() -> Self {
        Self { entries: Mutex::new(HashMap::new()), computing: Mutex::new(()) }
    }

    /// The report kept for `mark` (`true`: names may be stale), or the one `compute` makes now.
    async fn get_or_compute<F>(&self, key: K, mark: i64, compute: F) -> Result<(V, bool)>
    where
        F: std::future::Future<Output = Result<V>>,
    {
        if let Some(v) = self.get(&key, mark).await {
            return Ok((v, true));
        }
        let _one = self.computing.lock().await;
        if let Some(v) = self.get(&key, mark).await {
            return Ok((v, true));
        }
        let v = compute.await?;
        self.put(key, mark, v.clone()).await;
        Ok((v, false))
    }

    async fn get(&self, key: &K, mark: i64) -> Option<V> {
        let entries = self.entries.lock().await;
        entries.get(key).filter(|(m, _)| *m == mark).map(|(_, v)| v.clone())
    }

    async fn put(&self, key: K, mark: i64, value: V) {
        let mut entries = self.entries.lock().await;
        if entries.len() >= CACHED_REPORTS {
            entries.clear();
        }
        entries.insert(key, (mark, value));
    }
}

#[derive(Clone)]
pub struct ReportService {
    reports: Arc<dyn ReportRepo>,
    seal: Seal,
    arrears: Arc<Cached<(Id, NaiveDate), ArrearsReport>>,
    collection: Arc<Cached<(Id, i32), Vec<CollectionRow>>>,
}

impl ReportService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { reports: repo.clone(), seal, arrears: Arc::new(Cached::new()), collection: Arc::new(Cached::new()) }
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_report_asked_for_by_many_at_once_is_computed_once_and_again_after_the_mark_moves() {
        let cache: Cached<Id, i64> = Cached::new();
        let computed = AtomicUsize::new(0);
        let compute = |value: i64| {
            let computed = &computed;
            async move {
                computed.fetch_add(1, Ordering::SeqCst);
                // Others ask meanwhile.
                tokio::task::yield_now().await;
                Ok(value)
            }
        };
        let (a, b, c, d) = tokio::join!(
            cache.get_or_compute(1, 7, compute(100)),
            cache.get_or_compute(1, 7, compute(100)),
            cache.get_or_compute(1, 7, compute(100)),
            cache.get_or_compute(1, 7, compute(100)),
        );
        let kept = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        assert_eq!(kept.iter().filter(|(_, kept)| !kept).count(), 1);
        assert!(kept.iter().all(|(v, _)| *v == 100));
        // A posting moved the mark: computed anew.
        assert_eq!(cache.get_or_compute(1, 8, compute(250)).await.unwrap(), (250, false));
        assert_eq!(computed.load(Ordering::SeqCst), 2);
    }
}
