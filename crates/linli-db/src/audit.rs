//! Writing audit rows (inside the caller's transaction) and reading the log.

use async_trait::async_trait;
use chrono::Utc;
use std::collections::HashMap;

use linli_audit::{AuditActor, AuditEntry, AuditFilter, AuditRepo};
use linli_core::{AuditEvent, Id, Page, PageRequest, Result, Scope};
use linli_property::house_label;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use crate::Db;
use crate::entity::{audit_log, building, equipment, fee_item, house, meter, person, project, unit, user};
use crate::error::OrInternal;
use crate::scope::project_condition;
use crate::search;

pub(crate) async fn write(c: &impl ConnectionTrait, e: AuditEvent) -> Result<()> {
    active(e).insert(c).await.or_internal()?;
    Ok(())
}

/// The id of the project's newest audit row (0 before its first): one step down
/// `ix_audit_log_project_id`.
pub(crate) async fn mark(c: &impl ConnectionTrait, project_id: Id) -> Result<i64> {
    let newest: Option<Id> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Id)
        .filter(audit_log::Column::ProjectId.eq(project_id))
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .into_tuple()
        .one(c)
        .await
        .or_internal()?;
    Ok(newest.unwrap_or(0))
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

/// Where the objects named by a page of rows may be looked up: the reader's scope, or the one
/// project a proof was granted for.
pub(crate) enum Within<'a> {
    Scope(&'a Scope),
    Project { company_id: Id, project_id: Id },
}

impl Within<'_> {
    fn company_id(&self) -> Id {
        match self {
            Within::Scope(s) => s.company_id(),
            Within::Project { company_id, .. } => *company_id,
        }
    }

    fn projects(&self, col: impl ColumnTrait) -> Condition {
        match self {
            Within::Scope(s) => project_condition(s, col, false),
            Within::Project { project_id, .. } => Condition::all().add(col.eq(*project_id)),
        }
    }
}

