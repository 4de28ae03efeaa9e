//! Reading bills: lists, a bill with its entries and late fee, a house's account.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use linli_billing::{
    Balance, Bill, BillDetail, BillFilter, BillState, Entry, EntryKind, HouseAccount, LateFee, LateFeeRule, Line,
    OpenBill, Period, PostedEntry,
};
use linli_core::{Error, Fen, Id, Page, PageRequest, Result, Scope};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{bill, bill_count, fee_item, house, ledger_entry};
use crate::error::OrInternal;
use crate::property::house_labels;
use crate::scope::project_condition;

pub(crate) fn rule(b: &bill::Model) -> LateFeeRule {
    LateFeeRule {
        daily_rate: Decimal::from_str(&b.late_fee_rate).unwrap_or_default(),
        grace_days: b.late_fee_grace_days.max(0) as u32,
        cap_rate: b.late_fee_cap_rate.as_deref().and_then(|c| Decimal::from_str(c).ok()),
    }
}

pub(crate) fn entry_view(e: ledger_entry::Model) -> Entry {
    Entry {
        id: e.id,
        project_id: e.project_id,
        house_id: e.house_id,
        bill_id: e.bill_id,
        fee_item_id: e.fee_item_id,
        kind: EntryKind::parse(&e.kind).unwrap_or(EntryKind::Charge),
        principal_fen: Fen(e.principal_fen),
        late_fee_fen: Fen(e.late_fee_fen),
        balance_fen: Fen(e.balance_fen),
        effective_on: e.effective_on,
        payment_id: e.payment_id,
        adjustment_id: e.adjustment_id,
        channel: e.channel,
        created_at: e.created_at,
    }
}

/// The late fee of a bill up to `as_of` from its entries, and how much of it is posted already.
pub(crate) fn accrued(b: &bill::Model, entries: &[PostedEntry], as_of: NaiveDate) -> (LateFee, Fen) {
    linli_billing::accrued(&rule(b), Fen(b.amount_fen), b.due_on, entries, as_of)
}

/// Each bill's stored entries, oldest first.
async fn entry_rows_of(c: &impl ConnectionTrait, bill_ids: &[Id]) -> Result<HashMap<Id, Vec<ledger_entry::Model>>> {
    let mut out: HashMap<Id, Vec<ledger_entry::Model>> = HashMap::new();
    for ids in bill_ids.chunks(500) {
        let rows = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::BillId.is_in(ids.iter().copied()))
            .order_by_asc(ledger_entry::Column::Id)
            .all(c)
            .await
            .or_internal()?;
        for r in rows {
            out.entry(r.bill_id.unwrap_or_default()).or_default().push(r);
        }
    }
    Ok(out)
}

/// Each bill's entries as the rules read them, oldest first.
pub(crate) async fn entries_of(c: &impl ConnectionTrait, bill_ids: &[Id]) -> Result<HashMap<Id, Vec<PostedEntry>>> {
    Ok(entry_rows_of(c, bill_ids)
        .await?
        .into_iter()
        .map(|(bill, rows)| (bill, rows.iter().map(super::ledger::posted).collect()))
        .collect())
}

pub(crate) async fn views(c: &impl ConnectionTrait, rows: Vec<bill::Model>, today: NaiveDate) -> Result<Vec<Bill>> {
    let house_ids: Vec<Id> = rows.iter().map(|b| b.house_id).collect();
    let labels = house_labels(c, &house_ids).await?;
    let mut item_ids: Vec<Id> = rows.iter().map(|b| b.fee_item_id).collect();
    item_ids.sort_unstable();
    item_ids.dedup();
    let names: HashMap<Id, String> = fee_item::Entity::find()
        .filter(fee_item::Column::Id.is_in(item_ids))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|b| Bill {
            id: b.id,
            project_id: b.project_id,
            building_id: b.building_id,
            house_id: b.house_id,
            house_label: labels.get(&b.house_id).cloned().unwrap_or_default(),
            fee_item_id: b.fee_item_id,
            fee_item_name: names.get(&b.fee_item_id).cloned().unwrap_or_default(),
            run_id: b.run_id,
            period_start: b.period_start,
            period_end: b.period_end,
            due_on: b.due_on,
            amount_fen: Fen(b.amount_fen),
            principal_due_fen: Fen(b.principal_due_fen),
            late_fee_due_fen: Fen(b.late_fee_due_fen),
            state: Bill::state_on(Fen(b.principal_due_fen), Fen(b.late_fee_due_fen), b.due_on, today),
            settled_on: b.settled_on,
            issued_at: b.issued_at,
        })
        .collect())
}

