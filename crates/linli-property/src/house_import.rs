//! What a house import does (pure): buildings named in the file but not in the project are
//! created, sized to the floors the file uses, with the units the rows name; a row whose house
//! (building, unit, number) is new creates it, one that differs updates it, one that matches is
//! unchanged. Storage reads the facts and applies the plan in one transaction.

use std::collections::{HashMap, HashSet};

use linli_core::{Area, Id};
use linli_import::{ImportCounts, RowError};

use crate::house_sheet::HouseRow;
use crate::{Building, HouseState, HouseUsage, floor_ok};

/// A stored house as the import compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHouse {
    pub id: Id,
    pub building_id: Id,
    pub unit_id: Option<Id>,
    pub number: String,
    pub floor: i32,
    pub layout: Option<String>,
    pub gross_area: Area,
    pub inner_area: Option<Area>,
    pub orientation: Option<String>,
    pub usage: Option<HouseUsage>,
    pub state: Option<HouseState>,
}

/// The project as the house import sees it.
#[derive(Debug, Clone, Default)]
pub struct HouseImportFacts {
    pub buildings: Vec<Building>,
    /// (building id, unit name, unit id).
    pub units: Vec<(Id, String, Id)>,
    pub houses: Vec<StoredHouse>,
}

/// A building the import creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedBuilding {
    pub name: String,
    pub floors_above: i32,
    pub floors_below: i32,
}

/// What to write, in this order: buildings, units, updates, then the new houses.
#[derive(Debug, Clone, Default)]
pub struct HouseImportPlan {
    pub buildings: Vec<ImportedBuilding>,
    /// (building name, unit name) of the units to create.
    pub units: Vec<(String, String)>,
    /// The stored house and the row that replaces its fields.
    pub updates: Vec<(StoredHouse, HouseRow)>,
    /// Rows that create a house (a new one is vacant unless the row says otherwise).
    pub creates: Vec<HouseRow>,
    pub counts: ImportCounts,
}

fn same(h: &StoredHouse, r: &HouseRow) -> bool {
    h.floor == r.floor
        && h.layout == r.layout
        && h.gross_area == r.gross_area
        && h.inner_area == r.inner_area
        && h.orientation == r.orientation
        && h.usage == Some(r.usage)
        && r.state.is_none_or(|s| h.state == Some(s))
}

