//! The equipment register on both databases: items, their history and, through
//! `attachments`, their attachments.

use async_trait::async_trait;
use chrono::Utc;
use linli_audit::AuditEntry;
use linli_core::{AuditEvent, Code, Error, Granted, Id, Page, PageRequest, Result, Scope};
use linli_equipment::{
    Attachment, Category, CycleUnit, Equipment, EquipmentFields, EquipmentFilter, EquipmentRepo, EquipmentState,
    ImportWrite, StoredFile,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet,
    QueryFilter, QueryOrder,
};

use super::{attachments, categories};
use crate::entity::{audit_log, equipment, equipment_category, project};
use crate::error::{OrInternal, delete_failed, unique_as};
use crate::property::building_ref;
use crate::scope::{ensure_project, project_condition};
use crate::search;
use crate::{Db, audit, references};

fn view(m: equipment::Model, building_name: Option<String>) -> Equipment {
    Equipment {
        id: m.id,
        project_id: m.project_id,
        category_id: m.category_id,
        code: m.code,
        name: m.name,
        brand: m.brand,
        model: m.model,
        serial_number: m.serial_number,
        supplier: m.supplier,
        purchased_on: m.purchased_on,
        purchase_price_fen: m.purchase_price_fen,
        building_id: m.building_id,
        building_name,
        location: m.location,
        warranty_until: m.warranty_until,
        cycle_unit: m.cycle_unit.as_deref().and_then(CycleUnit::parse),
        cycle_every: m.cycle_every,
        last_maintained_on: m.last_maintained_on,
        next_maintenance_on: m.next_maintenance_on,
        state: EquipmentState::parse(&m.state).unwrap_or_default(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

async fn views(c: &impl ConnectionTrait, rows: Vec<equipment::Model>) -> Result<Vec<Equipment>> {
    let names = building_ref::names(c, rows.iter().filter_map(|m| m.building_id)).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let name = m.building_id.and_then(|b| names.get(&b).cloned());
            view(m, name)
        })
        .collect())
}

fn scoped(scope: &Scope) -> sea_orm::Select<equipment::Entity> {
    equipment::Entity::find().filter(project_condition(scope, equipment::Column::ProjectId, false))
}

/// The category must be the company's and the building the project's; answers the building's
/// name.
async fn check_refs(c: &impl ConnectionTrait, granted: &Granted, f: &EquipmentFields) -> Result<Option<String>> {
    let category = equipment_category::Entity::find_by_id(f.category_id)
        .filter(equipment_category::Column::CompanyId.eq(granted.company_id()))
        .one(c)
        .await
        .or_internal()?;
    if category.is_none() {
        return Err(Error::invalid("category_id", "not_found"));
    }
    match f.building_id {
        None => Ok(None),
        Some(b) => building_ref::in_project(c, granted.project_id(), b)
            .await?
            .map(Some)
            .ok_or_else(|| Error::invalid("building_id", "not_in_project")),
    }
}

fn set_fields(am: &mut equipment::ActiveModel, f: EquipmentFields) {
    am.category_id = Set(f.category_id);
    am.code = Set(f.code);
    am.name = Set(f.name);
    am.brand = Set(f.brand);
    am.model = Set(f.model);
    am.serial_number = Set(f.serial_number);
    am.supplier = Set(f.supplier);
    am.purchased_on = Set(f.purchased_on);
    am.purchase_price_fen = Set(f.purchase_price_fen);
    am.building_id = Set(f.building_id);
    am.location = Set(f.location);
    am.warranty_until = Set(f.warranty_until);
    am.cycle_unit = Set(f.cycle_unit.map(|u| u.as_str().to_string()));
    am.cycle_every = Set(f.cycle_every);
    am.last_maintained_on = Set(f.last_maintained_on);
    am.next_maintenance_on = Set(f.next_maintenance_on);
    am.state = Set(f.state.as_str().to_string());
    am.updated_at = Set(Utc::now());
}

/// The item in the granted project, inside the caller's transaction.
pub(crate) async fn in_project(c: &impl ConnectionTrait, granted: &Granted, id: Id) -> Result<equipment::Model> {
    equipment::Entity::find_by_id(id)
        .filter(equipment::Column::ProjectId.eq(granted.project_id()))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("equipment", id))
}

#[async_trait]
impl EquipmentRepo for Db {
    async fn categories(&self, company_id: Id) -> Result<Vec<Category>> {
        categories::all(&self.conn, company_id).await
    }

    async fn list(
        &self,
        scope: &Scope,
        f: &EquipmentFilter,
        category_ids: Option<&[Id]>,
        page: PageRequest,
    ) -> Result<Page<Equipment>> {
        let mut sel = scoped(scope);
        if let Some(p) = f.project_id {
            sel = sel.filter(equipment::Column::ProjectId.eq(p));
        }
        if let Some(ids) = category_ids {
            sel = sel.filter(equipment::Column::CategoryId.is_in(ids.iter().copied()));
        }
        if let Some(s) = f.state {
            sel = sel.filter(equipment::Column::State.eq(s.as_str()));
        }
        if let Some(b) = f.building_id {
            sel = sel.filter(equipment::Column::BuildingId.eq(b));
        }
        if let Some(d) = f.due_before {
            sel = sel.filter(equipment::Column::NextMaintenanceOn.lte(d));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            sel = sel.filter(
                Condition::any()
                    .add(search::contains(equipment::Column::Code, q))
                    .add(search::contains(equipment::Column::Name, q))
                    .add(search::contains(equipment::Column::Brand, q))
                    .add(search::contains(equipment::Column::Model, q)),
            );
        }
        let sel = sel.order_by_asc(equipment::Column::Code).order_by_asc(equipment::Column::Id);
        let Page { items, total, page, page_size } = crate::page::fetch(sel, &self.conn, page).await?;
        Ok(Page { items: views(&self.conn, items).await?, total, page, page_size })
    }

