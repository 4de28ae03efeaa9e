//! Writing ledger entries: each entry is sealed, and the caches it moves (a bill's unpaid
//! principal and late fee, a house's prepaid balance) change in the same transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use linli_billing::{BillDues, EntryKind, NewEntry, PostedEntry, Seal};
use linli_core::{Fen, Id, Result};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, NotSet, QueryFilter, QueryOrder,
};

use crate::bulk::update_from_values;
use crate::entity::{bill, house_balance, ledger_entry, ledger_mark};
use crate::error::OrInternal;

pub(crate) fn entry_model(p: &NewEntry, key: String, seal: &Seal) -> ledger_entry::ActiveModel {
    let s = seal.sign(&p.sealed(&key));
    ledger_entry::ActiveModel {
        id: NotSet,
        entry_key: Set(key),
        project_id: Set(p.project_id),
        house_id: Set(p.house_id),
        bill_id: Set(p.bill_id),
        fee_item_id: Set(p.fee_item_id),
        kind: Set(p.kind.as_str().to_owned()),
        principal_fen: Set(p.principal.0),
        late_fee_fen: Set(p.late_fee.0),
        balance_fen: Set(p.balance.0),
        earmark: Set(p.earmark),
        effective_on: Set(p.effective_on),
        payment_id: Set(p.payment_id),
        adjustment_id: Set(p.adjustment_id),
        channel: Set(p.channel.clone()),
        created_by: Set(p.created_by),
        created_at: Set(Utc::now()),
        seal: Set(s),
    }
}

/// A stored entry as the rules read a bill's history.
pub(crate) fn posted(e: &ledger_entry::Model) -> PostedEntry {
    PostedEntry {
        id: e.id,
        kind: EntryKind::parse(&e.kind).unwrap_or(EntryKind::Charge),
        principal: Fen(e.principal_fen),
        late_fee: Fen(e.late_fee_fen),
        balance: Fen(e.balance_fen),
        earmark: e.earmark,
        effective_on: e.effective_on,
        payment_id: e.payment_id,
        channel: e.channel.clone(),
    }
}

pub(crate) fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Records every entry of a plan, in its order, with one insert; then moves each bill's cached
/// dues (`BillDues::after`, entry by entry) and each balance once. The house must be locked
/// (`lock_house`).
pub(crate) async fn post_all(c: &impl ConnectionTrait, entries: Vec<NewEntry>, seal: &Seal) -> Result<()> {
    let mut projects: Vec<Id> = entries.iter().map(|e| e.project_id).collect();
    projects.sort_unstable();
    projects.dedup();
    move_marks(c, &projects).await?;
    // Well below SQLite's limit of bound values per statement (18 columns an entry).
    for chunk in entries.chunks(500) {
        let models = chunk.iter().map(|e| entry_model(e, new_key(), seal));
        ledger_entry::Entity::insert_many(models).exec(c).await.or_internal()?;
    }
    let mut bill_ids: Vec<Id> = entries.iter().filter(|e| e.moves_bill()).filter_map(|e| e.bill_id).collect();
    bill_ids.sort_unstable();
    bill_ids.dedup();
    let mut dues: BTreeMap<Id, BillDues> = BTreeMap::new();
    for ids in bill_ids.chunks(500) {
        let rows =
            bill::Entity::find().filter(bill::Column::Id.is_in(ids.iter().copied())).all(c).await.or_internal()?;
        for b in rows {
            let d = BillDues {
                principal: Fen(b.principal_due_fen),
                late_fee: Fen(b.late_fee_due_fen),
                settled_on: b.settled_on,
            };
            dues.insert(b.id, d);
        }
    }
    for e in entries.iter().filter(|e| e.moves_bill()) {
        let id = e.bill_id.unwrap_or_default();
        let d = dues.get_mut(&id).ok_or_else(|| linli_core::Error::not_found("bill", id))?;
        *d = d.after(e);
    }
    let rows =
        dues.into_iter().map(|(id, d)| vec![id.into(), d.principal.0.into(), d.late_fee.0.into(), d.settled_on.into()]);
    update_from_values(
        c,
        "bills",
        "principal_due_fen = v.column2, late_fee_due_fen = v.column3, settled_on = v.column4",
        "bills.id = v.column1",
        rows.collect(),
    )
    .await?;
    let mut moved: BTreeMap<(Id, Id, Id), i64> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.balance.0 != 0) {
        *moved.entry((e.house_id, e.earmark, e.project_id)).or_default() += e.balance.0;
    }
    let rows: Vec<(Id, Id, Id)> = moved.keys().map(|&(h, e, p)| (p, h, e)).collect();
    ensure_balance_rows(c, &rows).await?;
    let rows = moved.into_iter().filter(|(_, a)| *a != 0).map(|((h, e, _), a)| vec![h.into(), e.into(), a.into()]);
    update_from_values(
        c,
        "house_balances",
        "amount_fen = amount_fen + v.column3",
        "house_balances.house_id = v.column1 AND house_balances.fee_item_id = v.column2",
        rows.collect(),
    )
    .await?;
    Ok(())
}

