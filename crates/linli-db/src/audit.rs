//! Writing audit rows (inside the caller's transaction) and reading the log.

use async_trait::async_trait;
use chrono::Utc;
use linli_audit::{AuditEntry, AuditFilter, AuditRepo};
use linli_core::{AuditEvent, Page, PageRequest, Result, Scope};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
};

use crate::Db;
use crate::entity::audit_log;
use crate::error::OrInternal;
use crate::scope::project_condition;

pub(crate) async fn write(c: &impl ConnectionTrait, e: AuditEvent) -> Result<()> {
    active(e).insert(c).await.or_internal()?;
    Ok(())
}

/// Many audit rows at once (imports), in chunks that stay under SQLite's variable limit.
pub(crate) async fn write_many(c: &impl ConnectionTrait, events: Vec<AuditEvent>) -> Result<()> {
    let mut rows = events.into_iter().map(active).peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        audit_log::Entity::insert_many(chunk).exec(c).await.or_internal()?;
    }
    Ok(())
}

fn active(e: AuditEvent) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        id: NotSet,
        at: Set(Utc::now()),
        company_id: Set(e.actor.company_id),
        actor_id: Set(e.actor.user_id),
        actor_name: Set(Some(e.actor.name)),
        project_id: Set(e.project_id),
        action: Set(e.action.to_string()),
        entity: Set(e.entity.to_string()),
        entity_id: Set(e.entity_id),
        before: Set(e.before),
        after: Set(e.after),
        ip: Set(e.actor.ip),
    }
}

pub(crate) fn view(m: audit_log::Model) -> AuditEntry {
    AuditEntry {
        id: m.id,
        at: m.at,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        project_id: m.project_id,
        action: m.action,
        entity: m.entity,
        entity_id: m.entity_id,
        before: m.before,
        after: m.after,
        ip: m.ip,
    }
}

#[async_trait]
impl AuditRepo for Db {
    async fn list(&self, scope: &Scope, f: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
        let mut q = audit_log::Entity::find()
            .filter(audit_log::Column::CompanyId.eq(scope.company_id()))
            .filter(project_condition(scope, audit_log::Column::ProjectId, true));
        if let Some(p) = f.project_id {
            q = q.filter(audit_log::Column::ProjectId.eq(p));
        }
        if let Some(a) = f.actor_id {
            q = q.filter(audit_log::Column::ActorId.eq(a));
        }
        if let Some(e) = &f.entity {
            q = q.filter(audit_log::Column::Entity.eq(e.as_str()));
        }
        if let Some(id) = f.entity_id {
            q = q.filter(audit_log::Column::EntityId.eq(id));
        }
        if let Some(a) = &f.action {
            q = q.filter(audit_log::Column::Action.starts_with(a.as_str()));
        }
        let rows = crate::page::fetch(q.order_by_desc(audit_log::Column::Id), &self.conn, page).await?;
        Ok(rows.map(view))
    }
}
