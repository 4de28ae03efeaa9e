//! Adjustments and waivers: requested with a reason, written to the ledger only when another
//! user approves them.

use chrono::{NaiveDate, Utc};
use linli_billing::adjustment::{BillDue, approval_entries};
use linli_billing::{Adjustment, AdjustmentKind, AdjustmentState, NewAdjustment, Seal};
use linli_core::{AuditEvent, Code, Error, Fen, Granted, Id, Page, PageRequest, Result, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder};

use super::bills::{accrued, entries_of};
use super::ledger::{lock_house, post_all};
use crate::entity::{adjustment, bill};
use crate::error::OrInternal;
use crate::property::house_labels;
use crate::scope::project_condition;
use crate::{Db, audit};

fn view(m: adjustment::Model, house_label: String) -> Adjustment {
    Adjustment {
        id: m.id,
        project_id: m.project_id,
        house_id: m.house_id,
        house_label,
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

/// The rows as shown, each with its house's label (read in one go).
async fn views(c: &impl ConnectionTrait, rows: Vec<adjustment::Model>) -> Result<Vec<Adjustment>> {
    let mut ids: Vec<Id> = rows.iter().map(|m| m.house_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let labels = house_labels(c, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let label = labels.get(&m.house_id).cloned().unwrap_or_default();
            view(m, label)
        })
        .collect())
}

async fn one(c: &impl ConnectionTrait, row: Option<adjustment::Model>, id: Id) -> Result<Adjustment> {
    let row = row.ok_or_else(|| Error::not_found("adjustment", id))?;
    Ok(views(c, vec![row]).await?.remove(0))
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
    let rows = adjustment::Entity::find()
        .filter(adjustment::Column::PaymentId.eq(payment_id))
        .order_by_asc(adjustment::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    views(c, rows).await
}

/// The house's adjustments still awaiting a decision, newest first.
pub(crate) async fn pending_of_house(c: &impl ConnectionTrait, house_id: Id) -> Result<Vec<Adjustment>> {
    let rows = adjustment::Entity::find()
        .filter(adjustment::Column::HouseId.eq(house_id))
        .filter(adjustment::Column::State.eq(AdjustmentState::Pending.as_str()))
        .order_by_desc(adjustment::Column::Id)
        .all(c)
        .await
        .or_internal()?;
    views(c, rows).await
}

async fn by_id(c: &impl ConnectionTrait, id: Id) -> Result<Adjustment> {
    let row = adjustment::Entity::find_by_id(id).one(c).await.or_internal()?;
    one(c, row, id).await
}

pub(crate) async fn scoped(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<Adjustment> {
    let row = adjustment::Entity::find_by_id(id)
        .filter(project_condition(scope, adjustment::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?;
    one(c, row, id).await
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
    let items = views(c, page.items).await?;
    Ok(Page { items, total: page.total, page: page.page, page_size: page.page_size })
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
        // Only a late-fee waiver reads the bill's history (what accrued, who paid it).
        let entries = if adj.kind == AdjustmentKind::WaiveLateFee {
            entries_of(&tx, &[b.id]).await?.remove(&b.id).unwrap_or_default()
        } else {
            Vec::new()
        };
        let (fee, posted) = accrued(&b, &entries, today);
        let due = BillDue {
            id: b.id,
            fee_item_id: b.fee_item_id,
            principal_due: Fen(b.principal_due_fen),
            late_fee_due: Fen(b.late_fee_due_fen),
            unposted_late_fee: Fen(fee.amount.0 - posted.0),
        };
        post_all(&tx, approval_entries(&adj, &due, &entries, today, granted.actor().user_id)?, seal).await?;
    }
    let v = by_id(&tx, id).await?;
    audit::write(&tx, audit_event.after(&v)).await?;
    tx.commit().await.or_internal()?;
    Ok(v)
}