pub(crate) async fn list(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &BillFilter,
    today: NaiveDate,
    page: PageRequest,
) -> Result<Page<Bill>> {
    let mut sel = bill::Entity::find();
    sel = match f.project_id {
        // One project asked for: its scope is checked once, so the list's condition is a plain
        // equality and SQLite reads the page in `ix_bills_list_order`'s order (beside the
        // scope's `IN (subquery)` it sorted every bill of the project for each page).
        Some(p) => {
            if !crate::scope::in_scope(c, scope, p).await? {
                return Ok(Page::new(Vec::new(), 0, page));
            }
            sel.filter(bill::Column::ProjectId.eq(p))
        }
        None => sel.filter(project_condition(scope, bill::Column::ProjectId, false)),
    };
    if let Some(b) = f.building_id {
        sel = sel.filter(bill::Column::BuildingId.eq(b));
    }
    if let Some(h) = f.house_id {
        sel = sel.filter(bill::Column::HouseId.eq(h));
    }
    if let Some(i) = f.fee_item_id {
        sel = sel.filter(bill::Column::FeeItemId.eq(i));
    }
    if let Some(r) = f.run_id {
        sel = sel.filter(bill::Column::RunId.eq(r));
    }
    if let Some(p) = &f.period {
        let m = Period::parse_month(p).ok_or_else(|| Error::invalid("period", "invalid_month"))?;
        sel = sel.filter(bill::Column::PeriodStart.between(m.start, m.end));
    }
    let unpaid = Condition::any().add(bill::Column::PrincipalDueFen.gt(0)).add(bill::Column::LateFeeDueFen.gt(0));
    sel = match f.state {
        None => sel,
        Some(BillState::Paid) => sel.filter(unpaid.not()),
        Some(BillState::Overdue) => sel.filter(unpaid).filter(bill::Column::DueOn.lt(today)),
        Some(BillState::Open) => sel.filter(unpaid).filter(bill::Column::DueOn.gte(today)),
    };
    let sel =
        sel.order_by_desc(bill::Column::PeriodStart).order_by_asc(bill::Column::HouseId).order_by_asc(bill::Column::Id);
    let mut page = match kept_count(c, f).await? {
        Some(total) => crate::page::fetch_counted(sel, c, page, total).await?,
        None => crate::page::fetch(sel, c, page).await?,
    };
    let items = views(c, std::mem::take(&mut page.items), today).await?;
    Ok(page.with_items(items))
}

/// A project's bills, all or of one month, as `bill_counts` keeps them; `None` for any other
/// filter (those are counted). The project's scope was checked by the list.
async fn kept_count(c: &impl ConnectionTrait, f: &BillFilter) -> Result<Option<u64>> {
    use sea_orm::sea_query::ExprTrait as _;
    let BillFilter {
        project_id: Some(project),
        building_id: None,
        house_id: None,
        fee_item_id: None,
        run_id: None,
        period,
        state: None,
    } = f
    else {
        return Ok(None);
    };
    let mut sel = bill_count::Entity::find().filter(bill_count::Column::ProjectId.eq(*project));
    if let Some(p) = period {
        let m = Period::parse_month(p).ok_or_else(|| Error::invalid("period", "invalid_month"))?;
        sel = sel.filter(bill_count::Column::PeriodStart.between(m.start, m.end));
    }
    let n: Option<i64> = sel
        .select_only()
        .column_as(Expr::col(bill_count::Column::Bills).sum().cast_as("bigint"), "n")
        .into_tuple::<Option<i64>>()
        .one(c)
        .await
        .or_internal()?
        .flatten();
    Ok(Some(u64::try_from(n.unwrap_or(0)).unwrap_or(0)))
}

