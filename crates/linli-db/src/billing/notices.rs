//! The facts the bill messages need: the current owners of the billed houses, with how to reach
//! them, and the houses' labels. Who is told and how often is `linli_billing::reminder`.

use std::collections::HashMap;

use chrono::NaiveDate;
use linli_billing::reminder::{self, BillMessage, Owner, Recipients, Subject, Unpaid};
use linli_core::{Fen, Id, Result};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{bill, ownership, person, project};
use crate::error::OrInternal;
use crate::property::house_labels;

async fn owners(c: &impl ConnectionTrait, house_ids: &[Id]) -> Result<HashMap<Id, Vec<Owner>>> {
    let mut out: HashMap<Id, Vec<Owner>> = HashMap::new();
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
                let owner = Owner { person_id: p.id, name: p.name.clone(), phone: p.phone.clone(), user_id: p.user_id };
                out.entry(o.house_id).or_default().push(owner);
            }
        }
    }
    Ok(out)
}

async fn recipients(c: &impl ConnectionTrait, houses: &[Id]) -> Result<Recipients> {
    let companies =
        project::Entity::find().all(c).await.or_internal()?.into_iter().map(|p| (p.id, p.company_id)).collect();
    Ok(Recipients { owners: owners(c, houses).await?, labels: house_labels(c, houses).await?, companies })
}

/// The owners of each house billed by the run, one notice per bill and owner.
pub async fn run_messages(db: &crate::Db, run_id: Id) -> Result<Vec<BillMessage>> {
    let c = &db.conn;
    let bills = bill::Entity::find()
        .filter(bill::Column::RunId.eq(run_id))
        .order_by_asc(bill::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    let houses: Vec<Id> = bills.iter().map(|b| b.house_id).collect();
    let to = recipients(c, &houses).await?;
    let subjects = bills
        .into_iter()
        .map(|b| Subject {
            project_id: b.project_id,
            house_id: b.house_id,
            bill_id: Some(b.id),
            period_start: Some(b.period_start),
            due_on: Some(b.due_on),
            amount: Fen(b.amount_fen),
        })
        .collect();
    Ok(reminder::messages(subjects, &to))
}

/// The current owners of a house that paid `amount`, one `payment_received` each.
pub async fn payment_messages(db: &crate::Db, project_id: Id, house_id: Id, amount: Fen) -> Result<Vec<BillMessage>> {
    let to = recipients(&db.conn, &[house_id]).await?;
    let subject = Subject { project_id, house_id, bill_id: None, period_start: None, due_on: None, amount };
    Ok(reminder::messages(vec![subject], &to))
}

/// Houses with principal overdue on `today`, with the overdue total, one notice per owner. The
/// database sums each house's overdue bills: one row per house, not every overdue bill (2 M at
/// 100,000 houses), is what is read.
pub async fn overdue_messages(db: &crate::Db, today: NaiveDate) -> Result<Vec<BillMessage>> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Expr, ExprTrait};

    let c = &db.conn;
    let sums: Vec<(Id, Id, Option<NaiveDate>, Option<i64>)> = bill::Entity::find()
        .select_only()
        .columns([bill::Column::ProjectId, bill::Column::HouseId])
        .column_as(bill::Column::DueOn.min(), "due_on")
        .column_as(Expr::col(bill::Column::PrincipalDueFen).sum().cast_as("bigint"), "principal_due_fen")
        .filter(super::reports::owing())
        .filter(bill::Column::DueOn.lt(today))
        .group_by(bill::Column::ProjectId)
        .group_by(bill::Column::HouseId)
        .into_tuple()
        .all(c)
        .await
        .or_internal()?;
    let unpaid = sums.into_iter().filter_map(|(project_id, house_id, due_on, sum)| {
        Some(Unpaid { project_id, house_id, due_on: due_on?, principal_due: Fen(sum?) })
    });
    let subjects = reminder::overdue_totals(unpaid, today);
    let houses: Vec<Id> = subjects.iter().map(|s| s.house_id).collect();
    let to = recipients(c, &houses).await?;
    Ok(reminder::messages(subjects, &to))
}
