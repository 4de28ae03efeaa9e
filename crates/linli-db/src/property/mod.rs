//! The property module's storage (`linli-property`): projects, buildings, units, houses.

pub(crate) mod building_ref;
pub(crate) mod import;
pub(crate) mod projects;
pub(crate) mod structure;

use std::collections::HashMap;

use linli_core::{Id, Result};
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::{building, house, unit};
use crate::error::OrInternal;

/// Each house's label (`linli_property::house_label`) from its row and the names of the
/// buildings and units read with it: the one place storage composes a label.
pub(crate) fn labels(
    houses: Vec<house::Model>,
    buildings: &HashMap<Id, String>,
    units: &HashMap<Id, String>,
) -> HashMap<Id, String> {
    houses
        .into_iter()
        .map(|h| {
            let b = buildings.get(&h.building_id).map_or("", String::as_str);
            (h.id, linli_property::house_label(b, units.get(&h.unit_id).map(String::as_str), &h.number))
        })
        .collect()
}

/// The names of the buildings and of the units that match these conditions, by id.
pub(crate) async fn names(
    c: &impl ConnectionTrait,
    buildings: SimpleExpr,
    units: SimpleExpr,
) -> Result<(HashMap<Id, String>, HashMap<Id, String>)> {
    let b = building::Entity::find().filter(buildings).all(c).await.or_internal()?;
    let u = unit::Entity::find().filter(units).all(c).await.or_internal()?;
    Ok((b.into_iter().map(|b| (b.id, b.name)).collect(), u.into_iter().map(|u| (u.id, u.name)).collect()))
}

/// `1栋1单元301` for each of these houses, read 500 at a time (SQLite allows 32,766 bound
/// values in one statement; a run or a reminder names up to every house of a company).
pub(crate) async fn house_labels(c: &impl ConnectionTrait, ids: &[Id]) -> Result<HashMap<Id, String>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let houses =
            house::Entity::find().filter(house::Column::Id.is_in(chunk.iter().copied())).all(c).await.or_internal()?;
        let mut b_ids: Vec<Id> = houses.iter().map(|h| h.building_id).collect();
        let mut u_ids: Vec<Id> = houses.iter().map(|h| h.unit_id).filter(|u| *u != 0).collect();
        for v in [&mut b_ids, &mut u_ids] {
            v.sort_unstable();
            v.dedup();
        }
        let (buildings, units) = names(c, building::Column::Id.is_in(b_ids), unit::Column::Id.is_in(u_ids)).await?;
        out.extend(labels(houses, &buildings, &units));
    }
    Ok(out)
}

/// `1栋1单元301` for every house of the project.
pub(crate) async fn project_house_labels(c: &impl ConnectionTrait, project_id: Id) -> Result<HashMap<Id, String>> {
    let houses = house::Entity::find().filter(house::Column::ProjectId.eq(project_id)).all(c).await.or_internal()?;
    let (buildings, units) =
        names(c, building::Column::ProjectId.eq(project_id), unit::Column::ProjectId.eq(project_id)).await?;
    Ok(labels(houses, &buildings, &units))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db_test;

    db_test! {
        /// A reminder names every overdue house of a company: more ids than SQLite binds in one
        /// statement (32,766) must still come back labelled.
        async fn labels_for_more_houses_than_one_statement_binds(t: TestDb) {
            let company = crate::ensure_company(&t.db, "测试物业").await.expect("company");
            let project = t.insert_project(company, "大社区").await;
            let building = t.insert_building(project, "9栋", 30).await;
            let house = t.insert_house(project, building, "3001", 9000).await;
            let mut ids: Vec<Id> = (1_000_000..1_040_000).collect();
            ids.push(house);
            ids.push(house);
            let labels = house_labels(&t.db.conn, &ids).await.expect("labels");
            assert_eq!(labels.len(), 1);
            assert_eq!(labels[&house], linli_property::house_label("9栋", None, "3001"));
        }
    }
}
