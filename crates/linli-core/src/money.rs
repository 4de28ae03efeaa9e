//! Money is an integer number of fen (分). Prices and rates are `Decimal`; a computed amount is
//! rounded once, half away from zero (四舍五入), when it becomes `Fen`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Rounds a yuan amount to the fen, half away from zero.
    pub fn from_yuan(yuan: Decimal) -> Option<Fen> {
        let fen = (yuan * Decimal::ONE_HUNDRED).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
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
    fn displays_two_decimals() {
        assert_eq!(Fen(21025).to_string(), "210.25");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(100).to_string(), "1.00");
    }
}
