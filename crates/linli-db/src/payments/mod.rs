//! Payment orders and the channels' notification log (`linli-payments`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_billing::PaymentChannel;
use linli_billing::Seal;
use linli_billing::ledger::NewEntry;
use linli_core::{AuditEvent, Error, Fen, Id, Result};
use linli_core::{Page, PageRequest, Scope};
use linli_payments::service::{BeginRefund, NewOrderRow, NotificationLog, OrderFilter};
use linli_payments::{OrderRepo, OrderState, PaymentOrder, PaymentRefund, RefundAnswer, RefundState};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{payment_notification, payment_order, payment_refund, project};
use crate::error::OrInternal;
use crate::{Db, audit};

mod reconcile;

fn view(m: payment_order::Model, company_id: Id) -> Result<PaymentOrder> {
    Ok(PaymentOrder {
        id: m.id,
        company_id,
        project_id: m.project_id,
        house_id: m.house_id,
        channel: PaymentChannel::parse(&m.channel).ok_or_else(|| Error::internal("an order's channel"))?,
        out_trade_no: m.out_trade_no,
        amount_fen: Fen(m.amount_fen),
        description: m.description,
        state: OrderState::parse(&m.state).ok_or_else(|| Error::internal("an order's state"))?,
        qr_svg: m
            .code_url
            .as_deref()
            .filter(|_| m.state == OrderState::Pending.as_str())
            .and_then(linli_payments::order::qr_svg),
        code_url: m.code_url,
        expires_at: m.expires_at,
        created_at: m.created_at,
        paid_at: m.paid_at,
        payment_id: m.payment_id,
        channel_trade_no: m.channel_trade_no,
    })
}

fn refund_view(m: payment_refund::Model) -> Result<PaymentRefund> {
    Ok(PaymentRefund {
        id: m.id,
        order_id: m.order_id,
        house_id: m.house_id,
        channel: PaymentChannel::parse(&m.channel).ok_or_else(|| Error::internal("a refund's channel"))?,
        out_refund_no: m.out_refund_no,
        amount_fen: Fen(m.amount_fen),
        reason: m.reason,
        state: RefundState::parse(&m.state).ok_or_else(|| Error::internal("a refund's state"))?,
        channel_refund_no: m.channel_refund_no,
        failure: m.failure,
        created_at: m.created_at,
        refunded_at: m.refunded_at,
    })
}

impl Db {
    /// How many of the project's orders are paid (`linli bench payments`).
    pub async fn paid_orders(&self, project_id: Id) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        payment_order::Entity::find()
            .filter(payment_order::Column::ProjectId.eq(project_id))
            .filter(payment_order::Column::State.eq(OrderState::Paid.as_str()))
            .count(&self.conn)
            .await
            .or_internal()
    }

    /// How many payments the project's houses received (`linli bench payments`).
    pub async fn payment_count(&self, project_id: Id) -> Result<u64> {
        use sea_orm::PaginatorTrait;
        crate::entity::payment::Entity::find()
            .filter(crate::entity::payment::Column::ProjectId.eq(project_id))
            .count(&self.conn)
            .await
            .or_internal()
    }

    async fn project_companies(&self) -> Result<std::collections::HashMap<Id, Id>> {
        Ok(project::Entity::find()
            .all(&self.conn)
            .await
            .or_internal()?
            .into_iter()
            .map(|p| (p.id, p.company_id))
            .collect())
    }

    async fn order_view(&self, m: Option<payment_order::Model>) -> Result<Option<PaymentOrder>> {
        let Some(m) = m else { return Ok(None) };
        let company = project::Entity::find_by_id(m.project_id).one(&self.conn).await.or_internal()?;
        let company_id = company.map(|p| p.company_id).ok_or_else(|| Error::internal("an order's project"))?;
        view(m, company_id).map(Some)
    }
}

#[async_trait]
impl OrderRepo for Db {
    async fn insert_order(&self, row: NewOrderRow, audit: AuditEvent) -> Result<PaymentOrder> {
        let tx = self.begin().await.or_internal()?;
        if let Some(key) = &row.idempotency_key {
            let kept = payment_order::Entity::find()
                .filter(payment_order::Column::IdempotencyKey.eq(key.as_str()))
                .one(&tx)
                .await
                .or_internal()?;
            if let Some(kept) = kept {
                tx.commit().await.or_internal()?;
                return view(kept, row.company_id);
            }
        }
        let model = payment_order::ActiveModel {
            id: NotSet,
            project_id: Set(row.project_id),
            house_id: Set(row.house_id),
            channel: Set(row.channel.as_str().to_owned()),
            out_trade_no: Set(row.order.out_trade_no.clone()),
            amount_fen: Set(row.order.amount_fen.0),
            description: Set(row.order.description.clone()),
            state: Set(OrderState::Pending.as_str().to_owned()),
            code_url: Set(None),
            expires_at: Set(row.order.expires_at),
            idempotency_key: Set(row.idempotency_key.clone()),
            created_by: Set(row.created_by),
            created_at: Set(row.created_at),
            channel_trade_no: Set(None),
            paid_at: Set(None),
            payment_id: Set(None),
        }
        .insert(&tx)
        .await
        .or_internal()?;
        audit::write(&tx, audit.entity_id(model.id)).await?;
        tx.commit().await.or_internal()?;
        view(model, row.company_id)
    }

