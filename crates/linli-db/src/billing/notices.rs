//! Who is told about bills: the current owners of the billed houses, with how to reach them.

use std::collections::HashMap;

use chrono::NaiveDate;
use linli_core::{Fen, Id, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{bill, ownership, person, project};
use crate::error::OrInternal;
use crate::people_repo::house_labels;

/// One owner to tell about one bill, or about a house's overdue total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillNotice {
    pub company_id: Id,
    pub project_id: Id,
    pub house_id: Id,
    /// The bill, or none for an overdue total.
    pub bill_id: Option<Id>,
    pub person_id: Id,
    pub name: String,
    pub phone: Option<String>,
    pub user_id: Option<Id>,
    pub house_label: String,
    pub period_start: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub amount: Fen,
}

async fn owners(c: &impl ConnectionTrait, house_ids: &[Id]) -> Result<HashMap<Id, Vec<person::Model>>> {
    let mut out: HashMap<Id, Vec<person::Model>> = HashMap::new();
    for ids in house_ids.chunks(500) {
        let owns = ownership::Entity::find()
            .filter(ownership::Column::HouseId.is_in(ids.iter().copied()))
            .filter(ownership::Column::EndedOn.is_null())
            .all(c)
            .await
            .or_internal()?;
        let people: HashMap<Id, person::Model> = person::Entity::find()
            .filter(person::Column::Id.is_in(owns.iter().map(|o| o.person_id)))
            .all(c)
            .await
            .or_internal()?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        for o in owns {
            if let Some(p) = people.get(&o.person_id) {
                out.entry(o.house_id).or_default().push(p.clone());
            }
        }
    }
    Ok(out)
}

async fn companies(c: &impl ConnectionTrait) -> Result<HashMap<Id, Id>> {
    Ok(project::Entity::find().all(c).await.or_internal()?.into_iter().map(|p| (p.id, p.company_id)).collect())
}

/// (project, house, bill, period start, due on, amount) of one thing to tell.
type Row = (Id, Id, Option<Id>, Option<NaiveDate>, Option<NaiveDate>, Fen);

fn notices(
    rows: Vec<Row>,
    owners: &HashMap<Id, Vec<person::Model>>,
    labels: &HashMap<Id, String>,
    companies: &HashMap<Id, Id>,
) -> Vec<BillNotice> {
    let mut out = Vec::new();
    for (project_id, house_id, bill_id, period_start, due_on, amount) in rows {
        for p in owners.get(&house_id).into_iter().flatten() {
            out.push(BillNotice {
                company_id: companies.get(&project_id).copied().unwrap_or_default(),
                project_id,
                house_id,
                bill_id,
                person_id: p.id,
                name: p.name.clone(),
                phone: p.phone.clone(),
                user_id: p.user_id,
                house_label: labels.get(&house_id).cloned().unwrap_or_default(),
                period_start,
                due_on,
                amount,
            });
        }
    }
    out
}

/// The owners of each house billed by the run, one notice per bill and owner.
pub async fn run_notices(db: &crate::Db, run_id: Id) -> Result<Vec<BillNotice>> {
    let c = &db.conn;
    let bills = bill::Entity::find()
        .filter(bill::Column::RunId.eq(run_id))
        .order_by_asc(bill::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    let houses: Vec<Id> = bills.iter().map(|b| b.house_id).collect();
    let owners = owners(c, &houses).await?;
    let labels = house_labels(c, &houses).await?;
    let rows = bills
        .into_iter()
        .map(|b| (b.project_id, b.house_id, Some(b.id), Some(b.period_start), Some(b.due_on), Fen(b.amount_fen)))
        .collect();
    Ok(notices(rows, &owners, &labels, &companies(c).await?))
}

/// Houses with principal overdue on `today`, with the overdue total, one notice per owner.
pub async fn overdue_notices(db: &crate::Db, today: NaiveDate) -> Result<Vec<BillNotice>> {
    let c = &db.conn;
    let bills = bill::Entity::find()
        .filter(bill::Column::PrincipalDueFen.gt(0))
        .filter(bill::Column::DueOn.lt(today))
        .all(c)
        .await
        .or_internal()?;
    let mut totals: HashMap<(Id, Id), i64> = HashMap::new();
    for b in &bills {
        *totals.entry((b.project_id, b.house_id)).or_default() += b.principal_due_fen;
    }
    let houses: Vec<Id> = totals.keys().map(|(_, h)| *h).collect();
    let owners = owners(c, &houses).await?;
    let labels = house_labels(c, &houses).await?;
    let mut rows: Vec<_> = totals.into_iter().map(|((p, h), amount)| (p, h, None, None, None, Fen(amount))).collect();
    rows.sort_by_key(|r| (r.0, r.1));
    Ok(notices(rows, &owners, &labels, &companies(c).await?))
}
