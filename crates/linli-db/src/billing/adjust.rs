//! Adjustments and waivers: requested with a reason, written to the ledger only when another
//! user approves them.

use chrono::{NaiveDate, Utc};
use linli_billing::{Adjustment, AdjustmentKind, AdjustmentState, EntryKind, NewAdjustment, Seal};
use linli_core::{AuditEvent, Code, Error, Fen, Granted, Id, Page, PageRequest, Result, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder};

use super::bills::{accrued, entries_of};
use super::ledger::{Post, lock_house, post};
use crate::entity::{adjustment, bill, ledger_entry};
use crate::error::OrInternal;
use crate::scope::project_condition;
use crate::{Db, audit};

fn view(m: adjustment::Model) -> Adjustment {
    Adjustment {
        id: m.id,
        project_id: m.project_id,
        house_id: m.house_id,
        bill_id: m.bill_id,
        kind: AdjustmentKind::parse(&m.kind).unwrap_or(AdjustmentKind::Adjust),
        amount_fen: Fen(m.amount_fen),
        reason: m.reason,
        state: AdjustmentState::parse(&m.state).unwrap_or(AdjustmentState::Pending),
        requested_by: m.requested_by,
        requested_at: m.requested_at,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        payment_id: m.payment_id,
    }
}

pub(crate) async fn request(
    db: &Db,
    granted: &Granted,
    bill_id: Id,
    n: NewAdjustment,
    audit_event: AuditEvent,
) -> Result<Adjustment> {
    let tx = db.begin().await.or_internal()?;
    let b = bill::Entity::find_by_id(bill_id)
        .filter(bill::Column::ProjectId.eq(granted.project_id()))
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("bill", bill_id))?;
    let am = adjustment::ActiveModel {
        id: NotSet,
        project_id: Set(b.project_id),
        house_id: Set(b.house_id),
        bill_id: Set(bill_id),
        kind: Set(n.kind.as_str().to_owned()),
        amount_fen: Set(n.amount_fen.0),
        reason: Set(n.reason),
        state: Set(AdjustmentState::Pending.as_str().to_owned()),
        requested_by: Set(granted.actor().user_id.unwrap_or(0)),
        requested_at: Set(Utc::now()),
        decided_by: Set(None),
        decided_at: Set(None),
        payment_id: Set(None),
    };
    let id = adjustment::Entity::insert(am).exec(&tx).await.or_internal()?.last_insert_id;
    let v = by_id(&tx, id).await?;
    audit::write(&tx, audit_event.entity_id(id).after(&v)).await?;
    tx.commit().await.or_internal()?;
    Ok(v)
}

/// A waiver of `amount` of a bill's late fee proposed by a backdated payment, pending, requested
/// by whoever recorded the payment, with its audit row; inside the payment's transaction.
pub(crate) async fn propose_for_payment(
    c: &impl ConnectionTrait,
    granted: &Granted,
    b: &bill::Model,
    payment_id: Id,
    amount: Fen,
    reason: String,
) -> Result<Adjustment> {
    let am = adjustment::ActiveModel {
        id: NotSet,
        project_id: Set(b.project_id),
        house_id: Set(b.house_id),
        bill_id: Set(b.id),
        kind: Set(AdjustmentKind::WaiveLateFee.as_str().to_owned()),
        amount_fen: Set(amount.0),
        reason: Set(reason),
        state: Set(AdjustmentState::Pending.as_str().to_owned()),
        requested_by: Set(granted.actor().user_id.unwrap_or(0)),
        requested_at: Set(Utc::now()),
        decided_by: Set(None),
        decided_at: Set(None),
        payment_id: Set(Some(payment_id)),
    };
    let id = adjustment::Entity::insert(am).exec(c).await.or_internal()?.last_insert_id;
    let v = by_id(c, id).await?;
    let event = AuditEvent::new(granted.actor(), "billing.adjustment.requested", "adjustment")
        .project(Some(b.project_id))
        .entity_id(id)
        .after(&v);
    audit::write(c, event).await?;
    Ok(v)
}

