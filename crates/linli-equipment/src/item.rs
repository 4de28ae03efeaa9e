//! An equipment item's archive (设备档案): what it is, where, when bought, how often maintained
//! and its state. Validation and the derived next maintenance date are pure.

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::change::keep_or_set;
use linli_core::error::{Validator, required_text};
use linli_core::{Change, Id, Result, date, text_enum};
use serde::{Deserialize, Serialize};

use crate::cycle::{Cycle, CycleUnit, MAX_EVERY, next_maintenance_on};

text_enum! {
    /// 设备状态.
    #[derive(Default)]
    EquipmentState {
        /// 运行中.
        #[default]
        Running = "running",
        /// 故障.
        Faulty = "faulty",
        /// 维修中.
        UnderRepair = "under_repair",
        /// 已报废: no longer maintained, so it has no next maintenance date.
        Retired = "retired",
    }
}

/// 设施设备: one item of a project's equipment register.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Equipment {
    pub id: Id,
    pub project_id: Id,
    pub category_id: Id,
    /// 设备编号, unique in the project, e.g. `DT-01`.
    pub code: String,
    pub name: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub supplier: Option<String>,
    pub purchased_on: Option<NaiveDate>,
    #[schema(minimum = 0)]
    pub purchase_price_fen: Option<i64>,
    pub building_id: Option<Id>,
    pub building_name: Option<String>,
    /// Where in (or outside) the building, e.g. `地下一层水泵房`.
    pub location: Option<String>,
    pub warranty_until: Option<NaiveDate>,
    pub cycle_unit: Option<CycleUnit>,
    #[schema(minimum = 1, maximum = 999)]
    pub cycle_every: Option<i32>,
    pub last_maintained_on: Option<NaiveDate>,
    /// Derived from the cycle on every change; null without a cycle or once retired.
    pub next_maintenance_on: Option<NaiveDate>,
    pub state: EquipmentState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Equipment {
    /// Building and location on one line, for labels and lists.
    pub fn place(&self) -> Option<String> {
        let parts: Vec<&str> =
            [self.building_name.as_deref(), self.location.as_deref()].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewEquipment {
    pub project_id: Id,
    pub category_id: Id,
    #[schema(pattern = "^[^\\s\\u0000-\\u001F\\u007F-\\u009F]{1,30}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(max_length = 100)]
    pub brand: Option<String>,
    #[schema(max_length = 100)]
    pub model: Option<String>,
    #[schema(max_length = 100)]
    pub serial_number: Option<String>,
    #[schema(max_length = 100)]
    pub supplier: Option<String>,
    #[serde(default, deserialize_with = "date::record::opt_day")]
    pub purchased_on: Option<NaiveDate>,
    #[schema(minimum = 0)]
    pub purchase_price_fen: Option<i64>,
    /// A building of the same project.
    pub building_id: Option<Id>,
    #[schema(max_length = 200)]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "date::record::opt_day")]
    pub warranty_until: Option<NaiveDate>,
    /// Set both `cycle_unit` and `cycle_every`, or neither.
    pub cycle_unit: Option<CycleUnit>,
    #[schema(minimum = 1, maximum = 999)]
    pub cycle_every: Option<i32>,
    #[serde(default, deserialize_with = "date::record::opt_day")]
    pub last_maintained_on: Option<NaiveDate>,
    #[serde(default)]
    pub state: EquipmentState,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EquipmentPatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = i64)]
    pub category_id: Option<Id>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, pattern = "^[^\\s\\u0000-\\u001F\\u007F-\\u009F]{1,30}$")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub brand: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub model: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub serial_number: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub supplier: Change<String>,
    #[serde(default, deserialize_with = "date::record::change_day")]
    #[schema(value_type = Option<NaiveDate>)]
    pub purchased_on: Change<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub purchase_price_fen: Change<i64>,
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub building_id: Change<Id>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub location: Change<String>,
    #[serde(default, deserialize_with = "date::record::change_day")]
    #[schema(value_type = Option<NaiveDate>)]
    pub warranty_until: Change<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<CycleUnit>)]
    pub cycle_unit: Change<CycleUnit>,
    #[serde(default)]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 999)]
    pub cycle_every: Change<i32>,
    #[serde(default, deserialize_with = "date::record::change_day")]
    #[schema(value_type = Option<NaiveDate>)]
    pub last_maintained_on: Change<NaiveDate>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = EquipmentState)]
    pub state: Option<EquipmentState>,
}

