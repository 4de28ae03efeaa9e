//! Reconciled days and their differences (`linli_payments::reconcile`).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use linli_billing::PaymentChannel;
use linli_core::{AuditEvent, Code, Error, Fen, Id, Page, PageRequest, Result};
use linli_payments::reconcile::{
    Cause, Comparison, Discrepancy, DiscrepancyKind, Found, Reconciliation, ReconciliationDetail, ReconciliationState,
    Record, RecordKind, Resolution,
};
use linli_payments::{Decided, OrderState, ReconcileRepo, ReconciliationFilter, RefundState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
};

use crate::entity::reconciliation_discrepancy as discrepancy;
use crate::entity::{payment_order, payment_refund, project, reconciliation, user};
use crate::error::OrInternal;
use crate::{Db, audit};

async fn company_projects(c: &impl ConnectionTrait, company_id: Id) -> Result<Vec<Id>> {
    Ok(project::Entity::find()
        .filter(project::Column::CompanyId.eq(company_id))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Midnight in Beijing at the start of `day`, in UTC.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(linli_core::time::cst()).single())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

fn parse<T>(value: Option<T>, what: &str) -> Result<T> {
    value.ok_or_else(|| Error::internal(format!("a reconciliation's {what}")))
}

async fn names(c: &impl ConnectionTrait, ids: Vec<Id>) -> Result<HashMap<Id, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let users = user::Entity::find().filter(user::Column::Id.is_in(ids)).all(c).await.or_internal()?;
    Ok(users.into_iter().map(|u| (u.id, u.display_name)).collect())
}

/// The stored days with their differences counted, and their signers' names.
async fn views(
    c: &impl ConnectionTrait,
    days: Vec<reconciliation::Model>,
) -> Result<Vec<(Reconciliation, Vec<discrepancy::Model>)>> {
    let ids: Vec<Id> = days.iter().map(|d| d.id).collect();
    let mut items: HashMap<Id, Vec<discrepancy::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = discrepancy::Entity::find()
            .filter(discrepancy::Column::ReconciliationId.is_in(chunk.iter().copied()))
            .order_by_asc(discrepancy::Column::Id)
            .all(c)
            .await
            .or_internal()?;
        for r in rows {
            items.entry(r.reconciliation_id).or_default().push(r);
        }
    }
    let signers = names(c, days.iter().filter_map(|d| d.signed_off_by).collect()).await?;
    days.into_iter()
        .map(|d| {
            let rows = items.remove(&d.id).unwrap_or_default();
            let count = |f: &dyn Fn(&discrepancy::Model) -> bool| rows.iter().filter(|r| f(r)).count() as i64;
            let view = Reconciliation {
                id: d.id,
                channel: parse(PaymentChannel::parse(&d.channel), "channel")?,
                bill_date: d.bill_date,
                state: parse(ReconciliationState::parse(&d.state), "state")?,
                linli_count: d.linli_count,
                linli_net_fen: Fen(d.linli_net_fen),
                channel_count: d.channel_count,
                channel_net_fen: Fen(d.channel_net_fen),
                matched: d.matched,
                surplus_count: count(&|r| r.kind == DiscrepancyKind::Surplus.as_str()),
                shortfall_count: count(&|r| r.kind == DiscrepancyKind::Shortfall.as_str()),
                open_count: count(&|r| r.resolution.is_none()),
                reconciled_at: d.reconciled_at,
                signed_off_by: d.signed_off_by,
                signed_off_by_name: d.signed_off_by.and_then(|u| signers.get(&u).cloned()),
                signed_off_at: d.signed_off_at,
                sign_off_note: d.sign_off_note,
            };
            Ok((view, rows))
        })
        .collect()
}

