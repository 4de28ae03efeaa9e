//! Buildings, units and houses.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use linli_core::{Area, AuditEvent, Code, Error, Granted, Id, Page, PageRequest, Result, Scope};
use linli_property::house_import::{HouseImportFacts, HouseImportPlan};
use linli_property::{
    Building, BuildingKind, BuildingNode, BuildingRepo, House, HouseFields, HouseFilter, HouseQuery, HouseRepo,
    HouseState, HouseUsage, NewBuilding, ProjectStats, Unit, UnitNode,
};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Alias, Expr, JoinType, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet,
    Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{building, house, occupancy, ownership, person, unit};
use crate::error::{OrInternal, delete_failed, unique_as};
use crate::scope::{ensure_project, project_condition};
use crate::search;
use crate::{Db, audit, references};

pub(crate) fn building_view(m: building::Model) -> Building {
    Building {
        id: m.id,
        project_id: m.project_id,
        name: m.name,
        floors_above: m.floors_above,
        floors_below: m.floors_below,
        elevator_count: m.elevator_count,
        kind: BuildingKind::parse(&m.kind).unwrap_or(BuildingKind::Mixed),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn unit_view(m: unit::Model) -> Unit {
    Unit { id: m.id, project_id: m.project_id, building_id: m.building_id, name: m.name, created_at: m.created_at }
}

/// Houses with their building and unit names, loaded in two queries for the whole page.
async fn house_views(c: &impl ConnectionTrait, rows: Vec<house::Model>) -> Result<Vec<House>> {
    let mut b_ids: Vec<Id> = rows.iter().map(|h| h.building_id).collect();
    b_ids.sort_unstable();
    b_ids.dedup();
    let mut u_ids: Vec<Id> = rows.iter().map(|h| h.unit_id).filter(|u| *u != 0).collect();
    u_ids.sort_unstable();
    u_ids.dedup();
    let buildings: HashMap<Id, String> = building::Entity::find()
        .filter(building::Column::Id.is_in(b_ids))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let units: HashMap<Id, String> = if u_ids.is_empty() {
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
    Ok(rows
        .into_iter()
        .map(|m| House {
            id: m.id,
            project_id: m.project_id,
            building_name: buildings.get(&m.building_id).cloned().unwrap_or_default(),
            building_id: m.building_id,
            unit_id: (m.unit_id != 0).then_some(m.unit_id),
            unit_name: units.get(&m.unit_id).cloned(),
            number: m.number,
            floor: m.floor,
            layout: m.layout,
            gross_area: Area::from_hundredths(m.gross_area_x100),
            inner_area: m.inner_area_x100.map(Area::from_hundredths),
            orientation: m.orientation,
            usage: HouseUsage::parse(&m.usage).unwrap_or(HouseUsage::Residential),
            state: HouseState::parse(&m.state).unwrap_or(HouseState::Vacant),
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
        .collect())
}

async fn building_in(c: &impl ConnectionTrait, granted: &Granted, id: Id) -> Result<building::Model> {
    building::Entity::find_by_id(id)
        .filter(building::Column::ProjectId.eq(granted.project_id()))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("building", id))
}

async fn house_in(c: &impl ConnectionTrait, granted: &Granted, id: Id) -> Result<house::Model> {
    house::Entity::find_by_id(id)
        .filter(house::Column::ProjectId.eq(granted.project_id()))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("house", id))
}

/// The ids of the houses matching `cond`.
async fn houses_where(c: &impl ConnectionTrait, cond: sea_orm::sea_query::SimpleExpr) -> Result<Vec<Id>> {
    house::Entity::find().select_only().column(house::Column::Id).filter(cond).into_tuple().all(c).await.or_internal()
}

fn houses_in_scope(scope: &Scope) -> sea_orm::Select<house::Entity> {
    house::Entity::find().filter(project_condition(scope, house::Column::ProjectId, false))
}

/// The house's label as displayed ("1栋1单元702", "1栋702"), its short form ("1-1-702"), part of
/// its number, or a current owner's or occupant's name or phone. The label and the people are
/// matched among the rows with the query's grams (`search::narrowed`) when it has any.
fn house_search(project: Option<Id>, q: &HouseQuery) -> Condition {
    let text = q.label.as_str();
    let people = Query::select()
        .column(person::Column::Id)
        .from(person::Entity)
        .cond_where(search::persons_matching(project, text))
        .to_owned();
    let owned = Query::select()
        .column(ownership::Column::HouseId)
        .from(ownership::Entity)
        .and_where(Expr::col(ownership::Column::PersonId).in_subquery(people.clone()))
        .to_owned();
    let occupied = Query::select()
        .column(occupancy::Column::HouseId)
        .from(occupancy::Entity)
        .and_where(Expr::col(occupancy::Column::PersonId).in_subquery(people))
        .to_owned();
    // The joined label, in the same two shapes the console shows (with and without the unit).
    let mut label = Condition::any()
        .add(Expr::cust("b.name || COALESCE(u.name, '') || h.number").like(search::containing(text)))
        .add(Expr::cust("b.name || h.number").like(search::containing(text)))
        .add(Expr::col((h(), house::Column::Number)).like(search::containing(text)));
    if let Some(ids) = search::narrowed(search::Kind::House, project, text) {
        label = Condition::all().add(Expr::col((h(), house::Column::Id)).in_subquery(ids)).add(label);
    }
    let labelled = labelled_houses().cond_where(label).to_owned();
    let mut any = Condition::any()
        .add(house::Column::Id.in_subquery(labelled))
        .add(house::Column::Id.in_subquery(owned))
        .add(house::Column::Id.in_subquery(occupied));
    if let Some(short) = &q.short {
        let mut exact = Condition::all()
            .add(Expr::col((h(), house::Column::Number)).eq(short.number.as_str()))
            .add(Expr::col((b(), building::Column::Name)).is_in(short.building_names.iter().map(String::as_str)));
        if let Some(units) = &short.unit_names {
            exact = exact.add(Expr::col((u(), unit::Column::Name)).is_in(units.iter().map(String::as_str)));
        }
        any = any.add(house::Column::Id.in_subquery(labelled_houses().cond_where(exact).to_owned()));
    }
    any
}

fn h() -> Alias {
    Alias::new("h")
}
fn b() -> Alias {
    Alias::new("b")
}
fn u() -> Alias {
    Alias::new("u")
}

/// `SELECT h.id FROM houses h JOIN buildings b … LEFT JOIN units u …` (houses without a unit have
/// unit id 0, which no unit has).
fn labelled_houses() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column((h(), house::Column::Id))
        .from_as(house::Entity, h())
        .join_as(
            JoinType::InnerJoin,
            building::Entity,
            b(),
            Expr::col((b(), building::Column::Id)).equals((h(), house::Column::BuildingId)),
        )
        .join_as(
            JoinType::LeftJoin,
            unit::Entity,
            u(),
            Expr::col((u(), unit::Column::Id)).equals((h(), house::Column::UnitId)),
        )
        .to_owned()
}

fn set_house(am: &mut house::ActiveModel, f: HouseFields) {
    am.number = Set(f.number);
    am.floor = Set(f.floor);
    am.layout = Set(f.layout);
    am.gross_area_x100 = Set(f.gross_area.hundredths());
    am.inner_area_x100 = Set(f.inner_area.map(Area::hundredths));
    am.orientation = Set(f.orientation);
    am.usage = Set(f.usage.as_str().to_string());
    am.state = Set(f.state.as_str().to_string());
    am.updated_at = Set(Utc::now());
}

#[async_trait]
impl BuildingRepo for Db {
    async fn list_buildings(&self, scope: &Scope, project_id: Option<Id>, page: PageRequest) -> Result<Page<Building>> {
        let mut sel = building::Entity::find().filter(project_condition(scope, building::Column::ProjectId, false));
        if let Some(p) = project_id {
            sel = sel.filter(building::Column::ProjectId.eq(p));
        }
        let rows = crate::page::fetch(
            sel.order_by_asc(building::Column::ProjectId)
                .order_by(Expr::cust("LENGTH(name)"), Order::Asc)
                .order_by_asc(building::Column::Name),
            &self.conn,
            page,
        )
        .await?;
        Ok(rows.map(building_view))
    }
    async fn get_building(&self, scope: &Scope, id: Id) -> Result<Building> {
        building::Entity::find_by_id(id)
            .filter(project_condition(scope, building::Column::ProjectId, false))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(building_view)
            .ok_or_else(|| Error::not_found("building", id))
    }
    async fn create_building(&self, granted: &Granted, new: NewBuilding, audit: AuditEvent) -> Result<Building> {
        let tx = self.begin().await.or_internal()?;
        ensure_project(&tx, granted).await?;
        let now = Utc::now();
        let m = building::ActiveModel {
            id: NotSet,
            project_id: Set(granted.project_id()),
            name: Set(new.name),
            floors_above: Set(new.floors_above),
            floors_below: Set(new.floors_below),
            elevator_count: Set(new.elevator_count),
            kind: Set(new.kind.as_str().to_string()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&tx)
        .await
        .map_err(unique_as(Code::BuildingNameTaken))?;
        let b = building_view(m);
        audit::write(&tx, audit.entity_id(b.id).after(&b)).await?;
        tx.commit().await.or_internal()?;
        Ok(b)
    }
    async fn update_building(&self, granted: &Granted, after: Building, audit: AuditEvent) -> Result<Building> {
        let tx = self.begin().await.or_internal()?;
        let mut am = building_in(&tx, granted, after.id).await?.into_active_model();
        am.name = Set(after.name);
        am.floors_above = Set(after.floors_above);
        am.floors_below = Set(after.floors_below);
        am.elevator_count = Set(after.elevator_count);
        am.kind = Set(after.kind.as_str().to_string());
        am.updated_at = Set(Utc::now());
        let b = building_view(am.update(&tx).await.map_err(unique_as(Code::BuildingNameTaken))?);
        // Its houses' labels carry its name.
        search::index_houses(&tx, &houses_where(&tx, house::Column::BuildingId.eq(b.id)).await?).await?;
        audit::write(&tx, audit.after(&b)).await?;
        tx.commit().await.or_internal()?;
        Ok(b)
    }
    async fn delete_building(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        building_in(&tx, granted, id).await?;
        references::refuse_if_referenced(&tx, "buildings", id).await?;
        building::Entity::delete_by_id(id).exec(&tx).await.map_err(delete_failed)?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()
    }
    async fn list_units(&self, scope: &Scope, building_id: Option<Id>, page: PageRequest) -> Result<Page<Unit>> {
        let mut sel = unit::Entity::find().filter(project_condition(scope, unit::Column::ProjectId, false));
        if let Some(b) = building_id {
            sel = sel.filter(unit::Column::BuildingId.eq(b));
        }
        let rows = crate::page::fetch(
            sel.order_by_asc(unit::Column::BuildingId)
                .order_by(Expr::cust("LENGTH(name)"), Order::Asc)
                .order_by_asc(unit::Column::Name),
            &self.conn,
            page,
        )
        .await?;
        Ok(rows.map(unit_view))
    }
    async fn get_unit(&self, scope: &Scope, id: Id) -> Result<Unit> {
        unit::Entity::find_by_id(id)
            .filter(project_condition(scope, unit::Column::ProjectId, false))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(unit_view)
            .ok_or_else(|| Error::not_found("unit", id))
    }
    async fn create_unit(&self, granted: &Granted, building_id: Id, name: String, audit: AuditEvent) -> Result<Unit> {
        let tx = self.begin().await.or_internal()?;
        building_in(&tx, granted, building_id).await?;
        let m = unit::ActiveModel {
            id: NotSet,
            project_id: Set(granted.project_id()),
            building_id: Set(building_id),
            name: Set(name),
            created_at: Set(Utc::now()),
        }
        .insert(&tx)
        .await
        .map_err(unique_as(Code::UnitNameTaken))?;
        let u = unit_view(m);
        audit::write(&tx, audit.entity_id(u.id).after(&u)).await?;
        tx.commit().await.or_internal()?;
        Ok(u)
    }
    async fn rename_unit(&self, granted: &Granted, id: Id, name: String, audit: AuditEvent) -> Result<Unit> {
        let tx = self.begin().await.or_internal()?;
        let m = unit::Entity::find_by_id(id)
            .filter(unit::Column::ProjectId.eq(granted.project_id()))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("unit", id))?;
        let mut am = m.into_active_model();
        am.name = Set(name);
        let u = unit_view(am.update(&tx).await.map_err(unique_as(Code::UnitNameTaken))?);
        search::index_houses(&tx, &houses_where(&tx, house::Column::UnitId.eq(u.id)).await?).await?;
        audit::write(&tx, audit.after(&u)).await?;
        tx.commit().await.or_internal()?;
        Ok(u)
    }
    async fn delete_unit(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        let found = unit::Entity::find_by_id(id)
            .filter(unit::Column::ProjectId.eq(granted.project_id()))
            .one(&tx)
            .await
            .or_internal()?;
        found.ok_or_else(|| Error::not_found("unit", id))?;
        references::refuse_if_referenced(&tx, "units", id).await?;
        unit::Entity::delete_by_id(id).exec(&tx).await.map_err(delete_failed)?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()
    }
    async fn structure(&self, scope: &Scope, project_id: Id) -> Result<Vec<BuildingNode>> {
        let buildings = self.list_buildings(scope, Some(project_id), PageRequest::all()).await?.items;
        let units = unit::Entity::find()
            .filter(unit::Column::ProjectId.eq(project_id))
            .filter(project_condition(scope, unit::Column::ProjectId, false))
            .order_by(Expr::cust("LENGTH(name)"), Order::Asc)
            .order_by_asc(unit::Column::Name)
            .all(&self.conn)
            .await
            .or_internal()?;
        let counts: Vec<(i64, i64, i64)> = house::Entity::find()
            .select_only()
            .column(house::Column::BuildingId)
            .column(house::Column::UnitId)
            .column_as(house::Column::Id.count(), "n")
            .filter(house::Column::ProjectId.eq(project_id))
            .group_by(house::Column::BuildingId)
            .group_by(house::Column::UnitId)
            .into_tuple()
            .all(&self.conn)
            .await
            .or_internal()?;
        let by_unit: HashMap<(Id, Id), u64> = counts.into_iter().map(|(b, u, n)| ((b, u), n as u64)).collect();
        Ok(buildings
            .into_iter()
            .map(|b| {
                let house_count = by_unit.iter().filter(|((bid, _), _)| *bid == b.id).map(|(_, n)| n).sum();
                let units = units
                    .iter()
                    .filter(|u| u.building_id == b.id)
                    .map(|u| UnitNode {
                        house_count: by_unit.get(&(b.id, u.id)).copied().unwrap_or(0),
                        unit: unit_view(u.clone()),
                    })
                    .collect();
                BuildingNode { building: b, house_count, units }
            })
            .collect())
    }
}

#[async_trait]
impl HouseRepo for Db {
    async fn list_houses(&self, scope: &Scope, f: &HouseFilter, page: PageRequest) -> Result<Page<House>> {
        let mut sel = houses_in_scope(scope);
        if let Some(p) = f.project_id {
            sel = sel.filter(house::Column::ProjectId.eq(p));
        }
        if let Some(b) = f.building_id {
            sel = sel.filter(house::Column::BuildingId.eq(b));
        }
        if let Some(u) = f.unit_id {
            sel = sel.filter(house::Column::UnitId.eq(u));
        }
        if let Some(fl) = f.floor {
            sel = sel.filter(house::Column::Floor.eq(fl));
        }
        if let Some(s) = f.state {
            sel = sel.filter(house::Column::State.eq(s.as_str()));
        }
        if let Some(u) = f.usage {
            sel = sel.filter(house::Column::Usage.eq(u.as_str()));
        }
        if let Some(q) = f.q.as_deref().and_then(HouseQuery::parse) {
            sel = sel.filter(house_search(f.project_id, &q));
        }
        let sel = sel
            .order_by_asc(house::Column::ProjectId)
            .order_by_asc(house::Column::BuildingId)
            .order_by_asc(house::Column::UnitId)
            .order_by_asc(house::Column::Floor)
            .order_by(Expr::cust("LENGTH(number)"), Order::Asc)
            .order_by_asc(house::Column::Number);
        let Page { items, total, page, page_size } = crate::page::fetch(sel, &self.conn, page).await?;
        Ok(Page { items: house_views(&self.conn, items).await?, total, page, page_size })
    }
    async fn get_house(&self, scope: &Scope, id: Id) -> Result<House> {
        let m = houses_in_scope(scope)
            .filter(house::Column::Id.eq(id))
            .one(&self.conn)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("house", id))?;
        Ok(house_views(&self.conn, vec![m]).await?.remove(0))
    }
    async fn create_house(
        &self,
        granted: &Granted,
        building_id: Id,
        unit_id: Option<Id>,
        f: HouseFields,
        audit: AuditEvent,
    ) -> Result<House> {
        let tx = self.begin().await.or_internal()?;
        building_in(&tx, granted, building_id).await?;
        if let Some(u) = unit_id {
            let in_building = unit::Entity::find_by_id(u)
                .filter(unit::Column::BuildingId.eq(building_id))
                .one(&tx)
                .await
                .or_internal()?
                .is_some();
            if !in_building {
                return Err(Error::invalid("unit_id", "not_in_building"));
            }
        }
        let now = Utc::now();
        let mut am = house::ActiveModel {
            id: NotSet,
            project_id: Set(granted.project_id()),
            building_id: Set(building_id),
            unit_id: Set(unit_id.unwrap_or(0)),
            created_at: Set(now),
            ..Default::default()
        };
        set_house(&mut am, f);
        let m = am.insert(&tx).await.map_err(unique_as(Code::HouseNumberTaken))?;
        search::index_houses(&tx, &[m.id]).await?;
        let h = house_views(&tx, vec![m]).await?.remove(0);
        audit::write(&tx, audit.entity_id(h.id).after(&h)).await?;
        tx.commit().await.or_internal()?;
        Ok(h)
    }
    async fn update_house(&self, granted: &Granted, id: Id, f: HouseFields, audit: AuditEvent) -> Result<House> {
        let tx = self.begin().await.or_internal()?;
        let mut am = house_in(&tx, granted, id).await?.into_active_model();
        set_house(&mut am, f);
        let m = am.update(&tx).await.map_err(unique_as(Code::HouseNumberTaken))?;
        search::index_houses(&tx, &[m.id]).await?;
        let h = house_views(&tx, vec![m]).await?.remove(0);
        audit::write(&tx, audit.after(&h)).await?;
        tx.commit().await.or_internal()?;
        Ok(h)
    }
    async fn delete_house(&self, granted: &Granted, id: Id, audit: AuditEvent) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        house_in(&tx, granted, id).await?;
        references::refuse_if_referenced(&tx, "houses", id).await?;
        house::Entity::delete_by_id(id).exec(&tx).await.map_err(delete_failed)?;
        search::forget(&tx, search::Kind::House, &[id]).await?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()
    }
    async fn house_import_facts(&self, granted: &Granted) -> Result<HouseImportFacts> {
        super::import::facts(self, granted).await
    }
    async fn apply_house_import(
        &self,
        granted: &Granted,
        plan: HouseImportPlan,
        audit: AuditEvent,
        dry_run: bool,
    ) -> Result<()> {
        super::import::apply(self, granted, plan, audit, dry_run).await
    }
    async fn stats(&self, scope: &Scope, project_id: Id) -> Result<ProjectStats> {
        if !scope.allows(project_id) {
            return Err(Error::not_found("project", project_id));
        }
        let c = &self.conn;
        // Counted in the database: one row per house state, one number per question.
        let by_state: Vec<(String, i64)> = house::Entity::find()
            .select_only()
            .column(house::Column::State)
            .column_as(house::Column::Id.count(), "n")
            .filter(house::Column::ProjectId.eq(project_id))
            .group_by(house::Column::State)
            .into_tuple()
            .all(c)
            .await
            .or_internal()?;
        let state = |s: HouseState| by_state.iter().find(|(k, _)| k == s.as_str()).map_or(0, |(_, n)| *n as u64);
        let owners = current_people(c, ownership::Entity, project_id, ownership::Column::EndedOn).await?;
        let residents = current_people(c, occupancy::Entity, project_id, occupancy::Column::MovedOutOn).await?;
        Ok(ProjectStats {
            buildings: building::Entity::find()
                .filter(building::Column::ProjectId.eq(project_id))
                .count(c)
                .await
                .or_internal()?,
            houses: by_state.iter().map(|(_, n)| *n as u64).sum(),
            occupied: state(HouseState::Occupied),
            vacant: state(HouseState::Vacant),
            owners,
            residents,
            vehicles: 0,
            equipment: count_rows(c, "equipment", "project_id", project_id).await?,
        })
    }
    async fn audit_mark(&self, project_id: Id) -> Result<i64> {
        crate::audit::mark(&self.conn, project_id).await
    }
}

