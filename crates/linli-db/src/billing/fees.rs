//! Fee items, their standards and assignments, and a project's allocation order.

use std::str::FromStr;

use chrono::{Days, Utc};
use linli_billing::{
    AllocationOrder, AreaBasis, Assignment, AssignmentTarget, BillOrder, BillingCycle, FeeItem, FeeKind, LateFeeOrder,
    LateFeeRule, NewAssignment, NewFeeItem, NewStandard, Standard,
};
use linli_core::{AuditEvent, Code, Error, Granted, Id, Result, Scope};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder};

use crate::entity::{billing_setting, fee_assignment, fee_item, fee_standard, house};
use crate::error::{OrInternal, unique_as};
use crate::property::building_ref;
use crate::scope::{ensure_project, project_condition};
use crate::{Db, audit};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_default()
}

pub(crate) fn item_view(m: fee_item::Model) -> FeeItem {
    FeeItem {
        id: m.id,
        project_id: m.project_id,
        code: m.code,
        name: m.name,
        kind: FeeKind::parse(&m.kind).unwrap_or(FeeKind::Fixed),
        cycle: BillingCycle::parse(&m.cycle).unwrap_or(BillingCycle::Monthly),
        due_day: m.due_day.max(1) as u32,
        area_basis: AreaBasis::parse(&m.area_basis).unwrap_or(AreaBasis::Gross),
        meter_kind: m.meter_kind,
        loss_rate: dec(&m.loss_rate),
        vacancy_rate: m.vacancy_rate.as_deref().map(dec),
        late_fee: LateFeeRule {
            daily_rate: dec(&m.late_fee_rate),
            grace_days: m.late_fee_grace_days.max(0) as u32,
            cap_rate: m.late_fee_cap_rate.as_deref().map(dec),
        },
        active: m.active,
    }
}

pub(crate) fn standard_view(m: fee_standard::Model) -> Standard {
    Standard {
        id: m.id,
        fee_item_id: m.fee_item_id,
        house_usage: m.house_usage,
        service_level: m.service_level,
        effective_from: m.effective_from,
        effective_to: m.effective_to,
        price: dec(&m.price),
        tiers: serde_json::from_value(m.tiers).unwrap_or_default(),
    }
}

pub(crate) fn assignment_view(m: fee_assignment::Model) -> Assignment {
    Assignment {
        id: m.id,
        project_id: m.project_id,
        fee_item_id: m.fee_item_id,
        target: AssignmentTarget::parse(&m.target).unwrap_or(AssignmentTarget::House),
        building_id: m.building_id,
        house_usage: m.house_usage,
        house_id: m.house_id,
        service_level: m.service_level,
        quantity: m.quantity.max(1) as u32,
        label: m.label,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
    }
}

pub(crate) async fn item_in_project(c: &impl ConnectionTrait, project_id: Id, id: Id) -> Result<fee_item::Model> {
    fee_item::Entity::find_by_id(id)
        .filter(fee_item::Column::ProjectId.eq(project_id))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::invalid("fee_item_id", "not_in_project"))
}

pub(crate) async fn items(c: &impl ConnectionTrait, scope: &Scope, project_id: Option<Id>) -> Result<Vec<FeeItem>> {
    let mut sel = fee_item::Entity::find().filter(project_condition(scope, fee_item::Column::ProjectId, false));
    if let Some(p) = project_id {
        sel = sel.filter(fee_item::Column::ProjectId.eq(p));
    }
    Ok(sel.order_by_asc(fee_item::Column::Id).all(c).await.or_internal()?.into_iter().map(item_view).collect())
}

pub(crate) async fn item(c: &impl ConnectionTrait, scope: &Scope, id: Id) -> Result<FeeItem> {
    fee_item::Entity::find_by_id(id)
        .filter(project_condition(scope, fee_item::Column::ProjectId, false))
        .one(c)
        .await
        .or_internal()?
        .map(item_view)
        .ok_or_else(|| Error::not_found("fee_item", id))
}

