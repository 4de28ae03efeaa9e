//! Reports over bills and the ledger: arrears by building and age, collection rate per month
//! and fee item, income by fee item and channel.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use linli_billing::report::rate;
use linli_billing::{AgeBands, ArrearsReport, ArrearsRow, CollectionRow, EntryKind, IncomeRow};
use linli_core::{Fen, Granted, Id, Result};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{bill, fee_item, ledger_entry};
use crate::error::OrInternal;
use crate::property::building_ref;

/// Owing bills only: the literal the partial index `ix_bills_owing` is defined with (a bound
/// value would not let the planners use it).
pub(crate) fn owing() -> SimpleExpr {
    Expr::cust("principal_due_fen > 0")
}

/// Summed in the database over the partial index of owing bills: one row per building and due
/// date for the amounts (the age bands depend only on the due date), one per building for the
/// houses. Nothing per bill crosses to the server.
pub(crate) async fn arrears(c: &impl ConnectionTrait, granted: &Granted, as_of: NaiveDate) -> Result<ArrearsReport> {
    let overdue = Condition::all()
        .add(bill::Column::ProjectId.eq(granted.project_id()))
        .add(owing())
        .add(bill::Column::DueOn.lt(as_of));
    let sums: Vec<(Id, NaiveDate, Option<i64>)> = bill::Entity::find()
        .select_only()
        .columns([bill::Column::BuildingId, bill::Column::DueOn])
        .column_as(Expr::col(bill::Column::PrincipalDueFen).sum().cast_as("bigint"), "amount")
        .filter(overdue.clone())
        .group_by(bill::Column::BuildingId)
        .group_by(bill::Column::DueOn)
        .into_tuple()
        .all(c)
        .await
        .or_internal()?;
    let counts: Vec<(Id, i64)> = bill::Entity::find()
        .select_only()
        .column(bill::Column::BuildingId)
        .column_as(Expr::cust("COUNT(DISTINCT house_id)").cast_as("bigint"), "houses")
        .filter(overdue)
        .group_by(bill::Column::BuildingId)
        .into_tuple()
        .all(c)
        .await
        .or_internal()?;
    let mut by_building: BTreeMap<Id, AgeBands> = BTreeMap::new();
    let mut total = AgeBands::default();
    for (building, due, amount) in sums {
        let amount = Fen(amount.unwrap_or_default());
        by_building.entry(building).or_default().add(due, as_of, amount);
        total.add(due, as_of, amount);
    }
    let houses: HashMap<Id, i64> = counts.into_iter().collect();
    let names = building_ref::names(c, by_building.keys().copied()).await?;
    let mut rows: Vec<ArrearsRow> = by_building
        .into_iter()
        .map(|(id, bands)| ArrearsRow {
            building_id: id,
            building_name: names.get(&id).cloned().unwrap_or_default(),
            houses: houses.get(&id).copied().unwrap_or_default(),
            bands,
        })
        .collect();
    rows.sort_by_key(|r| linli_billing::report::natural(&r.building_name));
    // A house belongs to one building: the project's count is the sum of the buildings'.
    let houses = rows.iter().map(|r| r.houses).sum();
    Ok(ArrearsReport { project_id: granted.project_id(), as_of, rows, houses, total })
}

/// The project's building and fee item names, for a report served again.
pub(crate) async fn names(c: &impl ConnectionTrait, project_id: Id) -> Result<linli_billing::ReportNames> {
    use crate::entity::building;
    let buildings: Vec<(Id, String)> = building::Entity::find()
        .select_only()
        .columns([building::Column::Id, building::Column::Name])
        .filter(building::Column::ProjectId.eq(project_id))
        .into_tuple()
        .all(c)
        .await
        .or_internal()?;
    Ok(linli_billing::ReportNames {
        buildings: buildings.into_iter().collect(),
        fee_items: item_names(c, project_id).await?,
    })
}

async fn item_names(c: &impl ConnectionTrait, project_id: Id) -> Result<HashMap<Id, String>> {
    Ok(fee_item::Entity::find()
        .filter(fee_item::Column::ProjectId.eq(project_id))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect())
}