/// The waivers a payment proposed, in the order it proposed them.
pub(crate) async fn of_payment(c: &impl ConnectionTrait, payment_id: Id) -> Result<Vec<Adjustment>> {
    Ok(adjustment::Entity::find()
        .filter(adjustment::Column::PaymentId.eq(payment_id))
        .order_by_asc(adjustment::Column::Id)
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(view)
        .collect())
}

/// The house's adjustments still awaiting a decision, newest first.
pub(crate) async fn pending_of_house(c: &impl ConnectionTrait, house_id: Id) -> Result<Vec<Adjustment>> {
    Ok(adjustment::Entity::find()
        .filter(adjustment::Column::HouseId.eq(house_id))
        .filter(adjustment::Column::State.eq(AdjustmentState::Pending.as_str()))
        .order_by_desc(adjustment::Column::Id)
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(view)
        .collect())
}

async fn by_id(c: &impl ConnectionTrait, id: Id) -> Result<Adjustment> {
    adjustment::Entity::find_by_id(id)
        .one(c)
        .await
        .or_internal()?
        .map(view)
        .ok_or_else(|| Error::not_found("adjustment", id))
}

pub(crate) async fn scoped(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<Adjustment> {
    adjustment::Entity::find_by_id(id)
        .filter(project_condition(scope, adjustment::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?
        .map(view)
        .ok_or_else(|| Error::not_found("adjustment", id))
}

pub(crate) async fn list(
    c: &impl ConnectionTrait,
    scope: &Scope,
    project_id: Option<Id>,
    state: Option<AdjustmentState>,
    page: PageRequest,
) -> Result<Page<Adjustment>> {
    let mut sel = adjustment::Entity::find().filter(project_condition(scope, adjustment::Column::ProjectId, false));
    if let Some(p) = project_id {
        sel = sel.filter(adjustment::Column::ProjectId.eq(p));
    }
    if let Some(s) = state {
        sel = sel.filter(adjustment::Column::State.eq(s.as_str()));
    }
    let page = crate::page::fetch(sel.order_by_desc(adjustment::Column::Id), c, page).await?;
    Ok(page.map(view))
}

pub(crate) async fn decide(
    db: &Db,
    granted: &Granted,
    id: Id,
    approve: bool,
    today: NaiveDate,
    seal: &Seal,
    audit_event: AuditEvent,
) -> Result<Adjustment> {
    let tx = db.begin().await.or_internal()?;
    let adj = by_id(&tx, id).await?;
    if adj.project_id != granted.project_id() {
        return Err(Error::not_found("adjustment", id));
    }
    lock_house(&tx, adj.project_id, adj.house_id).await?;
    let state = if approve { AdjustmentState::Approved } else { AdjustmentState::Rejected };
    let done = adjustment::Entity::update_many()
        .col_expr(adjustment::Column::State, Expr::value(state.as_str()))
        .col_expr(adjustment::Column::DecidedBy, Expr::value(granted.actor().user_id))
        .col_expr(adjustment::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(adjustment::Column::Id.eq(id))
        .filter(adjustment::Column::State.eq(AdjustmentState::Pending.as_str()))
        .exec(&tx)
        .await
        .or_internal()?;
    if done.rows_affected == 0 {
        return Err(Error::Conflict(Code::AdjustmentDecided));
    }
    if approve {
        let b = bill::Entity::find_by_id(adj.bill_id)
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("bill", adj.bill_id))?;
        let mut p = Post::new(EntryKind::Adjustment, adj.project_id, adj.house_id, today);
        p.bill_id = Some(b.id);
        p.fee_item_id = Some(b.fee_item_id);
        p.adjustment_id = Some(id);
        p.created_by = granted.actor().user_id;
        let amount = adj.amount_fen.0;
        match adj.kind {
            AdjustmentKind::Adjust => {
                if b.principal_due_fen + amount < 0 {
                    return Err(Error::invalid("amount_fen", "exceeds_due"));
                }
                p.principal = Fen(amount);
            }
            AdjustmentKind::WaivePrincipal => {
                if amount > b.principal_due_fen {
                    return Err(Error::invalid("amount_fen", "exceeds_due"));
                }
                p.kind = EntryKind::Waiver;
                p.principal = Fen(-amount);
            }
            AdjustmentKind::WaiveLateFee => {
                // Post what accrued up to today, then waive up to the amount.
                let entries = entries_of(&tx, &[b.id]).await?.remove(&b.id).unwrap_or_default();
                let (fee, posted) = accrued(&b, &entries, today);
                let unposted = (fee.amount.0 - posted.0).max(0);
                if unposted > 0 {
                    let mut lf = Post::new(EntryKind::LateFee, adj.project_id, adj.house_id, today);
                    lf.bill_id = Some(b.id);
                    lf.fee_item_id = Some(b.fee_item_id);
                    lf.late_fee = Fen(unposted);
                    lf.adjustment_id = Some(id);
                    post(&tx, lf, seal).await?;
                }
                let owed = b.late_fee_due_fen + unposted;
                // A backdated payment's waiver may cover late fee that was paid meanwhile (by
                // it or by a later payment): that part goes back to the house's prepaid balance,
                // the latest payments of the late fee reversed first.
                let returns = match adj.payment_id {
                    Some(_) if amount > owed => {
                        let returns = late_fee_returns(&entries, amount - owed);
                        if returns.iter().map(|r| r.amount).sum::<i64>() < amount - owed {
                            return Err(Error::invalid("amount_fen", "exceeds_due"));
                        }
                        returns
                    }
                    _ if amount > owed => return Err(Error::invalid("amount_fen", "exceeds_due")),
                    _ => Vec::new(),
                };
                p.kind = EntryKind::Waiver;
                p.late_fee = Fen(-amount);
                post(&tx, p.clone(), seal).await?;
                for r in returns {
                    // The allocation reversed: the late fee is owed again (and waived just
                    // above), the money is the house's again, under the earmark it came from.
                    let mut back = Post::new(EntryKind::Allocation, adj.project_id, adj.house_id, today);
                    back.bill_id = Some(b.id);
                    back.fee_item_id = Some(b.fee_item_id);
                    back.late_fee = Fen(r.amount);
                    back.balance = Fen(r.amount);
                    back.earmark = r.earmark;
                    back.payment_id = r.payment_id;
                    back.adjustment_id = Some(id);
                    back.channel = r.channel;
                    back.created_by = granted.actor().user_id;
                    post(&tx, back, seal).await?;
                }
            }
        }
        if adj.kind != AdjustmentKind::WaiveLateFee {
            post(&tx, p, seal).await?;
        }
    }
    let v = by_id(&tx, id).await?;
    audit::write(&tx, audit_event.after(&v)).await?;
    tx.commit().await.or_internal()?;
    Ok(v)
}

/// Late fee paid on a bill to give back, taken from the latest payments of it first.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Return {
    payment_id: Option<Id>,
    channel: Option<String>,
    earmark: Id,
    amount: i64,
}

/// Up to `wanted` of the late fee the bill's allocations paid (net of what was returned
/// already), by who paid it (payment, channel, earmark), the latest first.
fn late_fee_returns(entries: &[ledger_entry::Model], wanted: i64) -> Vec<Return> {
    // (payment, channel, earmark) → (net late fee paid, latest entry id)
    let mut paid: Vec<(Return, Id)> = Vec::new();
    for e in entries.iter().filter(|e| e.kind == EntryKind::Allocation.as_str() && e.late_fee_fen != 0) {
        let key = (e.payment_id, e.channel.clone(), e.earmark);
        match paid.iter_mut().find(|(r, _)| (r.payment_id, r.channel.clone(), r.earmark) == key) {
            Some((r, last)) => {
                r.amount -= e.late_fee_fen;
                *last = (*last).max(e.id);
            }
            None => paid.push((
                Return {
                    payment_id: e.payment_id,
                    channel: e.channel.clone(),
                    earmark: e.earmark,
                    amount: -e.late_fee_fen,
                },
                e.id,
            )),
        }
    }
    paid.sort_by_key(|(_, last)| std::cmp::Reverse(*last));
    let mut left = wanted;
    let mut out = Vec::new();
    for (mut r, _) in paid {
        if left <= 0 {
            break;
        }
        if r.amount <= 0 {
            continue;
        }
        r.amount = r.amount.min(left);
        left -= r.amount;
        out.push(r);
    }
    out
}