/// Plans the import of `rows` into a project with `facts`.
pub fn plan(rows: Vec<HouseRow>, facts: &HouseImportFacts) -> HouseImportPlan {
    let buildings: HashMap<&str, &Building> = facts.buildings.iter().map(|b| (b.name.as_str(), b)).collect();
    let units: HashMap<(Id, &str), Id> = facts.units.iter().map(|(b, name, id)| ((*b, name.as_str()), *id)).collect();
    let houses: HashMap<(Id, Option<Id>, &str), &StoredHouse> =
        facts.houses.iter().map(|h| ((h.building_id, h.unit_id, h.number.as_str()), h)).collect();
    let mut plan = HouseImportPlan::default();
    for r in &rows {
        if buildings.contains_key(r.building.as_str()) || plan.buildings.iter().any(|b| b.name == r.building) {
            continue;
        }
        let floors = rows.iter().filter(|x| x.building == r.building).map(|x| x.floor);
        let (above, below) = floors.fold((1, 0), |(a, b), f| (a.max(f), b.max(-f)));
        plan.buildings.push(ImportedBuilding { name: r.building.clone(), floors_above: above, floors_below: below });
    }
    let mut seen: HashSet<(String, Option<String>, String)> = HashSet::new();
    let mut new_units: HashSet<(String, String)> = HashSet::new();
    for r in rows {
        if !seen.insert((r.building.clone(), r.unit.clone(), r.number.clone())) {
            plan.counts.errors.push(RowError::new(r.row, "房号", "duplicate_in_file"));
            continue;
        }
        // A building created here is sized to fit every row; a stored one must hold the floor.
        let Some(b) = buildings.get(r.building.as_str()) else {
            if let Some(u) = &r.unit
                && new_units.insert((r.building.clone(), u.clone()))
            {
                plan.units.push((r.building.clone(), u.clone()));
            }
            plan.counts.created += 1;
            plan.creates.push(r);
            continue;
        };
        if !floor_ok(b, r.floor) {
            plan.counts.errors.push(RowError::new(r.row, "楼层", "not_in_building"));
            continue;
        }
        let unit = match &r.unit {
            None => Ok(None),
            Some(name) => units.get(&(b.id, name.as_str())).map(|id| Some(*id)).ok_or(name),
        };
        let stored = match unit {
            Ok(u) => houses.get(&(b.id, u, r.number.as_str())).copied(),
            Err(name) => {
                if new_units.insert((r.building.clone(), name.clone())) {
                    plan.units.push((r.building.clone(), name.clone()));
                }
                None
            }
        };
        match stored {
            Some(h) if same(h, &r) => plan.counts.unchanged += 1,
            Some(h) => {
                plan.counts.updated += 1;
                plan.updates.push((h.clone(), r));
            }
            None => {
                plan.counts.created += 1;
                plan.creates.push(r);
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::BuildingKind;

    fn row(n: usize, building: &str, unit: Option<&str>, number: &str, floor: i32) -> HouseRow {
        HouseRow {
            row: n,
            building: building.into(),
            unit: unit.map(Into::into),
            number: number.into(),
            floor,
            layout: None,
            gross_area: Area::from_hundredths(8947),
            inner_area: None,
            orientation: None,
            usage: HouseUsage::Residential,
            state: None,
        }
    }

    fn building(id: Id, name: &str, floors_above: i32) -> Building {
        Building {
            id,
            project_id: 1,
            name: name.into(),
            floors_above,
            floors_below: 0,
            elevator_count: 0,
            kind: BuildingKind::Residential,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn stored(id: Id, building_id: Id, unit_id: Option<Id>, number: &str, floor: i32) -> StoredHouse {
        StoredHouse {
            id,
            building_id,
            unit_id,
            number: number.into(),
            floor,
            layout: None,
            gross_area: Area::from_hundredths(8947),
            inner_area: None,
            orientation: None,
            usage: Some(HouseUsage::Residential),
            state: Some(HouseState::Occupied),
        }
    }

    #[test]
    fn a_new_building_is_sized_to_the_floors_the_file_uses_and_gets_its_units() {
        let rows = vec![row(2, "2栋", Some("1单元"), "1801", 18), row(3, "2栋", Some("2单元"), "B101", -2)];
        let p = plan(rows, &HouseImportFacts::default());
        assert_eq!(p.buildings, [ImportedBuilding { name: "2栋".into(), floors_above: 18, floors_below: 2 }]);
        assert_eq!(p.units, [("2栋".into(), "1单元".into()), ("2栋".into(), "2单元".into())]);
        assert_eq!((p.counts.created, p.creates.len()), (2, 2));
    }

    #[test]
    fn stored_houses_are_unchanged_when_equal_and_updated_when_not_and_a_blank_state_keeps_theirs() {
        let facts = HouseImportFacts {
            buildings: vec![building(10, "1栋", 6)],
            units: vec![(10, "1单元".into(), 20)],
            houses: vec![stored(100, 10, Some(20), "301", 3), stored(101, 10, Some(20), "302", 3)],
        };
        let mut moved = row(3, "1栋", Some("1单元"), "302", 4);
        moved.state = Some(HouseState::Vacant);
        let rows = vec![row(2, "1栋", Some("1单元"), "301", 3), moved, row(4, "1栋", Some("1单元"), "303", 3)];
        let p = plan(rows, &facts);
        assert_eq!((p.counts.created, p.counts.updated, p.counts.unchanged), (1, 1, 1));
        assert_eq!(p.updates[0].0.id, 101);
        assert_eq!(p.creates[0].number, "303");
        assert!(p.buildings.is_empty() && p.units.is_empty());
    }

    #[test]
    fn a_floor_outside_a_stored_building_and_a_second_row_for_a_house_are_refused() {
        let facts = HouseImportFacts { buildings: vec![building(10, "1栋", 6)], ..HouseImportFacts::default() };
        let rows = vec![row(2, "1栋", None, "901", 9), row(3, "1栋", None, "101", 1), row(4, "1栋", None, "101", 1)];
        let p = plan(rows, &facts);
        assert_eq!(
            p.counts.errors,
            [RowError::new(2, "楼层", "not_in_building"), RowError::new(4, "房号", "duplicate_in_file")]
        );
        assert_eq!(p.counts.created, 1);
    }
}
