//! What staff type to find a house: the label the console shows ("1栋1单元702", "1栋702"), the
//! short form "1-1-702" / "1-702", or part of a number ("702"). Storage matches the parts.

/// A house search, read from the text typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseQuery {
    /// The text without spaces: matched against the number and against the joined label
    /// (building name, unit name, number), as the console displays it.
    pub label: String,
    /// The short form `building-unit-number` or `building-number`, when the text has that shape.
    pub short: Option<ShortLabel>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortLabel {
    /// Names the building may have for the typed "1": "1", "1栋", "1号楼", …
    pub building_names: Vec<String>,
    /// Names the unit may have for the typed "1": "1", "1单元"; `None` when no unit was typed.
    pub unit_names: Option<Vec<String>>,
    pub number: String,
}

const BUILDING_SUFFIXES: [&str; 6] = ["", "栋", "号楼", "幢", "座", "号"];
const UNIT_SUFFIXES: [&str; 2] = ["", "单元"];

impl HouseQuery {
    pub fn parse(q: &str) -> Option<HouseQuery> {
        let label: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        if label.is_empty() {
            return None;
        }
        let parts: Vec<&str> = label.split('-').collect();
        let short = match parts.as_slice() {
            [b, n] if !b.is_empty() && !n.is_empty() => Some(ShortLabel {
                building_names: names(b, &BUILDING_SUFFIXES),
                unit_names: None,
                number: n.to_string(),
            }),
            [b, u, n] if !b.is_empty() && !u.is_empty() && !n.is_empty() => Some(ShortLabel {
                building_names: names(b, &BUILDING_SUFFIXES),
                unit_names: Some(names(u, &UNIT_SUFFIXES)),
                number: n.to_string(),
            }),
            _ => None,
        };
        Some(HouseQuery { label, short })
    }
}

/// "1栋1单元702", or "2栋702" for a house without a unit: the label the console shows.
pub fn house_label(building: &str, unit: Option<&str>, number: &str) -> String {
    format!("{building}{}{number}", unit.unwrap_or(""))
}

fn names(typed: &str, suffixes: &[&str]) -> Vec<String> {
    suffixes.iter().map(|s| format!("{typed}{s}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_displayed_label_is_searched_without_its_spaces() {
        let q = HouseQuery::parse(" 1栋 1单元 702 ").unwrap();
        assert_eq!(q.label, "1栋1单元702");
        assert_eq!(q.short, None);
        assert_eq!(HouseQuery::parse("702").unwrap().short, None);
        assert_eq!(HouseQuery::parse("   "), None);
    }

    #[test]
    fn a_label_joins_building_unit_and_number() {
        assert_eq!(house_label("1栋", Some("1单元"), "702"), "1栋1单元702");
        assert_eq!(house_label("2栋", None, "702"), "2栋702");
    }

    #[test]
    fn the_short_forms_name_building_unit_and_number() {
        let s = HouseQuery::parse("1-1-702").unwrap().short.unwrap();
        assert!(s.building_names.contains(&"1栋".to_string()) && s.building_names.contains(&"1".to_string()));
        assert_eq!(s.unit_names, Some(vec!["1".to_string(), "1单元".to_string()]));
        assert_eq!(s.number, "702");
        let s = HouseQuery::parse("2-301").unwrap().short.unwrap();
        assert_eq!((s.unit_names, s.number.as_str()), (None, "301"));
        assert_eq!(HouseQuery::parse("1--702").unwrap().short, None);
        assert_eq!(HouseQuery::parse("1-1-7-02").unwrap().short, None);
    }
}
