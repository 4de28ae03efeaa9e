//! The property module's storage (`linli-property`): projects, buildings, units, houses.

pub(crate) mod building_ref;
pub(crate) mod import;
pub(crate) mod projects;
pub(crate) mod structure;

use std::collections::HashMap;

use linli_core::Id;

use crate::entity::house;

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
