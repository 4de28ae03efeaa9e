//! Tiered prices (阶梯价): each tier prices the consumption between the previous bound and its own.

use rust_decimal::Decimal;

use crate::fee::Tier;

/// The consumption falling in each tier, with that tier's price, skipping empty tiers.
/// Consumption above the last bounded tier is priced at the last tier when no open tier exists.
pub fn split(consumption: Decimal, tiers: &[Tier]) -> Vec<(Decimal, Decimal)> {
    let mut parts = Vec::new();
    let mut below = Decimal::ZERO;
    let mut left = consumption.max(Decimal::ZERO);
    for (i, tier) in tiers.iter().enumerate() {
        if left <= Decimal::ZERO {
            break;
        }
        let last = i + 1 == tiers.len();
        let take = match tier.up_to {
            Some(up_to) if !last => (up_to - below).max(Decimal::ZERO).min(left),
            _ => left,
        };
        if take > Decimal::ZERO {
            parts.push((take, tier.price));
        }
        left -= take;
        below = tier.up_to.unwrap_or(below);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn water() -> Vec<Tier> {
        vec![
            Tier { up_to: Some(d("10")), price: d("3.5") },
            Tier { up_to: Some(d("20")), price: d("4.5") },
            Tier { up_to: None, price: d("6.0") },
        ]
    }

    #[test]
    fn consumption_fills_tiers_in_order() {
        assert_eq!(split(d("25"), &water()), vec![(d("10"), d("3.5")), (d("10"), d("4.5")), (d("5"), d("6.0"))]);
        assert_eq!(split(d("7.5"), &water()), vec![(d("7.5"), d("3.5"))]);
        assert_eq!(split(d("10"), &water()), vec![(d("10"), d("3.5"))]);
        assert_eq!(split(d("0"), &water()), vec![]);
    }

    #[test]
    fn without_an_open_tier_the_last_price_takes_the_rest() {
        let two = &water()[..2];
        assert_eq!(split(d("30"), two), vec![(d("10"), d("3.5")), (d("20"), d("4.5"))]);
    }
}