/// Records one entry (`post_all` of one).
pub(crate) async fn post(c: &impl ConnectionTrait, p: NewEntry, seal: &Seal) -> Result<()> {
    post_all(c, vec![p], seal).await
}

/// A balance row for each (project, house, earmark) that has none yet.
async fn ensure_balance_rows(c: &impl ConnectionTrait, rows: &[(Id, Id, Id)]) -> Result<()> {
    for chunk in rows.chunks(500) {
        let models = chunk.iter().map(|&(project_id, house_id, earmark)| house_balance::ActiveModel {
            id: NotSet,
            project_id: Set(project_id),
            house_id: Set(house_id),
            fee_item_id: Set(earmark),
            amount_fen: Set(0),
        });
        house_balance::Entity::insert_many(models)
            .on_conflict_do_nothing_on([house_balance::Column::HouseId, house_balance::Column::FeeItemId])
            .exec(c)
            .await
            .or_internal()?;
    }
    Ok(())
}

/// Serializes money movements of one house: the first write of the transaction takes the
/// house's general balance row (a row lock on PostgreSQL, the write lock on SQLite), so two
/// payments for the same house never read the same balance.
pub(crate) async fn lock_house(c: &impl ConnectionTrait, project_id: Id, house_id: Id) -> Result<()> {
    lock_houses(c, project_id, &[house_id]).await
}

/// `lock_house` for many houses of one project, in id order.
pub(crate) async fn lock_houses(c: &impl ConnectionTrait, project_id: Id, house_ids: &[Id]) -> Result<()> {
    let mut ids = house_ids.to_vec();
    ids.sort_unstable();
    let rows: Vec<(Id, Id, Id)> = ids.iter().map(|&h| (project_id, h, 0)).collect();
    ensure_balance_rows(c, &rows).await?;
    for chunk in ids.chunks(500) {
        house_balance::Entity::update_many()
            .col_expr(house_balance::Column::AmountFen, Expr::col(house_balance::Column::AmountFen))
            .filter(house_balance::Column::HouseId.is_in(chunk.iter().copied()))
            .filter(house_balance::Column::FeeItemId.eq(0))
            .exec(c)
            .await
            .or_internal()?;
    }
    Ok(())
}

/// The house's balances by earmark (0 = general).
pub(crate) async fn balances(c: &impl ConnectionTrait, house_id: Id) -> Result<Vec<(Id, Fen)>> {
    Ok(balances_of(c, &[house_id]).await?.remove(&house_id).unwrap_or_default())
}

/// `balances` of many houses.
pub(crate) async fn balances_of(c: &impl ConnectionTrait, house_ids: &[Id]) -> Result<HashMap<Id, Vec<(Id, Fen)>>> {
    let mut out: HashMap<Id, Vec<(Id, Fen)>> = HashMap::new();
    for ids in house_ids.chunks(500) {
        let rows = house_balance::Entity::find()
            .filter(house_balance::Column::HouseId.is_in(ids.iter().copied()))
            .order_by_asc(house_balance::Column::FeeItemId)
            .all(c)
            .await
            .or_internal()?;
        for b in rows {
            out.entry(b.house_id).or_default().push((b.fee_item_id, Fen(b.amount_fen)));
        }
    }
    Ok(out)
}

/// Moves the ledger mark of each project (`ReportRepo::ledger_mark`), in the transaction that
/// posts its entries: whoever reads the mark afterwards knows the ledger changed.
pub(crate) async fn move_marks(c: &impl ConnectionTrait, projects: &[Id]) -> Result<()> {
    use sea_orm::sea_query::OnConflict;
    if projects.is_empty() {
        return Ok(());
    }
    let rows = projects.iter().map(|&p| ledger_mark::ActiveModel { project_id: Set(p), mark: Set(1) });
    ledger_mark::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(ledger_mark::Column::ProjectId)
                .value(ledger_mark::Column::Mark, Expr::col((ledger_mark::Entity, ledger_mark::Column::Mark)).add(1))
                .to_owned(),
        )
        .exec(c)
        .await
        .or_internal()?;
    Ok(())
}

/// The project's ledger mark; 0 before its first entry.
pub(crate) async fn mark(c: &impl ConnectionTrait, project_id: Id) -> Result<i64> {
    let m = ledger_mark::Entity::find_by_id(project_id).one(c).await.or_internal()?;
    Ok(m.map_or(0, |m| m.mark))
}