/// The rows as entries, with the actors' display names and the objects' labels as they are now.
pub(crate) async fn labelled(
    c: &impl ConnectionTrait,
    within: Within<'_>,
    rows: Vec<audit_log::Model>,
) -> Result<Vec<AuditEntry>> {
    let ids_of = |kind: &str| -> Vec<Id> {
        let mut ids: Vec<Id> = rows.iter().filter(|r| r.entity == kind).filter_map(|r| r.entity_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let mut actor_ids: Vec<Id> = rows.iter().filter_map(|r| r.actor_id).collect();
    actor_ids.sort_unstable();
    actor_ids.dedup();
    let company = within.company_id();
    let users = user_names(c, company, &actor_ids.iter().copied().chain(ids_of("user")).collect::<Vec<_>>()).await?;

    let mut labels: HashMap<(&'static str, Id), String> = HashMap::new();
    for (id, name) in &users {
        labels.insert(("user", *id), name.clone());
    }
    let projects = ids_of("project");
    if !projects.is_empty() {
        for p in project::Entity::find()
            .filter(project::Column::Id.is_in(projects))
            .filter(project::Column::CompanyId.eq(company))
            .filter(within.projects(project::Column::Id))
            .all(c)
            .await
            .or_internal()?
        {
            labels.insert(("project", p.id), p.name);
        }
    }
    let buildings = ids_of("building");
    if !buildings.is_empty() {
        for b in building::Entity::find()
            .filter(building::Column::Id.is_in(buildings))
            .filter(within.projects(building::Column::ProjectId))
            .all(c)
            .await
            .or_internal()?
        {
            labels.insert(("building", b.id), b.name);
        }
    }
    let units = ids_of("unit");
    if !units.is_empty() {
        let found = unit::Entity::find()
            .filter(unit::Column::Id.is_in(units))
            .filter(within.projects(unit::Column::ProjectId))
            .all(c)
            .await
            .or_internal()?;
        let names = building_names(c, found.iter().map(|u| u.building_id)).await?;
        for u in found {
            let b = names.get(&u.building_id).map_or("", String::as_str);
            labels.insert(("unit", u.id), format!("{b}{}", u.name));
        }
    }
    let houses = ids_of("house");
    if !houses.is_empty() {
        let found = house::Entity::find()
            .filter(house::Column::Id.is_in(houses))
            .filter(within.projects(house::Column::ProjectId))
            .all(c)
            .await
            .or_internal()?;
        let b_names = building_names(c, found.iter().map(|h| h.building_id)).await?;
        let u_ids: Vec<Id> = found.iter().map(|h| h.unit_id).filter(|u| *u != 0).collect();
        let u_names: HashMap<Id, String> = if u_ids.is_empty() {
            HashMap::new()
        } else {
            unit::Entity::find()
                .filter(unit::Column::Id.is_in(u_ids))
                .all(c)
                .await
                .or_internal()?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        };
        for h in found {
            let b = b_names.get(&h.building_id).map_or("", String::as_str);
            labels.insert(("house", h.id), house_label(b, u_names.get(&h.unit_id).map(String::as_str), &h.number));
        }
    }
    let people = ids_of("person");
    if !people.is_empty() {
        for p in person::Entity::find()
            .filter(person::Column::Id.is_in(people))
            .filter(within.projects(person::Column::ProjectId))
            .all(c)
            .await
            .or_internal()?
        {
            labels.insert(("person", p.id), p.name);
        }
    }
    let equipment_ids = ids_of("equipment");
    if !equipment_ids.is_empty() {
        for e in equipment::Entity::find()
            .filter(equipment::Column::Id.is_in(equipment_ids))
            .filter(within.projects(equipment::Column::ProjectId))
            .all(c)
            .await
            .or_internal()?
        {
            labels.insert(("equipment", e.id), format!("{} {}", e.code, e.name));
        }
    }
    let fee_items = ids_of("fee_item");
    if !fee_items.is_empty() {
        for f in fee_item::Entity::find()
            .filter(fee_item::Column::Id.is_in(fee_items))
            .filter(within.projects(fee_item::Column::ProjectId))
            .all(c)
            .await
            .or_internal()?
        {
            labels.insert(("fee_item", f.id), f.name);
        }
    }
    let meters = ids_of("meter");
    if !meters.is_empty() {
        for m in meter::Entity::find()
            .filter(meter::Column::Id.is_in(meters))
            .filter(within.projects(meter::Column::ProjectId))
            .all(c)
            .await
            .or_internal()?
        {
            labels.insert(("meter", m.id), m.number);
        }
    }

    Ok(rows
        .into_iter()
        .map(|m| {
            let actor_display_name = m.actor_id.and_then(|a| users.get(&a).cloned());
            let entity_label = m.entity_id.and_then(|id| {
                let kind = linli_core::audit::ENTITIES.iter().find(|k| **k == m.entity)?;
                labels.get(&(*kind, id)).cloned()
            });
            view(m, actor_display_name, entity_label)
        })
        .collect())
}

async fn user_names(c: &impl ConnectionTrait, company: Id, ids: &[Id]) -> Result<HashMap<Id, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::CompanyId.eq(company))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

async fn building_names(c: &impl ConnectionTrait, ids: impl Iterator<Item = Id>) -> Result<HashMap<Id, String>> {
    let mut ids: Vec<Id> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(building::Entity::find()
        .filter(building::Column::Id.is_in(ids))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect())
}

fn view(m: audit_log::Model, actor_display_name: Option<String>, entity_label: Option<String>) -> AuditEntry {
    AuditEntry {
        id: m.id,
        at: m.at,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        actor_display_name,
        project_id: m.project_id,
        action: m.action,
        entity: m.entity,
        entity_id: m.entity_id,
        entity_label,
        before: m.before,
        after: m.after,
        ip: m.ip,
    }
}

#[async_trait]
impl AuditRepo for Db {
    async fn list(&self, scope: &Scope, f: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
        let mut q = visible(scope);
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
            q = q.filter(search::starts_with(audit_log::Column::Action, a.as_str()));
        }
        let Page { items, total, page, page_size } =
            crate::page::fetch(q.order_by_desc(audit_log::Column::Id), &self.conn, page).await?;
        Ok(Page { items: labelled(&self.conn, Within::Scope(scope), items).await?, total, page, page_size })
    }

    async fn actors(&self, scope: &Scope) -> Result<Vec<AuditActor>> {
        let acted = visible(scope)
            .select_only()
            .column(audit_log::Column::ActorId)
            .filter(audit_log::Column::ActorId.is_not_null())
            .distinct()
            .into_query();
        let mut users: Vec<AuditActor> = user::Entity::find()
            .filter(user::Column::CompanyId.eq(scope.company_id()))
            .filter(user::Column::Id.in_subquery(acted))
            .all(&self.conn)
            .await
            .or_internal()?
            .into_iter()
            .map(|u| AuditActor { id: u.id, display_name: u.display_name, username: u.username })
            .collect();
        users.sort_by(|a, b| a.display_name.cmp(&b.display_name).then(a.id.cmp(&b.id)));
        Ok(users)
    }
}

/// The rows a scope may read: its company's, in its projects, and company-level ones for a
/// company-wide scope.
fn visible(scope: &Scope) -> sea_orm::Select<audit_log::Entity> {
    audit_log::Entity::find().filter(audit_log::Column::CompanyId.eq(scope.company_id())).filter(project_condition(
        scope,
        audit_log::Column::ProjectId,
        true,
    ))
}
