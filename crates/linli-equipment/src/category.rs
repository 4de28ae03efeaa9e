//! Equipment categories (设备分类): a per-company tree, seeded with the kinds a residential
//! community runs. Codes are stable identifiers; names are what users read.

use linli_core::Id;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Category {
    pub id: Id,
    pub parent_id: Option<Id>,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A category with its subcategories, for the console's tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CategoryNode {
    pub id: Id,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

/// One category of the default tree.
#[derive(Debug, Clone, Copy)]
pub struct DefaultCategory {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub children: &'static [DefaultCategory],
}

const fn c(code: &'static str, name_zh: &'static str, name_en: &'static str) -> DefaultCategory {
    DefaultCategory { code, name_zh, name_en, children: &[] }
}

const fn group(
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    children: &'static [DefaultCategory],
) -> DefaultCategory {
    DefaultCategory { code, name_zh, name_en, children }
}

/// Every company starts with this tree; seeding adds what is missing and never renames or removes
/// a category a company has changed.
pub const DEFAULT_CATEGORIES: &[DefaultCategory] = &[
    group(
        "elevator",
        "电梯",
        "Elevators",
        &[
            c("passenger", "客梯", "Passenger elevator"),
            c("freight", "货梯", "Freight elevator"),
            c("escalator", "扶梯", "Escalator"),
        ],
    ),
    group(
        "fire_protection",
        "消防",
        "Fire protection",
        &[
            c("fire_pump", "消防泵", "Fire pump"),
            c("sprinkler", "喷淋", "Sprinkler system"),
            c("smoke_alarm", "烟感报警", "Smoke alarm"),
            c("hydrant", "消火栓", "Hydrant"),
        ],
    ),
    group(
        "water_supply_drainage",
        "给排水",
        "Water supply and drainage",
        &[
            c("domestic_pump", "生活水泵", "Domestic water pump"),
            c("sewage_pump", "排污泵", "Sewage pump"),
            c("water_tank", "水箱", "Water tank"),
        ],
    ),
    group(
        "power_supply",
        "供配电",
        "Power supply",
        &[
            c("transformer", "变压器", "Transformer"),
            c("switchgear", "配电柜", "Switchgear"),
            c("generator", "发电机", "Generator"),
        ],
    ),
    c("hvac", "暖通空调", "HVAC"),
    group(
        "security",
        "安防",
        "Security",
        &[
            c("camera", "摄像机", "Camera"),
            c("access_controller", "门禁", "Access controller"),
            c("barrier_gate", "道闸", "Barrier gate"),
        ],
    ),
    c("other", "其他", "Other"),
];

/// The flat list as a forest, children in the order given (the repository sorts by id, which is
/// the seeding order).
pub fn tree(all: &[Category]) -> Vec<CategoryNode> {
    fn children(all: &[Category], parent: Option<Id>) -> Vec<CategoryNode> {
        all.iter()
            .filter(|c| c.parent_id == parent)
            .map(|c| CategoryNode {
                id: c.id,
                code: c.code.clone(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                children: children(all, Some(c.id)),
            })
            .collect()
    }
    let known = |id: Id| all.iter().any(|c| c.id == id);
    // A row whose parent is missing is shown at the top rather than lost.
    let mut roots = children(all, None);
    for orphan in all.iter().filter(|c| c.parent_id.is_some_and(|p| !known(p))) {
        roots.push(CategoryNode {
            id: orphan.id,
            code: orphan.code.clone(),
            name_zh: orphan.name_zh.clone(),
            name_en: orphan.name_en.clone(),
            children: children(all, Some(orphan.id)),
        });
    }
    roots
}

/// `id` and every category below it, so filtering by 电梯 finds 客梯 and 扶梯 too.
pub fn with_descendants(all: &[Category], id: Id) -> Vec<Id> {
    let mut out = vec![id];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        for c in all.iter().filter(|c| c.parent_id == Some(parent)) {
            // A cycle in hand-edited data must not loop forever.
            if !out.contains(&c.id) {
                out.push(c.id);
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: Id, parent_id: Option<Id>, code: &str) -> Category {
        Category { id, parent_id, code: code.into(), name_zh: code.into(), name_en: code.into() }
    }

    fn sample() -> Vec<Category> {
        vec![
            cat(1, None, "elevator"),
            cat(2, Some(1), "passenger"),
            cat(3, Some(1), "escalator"),
            cat(4, None, "hvac"),
            cat(5, Some(2), "panoramic"),
        ]
    }

    #[test]
    fn a_category_filter_covers_every_level_below_it() {
        assert_eq!(with_descendants(&sample(), 1), [1, 2, 3, 5]);
        assert_eq!(with_descendants(&sample(), 4), [4]);
        assert_eq!(with_descendants(&sample(), 99), [99]);
    }

    #[test]
    fn the_tree_nests_children_under_their_parents() {
        let t = tree(&sample());
        assert_eq!(t.iter().map(|n| n.code.as_str()).collect::<Vec<_>>(), ["elevator", "hvac"]);
        assert_eq!(t[0].children.len(), 2);
        assert_eq!(t[0].children[0].children[0].code, "panoramic");
    }

    #[test]
    fn default_codes_are_unique_so_seeding_can_match_on_them() {
        let mut codes: Vec<&str> = DEFAULT_CATEGORIES
            .iter()
            .flat_map(|g| std::iter::once(g.code).chain(g.children.iter().map(|c| c.code)))
            .collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
        assert_eq!(n, 23);
    }
}