pub(crate) async fn scoped_bill(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<bill::Model> {
    bill::Entity::find_by_id(id)
        .filter(project_condition(scope, bill::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("bill", id))
}

pub(crate) async fn detail(c: &impl ConnectionTrait, scope: &Scope, id: Id, as_of: NaiveDate) -> Result<BillDetail> {
    let b = scoped_bill(c, scope, id).await?;
    let rows = entry_rows_of(c, &[id]).await?.remove(&id).unwrap_or_default();
    let (late_fee, _) = accrued(&b, &rows.iter().map(super::ledger::posted).collect::<Vec<_>>(), as_of);
    let lines: Vec<Line> = serde_json::from_value(b.lines.clone()).or_internal()?;
    let rule = rule(&b);
    let bill = views(c, vec![b], as_of).await?.remove(0);
    Ok(BillDetail {
        bill,
        lines,
        late_fee_rule: rule,
        entries: rows.into_iter().map(entry_view).collect(),
        late_fee,
        as_of,
    })
}

/// A house's open bills and balances as of a day.
pub(crate) async fn house_project(c: &impl ConnectionTrait, scope: &Scope, house_id: Id) -> Result<Id> {
    house::Entity::find_by_id(house_id)
        .select_only()
        .column(house::Column::ProjectId)
        .filter(project_condition(scope, house::Column::ProjectId, false))
        .into_tuple::<Id>()
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("house", house_id))
}

pub(crate) async fn account(
    c: &impl ConnectionTrait,
    scope: &Scope,
    house_id: Id,
    as_of: NaiveDate,
) -> Result<HouseAccount> {
    let h = house::Entity::find_by_id(house_id)
        .filter(project_condition(scope, house::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("house", house_id))?;
    let open = open_bills(c, house_id).await?;
    let ids: Vec<Id> = open.iter().map(|b| b.id).collect();
    let mut entries = entries_of(c, &ids).await?;
    let mut accrued_fees = HashMap::new();
    for b in &open {
        let (fee, posted) = accrued(b, entries.remove(&b.id).as_deref().unwrap_or_default(), as_of);
        accrued_fees.insert(b.id, Fen(b.late_fee_due_fen + (fee.amount.0 - posted.0).max(0)));
    }
    let bills = views(c, open, as_of).await?;
    let open_bills: Vec<OpenBill> = bills
        .into_iter()
        .map(|bill| OpenBill { late_fee_accrued_fen: accrued_fees.get(&bill.id).copied().unwrap_or_default(), bill })
        .collect();
    let total = open_bills.iter().map(|b| b.bill.principal_due_fen.0 + b.late_fee_accrued_fen.0).sum();
    let balances: Vec<Balance> = crate::billing::ledger::balances(c, house_id)
        .await?
        .into_iter()
        .map(|(item, amount)| Balance { fee_item_id: (item != 0).then_some(item), amount_fen: amount })
        .collect();
    let label = house_labels(c, &[house_id]).await?.remove(&house_id).unwrap_or_default();
    Ok(HouseAccount {
        house_id,
        project_id: h.project_id,
        house_label: label,
        as_of,
        balance_fen: Fen(balances.iter().map(|b| b.amount_fen.0).sum()),
        balances,
        open_bills,
        total_due_fen: Fen(total),
        pending_adjustments: super::adjust::pending_of_house(c, house_id).await?,
    })
}

/// Bills of the house with principal or posted late fee unpaid, or a late fee that may accrue.
pub(crate) async fn open_bills(c: &impl ConnectionTrait, house_id: Id) -> Result<Vec<bill::Model>> {
    Ok(open_bills_of(c, &[house_id]).await?.remove(&house_id).unwrap_or_default())
}

/// `open_bills` of many houses, each house's oldest due first.
pub(crate) async fn open_bills_of(c: &impl ConnectionTrait, house_ids: &[Id]) -> Result<HashMap<Id, Vec<bill::Model>>> {
    let mut out: HashMap<Id, Vec<bill::Model>> = HashMap::new();
    for ids in house_ids.chunks(500) {
        let rows = bill::Entity::find()
            .filter(bill::Column::HouseId.is_in(ids.iter().copied()))
            .filter(Condition::any().add(bill::Column::PrincipalDueFen.gt(0)).add(bill::Column::LateFeeDueFen.gt(0)))
            .order_by_asc(bill::Column::DueOn)
            .order_by_asc(bill::Column::Id)
            .all(c)
            .await
            .or_internal()?;
        for b in rows {
            out.entry(b.house_id).or_default().push(b);
        }
    }
    Ok(out)
}
