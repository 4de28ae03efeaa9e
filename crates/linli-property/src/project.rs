use chrono::{DateTime, Utc};
use linli_core::change::keep_or_set;
use linli_core::error::{Validator, required_text};
use linli_core::text_enum;
use linli_core::{Area, Change, Id, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

text_enum! {
    ProjectKind {
        Residential = "residential",
        Commercial = "commercial",
        Office = "office",
        Mixed = "mixed",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: Id,
    pub name: String,
    pub kind: ProjectKind,
    pub address: Option<String>,
    /// 占地面积, m².
    pub land_area: Option<Area>,
    /// 建筑面积, m².
    pub building_area: Option<Area>,
    /// IANA name; business dates (due dates, periods) are in this zone.
    pub time_zone: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewProject {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub kind: ProjectKind,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_area)]
    pub land_area: Option<Decimal>,
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_area)]
    pub building_area: Option<Decimal>,
    /// Default `Asia/Shanghai`.
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9_+-]{1,20}/[A-Za-z0-9_+-]{1,19}$")]
    pub time_zone: Option<String>,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub contact_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub contact_phone: Option<String>,
}

impl NewProject {
    pub fn named(name: &str, kind: ProjectKind) -> Self {
        Self {
            name: name.into(),
            kind,
            address: None,
            land_area: None,
            building_area: None,
            time_zone: None,
            contact_name: None,
            contact_phone: None,
        }
    }
}

/// Changed fields: `null` clears an optional one (so does an empty text), and is refused on a
/// required one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProjectPatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = ProjectKind)]
    pub kind: Option<ProjectKind>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub address: Change<String>,
    #[serde(default, deserialize_with = "linli_core::decimal::change")]
    #[schema(schema_with = linli_core::schema::optional_area)]
    pub land_area: Change<Decimal>,
    #[serde(default, deserialize_with = "linli_core::decimal::change")]
    #[schema(schema_with = linli_core::schema::optional_area)]
    pub building_area: Change<Decimal>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, pattern = "^[A-Za-z0-9_+-]{1,20}/[A-Za-z0-9_+-]{1,19}$")]
    pub time_zone: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub contact_name: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub contact_phone: Change<String>,
}

/// Validated project details, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectFields {
    pub name: String,
    pub kind: ProjectKind,
    pub address: Option<String>,
    pub land_area: Option<Area>,
    pub building_area: Option<Area>,
    pub time_zone: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

fn text(v: &mut Validator, field: &str, s: Option<&str>, max: usize) -> Option<String> {
    let t = s.map(str::trim).filter(|t| !t.is_empty())?;
    v.check(t.chars().count() <= max, field, "too_long");
    Some(t.to_string())
}

fn area(v: &mut Validator, field: &str, d: Option<Decimal>) -> Option<Area> {
    match Area::parse(d?) {
        Ok(a) => Some(a),
        Err(code) => {
            v.check(false, field, code);
            None
        }
    }
}

/// Zones users in China use; a full IANA database is not needed to store the name.
fn time_zone_ok(tz: &str) -> bool {
    tz.split('/').count() == 2 && tz.len() <= 40 && tz.chars().all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))
}

#[allow(clippy::too_many_arguments)]
fn fields(
    name: &str,
    kind: ProjectKind,
    address: Option<&str>,
    land: Option<Decimal>,
    building: Option<Decimal>,
    tz: Option<&str>,
    contact_name: Option<&str>,
    contact_phone: Option<&str>,
) -> Result<ProjectFields> {
    let mut v = Validator::default();
    let name = required_text(&mut v, "name", name, NAME_MAX);
    let address = text(&mut v, "address", address, 200);
    let land_area = area(&mut v, "land_area", land);
    let building_area = area(&mut v, "building_area", building);
    let time_zone = tz.map_or("Asia/Shanghai", str::trim).to_string();
    v.check(time_zone_ok(&time_zone), "time_zone", "invalid");
    let contact_name = text(&mut v, "contact_name", contact_name, 50);
    let contact_phone = text(&mut v, "contact_phone", contact_phone, 20);
    v.finish()?;
    Ok(ProjectFields { name, kind, address, land_area, building_area, time_zone, contact_name, contact_phone })
}

pub const NAME_MAX: usize = 100;

impl NewProject {
    pub fn validated(&self) -> Result<ProjectFields> {
        fields(
            &self.name,
            self.kind,
            self.address.as_deref(),
            self.land_area,
            self.building_area,
            self.time_zone.as_deref(),
            self.contact_name.as_deref(),
            self.contact_phone.as_deref(),
        )
    }
}

impl ProjectPatch {
    /// The project's fields after the patch; an empty string clears an optional text too.
    pub fn apply(&self, p: &Project) -> Result<ProjectFields> {
        fields(
            self.name.as_deref().unwrap_or(&p.name),
            self.kind.unwrap_or(p.kind),
            self.address.as_deref().apply(p.address.as_deref()),
            self.land_area.apply(p.land_area.map(Area::decimal)),
            self.building_area.apply(p.building_area.map(Area::decimal)),
            Some(self.time_zone.as_deref().unwrap_or(&p.time_zone)),
            self.contact_name.as_deref().apply(p.contact_name.as_deref()),
            self.contact_phone.as_deref().apply(p.contact_phone.as_deref()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_or_overlong_name_is_rejected_with_field_errors() {
        let blank = NewProject::named("  ", ProjectKind::Residential).validated();
        assert_eq!(blank.unwrap_err().to_string(), "validation failed");
        let long = NewProject::named(&"翠".repeat(NAME_MAX + 1), ProjectKind::Office).validated();
        assert!(long.is_err());
        let ok = NewProject::named(" 翠湖花园 ", ProjectKind::Residential).validated().unwrap();
        assert_eq!(ok.name, "翠湖花园");
        assert_eq!(ok.time_zone, "Asia/Shanghai");
    }
}
