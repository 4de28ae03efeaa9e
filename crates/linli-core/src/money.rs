//! Money is an integer number of fen (分). Prices and rates are `Decimal`; a computed amount is
//! rounded once, half away from zero (四舍五入), when it becomes `Fen`.
//!
//! One rounding rule wherever a figure is shown or stored: [`round`] (四舍五入, half away from
//! zero). Money goes through [`Fen::from_yuan`] (which uses it) and is written by `Fen`'s
//! `Display`; nothing else rounds money. `Decimal::round_dp` rounds half to even (0.005 → 0.00)
//! and is not used for anything a person reads.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// `value` rounded to `places` decimals, half away from zero (四舍五入): 0.005 → 0.01,
/// 2.675 → 2.68, -0.005 → -0.01. The one rounding of every figure people read.
pub fn round(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Rounds a yuan amount to the fen, half away from zero.
    pub fn from_yuan(yuan: Decimal) -> Option<Fen> {
        let fen = round(yuan.checked_mul(Decimal::ONE_HUNDRED)?, 0);
        i64::try_from(fen).ok().map(Fen)
    }

    pub fn yuan(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }
}

impl std::fmt::Display for Fen {
    /// `21025` → `210.25`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2}", self.yuan())
    }
}

impl utoipa::PartialSchema for Fen {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
            .description(Some("Money in fen (分): 21025 is 210.25 元"))
            .examples([serde_json::json!(21025)])
            .into()
    }
}

impl utoipa::ToSchema for Fen {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn area_times_price_rounds_half_away_from_zero() {
        // 89.47 m² × 2.35 元 = 210.2545 元 → 210.25 元
        assert_eq!(Fen::from_yuan(d("89.47") * d("2.35")), Some(Fen(21025)));
        assert_eq!(Fen::from_yuan(d("0.005")), Some(Fen(1)));
        assert_eq!(Fen::from_yuan(d("-0.005")), Some(Fen(-1)));
        assert_eq!(Fen::from_yuan(d("0.0049")), Some(Fen(0)));
    }

    #[test]
    fn every_half_rounds_away_from_zero() {
        // The halves where half-to-even (Decimal::round_dp) answers differently.
        for (yuan, fen) in [
            ("0.005", 1),
            ("0.015", 2),
            ("0.025", 3),
            ("2.675", 268),
            ("1.005", 101),
            ("-0.005", -1),
            ("-0.015", -2),
            ("-2.675", -268),
            ("0.004999", 0),
            ("-0.004999", 0),
        ] {
            assert_eq!(Fen::from_yuan(d(yuan)), Some(Fen(fen)), "{yuan}");
        }
        assert_eq!(round(d("0.005"), 2), d("0.01"));
        assert_eq!(round(d("0.015"), 2), d("0.02"));
        assert_eq!(round(d("2.675"), 2), d("2.68"));
        assert_eq!(round(d("-2.675"), 2), d("-2.68"));
        assert_eq!(round(d("0.12345"), 4), d("0.1235"));
        // The statement's line: 1 day × 10.00 元 × 0.0005 = 0.005 → 0.01, as the bill charges.
        assert_eq!(Fen::from_yuan(d("10.00") * d("0.0005")).map(|f| f.to_string()), Some("0.01".into()));
        // Beyond i64 is None, not a panic.
        assert_eq!(Fen::from_yuan(Decimal::MAX), None);
    }

    #[test]
    fn displays_two_decimals() {
        assert_eq!(Fen(21025).to_string(), "210.25");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(100).to_string(), "1.00");
    }
}
