//! Meters and their readings on both databases. Quantities are stored as integer thousandths.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use linli_core::{Area, AuditEvent, Code, Error, Granted, Id, Page, PageRequest, Result, Scope};
use linli_meters::meter::{self, HouseShare, MeterUse};
use linli_meters::{
    Apportion, Meter, MeterFields, MeterFilter, MeterKind, MeterRepo, MeteredUse, Reading, ReadingFields,
    ReadingFilter, ReadingFlag, ReadingState, ReadingWrite, Replacement,
};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait,
    IntoActiveModel, NotSet, QueryFilter, QueryOrder,
};

use crate::entity::{house, meter as meter_e, meter_reading};
use crate::error::{OrInternal, unique_as};
use crate::property::building_ref;
use crate::scope::{ensure_project, project_condition};
use crate::search;
use crate::{Db, audit};

fn dec(x1000: i64) -> Decimal {
    Decimal::new(x1000, 3).normalize()
}

/// Thousandths of a checked quantity; a value too large to store is a field error.
fn x1000(d: Decimal, field: &str) -> Result<i64> {
    let t = (d * Decimal::ONE_THOUSAND).trunc();
    i64::try_from(t).map_err(|_| Error::invalid(field, "out_of_range"))
}

fn meter_view(m: meter_e::Model, house: Option<(String, String)>, building_name: Option<String>) -> Meter {
    let (house_number, house_label) = house.unzip();
    Meter {
        id: m.id,
        project_id: m.project_id,
        house_id: m.house_id,
        house_number,
        house_label,
        building_id: m.building_id,
        building_name,
        kind: MeterKind::parse(&m.kind).unwrap_or(MeterKind::Water),
        number: m.number,
        multiplier: dec(m.multiplier_x1000),
        apportion: m.apportion.as_deref().and_then(Apportion::parse),
        max_consumption: m.max_consumption_x1000.map(dec),
        initial_value: dec(m.initial_value_x1000),
        location: m.location,
        active: m.active,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

async fn meter_views(c: &impl ConnectionTrait, rows: Vec<meter_e::Model>) -> Result<Vec<Meter>> {
    let buildings = building_ref::names(c, rows.iter().filter_map(|m| m.building_id)).await?;
    let house_ids: Vec<Id> = rows.iter().filter_map(|m| m.house_id).collect();
    let houses: HashMap<Id, String> = if house_ids.is_empty() {
        HashMap::new()
    } else {
        house::Entity::find()
            .filter(house::Column::Id.is_in(house_ids.iter().copied()))
            .all(c)
            .await
            .or_internal()?
            .into_iter()
            .map(|h| (h.id, h.number))
            .collect()
    };
    let labels = crate::property::house_labels(c, &house_ids).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let house = m.house_id.and_then(|h| Some((houses.get(&h)?.clone(), labels.get(&h)?.clone())));
            let name = m.building_id.and_then(|b| buildings.get(&b).cloned());
            meter_view(m, house, name)
        })
        .collect())
}

fn flags_text(flags: &[ReadingFlag]) -> String {
    flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")
}