    async fn get(&self, scope: &Scope, id: Id) -> Result<Equipment> {
        let m = scoped(scope)
            .filter(equipment::Column::Id.eq(id))
            .one(&self.conn)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("equipment", id))?;
        Ok(views(&self.conn, vec![m]).await?.remove(0))
    }

    async fn get_many(&self, scope: &Scope, ids: &[Id]) -> Result<Vec<Equipment>> {
        let rows = scoped(scope)
            .filter(equipment::Column::Id.is_in(ids.iter().copied()))
            .all(&self.conn)
            .await
            .or_internal()?;
        views(&self.conn, rows).await
    }

    async fn create(&self, granted: &Granted, f: EquipmentFields, audit: AuditEvent) -> Result<Equipment> {
        let tx = self.begin().await.or_internal()?;
        // A grant proves the permission, not that the project is the actor's company's.
        project::Entity::find_by_id(granted.project_id())
            .filter(project::Column::CompanyId.eq(granted.company_id()))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("project", granted.project_id()))?;
        let building_name = check_refs(&tx, granted, &f).await?;
        let now = Utc::now();
        let mut am = equipment::ActiveModel {
            id: NotSet,
            project_id: Set(granted.project_id()),
            created_at: Set(now),
            ..Default::default()
        };
        set_fields(&mut am, f);
        let m = am.insert(&tx).await.map_err(unique_as(Code::EquipmentCodeTaken))?;
        let e = view(m, building_name);
        audit::write(&tx, audit.entity_id(e.id).after(&e)).await?;
        tx.commit().await.or_internal()?;
        Ok(e)
    }

    async fn update(&self, granted: &Granted, id: Id, f: EquipmentFields, audit: AuditEvent) -> Result<Equipment> {
        let tx = self.begin().await.or_internal()?;
        let m = in_project(&tx, granted, id).await?;
        let building_name = check_refs(&tx, granted, &f).await?;
        let mut am = m.into_active_model();
        set_fields(&mut am, f);
        let e = view(am.update(&tx).await.map_err(unique_as(Code::EquipmentCodeTaken))?, building_name);
        audit::write(&tx, audit.after(&e)).await?;
        tx.commit().await.or_internal()?;
        Ok(e)
    }

    async fn delete(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        in_project(&tx, granted, id).await?;
        attachments::delete_all_of(&tx, id).await?;
        references::refuse_if_referenced(&tx, "equipment", id).await?;
        equipment::Entity::delete_by_id(id).exec(&tx).await.map_err(delete_failed)?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()
    }

    async fn history(&self, granted: &Granted, id: Id, page: PageRequest) -> Result<Page<AuditEntry>> {
        let sel = audit_log::Entity::find()
            .filter(audit_log::Column::CompanyId.eq(granted.company_id()))
            .filter(audit_log::Column::ProjectId.eq(granted.project_id()))
            .filter(audit_log::Column::Entity.eq("equipment"))
            .filter(audit_log::Column::EntityId.eq(id));
        let Page { items, total, page, page_size } =
            crate::page::fetch(sel.order_by_desc(audit_log::Column::Id), &self.conn, page).await?;
        let within = audit::Within::Project { company_id: granted.company_id(), project_id: granted.project_id() };
        Ok(Page { items: audit::labelled(&self.conn, within, items).await?, total, page, page_size })
    }

    async fn attachments(&self, scope: &Scope, equipment_id: Id) -> Result<Vec<Attachment>> {
        attachments::of_equipment(&self.conn, scope, equipment_id).await
    }

    async fn attachment(&self, scope: &Scope, id: Id) -> Result<Attachment> {
        attachments::get(&self.conn, scope, id).await
    }

    async fn create_attachment(
        &self,
        granted: &Granted,
        equipment_id: Id,
        file: StoredFile,
        audit: AuditEvent,
    ) -> Result<Attachment> {
        attachments::create(self, granted, equipment_id, file, audit).await
    }

    async fn apply_import(
        &self,
        granted: &Granted,
        writes: Vec<ImportWrite>,
        summary: AuditEvent,
        dry_run: bool,
    ) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        ensure_project(&tx, granted).await?;
        let mut audits = Vec::with_capacity(writes.len());
        for ImportWrite { id, fields, audit } in writes {
            let building_name = check_refs(&tx, granted, &fields).await?;
            let mut am = match id {
                Some(id) => in_project(&tx, granted, id).await?.into_active_model(),
                None => equipment::ActiveModel {
                    id: NotSet,
                    project_id: Set(granted.project_id()),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                },
            };
            set_fields(&mut am, fields);
            let m = if id.is_some() { am.update(&tx).await } else { am.insert(&tx).await }
                .map_err(unique_as(Code::EquipmentCodeTaken))?;
            let e = view(m, building_name);
            audits.push(audit.entity_id(e.id).after(&e));
        }
        crate::import_tx::finish(tx, audits, summary, dry_run).await
    }

    async fn delete_attachment(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()> {
        attachments::delete(self, granted, id, audit).await
    }
}