async fn discrepancy_views(c: &impl ConnectionTrait, rows: Vec<discrepancy::Model>) -> Result<Vec<Discrepancy>> {
    let order_ids: Vec<Id> = rows.iter().filter_map(|r| r.order_id).collect();
    let mut houses: HashMap<Id, Id> = HashMap::new();
    for chunk in order_ids.chunks(500) {
        let orders = payment_order::Entity::find()
            .filter(payment_order::Column::Id.is_in(chunk.iter().copied()))
            .all(c)
            .await
            .or_internal()?;
        houses.extend(orders.into_iter().map(|o| (o.id, o.house_id)));
    }
    let labels = crate::property::house_labels(c, &houses.values().copied().collect::<Vec<_>>()).await?;
    let resolvers = names(c, rows.iter().filter_map(|r| r.resolved_by).collect()).await?;
    let mut out = rows
        .into_iter()
        .map(|r| {
            let house_id = r.order_id.and_then(|o| houses.get(&o).copied());
            let linli_fen = r.linli_fen.map(Fen);
            let channel_fen = r.channel_fen.map(Fen);
            Ok(Discrepancy {
                id: r.id,
                reconciliation_id: r.reconciliation_id,
                kind: parse(DiscrepancyKind::parse(&r.kind), "kind")?,
                cause: parse(Cause::parse(&r.cause), "cause")?,
                record_kind: parse(RecordKind::parse(&r.record_kind), "record kind")?,
                difference_fen: Fen((channel_fen.unwrap_or(Fen(0)).0 - linli_fen.unwrap_or(Fen(0)).0).abs()),
                out_no: r.out_no,
                channel_no: r.channel_no,
                linli_fen,
                channel_fen,
                order_id: r.order_id,
                house_id,
                house_label: house_id.and_then(|h| labels.get(&h).cloned()),
                resolution: match r.resolution.as_deref() {
                    Some(text) => Some(parse(Resolution::parse(text), "resolution")?),
                    None => None,
                },
                note: r.note,
                resolved_by: r.resolved_by,
                resolved_by_name: r.resolved_by.and_then(|u| resolvers.get(&u).cloned()),
                resolved_at: r.resolved_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        (a.kind != DiscrepancyKind::Surplus, &a.out_no).cmp(&(b.kind != DiscrepancyKind::Surplus, &b.out_no))
    });
    Ok(out)
}

async fn detail(c: &impl ConnectionTrait, company_id: Id, id: Id) -> Result<ReconciliationDetail> {
    let day = reconciliation::Entity::find_by_id(id)
        .filter(reconciliation::Column::CompanyId.eq(company_id))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("reconciliation", id))?;
    let (reconciliation, rows) = views(c, vec![day]).await?.pop().ok_or_else(|| Error::internal("a reconciliation"))?;
    Ok(ReconciliationDetail { reconciliation, discrepancies: discrepancy_views(c, rows).await? })
}

/// The order each found difference is about, by its number (a refund's through its order).
async fn orders_of(
    c: &impl ConnectionTrait,
    projects: &[Id],
    found: &[Found],
) -> Result<HashMap<(RecordKind, String), Id>> {
    let mut out = HashMap::new();
    let payments: Vec<&str> =
        found.iter().filter(|f| f.record_kind == RecordKind::Payment).map(|f| f.out_no.as_str()).collect();
    for chunk in payments.chunks(500) {
        let rows = payment_order::Entity::find()
            .filter(payment_order::Column::OutTradeNo.is_in(chunk.iter().copied()))
            .filter(payment_order::Column::ProjectId.is_in(projects.iter().copied()))
            .all(c)
            .await
            .or_internal()?;
        out.extend(rows.into_iter().map(|o| ((RecordKind::Payment, o.out_trade_no), o.id)));
    }
    let refunds: Vec<&str> =
        found.iter().filter(|f| f.record_kind == RecordKind::Refund).map(|f| f.out_no.as_str()).collect();
    for chunk in refunds.chunks(500) {
        let rows = payment_refund::Entity::find()
            .filter(payment_refund::Column::OutRefundNo.is_in(chunk.iter().copied()))
            .filter(payment_refund::Column::ProjectId.is_in(projects.iter().copied()))
            .all(c)
            .await
            .or_internal()?;
        out.extend(rows.into_iter().map(|r| ((RecordKind::Refund, r.out_refund_no), r.order_id)));
    }
    Ok(out)
}

impl Db {
    /// Every company's id (the reconciliation job does each one's day).
    pub async fn company_ids(&self) -> Result<Vec<Id>> {
        let companies = crate::entity::company::Entity::find().all(&self.conn).await.or_internal()?;
        Ok(companies.into_iter().map(|c| c.id).collect())
    }
}

#[async_trait]
impl ReconcileRepo for Db {
    async fn records(&self, company_id: Id, channel: PaymentChannel, day: NaiveDate) -> Result<Vec<Record>> {
        let projects = company_projects(&self.conn, company_id).await?;
        let (from, to) = (start_of(day - chrono::Days::new(1)), start_of(day + chrono::Days::new(2)));
        let (day_from, day_to) = (start_of(day), start_of(day + chrono::Days::new(1)));
        let on_day = |at: Option<DateTime<Utc>>| at.is_some_and(|at| at >= day_from && at < day_to);
        let orders = payment_order::Entity::find()
            .filter(payment_order::Column::ProjectId.is_in(projects.iter().copied()))
            .filter(payment_order::Column::Channel.eq(channel.as_str()))
            .filter(payment_order::Column::State.eq(OrderState::Paid.as_str()))
            .filter(payment_order::Column::PaidAt.gte(from))
            .filter(payment_order::Column::PaidAt.lt(to))
            .all(&self.conn)
            .await
            .or_internal()?;
        let refunds = payment_refund::Entity::find()
            .filter(payment_refund::Column::ProjectId.is_in(projects.iter().copied()))
            .filter(payment_refund::Column::Channel.eq(channel.as_str()))
            .filter(payment_refund::Column::State.eq(RefundState::Refunded.as_str()))
            .filter(payment_refund::Column::RefundedAt.gte(from))
            .filter(payment_refund::Column::RefundedAt.lt(to))
            .all(&self.conn)
            .await
            .or_internal()?;
        let payments = orders.into_iter().map(|o| Record {
            kind: RecordKind::Payment,
            on_day: on_day(o.paid_at),
            out_no: o.out_trade_no,
            channel_no: o.channel_trade_no.unwrap_or_default(),
            amount_fen: Fen(o.amount_fen),
        });
        let refunds = refunds.into_iter().map(|r| Record {
            kind: RecordKind::Refund,
            on_day: on_day(r.refunded_at),
            out_no: r.out_refund_no,
            channel_no: r.channel_refund_no.unwrap_or_default(),
            amount_fen: Fen(r.amount_fen),
        });
        Ok(payments.chain(refunds).collect())
    }

    async fn numbers_elsewhere(&self, company_id: Id, numbers: &[String]) -> Result<Vec<String>> {
        let ours = company_projects(&self.conn, company_id).await?;
        let mut out = Vec::new();
        for chunk in numbers.chunks(500) {
            let orders = payment_order::Entity::find()
                .filter(payment_order::Column::OutTradeNo.is_in(chunk.iter().map(String::as_str)))
                .filter(payment_order::Column::ProjectId.is_not_in(ours.iter().copied()))
                .all(&self.conn)
                .await
                .or_internal()?;
            out.extend(orders.into_iter().map(|o| o.out_trade_no));
            let refunds = payment_refund::Entity::find()
                .filter(payment_refund::Column::OutRefundNo.is_in(chunk.iter().map(String::as_str)))
                .filter(payment_refund::Column::ProjectId.is_not_in(ours.iter().copied()))
                .all(&self.conn)
                .await
                .or_internal()?;
            out.extend(refunds.into_iter().map(|r| r.out_refund_no));
        }
        Ok(out)
    }

    async fn save(
        &self,
        company_id: Id,
        channel: PaymentChannel,
        day: NaiveDate,
        c: &Comparison,
        at: DateTime<Utc>,
        audit_event: AuditEvent,
    ) -> Result<ReconciliationDetail> {
        use reconciliation::Column as R;
        let tx = self.begin().await.or_internal()?;
        let fresh = reconciliation::ActiveModel {
            id: NotSet,
            company_id: Set(company_id),
            channel: Set(channel.as_str().to_owned()),
            bill_date: Set(day),
            state: Set(ReconciliationState::Open.as_str().to_owned()),
            linli_count: Set(0),
            linli_net_fen: Set(0),
            channel_count: Set(0),
            channel_net_fen: Set(0),
            matched: Set(0),
            reconciled_at: Set(at),
            signed_off_by: Set(None),
            signed_off_at: Set(None),
            sign_off_note: Set(None),
        };
        // A day is one row, however many run it at once.
        reconciliation::Entity::insert(fresh)
            .on_conflict_do_nothing_on([R::CompanyId, R::Channel, R::BillDate])
            .exec(&tx)
            .await
            .or_internal()?;
        let row = reconciliation::Entity::find()
            .filter(R::CompanyId.eq(company_id))
            .filter(R::Channel.eq(channel.as_str()))
            .filter(R::BillDate.eq(day))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::internal("the reconciliation just inserted"))?;
        // The update takes the row's lock: a sign-off at the same moment waits, or has happened.
        let moved = reconciliation::Entity::update_many()
            .col_expr(R::LinliCount, Expr::value(c.linli_count as i64))
            .col_expr(R::LinliNetFen, Expr::value(c.linli_net_fen.0))
            .col_expr(R::ChannelCount, Expr::value(c.channel_count as i64))
            .col_expr(R::ChannelNetFen, Expr::value(c.channel_net_fen.0))
            .col_expr(R::Matched, Expr::value(c.matched as i64))
            .col_expr(R::ReconciledAt, Expr::value(at))
            .filter(R::Id.eq(row.id))
            .filter(R::State.eq(ReconciliationState::Open.as_str()))
            .exec(&tx)
            .await
            .or_internal()?;
        if moved.rows_affected == 0 {
            return Err(Error::Conflict(Code::ReconciliationSignedOff));
        }
        let kept = discrepancy::Entity::find()
            .filter(discrepancy::Column::ReconciliationId.eq(row.id))
            .all(&tx)
            .await
            .or_internal()?;
        let mut kept: HashMap<(String, String), discrepancy::Model> =
            kept.into_iter().map(|d| ((d.record_kind.clone(), d.out_no.clone()), d)).collect();
        let projects = company_projects(&tx, company_id).await?;
        let orders = orders_of(&tx, &projects, &c.found).await?;
        for f in &c.found {
            let key = (f.record_kind.as_str().to_owned(), f.out_no.clone());
            let order_id = orders.get(&(f.record_kind, f.out_no.clone())).copied();
            match kept.remove(&key) {
                // Resolved before: kept as it was decided.
                Some(d) if d.resolution.is_some() => {}
                Some(d) => {
                    let mut am: discrepancy::ActiveModel = d.into();
                    am.kind = Set(f.kind.as_str().to_owned());
                    am.cause = Set(f.cause.as_str().to_owned());
                    am.channel_no = Set(f.channel_no.clone());
                    am.linli_fen = Set(f.linli_fen.map(|x| x.0));
                    am.channel_fen = Set(f.channel_fen.map(|x| x.0));
                    am.order_id = Set(order_id);
                    am.update(&tx).await.or_internal()?;
                }
                None => {
                    discrepancy::ActiveModel {
                        id: NotSet,
                        reconciliation_id: Set(row.id),
                        kind: Set(f.kind.as_str().to_owned()),
                        cause: Set(f.cause.as_str().to_owned()),
                        record_kind: Set(f.record_kind.as_str().to_owned()),
                        out_no: Set(f.out_no.clone()),
                        channel_no: Set(f.channel_no.clone()),
                        linli_fen: Set(f.linli_fen.map(|x| x.0)),
                        channel_fen: Set(f.channel_fen.map(|x| x.0)),
                        order_id: Set(order_id),
                        resolution: Set(None),
                        note: Set(None),
                        resolved_by: Set(None),
                        resolved_at: Set(None),
                    }
                    .insert(&tx)
                    .await
                    .or_internal()?;
                }
            }
        }
        // Open differences no longer found (paid late, a bill corrected) go; resolved ones stay.
        let gone: Vec<Id> = kept.into_values().filter(|d| d.resolution.is_none()).map(|d| d.id).collect();
        if !gone.is_empty() {
            discrepancy::Entity::delete_many()
                .filter(discrepancy::Column::Id.is_in(gone))
                .exec(&tx)
                .await
                .or_internal()?;
        }
        audit::write(&tx, audit_event.entity_id(row.id)).await?;
        let out = detail(&tx, company_id, row.id).await?;
        tx.commit().await.or_internal()?;
        Ok(out)
    }

    async fn reconciliations(
        &self,
        company_id: Id,
        filter: &ReconciliationFilter,
        page: PageRequest,
    ) -> Result<Page<Reconciliation>> {
        use reconciliation::Column as R;
        let mut sel = reconciliation::Entity::find()
            .filter(R::CompanyId.eq(company_id))
            .order_by_desc(R::BillDate)
            .order_by_asc(R::Channel);
        if let Some(channel) = filter.channel {
            sel = sel.filter(R::Channel.eq(channel.as_str()));
        }
        if let Some(state) = filter.state {
            sel = sel.filter(R::State.eq(state.as_str()));
        }
        let rows = crate::page::fetch(sel, &self.conn, page).await?;
        let items = views(&self.conn, rows.items).await?.into_iter().map(|(r, _)| r).collect();
        Ok(Page { items, total: rows.total, page: rows.page, page_size: rows.page_size })
    }

    async fn reconciliation(&self, company_id: Id, id: Id) -> Result<ReconciliationDetail> {
        detail(&self.conn, company_id, id).await
    }

    async fn discrepancy(&self, company_id: Id, id: Id) -> Result<Discrepancy> {
        let row = discrepancy::Entity::find_by_id(id).one(&self.conn).await.or_internal()?;
        let row = match row {
            Some(r) => {
                let day =
                    reconciliation::Entity::find_by_id(r.reconciliation_id).one(&self.conn).await.or_internal()?;
                day.filter(|d| d.company_id == company_id).map(|_| r)
            }
            None => None,
        };
        let row = row.ok_or_else(|| Error::not_found("discrepancy", id))?;
        discrepancy_views(&self.conn, vec![row]).await?.pop().ok_or_else(|| Error::internal("a discrepancy"))
    }

    async fn resolve(
        &self,
        company_id: Id,
        id: Id,
        resolution: Resolution,
        note: String,
        decided: Decided,
        audit_event: AuditEvent,
    ) -> Result<Discrepancy> {
        use discrepancy::Column as D;
        let tx = self.begin().await.or_internal()?;
        let row = discrepancy::Entity::find_by_id(id).one(&tx).await.or_internal()?;
        let day = match &row {
            Some(r) => reconciliation::Entity::find_by_id(r.reconciliation_id).one(&tx).await.or_internal()?,
            None => None,
        };
        let day = day.filter(|d| d.company_id == company_id).ok_or_else(|| Error::not_found("discrepancy", id))?;
        if day.state != ReconciliationState::Open.as_str() {
            return Err(Error::Conflict(Code::ReconciliationSignedOff));
        }
        let done = discrepancy::Entity::update_many()
            .col_expr(D::Resolution, Expr::value(resolution.as_str()))
            .col_expr(D::Note, Expr::value(note))
            .col_expr(D::ResolvedBy, Expr::value(decided.by))
            .col_expr(D::ResolvedAt, Expr::value(decided.at))
            .filter(D::Id.eq(id))
            .filter(D::Resolution.is_null())
            .exec(&tx)
            .await
            .or_internal()?;
        if done.rows_affected == 0 {
            return Err(Error::Conflict(Code::DiscrepancyResolved));
        }
        audit::write(&tx, audit_event).await?;
        tx.commit().await.or_internal()?;
        self.discrepancy(company_id, id).await
    }

    async fn sign_off(
        &self,
        company_id: Id,
        id: Id,
        note: Option<String>,
        decided: Decided,
        audit_event: AuditEvent,
    ) -> Result<Reconciliation> {
        use reconciliation::Column as R;
        let tx = self.begin().await.or_internal()?;
        // First the row (its lock), then what is open: a run at the same moment cannot add a
        // difference between the count and the sign-off.
        let signed = reconciliation::Entity::update_many()
            .col_expr(R::State, Expr::value(ReconciliationState::SignedOff.as_str()))
            .col_expr(R::SignedOffBy, Expr::value(decided.by))
            .col_expr(R::SignedOffAt, Expr::value(decided.at))
            .col_expr(R::SignOffNote, Expr::value(note))
            .filter(R::Id.eq(id))
            .filter(R::CompanyId.eq(company_id))
            .filter(R::State.eq(ReconciliationState::Open.as_str()))
            .exec(&tx)
            .await
            .or_internal()?;
        if signed.rows_affected == 0 {
            detail(&tx, company_id, id).await?;
            return Err(Error::Conflict(Code::ReconciliationSignedOff));
        }
        let open = discrepancy::Entity::find()
            .filter(discrepancy::Column::ReconciliationId.eq(id))
            .filter(discrepancy::Column::Resolution.is_null())
            .one(&tx)
            .await
            .or_internal()?;
        if open.is_some() {
            return Err(Error::Conflict(Code::DiscrepanciesOpen));
        }
        audit::write(&tx, audit_event).await?;
        let out = detail(&tx, company_id, id).await?.reconciliation;
        tx.commit().await.or_internal()?;
        Ok(out)
    }
}
