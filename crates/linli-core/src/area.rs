//! Floor areas in m², exact to two decimals: stored as integer hundredths, written in JSON as a
//! decimal string (`"89.47"`) and accepted as a string or a number.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Area(i64);

/// Why a value is not an area, as the field code the API reports.
pub const MUST_BE_POSITIVE: &str = "must_be_positive";
pub const TOO_MANY_DECIMALS: &str = "too_many_decimals";
pub const TOO_LARGE: &str = "too_large";

impl Area {
    pub fn from_hundredths(h: i64) -> Self {
        Area(h)
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// A positive area with at most two decimals, below a million m².
    pub fn parse(d: Decimal) -> Result<Area, &'static str> {
        if d <= Decimal::ZERO {
            return Err(MUST_BE_POSITIVE);
        }
        if d.normalize().scale() > 2 {
            return Err(TOO_MANY_DECIMALS);
        }
        if d >= Decimal::from(1_000_000) {
            return Err(TOO_LARGE);
        }
        let h = (d * Decimal::ONE_HUNDRED).trunc();
        i64::try_from(h).map(Area).map_err(|_| TOO_LARGE)
    }

    pub fn parse_str(s: &str) -> Result<Area, &'static str> {
        Decimal::from_str(s.trim()).map_err(|_| "invalid").and_then(Area::parse)
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.decimal())
    }
}

impl Serialize for Area {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Area {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dec = <Decimal as Deserialize>::deserialize(d)?;
        Area::parse(dec).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Area {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("Area in m² with two decimals, e.g. \"89.47\""))
            .examples([serde_json::json!("89.47")])
            .into()
    }
}

impl utoipa::ToSchema for Area {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_keep_two_decimals_exactly_and_reject_zero_negative_and_finer_values() {
        assert_eq!(Area::parse_str("89.47").unwrap().hundredths(), 8947);
        assert_eq!(Area::parse_str("120").unwrap().to_string(), "120.00");
        assert_eq!(Area::parse_str("89.470").unwrap().hundredths(), 8947);
        assert_eq!(Area::parse_str("0"), Err(MUST_BE_POSITIVE));
        assert_eq!(Area::parse_str("-1"), Err(MUST_BE_POSITIVE));
        assert_eq!(Area::parse_str("89.475"), Err(TOO_MANY_DECIMALS));
        assert_eq!(Area::parse_str("abc"), Err("invalid"));
    }

    #[test]
    fn json_accepts_numbers_and_strings_and_writes_strings() {
        let a: Area = serde_json::from_str("89.47").unwrap();
        let b: Area = serde_json::from_str("\"89.47\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"89.47\"");
    }
}
