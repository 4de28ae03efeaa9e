//! Writing ledger entries: each entry is sealed, and the caches it moves (a bill's unpaid
//! principal and late fee, a house's prepaid balance) change in the same transaction.

use chrono::Utc;
use linli_billing::{EntryKind, NewEntry, PostedEntry, Seal};
use linli_core::{Fen, Id, Result};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, NotSet, QueryFilter};

use crate::entity::{bill, house_balance, ledger_entry};
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

/// Records every entry of a plan, in its order. The house must be locked (`lock_house`).
pub(crate) async fn post_all(c: &impl ConnectionTrait, entries: Vec<NewEntry>, seal: &Seal) -> Result<()> {
    for e in entries {
        post(c, e, seal).await?;
    }
    Ok(())
}

/// Records the entry and moves the caches it touches. The house must be locked (`lock_house`).
pub(crate) async fn post(c: &impl ConnectionTrait, p: NewEntry, seal: &Seal) -> Result<()> {
    ledger_entry::Entity::insert(entry_model(&p, new_key(), seal)).exec(c).await.or_internal()?;
    if let Some(bill_id) = p.bill_id
        && (p.principal.0 != 0 || p.late_fee.0 != 0)
    {
        let b = bill::Entity::find_by_id(bill_id)
            .one(c)
            .await
            .or_internal()?
            .ok_or_else(|| linli_core::Error::not_found("bill", bill_id))?;
        let principal = b.principal_due_fen + p.principal.0;
        let late_fee = b.late_fee_due_fen + p.late_fee.0;
        // Settled on the day of the entry that cleared it; a bill already settled keeps its day
        // (a waiver and the return of what it covered move nothing that is owed).
        let settled = (principal <= 0 && late_fee <= 0).then(|| b.settled_on.unwrap_or(p.effective_on));
        bill::Entity::update_many()
            .col_expr(bill::Column::PrincipalDueFen, Expr::value(principal))
            .col_expr(bill::Column::LateFeeDueFen, Expr::value(late_fee))
            .col_expr(bill::Column::SettledOn, Expr::value(settled))
            .filter(bill::Column::Id.eq(bill_id))
            .exec(c)
            .await
            .or_internal()?;
    }
    if p.balance.0 != 0 {
        ensure_balance_row(c, p.project_id, p.house_id, p.earmark).await?;
        house_balance::Entity::update_many()
            .col_expr(house_balance::Column::AmountFen, Expr::col(house_balance::Column::AmountFen).add(p.balance.0))
            .filter(house_balance::Column::HouseId.eq(p.house_id))
            .filter(house_balance::Column::FeeItemId.eq(p.earmark))
            .exec(c)
            .await
            .or_internal()?;
    }
    Ok(())
}

async fn ensure_balance_row(c: &impl ConnectionTrait, project_id: Id, house_id: Id, earmark: Id) -> Result<()> {
    let am = house_balance::ActiveModel {
        id: NotSet,
        project_id: Set(project_id),
        house_id: Set(house_id),
        fee_item_id: Set(earmark),
        amount_fen: Set(0),
    };
    house_balance::Entity::insert(am)
        .on_conflict_do_nothing_on([house_balance::Column::HouseId, house_balance::Column::FeeItemId])
        .exec(c)
        .await
        .or_internal()?;
    Ok(())
}

/// Serializes money movements of one house: the first write of the transaction takes the
/// house's general balance row (a row lock on PostgreSQL, the write lock on SQLite), so two
/// payments for the same house never read the same balance.
pub(crate) async fn lock_house(c: &impl ConnectionTrait, project_id: Id, house_id: Id) -> Result<()> {
    ensure_balance_row(c, project_id, house_id, 0).await?;
    house_balance::Entity::update_many()
        .col_expr(house_balance::Column::AmountFen, Expr::col(house_balance::Column::AmountFen))
        .filter(house_balance::Column::HouseId.eq(house_id))
        .filter(house_balance::Column::FeeItemId.eq(0))
        .exec(c)
        .await
        .or_internal()?;
    Ok(())
}

/// The house's balances by earmark (0 = general).
pub(crate) async fn balances(c: &impl ConnectionTrait, house_id: Id) -> Result<Vec<(Id, Fen)>> {
    Ok(house_balance::Entity::find()
        .filter(house_balance::Column::HouseId.eq(house_id))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|b| (b.fee_item_id, Fen(b.amount_fen)))
        .collect())
}
