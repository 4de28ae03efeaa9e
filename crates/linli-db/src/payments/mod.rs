//! Payment orders and the channels' notification log (`linli-payments`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_billing::PaymentChannel;
use linli_core::{AuditEvent, Error, Fen, Id, Result};
use linli_payments::service::{NewOrderRow, NotificationLog};
use linli_payments::{OrderRepo, OrderState, PaymentOrder};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, NotSet, QueryFilter};

use crate::entity::{payment_notification, payment_order, project};
use crate::error::OrInternal;
use crate::{Db, audit};

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
    })
}

impl Db {
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

    async fn close_order(&self, id: Id) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        payment_order::Entity::update_many()
            .col_expr(payment_order::Column::State, OrderState::Closed.as_str().into())
            .filter(payment_order::Column::Id.eq(id))
            .filter(payment_order::Column::State.eq(OrderState::Pending.as_str()))
            .exec(&tx)
            .await
            .or_internal()?;
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
