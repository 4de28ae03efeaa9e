//! What a project configures: fee items with their late-fee terms, standards, assignments.

use chrono::NaiveDate;
use linli_core::error::{Validator, required_text};
use linli_core::{Error, Id, Result, date};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::fee::{AreaBasis, BillingCycle, FeeKind, LateFeeRule, Tier};
use crate::run::AssignmentTarget;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewFeeItem {
    pub project_id: Id,
    #[schema(min_length = 1, max_length = 20)]
    pub code: String,
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    pub kind: FeeKind,
    #[serde(default = "monthly")]
    pub cycle: BillingCycle,
    #[serde(default = "month_end")]
    #[schema(minimum = 1, maximum = 31)]
    pub due_day: u32,
    #[serde(default = "gross")]
    pub area_basis: AreaBasis,
    pub meter_kind: Option<String>,
    #[serde(default, deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::fraction)]
    pub loss_rate: Decimal,
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_fraction)]
    pub vacancy_rate: Option<Decimal>,
    #[serde(default = "no_late_fee")]
    pub late_fee: LateFeeRule,
}

fn monthly() -> BillingCycle {
    BillingCycle::Monthly
}
fn month_end() -> u32 {
    31
}
fn gross() -> AreaBasis {
    AreaBasis::Gross
}
fn no_late_fee() -> LateFeeRule {
    LateFeeRule::NONE
}

fn fraction(v: &mut Validator, field: &'static str, d: Decimal, max: Decimal) {
    if d < Decimal::ZERO || d > max {
        v.check(false, field, "out_of_range");
    }
}

impl NewFeeItem {
    pub fn validated(mut self) -> Result<NewFeeItem> {
        let mut v = Validator::default();
        self.code = required_text(&mut v, "code", &self.code, 20);
        self.name = required_text(&mut v, "name", &self.name, 60);
        v.check((1..=31).contains(&self.due_day), "due_day", "out_of_range");
        fraction(&mut v, "loss_rate", self.loss_rate, Decimal::ONE);
        if let Some(r) = self.vacancy_rate {
            fraction(&mut v, "vacancy_rate", r, Decimal::ONE);
        }
        fraction(&mut v, "late_fee.daily_rate", self.late_fee.daily_rate, Decimal::new(1, 2));
        v.check(self.late_fee.grace_days <= MAX_GRACE_DAYS, "late_fee.grace_days", "out_of_range");
        if let Some(c) = self.late_fee.cap_rate {
            fraction(&mut v, "late_fee.cap_rate", c, Decimal::from(10));
        }
        if self.kind == FeeKind::Metered && self.meter_kind.as_deref().is_none_or(str::is_empty) {
            v.check(false, "meter_kind", "conditionally_required");
        }
        v.finish()?;
        Ok(self)
    }
}

/// Grace days beyond a year are typing mistakes.
const MAX_GRACE_DAYS: u32 = 365;

/// The highest price or tier bound (元); beyond it, a price is a typing mistake and area × price
/// × months would come near the limits of the arithmetic.
const MAX_PRICE: i64 = 1_000_000;

fn price_ok(p: Decimal) -> bool {
    p >= Decimal::ZERO && p <= Decimal::from(MAX_PRICE) && p.scale() <= 4
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewStandard {
    pub house_usage: Option<String>,
    pub service_level: Option<String>,
    #[serde(deserialize_with = "date::record::day")]
    pub effective_from: NaiveDate,
    #[serde(default, deserialize_with = "date::record::opt_day")]
    pub effective_to: Option<NaiveDate>,
    #[serde(deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::price)]
    pub price: Decimal,
    #[serde(default)]
    pub tiers: Vec<Tier>,
}

impl NewStandard {
    pub fn validated(self) -> Result<NewStandard> {
        let mut v = Validator::default();
        if !price_ok(self.price) {
            v.check(false, "price", "out_of_range");
        }
        if self.effective_to.is_some_and(|to| to < self.effective_from) {
            v.check(false, "effective_to", "before_start");
        }
        let mut last = Decimal::ZERO;
        for (i, t) in self.tiers.iter().enumerate() {
            if !price_ok(t.price) || t.up_to.is_some_and(|u| u > Decimal::from(MAX_PRICE)) {
                v.check(false, "tiers", "out_of_range");
            }
            match t.up_to {
                Some(u) if u <= last => {
                    v.check(false, "tiers", "not_increasing");
                }
                Some(u) => last = u,
                None if i + 1 != self.tiers.len() => {
                    v.check(false, "tiers", "open_tier_not_last");
                }
                None => {}
            }
        }
        v.finish()?;
        Ok(self)
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAssignment {
    pub target: AssignmentTarget,
    pub building_id: Option<Id>,
    pub house_usage: Option<String>,
    pub house_id: Option<Id>,
    pub service_level: Option<String>,
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 100)]
    pub quantity: u32,
    pub label: Option<String>,
    #[serde(default, deserialize_with = "date::record::opt_day")]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "date::record::opt_day")]
    pub ends_on: Option<NaiveDate>,
}

fn one() -> u32 {
    1
}

impl NewAssignment {
    pub fn validated(self) -> Result<NewAssignment> {
        let (field, ok) = match self.target {
            AssignmentTarget::Project => ("target", true),
            AssignmentTarget::Building => ("building_id", self.building_id.is_some()),
            AssignmentTarget::HouseUsage => ("house_usage", self.house_usage.is_some()),
            AssignmentTarget::House => ("house_id", self.house_id.is_some()),
        };
        if !ok {
            return Err(Error::invalid(field, "conditionally_required"));
        }
        if self.quantity == 0 || self.quantity > 100 {
            return Err(Error::invalid("quantity", "out_of_range"));
        }
        Ok(self)
    }
}