fn reading_view(r: meter_reading::Model, m: &meter_e::Model) -> Reading {
    Reading {
        id: r.id,
        project_id: r.project_id,
        meter_id: r.meter_id,
        meter_number: m.number.clone(),
        kind: MeterKind::parse(&m.kind).unwrap_or(MeterKind::Water),
        house_id: m.house_id,
        period: r.period,
        value: dec(r.value_x1000),
        read_on: r.read_on,
        previous: dec(r.previous_x1000),
        consumption: dec(r.consumption_x1000),
        state: ReadingState::parse(&r.state).unwrap_or(ReadingState::NeedsConfirmation),
        flags: r.flags.split(',').filter_map(ReadingFlag::parse).collect(),
        replacement: match (r.old_final_x1000, r.new_initial_x1000) {
            (Some(o), Some(n)) => Some(Replacement { old_final: dec(o), new_initial: dec(n) }),
            _ => None,
        },
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

async fn reading_views(c: &impl ConnectionTrait, rows: Vec<meter_reading::Model>) -> Result<Vec<Reading>> {
    let mut ids: Vec<Id> = rows.iter().map(|r| r.meter_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let meters: HashMap<Id, meter_e::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        meter_e::Entity::find()
            .filter(meter_e::Column::Id.is_in(ids))
            .all(c)
            .await
            .or_internal()?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    rows.into_iter()
        .map(|r| {
            let m = meters.get(&r.meter_id).ok_or_else(|| Error::internal("a reading without its meter"))?;
            Ok(reading_view(r, m))
        })
        .collect()
}

fn scoped(scope: &Scope) -> sea_orm::Select<meter_e::Entity> {
    meter_e::Entity::find().filter(project_condition(scope, meter_e::Column::ProjectId, false))
}

async fn meter_in(c: &impl ConnectionTrait, granted: &Granted, id: Id) -> Result<meter_e::Model> {
    meter_e::Entity::find_by_id(id)
        .filter(meter_e::Column::ProjectId.eq(granted.project_id()))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("meter", id))
}

/// The house and building must be the project's. A house meter hangs in its house's building.
async fn place(c: &impl ConnectionTrait, granted: &Granted, f: &MeterFields) -> Result<Option<Id>> {
    if let Some(h) = f.house_id {
        let house = house::Entity::find_by_id(h)
            .filter(house::Column::ProjectId.eq(granted.project_id()))
            .one(c)
            .await
            .or_internal()?
            .ok_or_else(|| Error::invalid("house_id", "not_in_project"))?;
        return Ok(Some(house.building_id));
    }
    if let Some(b) = f.building_id {
        building_ref::in_project(c, granted.project_id(), b)
            .await?
            .ok_or_else(|| Error::invalid("building_id", "not_in_project"))?;
    }
    Ok(f.building_id)
}

fn set_meter(am: &mut meter_e::ActiveModel, f: MeterFields, building_id: Option<Id>) -> Result<()> {
    am.house_id = Set(f.house_id);
    am.building_id = Set(building_id);
    am.kind = Set(f.kind.as_str().to_string());
    am.number = Set(f.number);
    am.multiplier_x1000 = Set(x1000(f.multiplier, "multiplier")?);
    am.apportion = Set(f.apportion.map(|a| a.as_str().to_string()));
    am.max_consumption_x1000 = Set(f.max_consumption.map(|d| x1000(d, "max_consumption")).transpose()?);
    am.initial_value_x1000 = Set(x1000(f.initial_value, "initial_value")?);
    am.location = Set(f.location);
    am.active = Set(f.active);
    am.updated_at = Set(Utc::now());
    Ok(())
}

fn set_reading(am: &mut meter_reading::ActiveModel, f: &ReadingFields) -> Result<()> {
    am.period = Set(f.period.clone());
    am.value_x1000 = Set(x1000(f.value, "value")?);
    am.read_on = Set(f.read_on);
    am.previous_x1000 = Set(x1000(f.previous, "value")?);
    am.consumption_x1000 = Set(x1000(f.consumption, "value")?);
    am.state = Set(f.state.as_str().to_string());
    am.flags = Set(flags_text(&f.flags));
    am.old_final_x1000 = Set(f.replacement.map(|r| x1000(r.old_final, "replacement.old_final")).transpose()?);
    am.new_initial_x1000 = Set(f.replacement.map(|r| x1000(r.new_initial, "replacement.new_initial")).transpose()?);
    am.updated_at = Set(Utc::now());
    Ok(())
}

/// Inserts the reading (`id` none) or replaces reading `id` of the same meter, in the caller's
/// transaction. A second reading of the same meter and period is `conflict`.
async fn save(c: &impl ConnectionTrait, granted: &Granted, id: Option<Id>, f: ReadingFields) -> Result<Reading> {
    let m = meter_in(c, granted, f.meter_id).await?;
    let saved = match id {
        None => {
            let mut am = meter_reading::ActiveModel {
                id: NotSet,
                project_id: Set(granted.project_id()),
                meter_id: Set(m.id),
                created_at: Set(Utc::now()),
                ..Default::default()
            };
            set_reading(&mut am, &f)?;
            am.insert(c).await.map_err(unique_as(Code::Conflict))?
        }
        Some(id) => {
            let r = meter_reading::Entity::find_by_id(id)
                .filter(meter_reading::Column::MeterId.eq(m.id))
                .one(c)
                .await
                .or_internal()?
                .ok_or_else(|| Error::not_found("meter_reading", id))?;
            let mut am = r.into_active_model();
            set_reading(&mut am, &f)?;
            am.update(c).await.map_err(unique_as(Code::Conflict))?
        }
    };
    Ok(reading_view(saved, &m))
}

async fn one_meter(c: &impl ConnectionTrait, m: meter_e::Model) -> Result<Meter> {
    Ok(meter_views(c, vec![m]).await?.remove(0))
}

#[async_trait]
impl MeterRepo for Db {
    async fn list_meters(&self, scope: &Scope, f: &MeterFilter, page: PageRequest) -> Result<Page<Meter>> {
        let mut sel = scoped(scope);
        if let Some(p) = f.project_id {
            sel = sel.filter(meter_e::Column::ProjectId.eq(p));
        }
        if let Some(b) = f.building_id {
            sel = sel.filter(meter_e::Column::BuildingId.eq(b));
        }
        if let Some(h) = f.house_id {
            sel = sel.filter(meter_e::Column::HouseId.eq(h));
        }
        if let Some(k) = f.kind {
            sel = sel.filter(meter_e::Column::Kind.eq(k.as_str()));
        }
        match f.shared {
            Some(true) => sel = sel.filter(meter_e::Column::HouseId.is_null()),
            Some(false) => sel = sel.filter(meter_e::Column::HouseId.is_not_null()),
            None => {}
        }
        if let Some(a) = f.active {
            sel = sel.filter(meter_e::Column::Active.eq(a));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            sel = sel.filter(
                Condition::any()
                    .add(search::contains(meter_e::Column::Number, q))
                    .add(search::contains(meter_e::Column::Location, q)),
            );
        }
        let sel = sel.order_by_asc(meter_e::Column::Number).order_by_asc(meter_e::Column::Id);
        let Page { items, total, page, page_size } = crate::page::fetch(sel, &self.conn, page).await?;
        Ok(Page { items: meter_views(&self.conn, items).await?, total, page, page_size })
    }

    async fn get_meter(&self, scope: &Scope, id: Id) -> Result<Meter> {
        let m = scoped(scope)
            .filter(meter_e::Column::Id.eq(id))
            .one(&self.conn)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("meter", id))?;
        one_meter(&self.conn, m).await
    }

    async fn create_meter(&self, granted: &Granted, f: MeterFields, audit: AuditEvent) -> Result<Meter> {
        let tx = self.begin().await.or_internal()?;
        ensure_project(&tx, granted).await?;
        let building_id = place(&tx, granted, &f).await?;
        let now = Utc::now();
        let mut am = meter_e::ActiveModel {
            id: NotSet,
            project_id: Set(granted.project_id()),
            created_at: Set(now),
            ..Default::default()
        };
        set_meter(&mut am, f, building_id)?;
        let m = am.insert(&tx).await.map_err(unique_as(Code::MeterNumberTaken))?;
        let view = one_meter(&tx, m).await?;
        audit::write(&tx, audit.entity_id(view.id).after(&view)).await?;
        tx.commit().await.or_internal()?;
        Ok(view)
    }

    async fn update_meter(&self, granted: &Granted, id: Id, f: MeterFields, audit: AuditEvent) -> Result<Meter> {
        let tx = self.begin().await.or_internal()?;
        let m = meter_in(&tx, granted, id).await?;
        let building_id = place(&tx, granted, &f).await?;
        let mut am = m.into_active_model();
        set_meter(&mut am, f, building_id)?;
        let m = am.update(&tx).await.map_err(unique_as(Code::MeterNumberTaken))?;
        let view = one_meter(&tx, m).await?;
        audit::write(&tx, audit.after(&view)).await?;
        tx.commit().await.or_internal()?;
        Ok(view)
    }

    async fn readings_of(&self, meter_id: Id) -> Result<Vec<Reading>> {
        let rows = meter_reading::Entity::find()
            .filter(meter_reading::Column::MeterId.eq(meter_id))
            .order_by_asc(meter_reading::Column::Period)
            .all(&self.conn)
            .await
            .or_internal()?;
        reading_views(&self.conn, rows).await
    }

    async fn readings_until(&self, project_id: Id, kind: Option<MeterKind>, period: &str) -> Result<Vec<Reading>> {
        let mut sel = meter_reading::Entity::find()
            .filter(meter_reading::Column::ProjectId.eq(project_id))
            .filter(meter_reading::Column::Period.lte(period));
        if let Some(k) = kind {
            let meters = Query::select()
                .column(meter_e::Column::Id)
                .from(meter_e::Entity)
                .and_where(Expr::col(meter_e::Column::ProjectId).eq(project_id))
                .and_where(Expr::col(meter_e::Column::Kind).eq(k.as_str()))
                .to_owned();
            sel = sel.filter(meter_reading::Column::MeterId.in_subquery(meters));
        }
        let rows = sel
            .order_by_asc(meter_reading::Column::Period)
            .order_by_asc(meter_reading::Column::Id)
            .all(&self.conn)
            .await
            .or_internal()?;
        reading_views(&self.conn, rows).await
    }

    async fn list_readings(&self, scope: &Scope, f: &ReadingFilter, page: PageRequest) -> Result<Page<Reading>> {
        let mut sel =
            meter_reading::Entity::find().filter(project_condition(scope, meter_reading::Column::ProjectId, false));
        if let Some(p) = f.project_id {
            sel = sel.filter(meter_reading::Column::ProjectId.eq(p));
        }
        if let Some(m) = f.meter_id {
            sel = sel.filter(meter_reading::Column::MeterId.eq(m));
        }
        if let Some(p) = f.period.as_deref() {
            sel = sel.filter(meter_reading::Column::Period.eq(p));
        }
        if let Some(s) = f.state {
            sel = sel.filter(meter_reading::Column::State.eq(s.as_str()));
        }
        if let Some(k) = f.kind {
            let meters = Query::select()
                .column(meter_e::Column::Id)
                .from(meter_e::Entity)
                .and_where(Expr::col(meter_e::Column::Kind).eq(k.as_str()))
                .to_owned();
            sel = sel.filter(meter_reading::Column::MeterId.in_subquery(meters));
        }
        let sel = sel.order_by_desc(meter_reading::Column::Period).order_by_asc(meter_reading::Column::Id);
        let Page { items, total, page, page_size } = crate::page::fetch(sel, &self.conn, page).await?;
        Ok(Page { items: reading_views(&self.conn, items).await?, total, page, page_size })
    }

    async fn get_reading(&self, scope: &Scope, id: Id) -> Result<Reading> {
        let r = meter_reading::Entity::find_by_id(id)
            .filter(project_condition(scope, meter_reading::Column::ProjectId, false))
            .one(&self.conn)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("meter_reading", id))?;
        Ok(reading_views(&self.conn, vec![r]).await?.remove(0))
    }

    async fn save_reading(
        &self,
        granted: &Granted,
        id: Option<Id>,
        f: ReadingFields,
        audit: AuditEvent,
    ) -> Result<Reading> {
        let tx = self.begin().await.or_internal()?;
        let view = save(&tx, granted, id, f).await?;
        audit::write(&tx, audit.entity_id(view.id).after(&view)).await?;
        tx.commit().await.or_internal()?;
        Ok(view)
    }

    async fn apply_import(
        &self,
        granted: &Granted,
        writes: Vec<ReadingWrite>,
        summary: AuditEvent,
        dry_run: bool,
    ) -> Result<()> {
        let tx = self.begin().await.or_internal()?;
        ensure_project(&tx, granted).await?;
        let mut audits = Vec::with_capacity(writes.len());
        for ReadingWrite { id, fields, audit } in writes {
            let view = save(&tx, granted, id, fields).await?;
            audits.push(audit.entity_id(view.id).after(&view));
        }
        crate::import_tx::finish(tx, audits, summary, dry_run).await
    }

    async fn usage(&self, project_id: Id, period: &str, kind: MeterKind) -> Result<HashMap<Id, MeteredUse>> {
        let meters: HashMap<Id, meter_e::Model> = meter_e::Entity::find()
            .filter(meter_e::Column::ProjectId.eq(project_id))
            .filter(meter_e::Column::Kind.eq(kind.as_str()))
            .all(&self.conn)
            .await
            .or_internal()?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let readings = meter_reading::Entity::find()
            .filter(meter_reading::Column::ProjectId.eq(project_id))
            .filter(meter_reading::Column::Period.eq(period))
            .filter(meter_reading::Column::State.eq(ReadingState::Accepted.as_str()))
            .order_by_asc(meter_reading::Column::MeterId)
            .all(&self.conn)
            .await
            .or_internal()?;
        let uses: Vec<MeterUse> = readings
            .iter()
            .filter_map(|r| {
                let m = meters.get(&r.meter_id)?;
                Some(MeterUse {
                    house_id: m.house_id,
                    building_id: m.building_id,
                    apportion: m.apportion.as_deref().and_then(Apportion::parse),
                    consumption: dec(r.consumption_x1000),
                })
            })
            .collect();
        let houses: Vec<HouseShare> = if uses.iter().any(|u| u.house_id.is_none()) {
            house::Entity::find()
                .filter(house::Column::ProjectId.eq(project_id))
                .all(&self.conn)
                .await
                .or_internal()?
                .into_iter()
                .map(|h| HouseShare {
                    house_id: h.id,
                    building_id: h.building_id,
                    gross_area: Area::from_hundredths(h.gross_area_x100),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(meter::usage(&uses, &houses))
    }

    async fn house_labels(&self, project_id: Id) -> Result<HashMap<Id, String>> {
        crate::property::project_house_labels(&self.conn, project_id).await
    }
}