/// Summed in the database: the bills of the year by period start and fee item, and the
/// allocations and adjustments posted to those bills, by the same keys and the entry's kind.
/// Before, every bill of the year (2 M at 100,000 houses) came to the server and its entries
/// were asked for a thousand bills at a time.
pub(crate) async fn collection(c: &impl ConnectionTrait, granted: &Granted, year: i32) -> Result<Vec<CollectionRow>> {
    use sea_orm::sea_query::{Alias, JoinType, Query};
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let billed: Vec<(NaiveDate, Id, Option<i64>)> = bill::Entity::find()
        .select_only()
        .columns([bill::Column::PeriodStart, bill::Column::FeeItemId])
        .column_as(Expr::col(bill::Column::AmountFen).sum().cast_as("bigint"), "amount")
        .filter(bill::Column::ProjectId.eq(granted.project_id()))
        .filter(bill::Column::PeriodStart.between(from, to))
        .group_by(bill::Column::PeriodStart)
        .group_by(bill::Column::FeeItemId)
        .into_tuple()
        .all(c)
        .await
        .or_internal()?;
    let (b, e) = (Alias::new("b"), Alias::new("e"));
    let q = Query::select()
        .column((b.clone(), bill::Column::PeriodStart))
        .column((b.clone(), bill::Column::FeeItemId))
        .column((e.clone(), ledger_entry::Column::Kind))
        .expr(Expr::col((e.clone(), ledger_entry::Column::PrincipalFen)).sum().cast_as("bigint"))
        .from_as(ledger_entry::Entity, e.clone())
        .join_as(
            JoinType::InnerJoin,
            bill::Entity,
            b.clone(),
            Expr::col((b.clone(), bill::Column::Id)).equals((e.clone(), ledger_entry::Column::BillId)),
        )
        // The entry's project is its bill's: said twice so the planner may start from either
        // side (the allocations of the project, or the bills of the year).
        .and_where(Expr::col((e.clone(), ledger_entry::Column::ProjectId)).eq(granted.project_id()))
        .and_where(Expr::col((b.clone(), bill::Column::ProjectId)).eq(granted.project_id()))
        .and_where(Expr::col((b.clone(), bill::Column::PeriodStart)).between(from, to))
        .and_where(
            Expr::col((e.clone(), ledger_entry::Column::Kind))
                // A reversal (冲正) takes back what a voided payment's allocations collected.
                .is_in([EntryKind::Allocation.as_str(), EntryKind::Adjustment.as_str(), EntryKind::Reversal.as_str()]),
        )
        .group_by_col((b.clone(), bill::Column::PeriodStart))
        .group_by_col((b, bill::Column::FeeItemId))
        .group_by_col((e, ledger_entry::Column::Kind))
        .to_owned();
    // Billed = the bills' amounts with their approved adjustments; collected = principal allocated.
    let mut acc: BTreeMap<(String, Id), (i64, i64)> = BTreeMap::new();
    for (start, item, amount) in billed {
        acc.entry((start.format("%Y-%m").to_string(), item)).or_default().0 += amount.unwrap_or(0);
    }
    for row in c.query_all(&q).await.or_internal()? {
        let start: NaiveDate = row.try_get_by_index(0).or_internal()?;
        let item: Id = row.try_get_by_index(1).or_internal()?;
        let kind: String = row.try_get_by_index(2).or_internal()?;
        let principal: Option<i64> = row.try_get_by_index(3).or_internal()?;
        let e = acc.entry((start.format("%Y-%m").to_string(), item)).or_default();
        if kind == EntryKind::Adjustment.as_str() {
            e.0 += principal.unwrap_or(0);
        } else {
            e.1 -= principal.unwrap_or(0);
        }
    }
    let names = item_names(c, granted.project_id()).await?;
    Ok(acc
        .into_iter()
        .map(|((period, item), (billed, collected))| CollectionRow {
            period,
            fee_item_id: item,
            fee_item_name: names.get(&item).cloned().unwrap_or_default(),
            billed_fen: Fen(billed),
            collected_fen: Fen(collected),
            rate: rate(Fen(collected), Fen(billed)),
        })
        .collect())
}

pub(crate) async fn income(
    c: &impl ConnectionTrait,
    granted: &Granted,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<IncomeRow>> {
    let rows: Vec<(Option<Id>, Option<String>, i64, i64)> = ledger_entry::Entity::find()
        .select_only()
        .columns([
            ledger_entry::Column::FeeItemId,
            ledger_entry::Column::Channel,
            ledger_entry::Column::PrincipalFen,
            ledger_entry::Column::LateFeeFen,
        ])
        .filter(ledger_entry::Column::ProjectId.eq(granted.project_id()))
        .filter(ledger_entry::Column::Kind.is_in([EntryKind::Allocation.as_str(), EntryKind::Reversal.as_str()]))
        .filter(ledger_entry::Column::EffectiveOn.between(from, to))
        .into_tuple()
        .all(c)
        .await
        .or_internal()?;
    let mut acc: BTreeMap<(Option<Id>, String), i64> = BTreeMap::new();
    for (item, channel, principal, late_fee) in rows {
        *acc.entry((item, channel.unwrap_or_else(|| "prepaid".into()))).or_default() += -(principal + late_fee);
    }
    let names = item_names(c, granted.project_id()).await?;
    // A voided payment's allocations and their reversals cancel out: nothing to show.
    Ok(acc
        .into_iter()
        .filter(|(_, amount)| *amount != 0)
        .map(|((item, channel), amount)| IncomeRow {
            fee_item_id: item,
            fee_item_name: item.and_then(|i| names.get(&i).cloned()).unwrap_or_default(),
            channel,
            amount_fen: Fen(amount),
        })
        .collect())
}
