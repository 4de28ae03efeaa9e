//! Owners and residents, their ownerships and occupancies. Secrets arrive sealed (ciphertext,
//! blind index, mask) from the service: nothing here sees a plaintext ID number.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::DateTime;
use chrono::{NaiveDate, Utc};
use linli_core::{AuditEvent, BoundHouse, Change, Code, Error, Granted, Id, Page, PageRequest, Result, Scope};
use linli_people::binding::BindingCode;
use linli_people::person_import::{PersonImportFacts, PersonImportPlan};
use linli_people::{
    BindingRepo, Encrypted, EncryptedSecrets, EndOwnership, Gender, HousePeople, IdType, MoveOut, NewOccupancy,
    NewOwnership, Occupancy, Ownership, Person, PersonFields, PersonFilter, PersonHouses, PersonKind, PersonRepo,
    Relation, StoredSecrets, TenureRepo, check_total_share, share_of,
};
use linli_property::{HouseState, house_state};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait,
    IntoActiveModel, NotSet, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{house, occupancy, ownership, person};
use crate::error::OrInternal;
use crate::scope::{ensure_project, project_condition};
use crate::search;
use crate::{Db, audit};

pub(crate) fn person_view(m: person::Model) -> Person {
    Person {
        id: m.id,
        project_id: m.project_id,
        kind: PersonKind::parse(&m.kind).unwrap_or(PersonKind::Person),
        name: m.name,
        phone: m.phone,
        phone2: m.phone2,
        id_type: m.id_type.as_deref().and_then(IdType::parse),
        id_number: m.id_number_masked,
        gender: m.gender.as_deref().and_then(Gender::parse),
        emergency_contact: m.emergency_contact,
        emergency_phone: m.emergency_phone,
        bank_account: m.bank_account_masked,
        notes: m.notes,
        user_id: m.user_id,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn set_person(am: &mut person::ActiveModel, f: PersonFields, s: EncryptedSecrets) {
    am.kind = Set(f.kind.as_str().to_string());
    am.name = Set(f.name);
    am.phone = Set(f.phone);
    am.phone2 = Set(f.phone2);
    am.id_type = Set(f.id_type.map(|t| t.as_str().to_string()));
    am.gender = Set(f.gender.map(|g| g.as_str().to_string()));
    am.emergency_contact = Set(f.emergency_contact);
    am.emergency_phone = Set(f.emergency_phone);
    am.notes = Set(f.notes);
    if let Some(id) = stored(s.id_number) {
        am.id_number_enc = Set(id.as_ref().map(|s| s.ciphertext.clone()));
        am.id_number_index = Set(id.as_ref().map(|s| s.index.clone()));
        am.id_number_masked = Set(id.map(|s| s.masked));
    }
    if let Some(bank) = stored(s.bank_account) {
        am.bank_account_enc = Set(bank.as_ref().map(|s| s.ciphertext.clone()));
        am.bank_account_index = Set(bank.as_ref().map(|s| s.index.clone()));
        am.bank_account_masked = Set(bank.map(|s| s.masked));
    }
    am.updated_at = Set(Utc::now());
}

/// A new person row with every column set.
pub(crate) fn new_person_model(project_id: Id, f: PersonFields, s: EncryptedSecrets) -> person::ActiveModel {
    let mut am = person::ActiveModel {
        id: NotSet,
        project_id: Set(project_id),
        created_at: Set(Utc::now()),
        user_id: Set(None),
        ..Default::default()
    };
    for col in [
        &mut am.id_number_enc,
        &mut am.id_number_index,
        &mut am.id_number_masked,
        &mut am.bank_account_enc,
        &mut am.bank_account_index,
        &mut am.bank_account_masked,
    ] {
        *col = Set(None);
    }
    set_person(&mut am, f, s);
    am
}

/// The new stored value of a changed secret, or `None` to keep the column as it is.
#[allow(clippy::option_option)] // mirrors the three cases of `Change` for the column setters
fn stored(c: Change<Encrypted>) -> Option<Option<Encrypted>> {
    match c {
        Change::Keep => None,
        Change::Clear => Some(None),
        Change::Set(s) => Some(Some(s)),
    }
}

async fn names(c: &impl ConnectionTrait, ids: &[Id]) -> Result<HashMap<Id, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(person::Entity::find()
        .filter(person::Column::Id.is_in(ids.iter().copied()))
        .all(c)
        .await
        .or_internal()?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

/// House labels and person names for rows that link a person to a house.
async fn labels_and_names(
    c: &impl ConnectionTrait,
    links: impl Iterator<Item = (Id, Id)>,
) -> Result<(HashMap<Id, String>, HashMap<Id, String>)> {
    let (houses, people): (Vec<Id>, Vec<Id>) = links.unzip();
    Ok((crate::property::house_labels(c, &houses).await?, names(c, &people).await?))
}

async fn ownership_views(c: &impl ConnectionTrait, rows: Vec<ownership::Model>) -> Result<Vec<Ownership>> {
    let (labels, names) = labels_and_names(c, rows.iter().map(|r| (r.house_id, r.person_id))).await?;
    Ok(rows
        .into_iter()
        .map(|r| Ownership {
            id: r.id,
            project_id: r.project_id,
            house_id: r.house_id,
            house_label: labels.get(&r.house_id).cloned().unwrap_or_default(),
            person_id: r.person_id,
            person_name: names.get(&r.person_id).cloned().unwrap_or_default(),
            share: share_of(r.share_bp),
            started_on: r.started_on,
            ended_on: r.ended_on,
        })
        .collect())
}

async fn occupancy_views(c: &impl ConnectionTrait, rows: Vec<occupancy::Model>) -> Result<Vec<Occupancy>> {
    let (labels, names) = labels_and_names(c, rows.iter().map(|r| (r.house_id, r.person_id))).await?;
    Ok(rows
        .into_iter()
        .map(|r| Occupancy {
            id: r.id,
            project_id: r.project_id,
            house_id: r.house_id,
            house_label: labels.get(&r.house_id).cloned().unwrap_or_default(),
            person_id: r.person_id,
            person_name: names.get(&r.person_id).cloned().unwrap_or_default(),
            relation: Relation::parse(&r.relation).unwrap_or(Relation::Family),
            moved_in_on: r.moved_in_on,
            moved_out_on: r.moved_out_on,
        })
        .collect())
}

fn persons_in(scope: &Scope) -> sea_orm::Select<person::Entity> {
    person::Entity::find().filter(project_condition(scope, person::Column::ProjectId, false))
}

async fn person_in(c: &impl ConnectionTrait, granted: &Granted, id: Id) -> Result<person::Model> {
    person::Entity::find_by_id(id)
        .filter(person::Column::ProjectId.eq(granted.project_id()))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::invalid("person_id", "not_in_project"))
}

async fn house_in(c: &impl ConnectionTrait, granted: &Granted, id: Id) -> Result<house::Model> {
    house::Entity::find_by_id(id)
        .filter(house::Column::ProjectId.eq(granted.project_id()))
        .one(c)
        .await
        .or_internal()?
        .ok_or_else(|| Error::not_found("house", id))
}

/// Keeps the houses' states in step with their occupants (`house_state`); answers the audit
/// events of the changes for the caller to write in its transaction. Their residents are
/// counted with one query and the houses that change updated with one statement per state, 500
/// houses at a time (an import moves thousands in).
pub(crate) async fn house_states_change(
    c: &impl ConnectionTrait,
    house_ids: &[Id],
    audit_of: &AuditEvent,
) -> Result<Vec<AuditEvent>> {
    let mut ids = house_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut events = Vec::new();
    for chunk in ids.chunks(500) {
        let houses =
            house::Entity::find().filter(house::Column::Id.is_in(chunk.iter().copied())).all(c).await.or_internal()?;
        let living: HashMap<Id, i64> = occupancy::Entity::find()
            .select_only()
            .column(occupancy::Column::HouseId)
            .column_as(occupancy::Column::Id.count(), "n")
            .filter(occupancy::Column::HouseId.is_in(chunk.iter().copied()))
            .filter(occupancy::Column::MovedOutOn.is_null())
            .group_by(occupancy::Column::HouseId)
            .into_tuple::<(Id, i64)>()
            .all(c)
            .await
            .or_internal()?
            .into_iter()
            .collect();
        let mut to: HashMap<HouseState, Vec<Id>> = HashMap::new();
        for h in &houses {
            let n = living.get(&h.id).copied().unwrap_or(0) as u64;
            if let Some(next) = HouseState::parse(&h.state).and_then(|state| house_state::after_moves(state, n)) {
                events.push(state_event(audit_of, h.id, &h.state, next));
                to.entry(next).or_default().push(h.id);
            }
        }
        for (next, ids) in to {
            house::Entity::update_many()
                .col_expr(house::Column::State, Expr::value(next.as_str()))
                .col_expr(house::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(house::Column::Id.is_in(ids))
                .exec(c)
                .await
                .or_internal()?;
        }
    }
    Ok(events)
}

fn state_event(audit_of: &AuditEvent, house_id: Id, before: &str, next: HouseState) -> AuditEvent {
    let mut e = AuditEvent::new(&audit_of.actor, "property.house.updated", "house")
        .project(audit_of.project_id)
        .entity_id(house_id);
    e.before = Some(serde_json::json!({"state": before}));
    e.after = Some(serde_json::json!({"state": next.as_str()}));
    e
}

/// Keeps the house's state in step with its occupants, auditing the change.
async fn sync_house_state(c: &impl ConnectionTrait, house_id: Id, audit_of: &AuditEvent) -> Result<()> {
    audit::write_many(c, house_states_change(c, &[house_id], audit_of).await?).await
}

fn check_not_before(field: &str, end: NaiveDate, start: NaiveDate) -> Result<()> {
    if end < start { Err(Error::invalid(field, "before_start")) } else { Ok(()) }
}

#[async_trait]
impl PersonRepo for Db {
    async fn list_persons(
        &self,
        scope: &Scope,
        f: &PersonFilter,
        id_index: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Person>> {
        let mut sel = persons_in(scope);
        if let Some(p) = f.project_id {
            sel = sel.filter(person::Column::ProjectId.eq(p));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            sel = sel.filter(search::persons_matching(f.project_id, q));
        }
        if let Some(ix) = id_index {
            sel = sel.filter(person::Column::IdNumberIndex.eq(ix));
        }
        if let Some(h) = f.house_id {
            let owners = Query::select()
                .column(ownership::Column::PersonId)
                .from(ownership::Entity)
                .and_where(Expr::col(ownership::Column::HouseId).eq(h))
                .to_owned();
            let occupants = Query::select()
                .column(occupancy::Column::PersonId)
                .from(occupancy::Entity)
                .and_where(Expr::col(occupancy::Column::HouseId).eq(h))
                .to_owned();
            sel = sel.filter(
                Condition::any()
                    .add(person::Column::Id.in_subquery(owners))
                    .add(person::Column::Id.in_subquery(occupants)),
            );
        }
        let rows = crate::page::fetch(sel.order_by_asc(person::Column::Id), &self.conn, page).await?;
        Ok(rows.map(person_view))
    }
    async fn get_person(&self, scope: &Scope, id: Id) -> Result<Person> {
        persons_in(scope)
            .filter(person::Column::Id.eq(id))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(person_view)
            .ok_or_else(|| Error::not_found("person", id))
    }
    async fn create_person(
        &self,
        granted: &Granted,
        f: PersonFields,
        s: EncryptedSecrets,
        audit: AuditEvent,
    ) -> Result<Person> {
        let tx = self.begin().await.or_internal()?;
        ensure_project(&tx, granted).await?;
        let m = new_person_model(granted.project_id(), f, s).insert(&tx).await.or_internal()?;
        search::index_new(&tx, search::Kind::Person, vec![search::person_row(&m)]).await?;
        let p = person_view(m);
        audit::write(&tx, audit.entity_id(p.id).after(&p)).await?;
        tx.commit().await.or_internal()?;
        Ok(p)
    }
    async fn update_person(
        &self,
        granted: &Granted,
        id: Id,
        f: PersonFields,
        s: EncryptedSecrets,
        audit: AuditEvent,
    ) -> Result<Person> {
        let tx = self.begin().await.or_internal()?;
        let m = person::Entity::find_by_id(id)
            .filter(person::Column::ProjectId.eq(granted.project_id()))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("person", id))?;
        let mut am = m.into_active_model();
        set_person(&mut am, f, s);
        let m = am.update(&tx).await.or_internal()?;
        search::reindex_person(&tx, &m).await?;
        let p = person_view(m);
        audit::write(&tx, audit.after(&p)).await?;
        tx.commit().await.or_internal()?;
        Ok(p)
    }
    async fn secrets(&self, scope: &Scope, id: Id) -> Result<StoredSecrets> {
        let m = persons_in(scope)
            .filter(person::Column::Id.eq(id))
            .one(&self.conn)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("person", id))?;
        let (id_number, bank_account) = (m.id_number_enc.clone(), m.bank_account_enc.clone());
        Ok(StoredSecrets { person: person_view(m), id_number, bank_account })
    }
    async fn person_import_facts(&self, granted: &Granted) -> Result<PersonImportFacts> {
        super::import::facts(self, granted).await
    }
    async fn apply_person_import(
        &self,
        granted: &Granted,
        plan: PersonImportPlan,
        audit: AuditEvent,
        dry_run: bool,
    ) -> Result<()> {
        super::import::apply(self, granted, plan, audit, dry_run).await
    }
    async fn record(&self, audit: AuditEvent) -> Result<()> {
        audit::write(self.writer(), audit).await
    }
}

#[async_trait]
impl BindingRepo for Db {
    async fn owners_by_phone(&self, company_id: Id, phone: &str) -> Result<Vec<(Id, Id, Option<Id>)>> {
        self.owners_with_phone(company_id, phone).await
    }
    async fn latest_binding_code(&self, user_id: Id, phone: &str) -> Result<Option<BindingCode>> {
        self.latest_code(user_id, phone).await
    }
    async fn store_binding_code(
        &self,
        user_id: Id,
        phone: &str,
        code_hash: String,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.store_code(user_id, phone, code_hash, expires_at).await
    }
    async fn binding_try_failed(&self, code_id: Id) -> Result<()> {
        self.code_try_failed(code_id).await
    }
    async fn bind(&self, user_id: Id, code_id: Id, people: &[(Id, Id)], audit: AuditEvent) -> Result<()> {
        self.bind_people(user_id, code_id, people, audit).await
    }
    async fn bound_houses(&self, user_id: Id) -> Result<PersonHouses> {
        self.houses_of_user(user_id).await
    }
    async fn bound_house(&self, user_id: Id, house_id: Id, today: NaiveDate) -> Result<Option<BoundHouse>> {
        self.house_of_user(user_id, house_id, today).await
    }
}

#[async_trait]
impl TenureRepo for Db {
    async fn house_project(&self, scope: &Scope, house_id: Id) -> Result<Id> {
        house::Entity::find_by_id(house_id)
            .filter(project_condition(scope, house::Column::ProjectId, false))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(|h| h.project_id)
            .ok_or_else(|| Error::not_found("house", house_id))
    }
    async fn house_people(&self, scope: &Scope, house_id: Id) -> Result<HousePeople> {
        self.house_project(scope, house_id).await?;
        let owners = ownership::Entity::find()
            .filter(ownership::Column::HouseId.eq(house_id))
            .order_by(Expr::col(ownership::Column::EndedOn).is_null(), sea_orm::Order::Desc)
            .order_by_desc(ownership::Column::StartedOn)
            .all(&self.conn)
            .await
            .or_internal()?;
        let stays = occupancy::Entity::find()
            .filter(occupancy::Column::HouseId.eq(house_id))
            .order_by(Expr::col(occupancy::Column::MovedOutOn).is_null(), sea_orm::Order::Desc)
            .order_by_desc(occupancy::Column::MovedInOn)
            .all(&self.conn)
            .await
            .or_internal()?;
        Ok(HousePeople {
            owners: ownership_views(&self.conn, owners).await?,
            occupants: occupancy_views(&self.conn, stays).await?,
        })
    }
    async fn person_houses(&self, scope: &Scope, person_id: Id) -> Result<PersonHouses> {
        self.get_person(scope, person_id).await?;
        houses_of_person(&self.conn, person_id).await
    }
    async fn add_ownership(
        &self,
        granted: &Granted,
        house_id: Id,
        new: NewOwnership,
        bp: i32,
        audit: AuditEvent,
    ) -> Result<Ownership> {
        let tx = self.begin().await.or_internal()?;
        house_in(&tx, granted, house_id).await?;
        person_in(&tx, granted, new.person_id).await?;
        let current = ownership::Entity::find()
            .filter(ownership::Column::HouseId.eq(house_id))
            .filter(ownership::Column::EndedOn.is_null())
            .all(&tx)
            .await
            .or_internal()?;
        if current.iter().any(|o| o.person_id == new.person_id) && !new.replace_current {
            return Err(Error::Conflict(Code::OwnershipExists));
        }
        let remaining: Vec<i32> = if new.replace_current {
            for o in &current {
                check_not_before("started_on", new.started_on, o.started_on)?;
                let mut am = o.clone().into_active_model();
                am.ended_on = Set(Some(new.started_on));
                am.update(&tx).await.or_internal()?;
            }
            Vec::new()
        } else {
            current.iter().map(|o| o.share_bp).collect()
        };
        check_total_share(&remaining, bp)?;
        let m = ownership::ActiveModel {
            id: NotSet,
            project_id: Set(granted.project_id()),
            house_id: Set(house_id),
            person_id: Set(new.person_id),
            share_bp: Set(bp),
            started_on: Set(new.started_on),
            ended_on: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&tx)
        .await
        .or_internal()?;
        let o = ownership_views(&tx, vec![m]).await?.remove(0);
        let ended: Vec<Id> = if new.replace_current { current.iter().map(|o| o.id).collect() } else { Vec::new() };
        audit::write(&tx, audit.entity_id(o.id).after(&serde_json::json!({"ownership": o, "ended_ownerships": ended})))
            .await?;
        tx.commit().await.or_internal()?;
        Ok(o)
    }
    async fn ownership_project(&self, scope: &Scope, id: Id) -> Result<Id> {
        ownership::Entity::find_by_id(id)
            .filter(project_condition(scope, ownership::Column::ProjectId, false))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(|o| o.project_id)
            .ok_or_else(|| Error::not_found("ownership", id))
    }
    async fn end_ownership(
        &self,
        granted: &Granted,
        id: Id,
        end: EndOwnership,
        audit: AuditEvent,
    ) -> Result<Ownership> {
        let tx = self.begin().await.or_internal()?;
        let m = ownership::Entity::find_by_id(id)
            .filter(ownership::Column::ProjectId.eq(granted.project_id()))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("ownership", id))?;
        check_not_before("ended_on", end.ended_on, m.started_on)?;
        let before = ownership_views(&tx, vec![m.clone()]).await?.remove(0);
        let mut am = m.into_active_model();
        am.ended_on = Set(Some(end.ended_on));
        let after = ownership_views(&tx, vec![am.update(&tx).await.or_internal()?]).await?.remove(0);
        audit::write(&tx, audit.before(&before).after(&after)).await?;
        tx.commit().await.or_internal()?;
        Ok(after)
    }
    async fn add_occupancy(
        &self,
        granted: &Granted,
        house_id: Id,
        new: NewOccupancy,
        audit: AuditEvent,
    ) -> Result<Occupancy> {
        let tx = self.begin().await.or_internal()?;
        house_in(&tx, granted, house_id).await?;
        person_in(&tx, granted, new.person_id).await?;
        let living = occupancy::Entity::find()
            .filter(occupancy::Column::HouseId.eq(house_id))
            .filter(occupancy::Column::PersonId.eq(new.person_id))
            .filter(occupancy::Column::MovedOutOn.is_null())
            .count(&tx)
            .await
            .or_internal()?;
        if living > 0 {
            return Err(Error::Conflict(Code::OccupancyExists));
        }
        let m = occupancy::ActiveModel {
            id: NotSet,
            project_id: Set(granted.project_id()),
            house_id: Set(house_id),
            person_id: Set(new.person_id),
            relation: Set(new.relation.as_str().to_string()),
            moved_in_on: Set(new.moved_in_on),
            moved_out_on: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&tx)
        .await
        .or_internal()?;
        let o = occupancy_views(&tx, vec![m]).await?.remove(0);
        let audit = audit.entity_id(o.id).after(&o);
        sync_house_state(&tx, house_id, &audit).await?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()?;
        Ok(o)
    }
    async fn occupancy_project(&self, scope: &Scope, id: Id) -> Result<Id> {
        occupancy::Entity::find_by_id(id)
            .filter(project_condition(scope, occupancy::Column::ProjectId, false))
            .one(&self.conn)
            .await
            .or_internal()?
            .map(|o| o.project_id)
            .ok_or_else(|| Error::not_found("occupancy", id))
    }
    async fn end_occupancy(&self, granted: &Granted, id: Id, out: MoveOut, audit: AuditEvent) -> Result<Occupancy> {
        let tx = self.begin().await.or_internal()?;
        let m = occupancy::Entity::find_by_id(id)
            .filter(occupancy::Column::ProjectId.eq(granted.project_id()))
            .one(&tx)
            .await
            .or_internal()?
            .ok_or_else(|| Error::not_found("occupancy", id))?;
        check_not_before("moved_out_on", out.moved_out_on, m.moved_in_on)?;
        let house_id = m.house_id;
        let before = occupancy_views(&tx, vec![m.clone()]).await?.remove(0);
        let mut am = m.into_active_model();
        am.moved_out_on = Set(Some(out.moved_out_on));
        let after = occupancy_views(&tx, vec![am.update(&tx).await.or_internal()?]).await?.remove(0);
        let audit = audit.before(&before).after(&after);
        sync_house_state(&tx, house_id, &audit).await?;
        audit::write(&tx, audit).await?;
        tx.commit().await.or_internal()?;
        Ok(after)
    }
}

pub(crate) async fn houses_of_person(c: &impl ConnectionTrait, person_id: Id) -> Result<PersonHouses> {
    let owned = ownership::Entity::find()
        .filter(ownership::Column::PersonId.eq(person_id))
        .order_by_desc(ownership::Column::StartedOn)
        .all(c)
        .await
        .or_internal()?;
    let stays = occupancy::Entity::find()
        .filter(occupancy::Column::PersonId.eq(person_id))
        .order_by_desc(occupancy::Column::MovedInOn)
        .all(c)
        .await
        .or_internal()?;
    Ok(PersonHouses { ownerships: ownership_views(c, owned).await?, occupancies: occupancy_views(c, stays).await? })
}
