use chrono::{DateTime, Utc};
use linli_core::change::keep_or_set;
use linli_core::error::{Validator, required_text};
use linli_core::text_enum;
use linli_core::{Id, Result};
use serde::{Deserialize, Serialize};

text_enum! {
    BuildingKind {
        Residential = "residential",
        Commercial = "commercial",
        Office = "office",
        Mixed = "mixed",
        Parking = "parking",
    }
}

/// 楼栋.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Building {
    pub id: Id,
    pub project_id: Id,
    pub name: String,
    pub floors_above: i32,
    pub floors_below: i32,
    pub elevator_count: i32,
    pub kind: BuildingKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewBuilding {
    pub project_id: Id,
    /// e.g. `1栋`, `A座`.
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 200)]
    pub floors_above: i32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 20)]
    pub floors_below: i32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub elevator_count: i32,
    #[serde(default = "residential")]
    pub kind: BuildingKind,
}

fn one() -> i32 {
    1
}
fn residential() -> BuildingKind {
    BuildingKind::Residential
}

/// Changed fields; a building has no optional field, so `null` is refused on every one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BuildingPatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, min_length = 1, max_length = 50)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = i32, minimum = 1, maximum = 200)]
    pub floors_above: Option<i32>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = i32, minimum = 0, maximum = 20)]
    pub floors_below: Option<i32>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = i32, minimum = 0, maximum = 100)]
    pub elevator_count: Option<i32>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = BuildingKind)]
    pub kind: Option<BuildingKind>,
}

fn check_counts(v: &mut Validator, above: i32, below: i32, elevators: i32) {
    v.check((1..=200).contains(&above), "floors_above", "out_of_range");
    v.check((0..=20).contains(&below), "floors_below", "out_of_range");
    v.check((0..=100).contains(&elevators), "elevator_count", "out_of_range");
}

impl NewBuilding {
    pub fn validated(self) -> Result<Self> {
        let mut v = Validator::default();
        let name = required_text(&mut v, "name", &self.name, 50);
        check_counts(&mut v, self.floors_above, self.floors_below, self.elevator_count);
        v.finish()?;
        Ok(Self { name, ..self })
    }
}

impl BuildingPatch {
    /// Applies the patch and validates the result as a whole.
    pub fn apply(&self, b: &mut Building) -> Result<()> {
        let mut v = Validator::default();
        if let Some(n) = &self.name {
            b.name = required_text(&mut v, "name", n, 50);
        }
        b.floors_above = self.floors_above.unwrap_or(b.floors_above);
        b.floors_below = self.floors_below.unwrap_or(b.floors_below);
        b.elevator_count = self.elevator_count.unwrap_or(b.elevator_count);
        b.kind = self.kind.unwrap_or(b.kind);
        check_counts(&mut v, b.floors_above, b.floors_below, b.elevator_count);
        v.finish()
    }
}

/// 单元: a section of a building with its own entrance.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: Id,
    pub project_id: Id,
    pub building_id: Id,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    pub building_id: Id,
    /// e.g. `1单元`.
    #[schema(min_length = 1, max_length = 30)]
    pub name: String,
}

/// A unit has its name only; absent keeps it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitPatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, min_length = 1, max_length = 30)]
    pub name: Option<String>,
}

pub fn unit_name(v: &mut Validator, name: &str) -> String {
    required_text(v, "name", name, 30)
}
