use async_trait::async_trait;
use chrono::Utc;
use linli_core::{
    AuditEvent, Code, Error, Granted, GrantedCompany, Id, Page, PageRequest, Result, Scope,
};
use linli_property::{NewProject, Project, ProjectKind, ProjectPatch, ProjectRepo};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, NotSet,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::entity::project;
use crate::error::{OrInternal, unique_as};
use crate::scope::project_condition;
use crate::{Db, audit};

pub(crate) fn view(m: project::Model) -> Project {
    Project {
        id: m.id,
        name: m.name,
        kind: ProjectKind::parse(&m.kind).unwrap_or(ProjectKind::Mixed),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn scoped(scope: &Scope) -> sea_orm::Select<project::Entity> {
    project::Entity::find()
        .filter(project::Column::CompanyId.eq(scope.company_id()))
        .filter(project_condition(scope, project::Column::Id, false))
}

#[async_trait]
impl ProjectRepo for Db {
    async fn list(
        &self,
        scope: &Scope,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Project>> {
        let mut sel = scoped(scope);
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            sel = sel.filter(project::Column::Name.contains(q));
        }
        let total = sel.clone().count(&self.conn).await.or_internal()?;
        let rows = sel
            .order_by_asc(project::Column::Id)
            .offset(page.offset())
            .limit(page.limit())
            .all(&self.conn)
            .await
            .or_internal()?;
        Ok(Page::new(rows.into_iter().map(view).collect(), total, page))
    }

    async fn get(&self, scope: &Scope, id: Id) -> Result<Project> {
        scoped(scope)
            .filter(project::Column::Id.eq(id))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(view)
            .ok_or_else(|| Error::not_found("project", id))
    }

    async fn create(
        &self,
        granted: &GrantedCompany,
        new: NewProject,
        audit: AuditEvent,
    ) -> Result<Project> {
        let tx = self.conn.begin().await.or_internal()?;
        let now = Utc::now();
        let m = project::ActiveModel {
            id: NotSet,
            company_id: Set(granted.company_id()),
            name: Set(new.name),
            kind: Set(new.kind.as_str().to_string()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&tx)
        .await
        .map_err(unique_as(Code::ProjectNameTaken))?;
        let p = view(m);
        audit::write(&tx, audit.project(Some(p.id)).entity_id(p.id).after(&p)).await?;
        tx.commit().await.or_internal()?;
        Ok(p)
    }

    async fn update(
        &self,
        granted: &Granted,
        patch: ProjectPatch,
        audit: AuditEvent,
    ) -> Result<Project> {
        let id = granted.project_id();
        let tx = self.conn.begin().await.or_internal()?;
        let m = project::Entity::find_by_id(id)
            .filter(project::Column::CompanyId.eq(granted.company_id()))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("project", id))?;
        let before = view(m.clone());
        let mut after = before.clone();
        patch.apply(&mut after);
        after.updated_at = Utc::now();
        let mut am = m.into_active_model();
        am.name = Set(after.name.clone());
        am.kind = Set(after.kind.as_str().to_string());
        am.updated_at = Set(after.updated_at);
        am.update(&tx)
            .await
            .map_err(unique_as(Code::ProjectNameTaken))?;
        audit::write(&tx, audit.entity_id(id).before(&before).after(&after)).await?;
        tx.commit().await.or_internal()?;
        Ok(after)
    }
}
