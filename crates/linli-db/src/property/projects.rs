use async_trait::async_trait;
use chrono::Utc;
use linli_core::Area;
use linli_core::{AuditEvent, Code, Error, Granted, GrantedCompany, Id, Page, PageRequest, Result, Scope};
use linli_property::{Project, ProjectFields, ProjectKind, ProjectRepo};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, NotSet, QueryFilter, QueryOrder,
};

use crate::entity::project;
use crate::error::{OrInternal, unique_as};
use crate::scope::project_condition;
use crate::search;
use crate::{Db, audit};

pub(crate) fn view(m: project::Model) -> Project {
    Project {
        id: m.id,
        name: m.name,
        kind: ProjectKind::parse(&m.kind).unwrap_or(ProjectKind::Mixed),
        address: m.address,
        land_area: m.land_area_x100.map(Area::from_hundredths),
        building_area: m.building_area_x100.map(Area::from_hundredths),
        time_zone: m.time_zone,
        contact_name: m.contact_name,
        contact_phone: m.contact_phone,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn scoped(scope: &Scope) -> sea_orm::Select<project::Entity> {
    project::Entity::find().filter(project::Column::CompanyId.eq(scope.company_id())).filter(project_condition(
        scope,
        project::Column::Id,
        false,
    ))
}

#[async_trait]
impl ProjectRepo for Db {
    async fn list(&self, scope: &Scope, q: Option<&str>, page: PageRequest) -> Result<Page<Project>> {
        let mut sel = scoped(scope);
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            sel = sel.filter(search::contains(project::Column::Name, q));
        }
        let rows = crate::page::fetch(sel.order_by_asc(project::Column::Id), &self.conn, page).await?;
        Ok(rows.map(view))
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

    async fn create(&self, granted: &GrantedCompany, f: ProjectFields, audit: AuditEvent) -> Result<Project> {
        let tx = self.begin().await.or_internal()?;
        let now = Utc::now();
        let mut am = project::ActiveModel {
            id: NotSet,
            company_id: Set(granted.company_id()),
            created_at: Set(now),
            ..Default::default()
        };
        set_fields(&mut am, f, now);
        let p = view(am.insert(&tx).await.map_err(unique_as(Code::ProjectNameTaken))?);
        audit::write(&tx, audit.project(Some(p.id)).entity_id(p.id).after(&p)).await?;
        tx.commit().await.or_internal()?;
        Ok(p)
    }

    async fn update(&self, granted: &Granted, f: ProjectFields, audit: AuditEvent) -> Result<Project> {
        let id = granted.project_id();
        let tx = self.begin().await.or_internal()?;
        let m = project::Entity::find_by_id(id)
            .filter(project::Column::CompanyId.eq(granted.company_id()))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("project", id))?;
        let mut am = m.into_active_model();
        set_fields(&mut am, f, Utc::now());
        let after = view(am.update(&tx).await.map_err(unique_as(Code::ProjectNameTaken))?);
        audit::write(&tx, audit.entity_id(id).after(&after)).await?;
        tx.commit().await.or_internal()?;
        Ok(after)
    }
}

fn set_fields(am: &mut project::ActiveModel, f: ProjectFields, now: chrono::DateTime<Utc>) {
    am.name = Set(f.name);
    am.kind = Set(f.kind.as_str().to_string());
    am.address = Set(f.address);
    am.land_area_x100 = Set(f.land_area.map(Area::hundredths));
    am.building_area_x100 = Set(f.building_area.map(Area::hundredths));
    am.time_zone = Set(f.time_zone);
    am.contact_name = Set(f.contact_name);
    am.contact_phone = Set(f.contact_phone);
    am.updated_at = Set(now);
}