/// `POST /equipment/{id}/maintained`: the day the item was last maintained.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Maintained {
    #[serde(deserialize_with = "date::record::day")]
    pub on: NaiveDate,
}

/// An item's fields after validation, with the next maintenance date derived: ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EquipmentFields {
    pub category_id: Id,
    pub code: String,
    pub name: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial_number: Option<String>,
    pub supplier: Option<String>,
    pub purchased_on: Option<NaiveDate>,
    pub purchase_price_fen: Option<i64>,
    pub building_id: Option<Id>,
    pub location: Option<String>,
    pub warranty_until: Option<NaiveDate>,
    pub cycle_unit: Option<CycleUnit>,
    pub cycle_every: Option<i32>,
    pub last_maintained_on: Option<NaiveDate>,
    pub next_maintenance_on: Option<NaiveDate>,
    pub state: EquipmentState,
}

/// The longest code: it is printed on a label next to the QR code.
pub const CODE_MAX: usize = 30;

fn optional_text(v: &mut Validator, field: &str, s: Option<&str>, max: usize) -> Option<String> {
    let t = s.map(str::trim).filter(|t| !t.is_empty())?;
    v.check(t.chars().count() <= max, field, "too_long");
    Some(t.to_string())
}

impl EquipmentFields {
    /// Checks the raw values as a whole and derives `next_maintenance_on`. `registered_on` is the
    /// day the item was created; `today` is the project's current date.
    pub fn validated(self, registered_on: NaiveDate, today: NaiveDate) -> Result<EquipmentFields> {
        let raw = self;
        let mut v = Validator::default();
        let code = required_text(&mut v, "code", &raw.code, CODE_MAX);
        v.check(!code.chars().any(|c| c.is_whitespace() || c.is_control()), "code", "invalid");
        let name = required_text(&mut v, "name", &raw.name, 100);
        let brand = optional_text(&mut v, "brand", raw.brand.as_deref(), 100);
        let model = optional_text(&mut v, "model", raw.model.as_deref(), 100);
        let serial_number = optional_text(&mut v, "serial_number", raw.serial_number.as_deref(), 100);
        let supplier = optional_text(&mut v, "supplier", raw.supplier.as_deref(), 100);
        let location = optional_text(&mut v, "location", raw.location.as_deref(), 200);
        v.check(raw.purchase_price_fen.is_none_or(|p| p >= 0), "purchase_price_fen", "must_not_be_negative");
        v.check(raw.purchased_on.is_none_or(|d| d <= today), "purchased_on", "in_future");
        v.check(raw.last_maintained_on.is_none_or(|d| d <= today), "last_maintained_on", "in_future");
        if let Some(bought) = raw.purchased_on {
            v.check(raw.warranty_until.is_none_or(|d| d >= bought), "warranty_until", "before_purchase");
            v.check(raw.last_maintained_on.is_none_or(|d| d >= bought), "last_maintained_on", "before_purchase");
        }
        let cycle = match (raw.cycle_unit, raw.cycle_every) {
            (Some(unit), Some(every)) => {
                let ok = (1..=MAX_EVERY).contains(&every);
                v.check(ok, "cycle_every", "out_of_range");
                ok.then(|| Cycle { unit, every: every.unsigned_abs() })
            }
            (Some(_), None) => {
                v.check(false, "cycle_every", "conditionally_required");
                None
            }
            (None, Some(_)) => {
                v.check(false, "cycle_unit", "conditionally_required");
                None
            }
            (None, None) => None,
        };
        v.finish()?;
        let next_maintenance_on = if raw.state == EquipmentState::Retired {
            None
        } else {
            next_maintenance_on(cycle, raw.last_maintained_on, raw.purchased_on, registered_on)
        };
        Ok(EquipmentFields { code, name, brand, model, serial_number, supplier, location, next_maintenance_on, ..raw })
    }
}

