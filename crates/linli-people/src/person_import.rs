//! What a person import does (pure): each row finds its person (by ID number when it may, else
//! by name and phone) or creates one, then links it to the house it names: an owner not yet
//! owning it gets an ownership (never beyond 100% of the house), and a resident, or an owner
//! with a move-in date, an occupancy. Storage reads the facts, applies the plan in one
//! transaction, and keeps each house's state in step with who lives there (`house_state`).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use linli_core::Id;
use linli_import::{ImportCounts, RowError};

use crate::person_sheet::HouseRef;
use crate::{EncryptedPersonRow, EncryptedSecrets, PersonFields, Relation};

/// The project as the person import sees it.
#[derive(Debug, Clone, Default)]
pub struct PersonImportFacts {
    /// Persons by the blind index of their ID number.
    pub by_index: HashMap<String, Id>,
    pub by_name_phone: HashMap<(String, Option<String>), Id>,
    pub houses: HashMap<HouseRef, Id>,
    /// Each house's current owners and their shares in basis points.
    pub owners: HashMap<Id, Vec<(Id, i32)>>,
    /// (house, person) for everyone living somewhere now.
    pub living: HashSet<(Id, Id)>,
}

/// A person of the plan: stored, or the n-th one the plan creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonRef {
    Stored(Id),
    New(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOwnership {
    pub house_id: Id,
    pub person: PersonRef,
    pub share_bp: i32,
    pub started_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOccupancy {
    pub house_id: Id,
    pub person: PersonRef,
    pub relation: Relation,
    pub moved_in_on: NaiveDate,
}

/// What one row writes, in this order.
#[derive(Debug, Clone)]
pub struct PlannedPerson {
    /// The person the row creates: the next `PersonRef::New`.
    pub create: Option<(PersonFields, EncryptedSecrets)>,
    pub ownership: Option<PlannedOwnership>,
    pub occupancy: Option<PlannedOccupancy>,
}

#[derive(Debug, Clone, Default)]
pub struct PersonImportPlan {
    pub rows: Vec<PlannedPerson>,
    pub counts: ImportCounts,
}

fn share_of(owners: &HashMap<Id, Vec<(PersonRef, i32)>>, house: Id) -> i32 {
    owners.get(&house).map_or(0, |o| o.iter().map(|(_, bp)| bp).sum())
}

fn stored<K: Eq + std::hash::Hash>(m: HashMap<K, Id>) -> HashMap<K, PersonRef> {
    m.into_iter().map(|(k, id)| (k, PersonRef::Stored(id))).collect()
}

/// Plans the import of `rows` into a project with `facts`; `today` stands in for the dates a
/// row leaves blank.
pub fn plan(rows: Vec<EncryptedPersonRow>, facts: PersonImportFacts, today: NaiveDate) -> PersonImportPlan {
    let mut by_index = stored(facts.by_index);
    let mut by_name_phone = stored(facts.by_name_phone);
    let mut owners: HashMap<Id, Vec<(PersonRef, i32)>> = facts
        .owners
        .into_iter()
        .map(|(h, o)| (h, o.into_iter().map(|(p, bp)| (PersonRef::Stored(p), bp)).collect()))
        .collect();
    let mut living: HashSet<(Id, PersonRef)> =
        facts.living.into_iter().map(|(h, p)| (h, PersonRef::Stored(p))).collect();
    let mut plan = PersonImportPlan::default();
    let mut created = 0;
    for r in rows {
        let house = match &r.house {
            Some(h) => match facts.houses.get(h) {
                Some(found) => Some(*found),
                None => {
                    plan.counts.errors.push(RowError::new(r.row, "房号", "house_not_found"));
                    continue;
                }
            },
            None => None,
        };
        let known = r
            .id_index()
            .and_then(|i| by_index.get(i))
            .or_else(|| by_name_phone.get(&(r.fields.name.clone(), r.fields.phone.clone())))
            .copied();
        // A new owner beyond the house's whole is refused before the person is created.
        if let (Some(house_id), Relation::Owner, None) = (house, r.relation, known)
            && share_of(&owners, house_id) + r.share_bp > 10_000
        {
            plan.counts.errors.push(RowError::new(r.row, "产权份额", "exceeds_total"));
            continue;
        }
        let mut planned = PlannedPerson { create: None, ownership: None, occupancy: None };
        let person = match known {
            Some(p) => p,
            None => {
                let p = PersonRef::New(created);
                created += 1;
                if let Some(i) = r.id_index() {
                    by_index.insert(i.to_string(), p);
                }
                by_name_phone.insert((r.fields.name.clone(), r.fields.phone.clone()), p);
                planned.create = Some((r.fields.clone(), r.secrets.clone()));
                p
            }
        };
        if let Some(house_id) = house {
            let owns = owners.get(&house_id).is_some_and(|o| o.iter().any(|(p, _)| *p == person));
            if r.relation == Relation::Owner && !owns {
                if share_of(&owners, house_id) + r.share_bp > 10_000 {
                    plan.counts.errors.push(RowError::new(r.row, "产权份额", "exceeds_total"));
                    plan.rows.push(planned);
                    continue;
                }
                owners.entry(house_id).or_default().push((person, r.share_bp));
                planned.ownership = Some(PlannedOwnership {
                    house_id,
                    person,
                    share_bp: r.share_bp,
                    started_on: r.owned_since.unwrap_or(today),
                });
            }
            let moves_in = r.relation != Relation::Owner || r.moved_in_on.is_some();
            if moves_in && living.insert((house_id, person)) {
                planned.occupancy = Some(PlannedOccupancy {
                    house_id,
                    person,
                    relation: r.relation,
                    moved_in_on: r.moved_in_on.unwrap_or(today),
                });
            }
        }
        let linked = planned.ownership.is_some() || planned.occupancy.is_some();
        match (planned.create.is_some(), linked) {
            (true, _) => plan.counts.created += 1,
            (false, true) => plan.counts.updated += 1,
            (false, false) => plan.counts.unchanged += 1,
        }
        plan.rows.push(planned);
    }
    plan
}

#[cfg(test)]
mod tests {
    use linli_core::Change;

    use super::*;
    use crate::PersonKind;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn house(number: &str) -> HouseRef {
        HouseRef { building: "1栋".into(), unit: Some("1单元".into()), number: number.into() }
    }

    fn row(n: usize, name: &str, number: Option<&str>, relation: Relation, share_bp: i32) -> EncryptedPersonRow {
        EncryptedPersonRow {
            row: n,
            fields: PersonFields {
                kind: PersonKind::Person,
                name: name.into(),
                phone: Some(format!("1380000{n:04}")),
                phone2: None,
                id_type: None,
                gender: None,
                emergency_contact: None,
                emergency_phone: None,
                notes: None,
                id_number: Change::Keep,
                bank_account: Change::Keep,
            },
            secrets: EncryptedSecrets::default(),
            house: number.map(house),
            relation,
            share_bp,
            owned_since: None,
            moved_in_on: None,
            match_by_id: false,
        }
    }

    fn facts() -> PersonImportFacts {
        PersonImportFacts { houses: HashMap::from([(house("301"), 7), (house("302"), 8)]), ..Default::default() }
    }

    #[test]
    fn an_owner_owns_a_resident_moves_in_and_a_missing_house_fails_its_row() {
        let rows = vec![
            row(2, "张伟", Some("301"), Relation::Owner, 10_000),
            row(3, "李娜", Some("301"), Relation::Family, 0),
            row(4, "赵强", Some("999"), Relation::Tenant, 0),
        ];
        let p = plan(rows, facts(), day("2026-03-01"));
        assert_eq!((p.counts.created, p.counts.updated, p.counts.unchanged), (2, 0, 0));
        assert_eq!(p.counts.errors, [RowError::new(4, "房号", "house_not_found")]);
        let owner = &p.rows[0];
        assert_eq!(
            owner.ownership,
            Some(PlannedOwnership {
                house_id: 7,
                person: PersonRef::New(0),
                share_bp: 10_000,
                started_on: day("2026-03-01")
            })
        );
        assert_eq!(owner.occupancy, None, "an owner without a move-in date does not live there");
        let family = p.rows[1].occupancy.as_ref().unwrap();
        assert_eq!((family.house_id, family.person, family.relation), (7, PersonRef::New(1), Relation::Family));
    }

    #[test]
    fn a_share_beyond_the_whole_house_is_refused_and_a_known_person_is_linked_not_created() {
        let mut f = facts();
        f.owners.insert(7, vec![(1, 6_000)]);
        f.by_name_phone.insert(("王芳".into(), Some("13800000003".into())), 2);
        let rows = vec![
            row(2, "张伟", Some("301"), Relation::Owner, 5_000),
            row(3, "王芳", Some("301"), Relation::Owner, 4_000),
            row(3, "王芳", Some("302"), Relation::Tenant, 0),
        ];
        let p = plan(rows, f, day("2026-03-01"));
        assert_eq!(p.counts.errors, [RowError::new(2, "产权份额", "exceeds_total")]);
        assert_eq!((p.counts.created, p.counts.updated), (0, 2));
        assert!(p.rows.iter().all(|r| r.create.is_none()));
        assert_eq!(p.rows[0].ownership.as_ref().map(|o| (o.person, o.share_bp)), Some((PersonRef::Stored(2), 4_000)));
    }

    #[test]
    fn the_same_file_again_changes_nothing() {
        let mut f = facts();
        f.by_name_phone.insert(("李娜".into(), Some("13800000002".into())), 5);
        f.living.insert((7, 5));
        let p = plan(vec![row(2, "李娜", Some("301"), Relation::Family, 0)], f, day("2026-03-01"));
        assert_eq!((p.counts.created, p.counts.updated, p.counts.unchanged), (0, 0, 1));
        assert!(p.rows[0].occupancy.is_none());
    }
}
