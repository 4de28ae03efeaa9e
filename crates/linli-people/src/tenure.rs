//! Who owns a house (ownership, 产权) and who lives in it (occupancy, 入住), with dates, so that
//! past owners and former tenants stay on the record.

use chrono::NaiveDate;
use linli_core::error::Validator;
use linli_core::text_enum;
use linli_core::{Id, Result, date};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

text_enum! {
    Relation {
        /// 业主本人.
        Owner = "owner",
        /// 家属.
        Family = "family",
        /// 租户.
        Tenant = "tenant",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ownership {
    pub id: Id,
    pub project_id: Id,
    pub house_id: Id,
    /// e.g. `1栋1单元301`.
    pub house_label: String,
    pub person_id: Id,
    pub person_name: String,
    /// Percent of the house, two decimals (co-owners share 100.00).
    #[schema(value_type = String, example = "50.00")]
    pub share: Decimal,
    pub started_on: NaiveDate,
    /// Set when the house changed hands; past owners stay visible.
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Occupancy {
    pub id: Id,
    pub project_id: Id,
    pub house_id: Id,
    pub house_label: String,
    pub person_id: Id,
    pub person_name: String,
    pub relation: Relation,
    /// 入住时间.
    pub moved_in_on: NaiveDate,
    pub moved_out_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewOwnership {
    pub person_id: Id,
    /// Percent, default 100.
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_share)]
    pub share: Option<Decimal>,
    #[serde(deserialize_with = "date::record::day")]
    pub started_on: NaiveDate,
    /// A sale: the current owners' ownership ends on `started_on`.
    #[serde(default)]
    pub replace_current: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewOccupancy {
    pub person_id: Id,
    pub relation: Relation,
    #[serde(deserialize_with = "date::record::day")]
    pub moved_in_on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct EndOwnership {
    #[serde(deserialize_with = "date::record::day")]
    pub ended_on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MoveOut {
    #[serde(deserialize_with = "date::record::day")]
    pub moved_out_on: NaiveDate,
}

/// A house's owners and occupants, current first, then the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HousePeople {
    pub owners: Vec<Ownership>,
    pub occupants: Vec<Occupancy>,
}

/// A person's houses.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonHouses {
    pub ownerships: Vec<Ownership>,
    pub occupancies: Vec<Occupancy>,
}

/// Basis points (1/100 of a percent), the stored form of a share.
pub fn share_bp(share: Option<Decimal>) -> Result<i32> {
    let mut v = Validator::default();
    let s = share.unwrap_or(Decimal::ONE_HUNDRED);
    v.check(s > Decimal::ZERO && s <= Decimal::ONE_HUNDRED, "share", "out_of_range");
    v.check(s.normalize().scale() <= 2, "share", "too_many_decimals");
    v.finish()?;
    Ok(i32::try_from((s * Decimal::ONE_HUNDRED).trunc()).unwrap_or(0))
}

pub fn share_of(bp: i32) -> Decimal {
    Decimal::new(i64::from(bp), 2)
}

/// The current owners' shares plus a new one may not exceed the whole house.
pub fn check_total_share(current_bp: &[i32], new_bp: i32) -> Result<()> {
    let mut v = Validator::default();
    v.check(current_bp.iter().sum::<i32>() + new_bp <= 10_000, "share", "exceeds_total");
    v.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn shares_are_percent_with_two_decimals_and_co_owners_fill_at_most_the_whole() {
        assert_eq!(share_bp(None).unwrap(), 10_000);
        assert_eq!(share_bp(Some(Decimal::from_str("33.33").unwrap())).unwrap(), 3333);
        assert!(share_bp(Some(Decimal::ZERO)).is_err());
        assert!(share_bp(Some(Decimal::from_str("33.333").unwrap())).is_err());
        assert!(check_total_share(&[5000, 3000], 2000).is_ok());
        assert!(check_total_share(&[5000, 3000], 2001).is_err());
        assert_eq!(share_of(3333).to_string(), "33.33");
    }

    /// The API document's pattern for `share` admits exactly the texts `share_bp` accepts (written
    /// without leading zeros, as the document asks).
    #[test]
    fn the_documented_share_pattern_is_the_rule() {
        use utoipa::openapi::{RefOr, Schema};
        let RefOr::T(Schema::Object(o)) = linli_core::schema::optional_share() else { panic!("an object") };
        let pattern = regex::Regex::new(&o.pattern.expect("a pattern")).unwrap();
        let mut texts: Vec<String> = ["0", "0.0", "100.5", "101", "0.2856", "33.3300", "100.000000", "1e2"]
            .iter()
            .map(ToString::to_string)
            .collect();
        for whole in [0, 1, 9, 10, 33, 99, 100, 101] {
            for frac in ["", ".0", ".01", ".1", ".25", ".250", ".2500", ".251", ".99", ".999"] {
                texts.push(format!("{whole}{frac}"));
            }
        }
        for t in texts {
            let rule = Decimal::from_str_exact(&t).ok().is_some_and(|d| share_bp(Some(d)).is_ok());
            assert_eq!(pattern.is_match(&t), rule, "{t}");
        }
    }
}