impl NewEquipment {
    pub fn fields(self) -> EquipmentFields {
        EquipmentFields {
            category_id: self.category_id,
            code: self.code,
            name: self.name,
            brand: self.brand,
            model: self.model,
            serial_number: self.serial_number,
            supplier: self.supplier,
            purchased_on: self.purchased_on,
            purchase_price_fen: self.purchase_price_fen,
            building_id: self.building_id,
            location: self.location,
            warranty_until: self.warranty_until,
            cycle_unit: self.cycle_unit,
            cycle_every: self.cycle_every,
            last_maintained_on: self.last_maintained_on,
            next_maintenance_on: None,
            state: self.state,
        }
    }
}

impl Equipment {
    /// The stored fields, as the starting point of a patch.
    pub fn fields(&self) -> EquipmentFields {
        EquipmentFields {
            category_id: self.category_id,
            code: self.code.clone(),
            name: self.name.clone(),
            brand: self.brand.clone(),
            model: self.model.clone(),
            serial_number: self.serial_number.clone(),
            supplier: self.supplier.clone(),
            purchased_on: self.purchased_on,
            purchase_price_fen: self.purchase_price_fen,
            building_id: self.building_id,
            location: self.location.clone(),
            warranty_until: self.warranty_until,
            cycle_unit: self.cycle_unit,
            cycle_every: self.cycle_every,
            last_maintained_on: self.last_maintained_on,
            next_maintenance_on: self.next_maintenance_on,
            state: self.state,
        }
    }
}

impl EquipmentPatch {
    /// The item's fields with the patch applied, not yet validated.
    pub fn apply(self, e: &Equipment) -> EquipmentFields {
        let f = e.fields();
        EquipmentFields {
            category_id: self.category_id.unwrap_or(f.category_id),
            code: self.code.unwrap_or(f.code),
            name: self.name.unwrap_or(f.name),
            brand: self.brand.apply(f.brand),
            model: self.model.apply(f.model),
            serial_number: self.serial_number.apply(f.serial_number),
            supplier: self.supplier.apply(f.supplier),
            purchased_on: self.purchased_on.apply(f.purchased_on),
            purchase_price_fen: self.purchase_price_fen.apply(f.purchase_price_fen),
            building_id: self.building_id.apply(f.building_id),
            location: self.location.apply(f.location),
            warranty_until: self.warranty_until.apply(f.warranty_until),
            cycle_unit: self.cycle_unit.apply(f.cycle_unit),
            cycle_every: self.cycle_every.apply(f.cycle_every),
            last_maintained_on: self.last_maintained_on.apply(f.last_maintained_on),
            next_maintenance_on: f.next_maintenance_on,
            state: self.state.unwrap_or(f.state),
        }
    }
}

