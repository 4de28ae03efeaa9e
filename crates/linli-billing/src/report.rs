//! Reports: arrears by building and age, collection rate per month and fee item, income by fee
//! item and channel.

use chrono::NaiveDate;
use linli_core::{Fen, Id};
use rust_decimal::Decimal;
use serde::Serialize;

/// Unpaid principal by how long it has been overdue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AgeBands {
    /// Overdue 1–90 days (1–3 months).
    pub band_1_3_fen: Fen,
    /// 91–180 days.
    pub band_4_6_fen: Fen,
    /// 181–365 days.
    pub band_7_12_fen: Fen,
    /// More than a year.
    pub band_over_12_fen: Fen,
    pub total_fen: Fen,
}

impl AgeBands {
    pub fn add(&mut self, due_on: NaiveDate, as_of: NaiveDate, amount: Fen) {
        let days = (as_of - due_on).num_days();
        if days <= 0 || amount.0 <= 0 {
            return;
        }
        let band = match days {
            1..=90 => &mut self.band_1_3_fen,
            91..=180 => &mut self.band_4_6_fen,
            181..=365 => &mut self.band_7_12_fen,
            _ => &mut self.band_over_12_fen,
        };
        band.0 += amount.0;
        self.total_fen.0 += amount.0;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ArrearsRow {
    pub building_id: Id,
    pub building_name: String,
    /// Houses with overdue principal.
    pub houses: i64,
    #[serde(flatten)]
    pub bands: AgeBands,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ArrearsReport {
    pub project_id: Id,
    pub as_of: NaiveDate,
    pub rows: Vec<ArrearsRow>,
    pub houses: i64,
    pub total: AgeBands,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CollectionRow {
    /// `YYYY-MM`: bills whose period starts that month.
    pub period: String,
    pub fee_item_id: Id,
    pub fee_item_name: String,
    pub billed_fen: Fen,
    /// Principal paid (allocated) so far.
    pub collected_fen: Fen,
    /// collected ÷ billed, four decimals.
    #[schema(value_type = String)]
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IncomeRow {
    pub fee_item_id: Option<Id>,
    pub fee_item_name: String,
    pub channel: String,
    pub amount_fen: Fen,
}

pub fn rate(collected: Fen, billed: Fen) -> Decimal {
    if billed.0 == 0 {
        return Decimal::ZERO;
    }
    linli_core::money::round(Decimal::from(collected.0) / Decimal::from(billed.0), 4)
}

/// Buildings in the order people count them: `2栋` before `10栋`.
pub fn natural(s: &str) -> (u64, String) {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_principal_falls_in_its_age_band() {
        let due: NaiveDate = "2026-01-31".parse().unwrap();
        let mut b = AgeBands::default();
        for (as_of, fen) in
            [("2026-01-31", 1), ("2026-02-01", 10), ("2026-05-02", 100), ("2026-07-31", 1000), ("2027-02-01", 10000)]
        {
            b.add(due, as_of.parse().unwrap(), Fen(fen));
        }
        assert_eq!(
            (b.band_1_3_fen, b.band_4_6_fen, b.band_7_12_fen, b.band_over_12_fen, b.total_fen),
            (Fen(10), Fen(100), Fen(1000), Fen(10000), Fen(11110))
        );
        assert_eq!(rate(Fen(8734), Fen(10000)).to_string(), "0.8734");
        assert_eq!(rate(Fen(1), Fen(0)), Decimal::ZERO);
    }
}
