//! Documents for people: a house's statement (对账单) and a building's bill notices (缴费通知单).

use std::sync::Arc;

use chrono::NaiveDate;
use linli_core::time::today;
use linli_core::{Authz, Error, Id, PageRequest, Result};

use crate::bill::BillFilter;

use crate::service::{AccountRepo, BILL_READ, BillingRepo, business_day};

#[derive(Clone)]
pub struct DocumentService {
    accounts: Arc<dyn AccountRepo>,
}

impl DocumentService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>) -> Self {
        Self { accounts: repo.clone() }
    }

    /// A house's printable statement (对账单) as of a day.
    pub async fn statement(&self, authz: &Authz, house_id: Id, as_of: Option<NaiveDate>) -> Result<String> {
        let scope = authz.scope(BILL_READ)?;
        let as_of = business_day(as_of)?;
        let account = self.accounts.account(&scope, house_id, as_of).await?;
        let mut details = Vec::with_capacity(account.open_bills.len());
        for b in &account.open_bills {
            details.push(self.accounts.bill(&scope, b.bill.id, as_of).await?);
        }
        crate::statement::statement_html(&account, &details)
    }
    /// The bill notices (缴费通知单) of a building for a month, one page per house.
    pub async fn notices(&self, authz: &Authz, building_id: Id, period: &str) -> Result<String> {
        let scope = authz.scope(BILL_READ)?;
        let filter =
            BillFilter { building_id: Some(building_id), period: Some(period.to_owned()), ..BillFilter::default() };
        let mut houses: Vec<(String, Vec<crate::BillDetail>)> = Vec::new();
        let mut page = 1;
        loop {
            let bills = self
                .accounts
                .bills(&scope, &filter, today(), PageRequest { page, page_size: linli_core::page::MAX_PAGE_SIZE })
                .await?;
            if bills.items.is_empty() {
                break;
            }
            for b in bills.items {
                let detail = self.accounts.bill(&scope, b.id, today()).await?;
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
        crate::statement::notices_html(period, &houses)
    }
}
