use chrono::{DateTime, Utc};
use linli_core::change::keep_or_set;
use linli_core::error::{Validator, required_text};
use linli_core::text_enum;
use linli_core::{Area, Change, Error, FieldError, Id, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Building;

text_enum! {
    /// 用途.
    HouseUsage { Residential = "residential", Shop = "shop", Office = "office", Parking = "parking", Storage = "storage", }
}

text_enum! {
    /// 状态.
    HouseState { Vacant = "vacant", Occupied = "occupied", UnderRenovation = "under_renovation", ForRent = "for_rent", }
}

/// 房屋: the billable space.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct House {
    pub id: Id,
    pub project_id: Id,
    pub building_id: Id,
    pub building_name: String,
    pub unit_id: Option<Id>,
    pub unit_name: Option<String>,
    /// 房号, e.g. `301`.
    pub number: String,
    pub floor: i32,
    /// 户型, e.g. `3室2厅`.
    pub layout: Option<String>,
    /// 建筑面积.
    pub gross_area: Area,
    /// 套内面积.
    pub inner_area: Option<Area>,
    /// 朝向, e.g. `南北`.
    pub orientation: Option<String>,
    pub usage: HouseUsage,
    pub state: HouseState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewHouse {
    pub building_id: Id,
    pub unit_id: Option<Id>,
    #[schema(min_length = 1, max_length = 20)]
    pub number: String,
    pub floor: i32,
    #[schema(max_length = 20)]
    pub layout: Option<String>,
    /// m², positive, two decimals at most.
    #[serde(deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::area)]
    pub gross_area: Decimal,
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_area)]
    pub inner_area: Option<Decimal>,
    #[schema(max_length = 10)]
    pub orientation: Option<String>,
    #[serde(default = "residential")]
    pub usage: HouseUsage,
    #[serde(default = "vacant")]
    pub state: HouseState,
}

fn residential() -> HouseUsage {
    HouseUsage::Residential
}
fn vacant() -> HouseState {
    HouseState::Vacant
}

/// Changed fields: `null` clears an optional one (so does an empty text), and is refused on a
/// required one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HousePatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, min_length = 1, max_length = 20)]
    pub number: Option<String>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = i32)]
    pub floor: Option<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub layout: Change<String>,
    #[serde(default, deserialize_with = "linli_core::decimal::keep_or_set")]
    #[schema(schema_with = linli_core::schema::area)]
    pub gross_area: Option<Decimal>,
    #[serde(default, deserialize_with = "linli_core::decimal::change")]
    #[schema(schema_with = linli_core::schema::optional_area)]
    pub inner_area: Change<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 10)]
    pub orientation: Change<String>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = HouseUsage)]
    pub usage: Option<HouseUsage>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = HouseState)]
    pub state: Option<HouseState>,
}

/// A house's fields after validation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseFields {
    pub number: String,
    pub floor: i32,
    pub layout: Option<String>,
    pub gross_area: Area,
    pub inner_area: Option<Area>,
    pub orientation: Option<String>,
    pub usage: HouseUsage,
    pub state: HouseState,
}

fn area(v: &mut Validator, field: &str, d: Decimal) -> Option<Area> {
    match Area::parse(d) {
        Ok(a) => Some(a),
        Err(code) => {
            v.check(false, field, code);
            None
        }
    }
}

fn optional_text(v: &mut Validator, field: &str, s: Option<&str>, max: usize) -> Option<String> {
    let t = s.map(str::trim).filter(|t| !t.is_empty())?;
    v.check(t.chars().count() <= max, field, "too_long");
    Some(t.to_string())
}

/// The floor must exist in the building: 1..=above, or -below..=-1 for basements.
pub fn floor_ok(b: &Building, floor: i32) -> bool {
    (floor >= 1 && floor <= b.floors_above) || (floor <= -1 && -floor <= b.floors_below)
}

