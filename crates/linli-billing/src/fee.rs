//! Fee items (收费项目) and their standards (收费标准). A standard prices an item from a date; a
//! price change is a new standard, so bills already issued keep the price they were computed with.

use chrono::NaiveDate;
use linli_core::{Id, text_enum};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

text_enum! {
    /// How an item is priced.
    FeeKind {
        /// Area × price per m² per month (物业费).
        Area = "area",
        /// A fixed amount per month (e.g. 垃圾清运费).
        Fixed = "fixed",
        /// Consumption × price, with tiers and a loss surcharge (水费, 电费, 燃气费).
        Metered = "metered",
        /// Per parking space per month (车位管理费).
        Parking = "parking",
        /// Charged once, not by runs (装修押金, 门禁卡).
        OneOff = "one_off",
    }
}

text_enum! {
    /// How often an item is billed; periods are calendar-aligned.
    BillingCycle { Monthly = "monthly", Quarterly = "quarterly", HalfYearly = "half_yearly", Yearly = "yearly", }
}

impl BillingCycle {
    pub fn months(self) -> u32 {
        match self {
            Self::Monthly => 1,
            Self::Quarterly => 3,
            Self::HalfYearly => 6,
            Self::Yearly => 12,
        }
    }
}

text_enum! {
    /// Which area an area fee multiplies.
    AreaBasis { Gross = "gross", Inner = "inner", }
}

/// 滞纳金 terms of an item: simple interest per day on the overdue principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LateFeeRule {
    /// Per day, e.g. `0.0005` (万分之五). Zero means no late fee.
    #[serde(deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::daily_rate)]
    pub daily_rate: Decimal,
    /// Days after the due date before the fee starts.
    #[schema(maximum = 365)]
    pub grace_days: u32,
    /// The most the fee may reach, as a fraction of the bill's amount (e.g. `1` = the principal).
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_cap_rate)]
    pub cap_rate: Option<Decimal>,
}

impl LateFeeRule {
    pub const NONE: LateFeeRule = LateFeeRule { daily_rate: Decimal::ZERO, grace_days: 0, cap_rate: None };
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FeeItem {
    pub id: Id,
    pub project_id: Id,
    /// Short and unique in the project, e.g. `WYF`.
    pub code: String,
    pub name: String,
    pub kind: FeeKind,
    pub cycle: BillingCycle,
    /// Day of the period's first month the bill is due; 31 means month end.
    pub due_day: u32,
    pub area_basis: AreaBasis,
    /// Metered items: which meters feed them (`water`, `electricity`, `gas`).
    pub meter_kind: Option<String>,
    /// Metered items: a surcharge for losses and shared use, as a fraction (e.g. `0.05`).
    #[schema(value_type = String, example = "0")]
    pub loss_rate: Decimal,
    /// The share charged when a house is vacant the whole period (e.g. `0.7`); none = full price.
    #[schema(value_type = Option<String>, example = "0.7")]
    pub vacancy_rate: Option<Decimal>,
    pub late_fee: LateFeeRule,
    pub active: bool,
}

/// One price of a fee item from a date. `house_usage` and `service_level` narrow it; the most
/// specific standard in force on a day wins, and among equals the latest start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Standard {
    pub id: Id,
    pub fee_item_id: Id,
    /// `residential`, `shop`, …; none = every use.
    pub house_usage: Option<String>,
    /// e.g. `一级`; none = every level.
    pub service_level: Option<String>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    /// Per m² per month, per month, per space per month, per unit consumed, or the one-off amount.
    #[schema(value_type = String, example = "2.35")]
    pub price: Decimal,
    /// Metered: tiers by consumption in the period; empty = `price` for all of it.
    pub tiers: Vec<Tier>,
}

/// One step of a tiered price (阶梯价): consumption up to `up_to` (cumulative), or all the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tier {
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_price)]
    pub up_to: Option<Decimal>,
    #[serde(deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::price)]
    pub price: Decimal,
}

impl Standard {
    fn in_force(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_to.is_none_or(|to| day <= to)
    }

    /// How well it fits, or `None` when it names another use or level.
    fn fit(&self, usage: &str, level: Option<&str>) -> Option<u8> {
        let mut score = 0;
        if let Some(u) = &self.house_usage {
            if u != usage {
                return None;
            }
            score += 1;
        }
        if let Some(l) = &self.service_level {
            if Some(l.as_str()) != level {
                return None;
            }
            score += 2;
        }
        Some(score)
    }
}

/// The standard that prices `day` for a house of `usage` at `level`.
pub fn standard_for<'a>(
    standards: &'a [Standard],
    day: NaiveDate,
    usage: &str,
    level: Option<&str>,
) -> Option<&'a Standard> {
    standards
        .iter()
        .filter(|s| s.in_force(day))
        .filter_map(|s| s.fit(usage, level).map(|fit| (fit, s.effective_from, s)))
        .max_by_key(|(fit, from, s)| (*fit, *from, s.id))
        .map(|(_, _, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std(id: Id, usage: Option<&str>, level: Option<&str>, from: &str, price: &str) -> Standard {
        Standard {
            id,
            fee_item_id: 1,
            house_usage: usage.map(str::to_owned),
            service_level: level.map(str::to_owned),
            effective_from: from.parse().unwrap(),
            effective_to: None,
            price: price.parse().unwrap(),
            tiers: vec![],
        }
    }

    #[test]
    fn the_most_specific_standard_in_force_wins_then_the_latest() {
        let all = [
            std(1, None, None, "2025-01-01", "2.00"),
            std(2, Some("shop"), None, "2025-01-01", "5.00"),
            std(3, None, Some("一级"), "2025-01-01", "2.80"),
            std(4, None, None, "2026-03-01", "2.50"),
        ];
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let price = |d: &str, u: &str, l: Option<&str>| standard_for(&all, day(d), u, l).map(|s| s.price.to_string());
        assert_eq!(price("2026-02-28", "residential", None).as_deref(), Some("2.00"));
        assert_eq!(price("2026-03-01", "residential", None).as_deref(), Some("2.50"));
        assert_eq!(price("2026-03-01", "shop", None).as_deref(), Some("5.00"));
        assert_eq!(price("2026-03-01", "residential", Some("一级")).as_deref(), Some("2.80"));
        assert_eq!(price("2024-12-31", "residential", None), None);
    }
}
