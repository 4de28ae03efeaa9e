//! The notification outbox: messages and their delivery jobs written together, the inbox, the
//! console's log, preferences.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use linli_core::{Error, Id, Page, PageRequest, Result, Scope};
use linli_jobs::NewJob;
use linli_notify::{
    DELIVER_JOB, DeliveryChannel, Kind, Message, MessageFilter, MessageState, NewMessage, NotifyRepo, Preference,
    StateCount,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DbErr, EntityTrait, ExprTrait, NotSet, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::Db;
use crate::entity::{message, notification_preference as pref};
use crate::error::OrInternal;
use crate::job_store::insert_job;
use crate::scope::project_condition;
use crate::search;

fn view(m: message::Model) -> Message {
    Message {
        id: m.id,
        project_id: m.project_id,
        user_id: m.user_id,
        channel: DeliveryChannel::parse(&m.channel).unwrap_or(DeliveryChannel::InApp),
        address: m.address,
        kind: Kind::parse(&m.kind).unwrap_or(Kind::NoticePublished),
        locale: m.locale,
        subject: m.subject,
        body: m.body,
        html: m.html,
        params: m.params,
        sms_template: m.sms_template,
        state: MessageState::parse(&m.state).unwrap_or(MessageState::Pending),
        attempts: m.attempts,
        last_error: m.last_error,
        send_after: m.send_after,
        sent_at: m.sent_at,
        read_at: m.read_at,
        created_at: m.created_at,
    }
}

fn deliver_job(id: Id, at: DateTime<Utc>, key: String) -> NewJob {
    let mut j = NewJob::new(DELIVER_JOB, serde_json::json!({ "message_id": id }), at).dedupe(key);
    j.max_attempts = 10;
    j
}

fn scoped(scope: &Scope) -> sea_orm::Select<message::Entity> {
    message::Entity::find().filter(message::Column::CompanyId.eq(scope.company_id())).filter(project_condition(
        scope,
        message::Column::ProjectId,
        true,
    ))
}

fn in_app(user_id: Id) -> sea_orm::Select<message::Entity> {
    message::Entity::find()
        .filter(message::Column::UserId.eq(user_id))
        .filter(message::Column::Channel.eq(DeliveryChannel::InApp.as_str()))
        .filter(message::Column::State.eq(MessageState::Sent.as_str()))
}

#[async_trait]
impl NotifyRepo for Db {
    async fn enqueue(&self, messages: Vec<NewMessage>) -> Result<Vec<Id>> {
        let tx = self.begin().await.or_internal()?;
        let mut ids = Vec::new();
        let now = Utc::now();
        for m in messages {
            let am = message::ActiveModel {
                id: NotSet,
                company_id: Set(m.company_id),
                project_id: Set(m.project_id),
                user_id: Set(m.user_id),
                channel: Set(m.channel.as_str().to_string()),
                address: Set(m.address),
                kind: Set(m.kind.as_str().to_string()),
                locale: Set(m.locale),
                params: Set(m.params),
                subject: Set(m.subject),
                body: Set(m.body),
                html: Set(m.html),
                sms_template: Set(m.sms_template),
                dedupe_key: Set(m.dedupe_key),
                state: Set(MessageState::Pending.as_str().to_string()),
                attempts: Set(0),
                last_error: Set(None),
                provider_id: Set(None),
                send_after: Set(m.send_after),
                sent_at: Set(None),
                read_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            };
            // A repeated dedupe key inserts nothing, on both databases, without aborting the
            // transaction.
            let res = message::Entity::insert(am)
                .on_conflict(OnConflict::column(message::Column::DedupeKey).do_nothing().to_owned())
                .exec(&tx)
                .await;
            let id = match res {
                Ok(r) => r.last_insert_id,
                Err(DbErr::RecordNotInserted) => continue,
                Err(e) => return Err(crate::error::internal(e)),
            };
            insert_job(&tx, deliver_job(id, m.send_after, format!("notify:{id}"))).await?;
            ids.push(id);
        }
        tx.commit().await.or_internal()?;
        Ok(ids)
    }

    async fn message(&self, id: Id) -> Result<Option<Message>> {
        Ok(message::Entity::find_by_id(id).one(&self.conn).await.or_internal()?.map(view))
    }

    async fn mark_sent(&self, id: Id, provider_id: &str, now: DateTime<Utc>) -> Result<()> {
        message::Entity::update_many()
            .col_expr(message::Column::State, Expr::value(MessageState::Sent.as_str()))
            .col_expr(message::Column::ProviderId, Expr::value(provider_id))
            .col_expr(message::Column::SentAt, Expr::value(now))
            .col_expr(message::Column::Attempts, Expr::col(message::Column::Attempts).add(1))
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::Id.eq(id))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(())
    }

    async fn mark_failed(&self, id: Id, error: &str, given_up: bool, now: DateTime<Utc>) -> Result<()> {
        let state = if given_up { MessageState::GivenUp } else { MessageState::Failed };
        message::Entity::update_many()
            .col_expr(message::Column::State, Expr::value(state.as_str()))
            .col_expr(message::Column::LastError, Expr::value(error.chars().take(1000).collect::<String>()))
            .col_expr(message::Column::Attempts, Expr::col(message::Column::Attempts).add(1))
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::Id.eq(id))
            .filter(message::Column::State.ne(MessageState::Sent.as_str()))
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(())
    }

    async fn requeue(&self, scope: &Scope, id: Id) -> Result<Message> {
        let m = scoped(scope).filter(message::Column::Id.eq(id)).one(&self.conn).await.or_internal()?;
        let m = m.ok_or_else(|| Error::not_found("message", id))?;
        if m.state == MessageState::Sent.as_str() {
            return Err(Error::Conflict(linli_core::Code::MessageAlreadySent));
        }
        let tx = self.begin().await.or_internal()?;
        let now = Utc::now();
        message::Entity::update_many()
            .col_expr(message::Column::State, Expr::value(MessageState::Pending.as_str()))
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::Id.eq(id))
            .exec(&tx)
            .await
            .or_internal()?;
        insert_job(&tx, deliver_job(id, now, format!("notify:{id}:resend:{}", now.timestamp_micros()))).await?;
        tx.commit().await.or_internal()?;
        self.message(id).await?.ok_or_else(|| Error::not_found("message", id))
    }

    async fn inbox(&self, user_id: Id, page: PageRequest) -> Result<Page<Message>> {
        let sel = in_app(user_id);
        let rows = crate::page::fetch(sel.order_by_desc(message::Column::Id), &self.conn, page).await?;
        Ok(rows.map(view))
    }

    async fn unread(&self, user_id: Id) -> Result<u64> {
        in_app(user_id).filter(message::Column::ReadAt.is_null()).count(&self.conn).await.or_internal()
    }

    async fn mark_read(&self, user_id: Id, id: Option<Id>, now: DateTime<Utc>) -> Result<u64> {
        let mut q = message::Entity::update_many()
            .col_expr(message::Column::ReadAt, Expr::value(now))
            .filter(message::Column::UserId.eq(user_id))
            .filter(message::Column::Channel.eq(DeliveryChannel::InApp.as_str()))
            .filter(message::Column::ReadAt.is_null());
        if let Some(id) = id {
            q = q.filter(message::Column::Id.eq(id));
        }
        let marked = q.exec(self.writer()).await.or_internal()?.rows_affected;
        // Nothing marked: read already (fine, again), or not this user's inbox message at all,
        // which must look the same as a message that does not exist.
        if let (Some(id), 0) = (id, marked) {
            let mine = message::Entity::find_by_id(id)
                .filter(message::Column::UserId.eq(user_id))
                .filter(message::Column::Channel.eq(DeliveryChannel::InApp.as_str()))
                .count(&self.conn)
                .await
                .or_internal()?;
            if mine == 0 {
                return Err(Error::not_found("message", id));
            }
        }
        Ok(marked)
    }

    async fn list(&self, scope: &Scope, f: &MessageFilter, page: PageRequest) -> Result<Page<Message>> {
        let mut sel = scoped(scope);
        if let Some(p) = f.project_id {
            sel = sel.filter(message::Column::ProjectId.eq(p));
        }
        if let Some(r) = f.recipient.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            sel = sel.filter(Condition::any().add(search::contains(message::Column::Address, r)));
        }
        if let Some(k) = f.kind {
            sel = sel.filter(message::Column::Kind.eq(k.as_str()));
        }
        if let Some(c) = f.channel {
            sel = sel.filter(message::Column::Channel.eq(c.as_str()));
        }
        if let Some(s) = f.state {
            sel = sel.filter(message::Column::State.eq(s.as_str()));
        }
        let rows = crate::page::fetch(sel.order_by_desc(message::Column::Id), &self.conn, page).await?;
        Ok(rows.map(view))
    }

    async fn stats(&self, scope: &Scope) -> Result<Vec<StateCount>> {
        let rows: Vec<(String, String, i64)> = scoped(scope)
            .select_only()
            .column(message::Column::Channel)
            .column(message::Column::State)
            .column_as(message::Column::Id.count(), "n")
            .group_by(message::Column::Channel)
            .group_by(message::Column::State)
            .into_tuple()
            .all(&self.conn)
            .await
            .or_internal()?;
        Ok(rows
            .into_iter()
            .filter_map(|(c, s, n)| {
                Some(StateCount {
                    channel: DeliveryChannel::parse(&c)?,
                    state: MessageState::parse(&s)?,
                    count: n as u64,
                })
            })
            .collect())
    }

    async fn preferences(&self, user_id: Id) -> Result<Vec<Preference>> {
        let rows = pref::Entity::find().filter(pref::Column::UserId.eq(user_id)).all(&self.conn).await.or_internal()?;
        Ok(rows
            .into_iter()
            .filter_map(|p| {
                Some(Preference {
                    kind: Kind::parse(&p.kind)?,
                    channels: p.channels.split(',').filter_map(DeliveryChannel::parse).collect(),
                })
            })
            .collect())
    }

    async fn set_preference(&self, user_id: Id, p: &Preference) -> Result<()> {
        let channels: Vec<&str> = p.channels.iter().map(|c| c.as_str()).collect();
        let am = pref::ActiveModel {
            id: NotSet,
            user_id: Set(user_id),
            kind: Set(p.kind.as_str().to_string()),
            channels: Set(channels.join(",")),
            updated_at: Set(Utc::now()),
        };
        pref::Entity::insert(am)
            .on_conflict(
                OnConflict::columns([pref::Column::UserId, pref::Column::Kind])
                    .update_columns([pref::Column::Channels, pref::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec(self.writer())
            .await
            .or_internal()?;
        Ok(())
    }
}