/// The distinct people of a project's ownerships or stays that have not ended.
async fn current_people(
    c: &impl ConnectionTrait,
    table: impl sea_orm::sea_query::IntoTableRef,
    project_id: Id,
    ended: impl sea_orm::sea_query::IntoColumnRef,
) -> Result<u64> {
    let q = Query::select()
        .expr(Expr::cust("COUNT(DISTINCT person_id)"))
        .from(table)
        .and_where(Expr::col("project_id").eq(project_id))
        .and_where(Expr::col(ended).is_null())
        .to_owned();
    scalar_count(c, &q).await
}

/// The one number a `SELECT COUNT(…)` answers.
async fn scalar_count(c: &impl ConnectionTrait, q: &sea_orm::sea_query::SelectStatement) -> Result<u64> {
    let row = c.query_one(q).await.or_internal()?;
    Ok(row.map(|r| r.try_get_by_index::<i64>(0)).transpose().or_internal()?.unwrap_or(0) as u64)
}

/// Rows of another module's table with `column = id`, without depending on its entity.
async fn count_rows(c: &impl ConnectionTrait, table: &'static str, column: &'static str, id: Id) -> Result<u64> {
    let q = Query::select().expr(Expr::col("id").count()).from(table).and_where(Expr::col(column).eq(id)).to_owned();
    scalar_count(c, &q).await
}
