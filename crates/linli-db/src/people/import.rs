//! Importing owners and residents: the facts `linli_people::person_import::plan` needs, and its
//! plan applied in one transaction.

use std::collections::HashMap;

use chrono::Utc;
use linli_core::{AuditEvent, Error, Granted, Id, Result};
use linli_people::person_import::{PersonImportFacts, PersonImportPlan, PersonRef};
use linli_people::person_sheet::HouseRef;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, NotSet, QueryFilter};

use crate::Db;
use crate::entity::{building, house, occupancy, ownership, person, unit};
use crate::error::OrInternal;
use crate::people::repo::{house_states_change, new_person_model, person_view};
use crate::scope::ensure_project;
use crate::search;

pub(crate) async fn facts(db: &Db, granted: &Granted) -> Result<PersonImportFacts> {
    let project = granted.project_id();
    let c = &db.conn;
    ensure_project(c, granted).await?;
    let persons = person::Entity::find().filter(person::Column::ProjectId.eq(project)).all(c).await.or_internal()?;
    let (buildings, units) =
        crate::property::names(c, building::Column::ProjectId.eq(project), unit::Column::ProjectId.eq(project)).await?;
    let houses = house::Entity::find().filter(house::Column::ProjectId.eq(project)).all(c).await.or_internal()?;
    let owned = ownership::Entity::find()
        .filter(ownership::Column::ProjectId.eq(project))
        .filter(ownership::Column::EndedOn.is_null())
        .all(c)
        .await
        .or_internal()?;
    let living = occupancy::Entity::find()
        .filter(occupancy::Column::ProjectId.eq(project))
        .filter(occupancy::Column::MovedOutOn.is_null())
        .all(c)
        .await
        .or_internal()?;
    let mut owners: HashMap<Id, Vec<(Id, i32)>> = HashMap::new();
    for o in owned {
        owners.entry(o.house_id).or_default().push((o.person_id, o.share_bp));
    }
    Ok(PersonImportFacts {
        by_index: persons.iter().filter_map(|p| p.id_number_index.clone().map(|i| (i, p.id))).collect(),
        by_name_phone: persons.iter().map(|p| ((p.name.clone(), p.phone.clone()), p.id)).collect(),
        houses: houses
            .into_iter()
            .map(|h| {
                let key = HouseRef {
                    building: buildings.get(&h.building_id).cloned().unwrap_or_default(),
                    unit: units.get(&h.unit_id).cloned(),
                    number: h.number,
                };
                (key, h.id)
            })
            .collect(),
        owners,
        living: living.into_iter().map(|o| (o.house_id, o.person_id)).collect(),
    })
}

fn event(
    template: &AuditEvent,
    action: &'static str,
    entity: &'static str,
    id: Id,
    after: serde_json::Value,
) -> AuditEvent {
    let mut e = AuditEvent::new(&template.actor, action, entity).project(template.project_id).entity_id(id);
    e.after = Some(after);
    e
}

pub(crate) async fn apply(
    db: &Db,
    granted: &Granted,
    plan: PersonImportPlan,
    summary: AuditEvent,
    dry_run: bool,
) -> Result<()> {
    let project = granted.project_id();
    let tx = db.begin().await.or_internal()?;
    ensure_project(&tx, granted).await?;
    let mut audits = Vec::new();
    let mut created: Vec<Id> = Vec::new();
    let mut indexed = Vec::new();
    let (mut ownerships, mut occupancies, mut moved_in) = (Vec::new(), Vec::new(), Vec::new());
    let id_of = |created: &[Id], p: PersonRef| match p {
        PersonRef::Stored(id) => Ok(id),
        PersonRef::New(n) => created.get(n).copied().ok_or_else(|| Error::internal("a planned person")),
    };
    for row in plan.rows {
        if let Some((fields, secrets)) = row.create {
            let m = new_person_model(project, fields, secrets).insert(&tx).await.or_internal()?;
            created.push(m.id);
            indexed.push(search::person_row(&m));
            let after = serde_json::to_value(person_view(m.clone())).unwrap_or_default();
            audits.push(event(&summary, "people.person.created", "person", m.id, after));
        }
        if let Some(o) = row.ownership {
            ownerships.push(ownership::ActiveModel {
                id: NotSet,
                project_id: Set(project),
                house_id: Set(o.house_id),
                person_id: Set(id_of(&created, o.person)?),
                share_bp: Set(o.share_bp),
                started_on: Set(o.started_on),
                ended_on: Set(None),
                created_at: Set(Utc::now()),
            });
        }
        if let Some(o) = row.occupancy {
            moved_in.push(o.house_id);
            occupancies.push(occupancy::ActiveModel {
                id: NotSet,
                project_id: Set(project),
                house_id: Set(o.house_id),
                person_id: Set(id_of(&created, o.person)?),
                relation: Set(o.relation.as_str().to_string()),
                moved_in_on: Set(o.moved_in_on),
                moved_out_on: Set(None),
                created_at: Set(Utc::now()),
            });
        }
    }
    // Ownerships and stays many to a statement; each comes back from the INSERT for its audit row.
    let mut it = ownerships.into_iter().peekable();
    while it.peek().is_some() {
        let chunk: Vec<_> = it.by_ref().take(500).collect();
        for m in ownership::Entity::insert_many(chunk).exec_with_returning(&tx).await.or_internal()? {
            let after = serde_json::json!({"house_id": m.house_id, "person_id": m.person_id, "share_bp": m.share_bp, "started_on": m.started_on});
            audits.push(event(&summary, "people.ownership.created", "ownership", m.id, after));
        }
    }
    let mut it = occupancies.into_iter().peekable();
    while it.peek().is_some() {
        let chunk: Vec<_> = it.by_ref().take(500).collect();
        for m in occupancy::Entity::insert_many(chunk).exec_with_returning(&tx).await.or_internal()? {
            let after = serde_json::json!({"house_id": m.house_id, "person_id": m.person_id, "relation": m.relation, "moved_in_on": m.moved_in_on});
            audits.push(event(&summary, "people.occupancy.created", "occupancy", m.id, after));
        }
    }
    audits.extend(house_states_change(&tx, &moved_in, &summary).await?);
    search::index_new(&tx, search::Kind::Person, indexed).await?;
    crate::import_tx::finish(tx, audits, summary, dry_run).await
}