/// Filters of the equipment list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EquipmentFilter {
    pub project_id: Option<Id>,
    /// A category and every category below it.
    pub category_id: Option<Id>,
    pub state: Option<EquipmentState>,
    pub building_id: Option<Id>,
    /// Items whose next maintenance is due on or before this date (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "date::any::opt_day")]
    pub due_before: Option<NaiveDate>,
    /// Part of the code, name, brand or model.
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_core::Error;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn lift() -> EquipmentFields {
        NewEquipment {
            project_id: 1,
            category_id: 2,
            code: " DT-01 ".into(),
            name: "1栋1号客梯".into(),
            brand: Some("青禾电梯".into()),
            model: Some("QH-1000".into()),
            serial_number: None,
            supplier: Some("  ".into()),
            purchased_on: Some(d("2020-05-01")),
            purchase_price_fen: Some(35_000_000),
            building_id: None,
            location: Some("1栋".into()),
            warranty_until: Some(d("2022-05-01")),
            cycle_unit: Some(CycleUnit::Day),
            cycle_every: Some(15),
            last_maintained_on: Some(d("2026-03-20")),
            state: EquipmentState::Running,
        }
        .fields()
    }

    const TODAY: &str = "2026-04-01";

    fn check(f: EquipmentFields) -> Result<EquipmentFields> {
        f.validated(d("2026-01-10"), d(TODAY))
    }

    fn field_codes(r: Result<EquipmentFields>) -> Vec<(String, String)> {
        match r {
            Err(Error::Validation(errs)) => errs.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    fn pair(f: &str, c: &str) -> (String, String) {
        (f.into(), c.into())
    }

    #[test]
    fn a_valid_item_is_trimmed_and_gets_its_next_maintenance_date() {
        let f = check(lift()).unwrap();
        assert_eq!(f.code, "DT-01");
        assert_eq!(f.supplier, None);
        assert_eq!(f.next_maintenance_on, Some(d("2026-04-04")));
    }

    #[test]
    fn a_retired_item_has_no_next_maintenance() {
        let f = check(EquipmentFields { state: EquipmentState::Retired, ..lift() }).unwrap();
        assert_eq!(f.next_maintenance_on, None);
    }

    #[test]
    fn a_cycle_needs_both_its_unit_and_its_count() {
        let no_every = EquipmentFields { cycle_every: None, ..lift() };
        assert_eq!(field_codes(check(no_every)), [pair("cycle_every", "conditionally_required")]);
        let no_unit = EquipmentFields { cycle_unit: None, ..lift() };
        assert_eq!(field_codes(check(no_unit)), [pair("cycle_unit", "conditionally_required")]);
        let zero = EquipmentFields { cycle_every: Some(0), ..lift() };
        assert_eq!(field_codes(check(zero)), [pair("cycle_every", "out_of_range")]);
        let neither = EquipmentFields { cycle_unit: None, cycle_every: None, ..lift() };
        assert_eq!(check(neither).unwrap().next_maintenance_on, None);
    }

    #[test]
    fn dates_and_money_that_cannot_be_true_are_field_errors() {
        let bad = EquipmentFields {
            code: "DT 01".into(),
            name: " ".into(),
            purchase_price_fen: Some(-1),
            warranty_until: Some(d("2020-04-30")),
            last_maintained_on: Some(d("2026-04-02")),
            ..lift()
        };
        assert_eq!(
            field_codes(check(bad)),
            [
                pair("code", "invalid"),
                pair("name", "required"),
                pair("purchase_price_fen", "must_not_be_negative"),
                pair("last_maintained_on", "in_future"),
                pair("warranty_until", "before_purchase"),
            ]
        );
        let early = EquipmentFields { last_maintained_on: Some(d("2020-04-30")), ..lift() };
        assert_eq!(field_codes(check(early)), [pair("last_maintained_on", "before_purchase")]);
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_null_clears() {
        let f = check(lift()).unwrap();
        let stored = Equipment {
            id: 9,
            project_id: 1,
            category_id: f.category_id,
            code: f.code,
            name: f.name,
            brand: f.brand,
            model: f.model,
            serial_number: f.serial_number,
            supplier: f.supplier,
            purchased_on: f.purchased_on,
            purchase_price_fen: f.purchase_price_fen,
            building_id: Some(3),
            building_name: Some("1栋".into()),
            location: f.location,
            warranty_until: f.warranty_until,
            cycle_unit: f.cycle_unit,
            cycle_every: f.cycle_every,
            last_maintained_on: f.last_maintained_on,
            next_maintenance_on: f.next_maintenance_on,
            state: f.state,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let patch: EquipmentPatch =
            serde_json::from_value(serde_json::json!({"name": "1号梯", "building_id": null})).unwrap();
        let f = patch.apply(&stored);
        assert_eq!((f.name.as_str(), f.building_id, f.brand.as_deref()), ("1号梯", None, Some("青禾电梯")));
    }
}