pub(crate) async fn create_item(db: &Db, granted: &Granted, n: NewFeeItem, audit_event: AuditEvent) -> Result<FeeItem> {
    let tx = db.begin().await.or_internal()?;
    ensure_project(&tx, granted).await?;
    let now = Utc::now();
    let am = fee_item::ActiveModel {
        id: NotSet,
        project_id: Set(granted.project_id()),
        code: Set(n.code),
        name: Set(n.name),
        kind: Set(n.kind.as_str().to_owned()),
        cycle: Set(n.cycle.as_str().to_owned()),
        due_day: Set(n.due_day as i32),
        area_basis: Set(n.area_basis.as_str().to_owned()),
        meter_kind: Set(n.meter_kind),
        loss_rate: Set(n.loss_rate.normalize().to_string()),
        vacancy_rate: Set(n.vacancy_rate.map(|r| r.normalize().to_string())),
        late_fee_rate: Set(n.late_fee.daily_rate.normalize().to_string()),
        late_fee_grace_days: Set(n.late_fee.grace_days as i32),
        late_fee_cap_rate: Set(n.late_fee.cap_rate.map(|r| r.normalize().to_string())),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = fee_item::Entity::insert(am).exec(&tx).await.map_err(unique_as(Code::FeeItemCodeTaken))?.last_insert_id;
    let m = fee_item::Entity::find_by_id(id)
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::internal("fee item vanished"))?;
    let view = item_view(m);
    audit::write(&tx, audit_event.entity_id(id).after(&view)).await?;
    tx.commit().await.or_internal()?;
    Ok(view)
}

pub(crate) async fn standards(c: &impl ConnectionTrait, scope: &Scope, fee_item_id: Id) -> Result<Vec<Standard>> {
    item(c, scope, fee_item_id).await?;
    Ok(fee_standard::Entity::find()
        .filter(fee_standard::Column::FeeItemId.eq(fee_item_id))
        .order_by_asc(fee_standard::Column::EffectiveFrom)
        .order_by_asc(fee_standard::Column::Id)
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(standard_view)
        .collect())
}

pub(crate) async fn add_standard(
    db: &Db,
    granted: &Granted,
    fee_item_id: Id,
    n: NewStandard,
    audit_event: AuditEvent,
) -> Result<Standard> {
    let tx = db.begin().await.or_internal()?;
    item_in_project(&tx, granted.project_id(), fee_item_id).await?;
    // The open standard for the same use and level ends the day before the new one starts.
    let same = |col: fee_standard::Column, v: &Option<String>| match v {
        Some(v) => col.eq(v.clone()),
        None => col.is_null(),
    };
    let open = fee_standard::Entity::find()
        .filter(fee_standard::Column::FeeItemId.eq(fee_item_id))
        .filter(fee_standard::Column::EffectiveTo.is_null())
        .filter(same(fee_standard::Column::HouseUsage, &n.house_usage))
        .filter(same(fee_standard::Column::ServiceLevel, &n.service_level))
        .filter(fee_standard::Column::EffectiveFrom.lt(n.effective_from))
        .all(&tx)
        .await
        .or_internal()?;
    let day_before = n.effective_from.checked_sub_days(Days::new(1));
    for s in open {
        fee_standard::Entity::update_many()
            .col_expr(fee_standard::Column::EffectiveTo, Expr::value(day_before))
            .filter(fee_standard::Column::Id.eq(s.id))
            .exec(&tx)
            .await
            .or_internal()?;
    }
    let am = fee_standard::ActiveModel {
        id: NotSet,
        project_id: Set(granted.project_id()),
        fee_item_id: Set(fee_item_id),
        house_usage: Set(n.house_usage),
        service_level: Set(n.service_level),
        effective_from: Set(n.effective_from),
        effective_to: Set(n.effective_to),
        price: Set(n.price.normalize().to_string()),
        tiers: Set(serde_json::to_value(&n.tiers).or_internal()?),
        created_at: Set(Utc::now()),
    };
    let id = fee_standard::Entity::insert(am).exec(&tx).await.or_internal()?.last_insert_id;
    let m = fee_standard::Entity::find_by_id(id)
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::internal("standard vanished"))?;
    let view = standard_view(m);
    audit::write(&tx, audit_event.entity_id(id).after(&view)).await?;
    tx.commit().await.or_internal()?;
    Ok(view)
}