    async fn set_code_url(&self, id: Id, code_url: &str) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        payment_order::ActiveModel { id: Set(id), code_url: Set(Some(code_url.to_owned())), ..Default::default() }
            .update(&tx)
            .await
            .or_internal()?;
        tx.commit().await.or_internal()
    }

    async fn close_order(&self, id: Id, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        let done = payment_order::Entity::update_many()
            .col_expr(payment_order::Column::State, OrderState::Closed.as_str().into())
            .filter(payment_order::Column::Id.eq(id))
            .filter(payment_order::Column::State.eq(OrderState::Pending.as_str()))
            .exec(&tx)
            .await
            .or_internal()?;
        if done.rows_affected == 1 {
            audit::write(&tx, audit).await?;
        }
        tx.commit().await.or_internal()
    }

    async fn order(&self, id: Id) -> Result<Option<PaymentOrder>> {
        let m = payment_order::Entity::find_by_id(id).one(&self.conn).await.or_internal()?;
        self.order_view(m).await
    }

    async fn order_by_out_trade_no(&self, out_trade_no: &str) -> Result<Option<PaymentOrder>> {
        let m = payment_order::Entity::find()
            .filter(payment_order::Column::OutTradeNo.eq(out_trade_no))
            .one(&self.conn)
            .await
            .or_internal()?;
        self.order_view(m).await
    }

    async fn mark_paid(
        &self,
        id: Id,
        channel_trade_no: &str,
        payment_id: Id,
        paid_at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<bool> {
        let tx = self.begin().await.or_internal()?;
        let done = payment_order::Entity::update_many()
            .col_expr(payment_order::Column::State, OrderState::Paid.as_str().into())
            .col_expr(payment_order::Column::ChannelTradeNo, channel_trade_no.into())
            .col_expr(payment_order::Column::PaymentId, payment_id.into())
            .col_expr(payment_order::Column::PaidAt, paid_at.into())
            .filter(payment_order::Column::Id.eq(id))
            .filter(payment_order::Column::State.ne(OrderState::Paid.as_str()))
            .exec(&tx)
            .await
            .or_internal()?;
        let first = done.rows_affected == 1;
        if first {
            audit::write(&tx, audit).await?;
        }
        tx.commit().await.or_internal()?;
        Ok(first)
    }

    async fn expired_orders(&self, before: DateTime<Utc>, limit: u64) -> Result<Vec<PaymentOrder>> {
        let rows = payment_order::Entity::find()
            .filter(payment_order::Column::State.eq(OrderState::Pending.as_str()))
            .filter(payment_order::Column::ExpiresAt.lt(before))
            .order_by_asc(payment_order::Column::ExpiresAt)
            .limit(limit)
            .all(&self.conn)
            .await
            .or_internal()?;
        let companies = self.project_companies().await?;
        rows.into_iter()
            .map(|m| {
                let company =
                    companies.get(&m.project_id).copied().ok_or_else(|| Error::internal("an order's project"))?;
                view(m, company)
            })
            .collect()
    }

    async fn orders(&self, scope: &Scope, filter: &OrderFilter, page: PageRequest) -> Result<Page<PaymentOrder>> {
        let mut sel = payment_order::Entity::find()
            .filter(crate::scope::project_condition(scope, payment_order::Column::ProjectId, false))
            .order_by_desc(payment_order::Column::Id);
        if let Some(p) = filter.project_id {
            sel = sel.filter(payment_order::Column::ProjectId.eq(p));
        }
        if let Some(h) = filter.house_id {
            sel = sel.filter(payment_order::Column::HouseId.eq(h));
        }
        if let Some(state) = filter.state {
            sel = sel.filter(payment_order::Column::State.eq(state.as_str()));
        }
        if let Some(channel) = filter.channel {
            sel = sel.filter(payment_order::Column::Channel.eq(channel.as_str()));
        }
        let rows = crate::page::fetch(sel, &self.conn, page).await?;
        let company = scope.company_id();
        let items = rows.items.into_iter().map(|m| view(m, company)).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, total: rows.total, page: rows.page, page_size: rows.page_size })
    }

    async fn begin_refund(&self, r: BeginRefund, seal: &Seal, audit: AuditEvent) -> Result<PaymentRefund> {
        let tx = self.begin().await.or_internal()?;
        crate::billing::ledger::lock_house(&tx, r.order.project_id, r.order.house_id).await?;
        let earlier = payment_refund::Entity::find()
            .filter(payment_refund::Column::OrderId.eq(r.order.id))
            .filter(payment_refund::Column::State.ne(RefundState::Failed.as_str()))
            .all(&tx)
            .await
            .or_internal()?;
        let taken: i64 = earlier.iter().map(|e| e.amount_fen).sum();
        if taken + r.amount_fen.0 > r.order.amount_fen.0 {
            return Err(Error::invalid("amount_fen", "exceeds_paid"));
        }
        let held = crate::billing::ledger::balances(&tx, r.order.house_id)
            .await?
            .into_iter()
            .find(|(earmark, _)| *earmark == r.entry.earmark)
            .map_or(0, |(_, f)| f.0);
        if r.amount_fen.0 > held {
            return Err(Error::invalid("amount_fen", "exceeds_balance"));
        }
        crate::billing::ledger::post(&tx, r.entry, seal).await?;
        let model = payment_refund::ActiveModel {
            id: NotSet,
            order_id: Set(r.order.id),
            project_id: Set(r.order.project_id),
            house_id: Set(r.order.house_id),
            channel: Set(r.order.channel.as_str().to_owned()),
            out_refund_no: Set(r.out_refund_no),
            amount_fen: Set(r.amount_fen.0),
            reason: Set(r.reason),
            state: Set(RefundState::Pending.as_str().to_owned()),
            channel_refund_no: Set(None),
            failure: Set(None),
            requested_by: Set(r.requested_by),
            created_at: Set(r.created_at),
            refunded_at: Set(None),
        }
        .insert(&tx)
        .await
        .or_internal()?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()?;
        refund_view(model)
    }

    async fn end_refund(
        &self,
        id: Id,
        answer: &RefundAnswer,
        reversal: Option<NewEntry>,
        at: DateTime<Utc>,
        seal: &Seal,
        audit: AuditEvent,
    ) -> Result<PaymentRefund> {
        let tx = self.begin().await.or_internal()?;
        let (state, channel_no, failure) = match answer {
            RefundAnswer::Refunded(no) => (RefundState::Refunded, Some(no.clone()), None),
            RefundAnswer::Refused(why) => (RefundState::Failed, None, Some(why.chars().take(200).collect::<String>())),
            RefundAnswer::Processing(_) => return Err(Error::internal("a refund ended while processing")),
        };
        let mut update = payment_refund::Entity::update_many()
            .col_expr(payment_refund::Column::State, state.as_str().into())
            .col_expr(payment_refund::Column::Failure, failure.into())
            .filter(payment_refund::Column::Id.eq(id))
            .filter(payment_refund::Column::State.eq(RefundState::Pending.as_str()));
        if let Some(no) = channel_no {
            update = update.col_expr(payment_refund::Column::ChannelRefundNo, no.into());
        }
        if state == RefundState::Refunded {
            update = update.col_expr(payment_refund::Column::RefundedAt, at.into());
        }
        let done = update.exec(&tx).await.or_internal()?;
        if done.rows_affected == 1 {
            if let Some(entry) = reversal {
                crate::billing::ledger::post(&tx, entry, seal).await?;
            }
            audit::write(&tx, audit).await?;
        }
        let model = payment_refund::Entity::find_by_id(id).one(&tx).await.or_internal()?;
        tx.commit().await.or_internal()?;
        refund_view(model.ok_or_else(|| Error::not_found("payment_refund", id))?)
    }

    async fn refund_processing(&self, id: Id, channel_refund_no: &str) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        payment_refund::Entity::update_many()
            .col_expr(payment_refund::Column::ChannelRefundNo, channel_refund_no.into())
            .filter(payment_refund::Column::Id.eq(id))
            .filter(payment_refund::Column::State.eq(RefundState::Pending.as_str()))
            .exec(&tx)
            .await
            .or_internal()?;
        tx.commit().await.or_internal()
    }

    async fn refunds_of_order(&self, order_id: Id) -> Result<Vec<PaymentRefund>> {
        payment_refund::Entity::find()
            .filter(payment_refund::Column::OrderId.eq(order_id))
            .order_by_asc(payment_refund::Column::Id)
            .all(&self.conn)
            .await
            .or_internal()?
            .into_iter()
            .map(refund_view)
            .collect()
    }

    async fn pending_refunds(&self, limit: u64) -> Result<Vec<PaymentRefund>> {
        payment_refund::Entity::find()
            .filter(payment_refund::Column::State.eq(RefundState::Pending.as_str()))
            .order_by_asc(payment_refund::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await
            .or_internal()?
            .into_iter()
            .map(refund_view)
            .collect()
    }

    async fn log_notification(&self, log: NotificationLog) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        payment_notification::Entity::insert(payment_notification::ActiveModel {
            id: NotSet,
            channel: Set(log.channel.as_str().to_owned()),
            notification_id: Set(log.notification_id),
            out_trade_no: Set(log.out_trade_no),
            order_id: Set(log.order_id),
            amount_fen: Set(log.amount_fen.map(|f| f.0)),
            outcome: Set(log.outcome.as_str().to_owned()),
            reason: Set(log.reason),
            received_at: Set(log.received_at),
        })
        .exec(&tx)
        .await
        .or_internal()?;
        tx.commit().await.or_internal()
    }
}