#[allow(clippy::too_many_arguments)]
fn validate(
    building: &Building,
    number: &str,
    floor: i32,
    layout: Option<&str>,
    gross: Decimal,
    inner: Option<Decimal>,
    orientation: Option<&str>,
    usage: HouseUsage,
    state: HouseState,
) -> Result<HouseFields> {
    let mut v = Validator::default();
    let number = required_text(&mut v, "number", number, 20);
    v.check(floor_ok(building, floor), "floor", "not_in_building");
    let gross_area = area(&mut v, "gross_area", gross);
    let inner_area = inner.and_then(|d| area(&mut v, "inner_area", d));
    if let (Some(g), Some(i)) = (gross_area, inner_area) {
        v.check(i <= g, "inner_area", "exceeds_gross_area");
    }
    let layout = optional_text(&mut v, "layout", layout, 20);
    let orientation = optional_text(&mut v, "orientation", orientation, 10);
    v.finish()?;
    let gross_area = gross_area.ok_or_else(|| Error::Validation(vec![FieldError::new("gross_area", "invalid")]))?;
    Ok(HouseFields { number, floor, layout, gross_area, inner_area, orientation, usage, state })
}

impl NewHouse {
    pub fn validated(&self, building: &Building) -> Result<HouseFields> {
        validate(
            building,
            &self.number,
            self.floor,
            self.layout.as_deref(),
            self.gross_area,
            self.inner_area,
            self.orientation.as_deref(),
            self.usage,
            self.state,
        )
    }
}

impl HousePatch {
    pub fn apply(&self, h: &House, building: &Building) -> Result<HouseFields> {
        validate(
            building,
            self.number.as_deref().unwrap_or(&h.number),
            self.floor.unwrap_or(h.floor),
            self.layout.as_deref().apply(h.layout.as_deref()),
            self.gross_area.unwrap_or(h.gross_area.decimal()),
            self.inner_area.apply(h.inner_area.map(Area::decimal)),
            self.orientation.as_deref().apply(h.orientation.as_deref()),
            self.usage.unwrap_or(h.usage),
            self.state.unwrap_or(h.state),
        )
    }
}

/// Filters of the house list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseFilter {
    pub project_id: Option<Id>,
    pub building_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub floor: Option<i32>,
    pub state: Option<HouseState>,
    pub usage: Option<HouseUsage>,
    /// The house's label ("1栋1单元702", "1-1-702"), part of its number, or an owner's or
    /// occupant's name or phone.
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuildingKind;
    use std::str::FromStr;

    fn building() -> Building {
        Building {
            id: 1,
            project_id: 1,
            name: "1栋".into(),
            floors_above: 18,
            floors_below: 2,
            elevator_count: 2,
            kind: BuildingKind::Residential,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn new(gross: &str, inner: Option<&str>, floor: i32) -> NewHouse {
        NewHouse {
            building_id: 1,
            unit_id: None,
            number: "301".into(),
            floor,
            layout: Some("3室2厅".into()),
            gross_area: Decimal::from_str(gross).unwrap(),
            inner_area: inner.map(|i| Decimal::from_str(i).unwrap()),
            orientation: Some("南北".into()),
            usage: HouseUsage::Residential,
            state: HouseState::Vacant,
        }
    }

    fn field_codes(r: Result<HouseFields>) -> Vec<(String, String)> {
        match r {
            Err(Error::Validation(errs)) => errs.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_house_keeps_its_areas_to_the_hundredth() {
        let f = new("89.47", Some("72.1"), 3).validated(&building()).unwrap();
        assert_eq!(f.gross_area.hundredths(), 8947);
        assert_eq!(f.inner_area.unwrap().hundredths(), 7210);
    }

    #[test]
    fn zero_negative_and_over_precise_areas_are_field_errors() {
        let b = building();
        assert_eq!(field_codes(new("0", None, 3).validated(&b)), [("gross_area".into(), "must_be_positive".into())]);
        assert_eq!(field_codes(new("-1", None, 3).validated(&b)), [("gross_area".into(), "must_be_positive".into())]);
        assert_eq!(
            field_codes(new("1.234", None, 3).validated(&b)),
            [("gross_area".into(), "too_many_decimals".into())]
        );
        assert_eq!(
            field_codes(new("80", Some("90"), 3).validated(&b)),
            [("inner_area".into(), "exceeds_gross_area".into())]
        );
    }

    #[test]
    fn floors_must_exist_in_the_building() {
        let b = building();
        assert!(new("80", None, 18).validated(&b).is_ok());
        assert!(new("80", None, -2).validated(&b).is_ok());
        assert_eq!(field_codes(new("80", None, 19).validated(&b)), [("floor".into(), "not_in_building".into())]);
        assert_eq!(field_codes(new("80", None, 0).validated(&b)), [("floor".into(), "not_in_building".into())]);
        assert_eq!(field_codes(new("80", None, -3).validated(&b)), [("floor".into(), "not_in_building".into())]);
    }
}
