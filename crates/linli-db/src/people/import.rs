//! Importing owners and residents with the houses they own or live in, in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use linli_core::{AuditEvent, Granted, Id, Result};
use linli_import::ImportCounts;
use linli_import::RowError;
use linli_people::{Relation, SealedPersonRow, person_sheet::HouseRef};
use linli_property::{HouseState, house_state};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, NotSet,
    QueryFilter,
};

use crate::Db;
use crate::entity::{building, house, occupancy, ownership, person, unit};
use crate::error::OrInternal;
use crate::people::repo::{new_person_model, person_view};
use crate::scope::ensure_project;

struct Lookups {
    by_index: HashMap<String, Id>,
    by_name_phone: HashMap<(String, Option<String>), Id>,
    houses: HashMap<HouseRef, Id>,
    states: HashMap<Id, String>,
    owners: HashMap<Id, Vec<(Id, i32)>>,
    living: HashSet<(Id, Id)>,
}

async fn load(tx: &DatabaseTransaction, project: Id) -> Result<Lookups> {
    let persons = person::Entity::find().filter(person::Column::ProjectId.eq(project)).all(tx).await.or_internal()?;
    let buildings: HashMap<Id, String> = building::Entity::find()
        .filter(building::Column::ProjectId.eq(project))
        .all(tx)
        .await
        .or_internal()?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let units: HashMap<Id, String> = unit::Entity::find()
        .filter(unit::Column::ProjectId.eq(project))
        .all(tx)
        .await
        .or_internal()?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let houses = house::Entity::find().filter(house::Column::ProjectId.eq(project)).all(tx).await.or_internal()?;
    let owned = ownership::Entity::find()
        .filter(ownership::Column::ProjectId.eq(project))
        .filter(ownership::Column::EndedOn.is_null())
        .all(tx)
        .await
        .or_internal()?;
    let living = occupancy::Entity::find()
        .filter(occupancy::Column::ProjectId.eq(project))
        .filter(occupancy::Column::MovedOutOn.is_null())
        .all(tx)
        .await
        .or_internal()?;
    let mut owners: HashMap<Id, Vec<(Id, i32)>> = HashMap::new();
    for o in owned {
        owners.entry(o.house_id).or_default().push((o.person_id, o.share_bp));
    }
    Ok(Lookups {
        by_index: persons.iter().filter_map(|p| p.id_number_index.clone().map(|i| (i, p.id))).collect(),
        by_name_phone: persons.iter().map(|p| ((p.name.clone(), p.phone.clone()), p.id)).collect(),
        states: houses.iter().map(|h| (h.id, h.state.clone())).collect(),
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

impl Db {
    pub(crate) async fn import_person_rows(
        &self,
        granted: &Granted,
        rows: Vec<SealedPersonRow>,
        dry_run: bool,
        template: AuditEvent,
    ) -> Result<ImportCounts> {
        let project = granted.project_id();
        let tx = self.begin().await.or_internal()?;
        ensure_project(&tx, granted).await?;
        let mut l = load(&tx, project).await?;
        let mut counts = ImportCounts::default();
        let mut audits = Vec::new();
        let today = Utc::now().date_naive();
        for r in rows {
            let house = match &r.house {
                Some(h) => match l.houses.get(h) {
                    Some(found) => Some(*found),
                    None => {
                        counts.errors.push(RowError::new(r.row, "房号", "house_not_found"));
                        continue;
                    }
                },
                None => None,
            };
            let known = r
                .id_index()
                .and_then(|i| l.by_index.get(i))
                .or_else(|| l.by_name_phone.get(&(r.fields.name.clone(), r.fields.phone.clone())))
                .copied();
            if let (Some(house_id), Relation::Owner, None) = (&house, r.relation, known) {
                let current: i32 = l.owners.get(house_id).map_or(0, |o| o.iter().map(|(_, bp)| bp).sum());
                if current + r.share_bp > 10_000 {
                    counts.errors.push(RowError::new(r.row, "产权份额", "exceeds_total"));
                    continue;
                }
            }
            let (person_id, created) = match known {
                Some(id) => (id, false),
                None => {
                    let m = new_person_model(project, r.fields.clone(), r.secrets.clone())
                        .insert(&tx)
                        .await
                        .or_internal()?;
                    if let Some(i) = r.id_index() {
                        l.by_index.insert(i.to_string(), m.id);
                    }
                    l.by_name_phone.insert((m.name.clone(), m.phone.clone()), m.id);
                    audits.push(event(
                        &template,
                        "people.person.created",
                        "person",
                        m.id,
                        serde_json::to_value(person_view(m.clone())).unwrap_or_default(),
                    ));
                    (m.id, true)
                }
            };
            let mut linked = false;
            if let Some(house_id) = house {
                let state = l.states.get(&house_id).cloned().unwrap_or_default();
                let since: NaiveDate = r.moved_in_on.unwrap_or(today);
                let owns = l.owners.get(&house_id).is_some_and(|o| o.iter().any(|(p, _)| *p == person_id));
                if r.relation == Relation::Owner && !owns {
                    let current: i32 = l.owners.get(&house_id).map_or(0, |o| o.iter().map(|(_, bp)| bp).sum());
                    if current + r.share_bp > 10_000 {
                        counts.errors.push(RowError::new(r.row, "产权份额", "exceeds_total"));
                        continue;
                    }
                    let o = ownership::ActiveModel {
                        id: NotSet,
                        project_id: Set(project),
                        house_id: Set(house_id),
                        person_id: Set(person_id),
                        share_bp: Set(r.share_bp),
                        started_on: Set(r.owned_since.unwrap_or(today)),
                        ended_on: Set(None),
                        created_at: Set(Utc::now()),
                    }
                    .insert(&tx)
                    .await
                    .or_internal()?;
                    l.owners.entry(house_id).or_default().push((person_id, r.share_bp));
                    audits.push(event(&template, "people.ownership.created", "ownership", o.id, serde_json::json!({"house_id": house_id, "person_id": person_id, "share_bp": r.share_bp, "started_on": r.owned_since.unwrap_or(today)})));
                    linked = true;
                }
                let moves_in = r.relation != Relation::Owner || r.moved_in_on.is_some();
                if moves_in && !l.living.contains(&(house_id, person_id)) {
                    let o = occupancy::ActiveModel {
                        id: NotSet,
                        project_id: Set(project),
                        house_id: Set(house_id),
                        person_id: Set(person_id),
                        relation: Set(r.relation.as_str().to_string()),
                        moved_in_on: Set(since),
                        moved_out_on: Set(None),
                        created_at: Set(Utc::now()),
                    }
                    .insert(&tx)
                    .await
                    .or_internal()?;
                    l.living.insert((house_id, person_id));
                    audits.push(event(&template, "people.occupancy.created", "occupancy", o.id, serde_json::json!({"house_id": house_id, "person_id": person_id, "relation": r.relation.as_str(), "moved_in_on": since})));
                    // Someone moves in: at least one lives there now.
                    if let Some(next) = HouseState::parse(&state).and_then(|s| house_state::after_moves(s, 1)) {
                        if let Some(h) = house::Entity::find_by_id(house_id).one(&tx).await.or_internal()? {
                            let mut am = h.into_active_model();
                            am.state = Set(next.as_str().to_string());
                            am.update(&tx).await.or_internal()?;
                            let mut e = event(
                                &template,
                                "property.house.updated",
                                "house",
                                house_id,
                                serde_json::json!({"state": next.as_str()}),
                            );
                            e.before = Some(serde_json::json!({"state": state}));
                            audits.push(e);
                        }
                        l.states.insert(house_id, next.as_str().to_string());
                    }
                    linked = true;
                }
            }
            match (created, linked) {
                (true, _) => counts.created += 1,
                (false, true) => counts.updated += 1,
                (false, false) => counts.unchanged += 1,
            }
        }
        crate::import_tx::finish(tx, audits, template, &counts, dry_run).await?;
        Ok(counts)
    }
}