pub(crate) async fn assignments(c: &impl ConnectionTrait, scope: &Scope, fee_item_id: Id) -> Result<Vec<Assignment>> {
    item(c, scope, fee_item_id).await?;
    Ok(fee_assignment::Entity::find()
        .filter(fee_assignment::Column::FeeItemId.eq(fee_item_id))
        .order_by_asc(fee_assignment::Column::Id)
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(assignment_view)
        .collect())
}

pub(crate) async fn add_assignment(
    db: &Db,
    granted: &Granted,
    fee_item_id: Id,
    n: NewAssignment,
    audit_event: AuditEvent,
) -> Result<Assignment> {
    let tx = db.begin().await.or_internal()?;
    item_in_project(&tx, granted.project_id(), fee_item_id).await?;
    if let Some(b) = n.building_id
        && building_ref::in_project(&tx, granted.project_id(), b).await?.is_none()
    {
        return Err(Error::invalid("building_id", "not_in_project"));
    }
    if let Some(h) = n.house_id {
        let found = house::Entity::find_by_id(h)
            .filter(house::Column::ProjectId.eq(granted.project_id()))
            .one(&tx)
            .await
            .or_internal()?;
        if found.is_none() {
            return Err(Error::invalid("house_id", "not_in_project"));
        }
    }
    let am = fee_assignment::ActiveModel {
        id: NotSet,
        project_id: Set(granted.project_id()),
        fee_item_id: Set(fee_item_id),
        target: Set(n.target.as_str().to_owned()),
        building_id: Set(n.building_id),
        house_usage: Set(n.house_usage),
        house_id: Set(n.house_id),
        service_level: Set(n.service_level),
        quantity: Set(n.quantity as i32),
        label: Set(n.label),
        starts_on: Set(n.starts_on),
        ends_on: Set(n.ends_on),
        created_at: Set(Utc::now()),
    };
    let id = fee_assignment::Entity::insert(am).exec(&tx).await.or_internal()?.last_insert_id;
    let m = fee_assignment::Entity::find_by_id(id)
        .one(&tx)
        .await
        .or_internal()?
        .ok_or_else(|| Error::internal("assignment vanished"))?;
    let view = assignment_view(m);
    audit::write(&tx, audit_event.entity_id(id).after(&view)).await?;
    tx.commit().await.or_internal()?;
    Ok(view)
}

pub(crate) async fn allocation_order(c: &impl ConnectionTrait, project_id: Id) -> Result<AllocationOrder> {
    let row = billing_setting::Entity::find()
        .filter(billing_setting::Column::ProjectId.eq(project_id))
        .one(c)
        .await
        .or_internal()?;
    Ok(row.map_or_else(AllocationOrder::default, |r| AllocationOrder {
        bills: BillOrder::parse(&r.bill_order).unwrap_or(BillOrder::OldestFirst),
        late_fees: LateFeeOrder::parse(&r.late_fee_order).unwrap_or(LateFeeOrder::AfterPrincipal),
    }))
}

pub(crate) async fn set_allocation_order(
    db: &Db,
    granted: &Granted,
    order: AllocationOrder,
    audit_event: AuditEvent,
) -> Result<()> {
    let tx = db.begin().await.or_internal()?;
    ensure_project(&tx, granted).await?;
    let am = billing_setting::ActiveModel {
        id: NotSet,
        project_id: Set(granted.project_id()),
        bill_order: Set(order.bills.as_str().to_owned()),
        late_fee_order: Set(order.late_fees.as_str().to_owned()),
        updated_at: Set(Utc::now()),
    };
    billing_setting::Entity::insert(am)
        .on_conflict(
            OnConflict::column(billing_setting::Column::ProjectId)
                .update_columns([
                    billing_setting::Column::BillOrder,
                    billing_setting::Column::LateFeeOrder,
                    billing_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(&tx)
        .await
        .or_internal()?;
    audit::write(&tx, audit_event).await?;
    tx.commit().await.or_internal()
}
