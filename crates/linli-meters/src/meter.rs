//! Meters and their readings (抄表): what a reading's consumption is, when a reading needs a
//! person to confirm it, and how a shared meter's consumption is apportioned (公摊) to houses.
//! All pure: the service stores what these functions decide.
//!
//! Quantities (readings, multipliers, consumptions) are exact decimals with at most three places.
//! Rules, decided here once:
//! - consumption = (value − previous) × multiplier; with a replacement (换表) it is
//!   ((old_final − previous) + (value − new_initial)) × multiplier, rounded to 0.001 half away
//!   from zero.
//! - A value below the previous one (without a replacement) needs confirmation. Confirming it
//!   accepts it as "the meter restarted at 0" (reset, rollover or an unrecorded replacement): the
//!   reading is stored with the replacement `(old_final = previous, new_initial = 0)`, so its
//!   consumption is `value × multiplier`, never negative. That consumption is what the pending
//!   reading already shows, so confirming never changes a number; another interpretation is
//!   recorded by rejecting and entering the reading again, or by recording a replacement.
//! - A consumption above the meter's `max_consumption`, or when that is unset above three times
//!   the average of the meter's last three accepted consumptions (when there are three), is a
//!   spike and needs confirmation.
//! - A shared meter's consumption is rounded to 0.01 and split over the houses in its scope by
//!   gross area or equally; every part is exact to 0.01 and the parts sum to the total (the cents
//!   left by rounding down go to the largest remainders, ties to the lower house id).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::change::keep_or_set;
use linli_core::error::{Validator, required_text};
use linli_core::{Area, Change, FieldError, Id, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

linli_core::text_enum! {
    /// What a meter measures.
    MeterKind {
        /// 水表, m³.
        Water = "water",
        /// 电表, kWh.
        Electricity = "electricity",
        /// 燃气表, m³.
        Gas = "gas",
    }
}

linli_core::text_enum! {
    /// How a shared meter's consumption is split over the houses it serves.
    Apportion {
        /// By gross floor area (建筑面积).
        Area = "area",
        /// The same part for every house.
        Equal = "equal",
    }
}

linli_core::text_enum! {
    ReadingState {
        /// Counts for billing.
        Accepted = "accepted",
        /// Flagged: a person confirms or rejects it; it does not count until confirmed.
        NeedsConfirmation = "needs_confirmation",
        /// Does not count; the period may be read again.
        Rejected = "rejected",
    }
}

linli_core::text_enum! {
    ReadingFlag {
        /// Below the previous reading without a replacement.
        LowerThanPrevious = "lower_than_previous",
        /// Consumption above the meter's limit or three times its recent average.
        Spike = "spike",
    }
}

/// The most places a reading, multiplier or consumption has.
pub const PLACES: u32 = 3;
/// A reading's or limit's ceiling: far above any meter's register.
const MAX_QUANTITY: i64 = 1_000_000_000;
/// The longest meter number.
pub const NUMBER_MAX: usize = 40;

/// 计量表: a house's own meter, or a shared (公共) meter of a building or the whole project.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Meter {
    pub id: Id,
    pub project_id: Id,
    /// The house the meter belongs to; none for a shared meter.
    pub house_id: Option<Id>,
    pub house_number: Option<String>,
    /// The house's label, e.g. `1栋1单元301`; none for a shared meter.
    pub house_label: Option<String>,
    /// The house's building, or a shared meter's scope (none: the whole project).
    pub building_id: Option<Id>,
    pub building_name: Option<String>,
    pub kind: MeterKind,
    /// 表号, unique in the project.
    pub number: String,
    /// 倍率: consumption is the register difference times this.
    #[schema(value_type = String)]
    pub multiplier: Decimal,
    /// How a shared meter is apportioned; none for a house meter.
    pub apportion: Option<Apportion>,
    /// A period's consumption above this is a spike.
    #[schema(value_type = Option<String>)]
    pub max_consumption: Option<Decimal>,
    /// The register when the meter was installed: the "previous" of its first reading.
    #[schema(value_type = String)]
    pub initial_value: Decimal,
    /// Where it hangs, e.g. `B1水泵房`.
    pub location: Option<String>,
    /// Inactive meters are not read and not listed on the reading sheet.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Meter {
    pub fn is_shared(&self) -> bool {
        self.house_id.is_none()
    }

    pub fn fields(&self) -> MeterFields {
        MeterFields {
            house_id: self.house_id,
            building_id: self.building_id,
            kind: self.kind,
            number: self.number.clone(),
            multiplier: self.multiplier,
            apportion: self.apportion,
            max_consumption: self.max_consumption,
            initial_value: self.initial_value,
            location: self.location.clone(),
            active: self.active,
        }
    }
}

fn one() -> Decimal {
    Decimal::ONE
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewMeter {
    pub project_id: Id,
    /// A house of the project; leave out for a shared meter.
    pub house_id: Option<Id>,
    /// A shared meter's building; leave out for the whole project. Ignored for a house meter.
    pub building_id: Option<Id>,
    pub kind: MeterKind,
    #[schema(pattern = "^[^\\s\\u0000-\\u001F\\u007F-\\u009F]{1,40}$")]
    pub number: String,
    #[serde(default = "one", deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::positive_quantity)]
    pub multiplier: Decimal,
    /// Shared meters only; `area` when left out.
    pub apportion: Option<Apportion>,
    #[serde(default, deserialize_with = "linli_core::decimal::optional")]
    #[schema(schema_with = linli_core::schema::optional_positive_quantity)]
    pub max_consumption: Option<Decimal>,
    #[serde(default, deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::quantity)]
    pub initial_value: Decimal,
    #[schema(max_length = 100)]
    pub location: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

impl NewMeter {
    pub fn fields(self) -> MeterFields {
        MeterFields {
            house_id: self.house_id,
            building_id: self.building_id,
            kind: self.kind,
            number: self.number,
            multiplier: self.multiplier,
            apportion: self.apportion,
            max_consumption: self.max_consumption,
            initial_value: self.initial_value,
            location: self.location,
            active: self.active,
        }
    }
}

/// A meter's house and kind are what it is: a different one is a new meter.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MeterPatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, pattern = "^[^\\s\\u0000-\\u001F\\u007F-\\u009F]{1,40}$")]
    pub number: Option<String>,
    #[serde(default, deserialize_with = "linli_core::decimal::keep_or_set")]
    #[schema(schema_with = linli_core::schema::positive_quantity)]
    pub multiplier: Option<Decimal>,
    /// Shared meters only.
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = Apportion)]
    pub apportion: Option<Apportion>,
    /// A shared meter's scope; `null` for the whole project.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub building_id: Change<Id>,
    #[serde(default, deserialize_with = "linli_core::decimal::change")]
    #[schema(schema_with = linli_core::schema::optional_positive_quantity)]
    pub max_consumption: Change<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub location: Change<String>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

impl MeterPatch {
    pub fn apply(self, m: &Meter) -> MeterFields {
        let f = m.fields();
        MeterFields {
            number: self.number.unwrap_or(f.number),
            multiplier: self.multiplier.unwrap_or(f.multiplier),
            apportion: self.apportion.or(f.apportion),
            building_id: if m.is_shared() { self.building_id.apply(f.building_id) } else { f.building_id },
            max_consumption: self.max_consumption.apply(f.max_consumption),
            location: self.location.apply(f.location),
            active: self.active.unwrap_or(f.active),
            ..f
        }
    }
}

/// A meter's fields, validated: ready to store. For a house meter the store sets `building_id`
/// to the house's building.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterFields {
    pub house_id: Option<Id>,
    pub building_id: Option<Id>,
    pub kind: MeterKind,
    pub number: String,
    pub multiplier: Decimal,
    pub apportion: Option<Apportion>,
    pub max_consumption: Option<Decimal>,
    pub initial_value: Decimal,
    pub location: Option<String>,
    pub active: bool,
}

/// Why a quantity is not one: the field code the API reports.
pub fn quantity_error(d: Decimal, positive: bool) -> Option<&'static str> {
    if positive && d <= Decimal::ZERO {
        Some("must_be_positive")
    } else if d < Decimal::ZERO {
        Some("must_not_be_negative")
    } else if d.normalize().scale() > PLACES {
        Some("too_precise")
    } else if d >= Decimal::from(MAX_QUANTITY) {
        Some("out_of_range")
    } else {
        None
    }
}

fn check_quantity(v: &mut Validator, field: &str, d: Decimal, positive: bool) {
    if let Some(code) = quantity_error(d, positive) {
        v.check(false, field, code);
    }
}

impl MeterFields {
    pub fn validated(self) -> Result<MeterFields> {
        let mut v = Validator::default();
        let number = required_text(&mut v, "number", &self.number, NUMBER_MAX);
        v.check(!number.chars().any(|c| c.is_whitespace() || c.is_control()), "number", "invalid");
        check_quantity(&mut v, "multiplier", self.multiplier, true);
        check_quantity(&mut v, "initial_value", self.initial_value, false);
        if let Some(m) = self.max_consumption {
            check_quantity(&mut v, "max_consumption", m, true);
        }
        let location = self.location.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(String::from);
        v.check(location.as_ref().is_none_or(|l| l.chars().count() <= 100), "location", "too_long");
        v.finish()?;
        let apportion = if self.house_id.is_some() { None } else { Some(self.apportion.unwrap_or(Apportion::Area)) };
        Ok(MeterFields {
            number,
            location,
            apportion,
            multiplier: self.multiplier.normalize(),
            initial_value: self.initial_value.normalize(),
            max_consumption: self.max_consumption.map(|d| d.normalize()),
            ..self
        })
    }
}

/// 换表: the old meter's final register and the new meter's initial one, in the period of the
/// reading taken on the new meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Replacement {
    #[serde(deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::quantity)]
    pub old_final: Decimal,
    #[serde(deserialize_with = "linli_core::decimal::text")]
    #[schema(schema_with = linli_core::schema::quantity)]
    pub new_initial: Decimal,
}

/// A meter's reading for one period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reading {
    pub id: Id,
    pub project_id: Id,
    pub meter_id: Id,
    pub meter_number: String,
    pub kind: MeterKind,
    pub house_id: Option<Id>,
    /// `YYYY-MM`.
    pub period: String,
    #[schema(value_type = String)]
    pub value: Decimal,
    pub read_on: NaiveDate,
    /// The register this reading is measured from: the last accepted reading before the period,
    /// or the meter's initial value.
    #[schema(value_type = String)]
    pub previous: Decimal,
    /// With the multiplier applied.
    #[schema(value_type = String)]
    pub consumption: Decimal,
    pub state: ReadingState,
    pub flags: Vec<ReadingFlag>,
    pub replacement: Option<Replacement>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the checks decided about a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub consumption: Decimal,
    pub flags: Vec<ReadingFlag>,
    pub state: ReadingState,
}

/// `YYYY-MM` with a real month.
pub fn valid_period(s: &str) -> bool {
    s.len() == 7 && linli_core::date::parse_month(s).is_some()
}

/// The consumption of a reading: see the module comment.
pub fn consumption(
    previous: Decimal,
    value: Decimal,
    replacement: Option<Replacement>,
    multiplier: Decimal,
) -> Decimal {
    let raw = match replacement {
        Some(r) => (r.old_final - previous) + (value - r.new_initial),
        None => value - previous,
    };
    linli_core::money::round(raw * multiplier, PLACES).normalize()
}

/// The spike limit: the meter's own, else three times the average of the last three accepted
/// consumptions (newest first), when there are three.
pub fn spike_limit(max_consumption: Option<Decimal>, recent: &[Decimal]) -> Option<Decimal> {
    max_consumption.or_else(|| {
        // Three times the average of three is their sum, exactly.
        (recent.len() >= 3).then(|| recent[..3].iter().copied().sum::<Decimal>())
    })
}

/// Checks a value against the previous register and the meter's recent consumption (accepted
/// readings, newest first). Field errors name `value` or `replacement.*`.
pub fn check(
    multiplier: Decimal,
    max_consumption: Option<Decimal>,
    previous: Decimal,
    value: Decimal,
    replacement: Option<Replacement>,
    recent: &[Decimal],
) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(code) = quantity_error(value, false) {
        errors.push(FieldError::new("value", code));
    }
    if let Some(r) = replacement {
        if let Some(code) = quantity_error(r.old_final, false) {
            errors.push(FieldError::new("replacement.old_final", code));
        } else if r.old_final < previous {
            errors.push(FieldError::new("replacement.old_final", "lower_than_previous"));
        }
        if let Some(code) = quantity_error(r.new_initial, false) {
            errors.push(FieldError::new("replacement.new_initial", code));
        } else if errors.is_empty() && value < r.new_initial {
            errors.push(FieldError::new("value", "lower_than_new_initial"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut flags = Vec::new();
    let consumption = if replacement.is_none() && value < previous {
        flags.push(ReadingFlag::LowerThanPrevious);
        // What confirming accepts: the meter restarted at 0.
        self::consumption(
            previous,
            value,
            Some(Replacement { old_final: previous, new_initial: Decimal::ZERO }),
            multiplier,
        )
    } else {
        self::consumption(previous, value, replacement, multiplier)
    };
    if spike_limit(max_consumption, recent).is_some_and(|limit| consumption > limit) {
        flags.push(ReadingFlag::Spike);
    }
    let state = if flags.is_empty() { ReadingState::Accepted } else { ReadingState::NeedsConfirmation };
    Ok(Checked { consumption, flags, state })
}

/// The replacement a confirmed lower reading is stored with.
pub fn confirmed_replacement(r: &Reading) -> Option<Replacement> {
    if r.flags.contains(&ReadingFlag::LowerThanPrevious) && r.replacement.is_none() {
        Some(Replacement { old_final: r.previous, new_initial: Decimal::ZERO })
    } else {
        r.replacement
    }
}

/// A house as apportionment sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseShare {
    pub house_id: Id,
    pub building_id: Id,
    pub gross_area: Area,
}

/// Splits `total` (rounded to 0.01 first) over `houses`: parts exact to 0.01 that sum to the
/// rounded total. No houses, or no area to weigh by, splits nothing.
pub fn apportion(total: Decimal, houses: &[HouseShare], how: Apportion) -> Vec<(Id, Decimal)> {
    let mut houses: Vec<HouseShare> = houses.to_vec();
    houses.sort_by_key(|h| h.house_id);
    let weight = |h: &HouseShare| -> i128 {
        match how {
            Apportion::Area => i128::from(h.gross_area.hundredths()),
            Apportion::Equal => 1,
        }
    };
    let cents = linli_core::money::round(total, 2) * Decimal::ONE_HUNDRED;
    let cents = i128::try_from(cents.trunc()).unwrap_or(0);
    let sum: i128 = houses.iter().map(weight).sum();
    if houses.is_empty() || sum <= 0 {
        return Vec::new();
    }
    let (sign, cents) = (cents.signum(), cents.abs());
    let mut parts: Vec<(Id, i128, i128)> = houses
        .iter()
        .map(|h| {
            let w = weight(h);
            (h.house_id, cents * w / sum, cents * w % sum)
        })
        .collect();
    let left = cents - parts.iter().map(|p| p.1).sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Largest remainder first; ties keep house id order (the sort is stable).
    order.sort_by(|a, b| parts[*b].2.cmp(&parts[*a].2));
    for &i in order.iter().take(usize::try_from(left).unwrap_or(0)) {
        parts[i].1 += 1;
    }
    parts.into_iter().map(|(id, c, _)| (id, Decimal::from_i128_with_scale(sign * c, 2))).collect()
}

/// One meter's accepted consumption in a period, as usage needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterUse {
    pub house_id: Option<Id>,
    pub building_id: Option<Id>,
    pub apportion: Option<Apportion>,
    pub consumption: Decimal,
}

/// A house's metered use in a period: its own consumption and its share of shared meters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeteredUse {
    pub consumption: Decimal,
    pub shared: Decimal,
}

/// Each house's own consumption and its parts of the shared meters whose scope holds it (its
/// building's, and the project's). `houses` are the project's houses.
pub fn usage(meters: &[MeterUse], houses: &[HouseShare]) -> HashMap<Id, MeteredUse> {
    let mut out: HashMap<Id, MeteredUse> = HashMap::new();
    for m in meters {
        match m.house_id {
            Some(h) => out.entry(h).or_default().consumption += m.consumption,
            None => {
                let scope: Vec<HouseShare> =
                    houses.iter().filter(|h| m.building_id.is_none_or(|b| b == h.building_id)).copied().collect();
                for (h, part) in apportion(m.consumption, &scope, m.apportion.unwrap_or(Apportion::Area)) {
                    out.entry(h).or_default().shared += part;
                }
            }
        }
    }
    for u in out.values_mut() {
        u.consumption = u.consumption.normalize();
        u.shared = u.shared.normalize();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn area(s: &str) -> Area {
        Area::parse_str(s).unwrap()
    }

    fn rep(old_final: &str, new_initial: &str) -> Replacement {
        Replacement { old_final: d(old_final), new_initial: d(new_initial) }
    }

    fn codes(r: Result<Checked, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn consumption_is_the_difference_times_the_multiplier() {
        assert_eq!(consumption(d("1234.5"), d("1250.25"), None, d("1")), d("15.75"));
        assert_eq!(consumption(d("812.3"), d("815.6"), None, d("40")), d("132"));
    }

    #[test]
    fn a_replacement_adds_the_old_meters_tail_to_the_new_meters_head() {
        // Old meter 980 → 1003.5 (23.5), new meter 2 → 9.25 (7.25): 30.75.
        assert_eq!(consumption(d("980"), d("9.25"), Some(rep("1003.5", "2")), d("1")), d("30.75"));
        assert_eq!(consumption(d("980"), d("9.25"), Some(rep("1003.5", "2")), d("2")), d("61.5"));
    }

    #[test]
    fn an_ordinary_reading_is_accepted() {
        let c = check(d("1"), None, d("100"), d("112.5"), None, &[d("10"), d("12"), d("11")]).unwrap();
        assert_eq!(c, Checked { consumption: d("12.5"), flags: vec![], state: ReadingState::Accepted });
    }

    #[test]
    fn a_lower_reading_needs_confirmation_and_shows_what_a_restart_at_zero_would_count() {
        let c = check(d("1"), None, d("9987"), d("12"), None, &[]).unwrap();
        assert_eq!(c.flags, [ReadingFlag::LowerThanPrevious]);
        assert_eq!(c.state, ReadingState::NeedsConfirmation);
        assert_eq!(c.consumption, d("12"));
    }

    #[test]
    fn a_consumption_above_the_meters_limit_is_a_spike() {
        let c = check(d("1"), Some(d("50")), d("100"), d("150.001"), None, &[]).unwrap();
        assert_eq!((c.flags, c.state), (vec![ReadingFlag::Spike], ReadingState::NeedsConfirmation));
        let at_limit = check(d("1"), Some(d("50")), d("100"), d("150"), None, &[]).unwrap();
        assert_eq!(at_limit.state, ReadingState::Accepted);
    }

    #[test]
    fn without_a_limit_three_times_the_last_three_averages_is_a_spike() {
        // Average of 10, 12, 14 is 12; three times that is 36.
        let recent = [d("10"), d("12"), d("14"), d("900")];
        assert_eq!(spike_limit(None, &recent), Some(d("36")));
        assert_eq!(check(d("1"), None, d("0"), d("36"), None, &recent).unwrap().state, ReadingState::Accepted);
        assert_eq!(check(d("1"), None, d("0"), d("36.1"), None, &recent).unwrap().flags, [ReadingFlag::Spike]);
        // Two consumptions are no baseline yet.
        assert_eq!(spike_limit(None, &recent[..2]), None);
        assert_eq!(check(d("1"), None, d("0"), d("5000"), None, &recent[..2]).unwrap().flags, []);
    }

    #[test]
    fn impossible_values_and_replacements_are_field_errors() {
        assert_eq!(
            codes(check(d("1"), None, d("0"), d("-1"), None, &[])),
            [("value".into(), "must_not_be_negative".into())]
        );
        assert_eq!(
            codes(check(d("1"), None, d("0"), d("1.2345"), None, &[])),
            [("value".into(), "too_precise".into())]
        );
        assert_eq!(
            codes(check(d("1"), None, d("100"), d("5"), Some(rep("99", "0")), &[])),
            [("replacement.old_final".into(), "lower_than_previous".into())]
        );
        assert_eq!(
            codes(check(d("1"), None, d("100"), d("5"), Some(rep("120", "10")), &[])),
            [("value".into(), "lower_than_new_initial".into())]
        );
    }

    #[test]
    fn apportioning_by_area_gives_the_cents_left_to_the_largest_remainders() {
        let houses = [
            HouseShare { house_id: 3, building_id: 1, gross_area: area("100") },
            HouseShare { house_id: 1, building_id: 1, gross_area: area("89.47") },
            HouseShare { house_id: 2, building_id: 1, gross_area: area("120.53") },
        ];
        // 100 over 310 m²: 28.8612.., 38.8806.., 32.2580.. → 28.86 + 38.88 + 32.25 = 99.99; the
        // cent left goes to house 3, whose remainder (0.80 of a cent) is the largest.
        let parts = apportion(d("100"), &houses, Apportion::Area);
        assert_eq!(parts, vec![(1, d("28.86")), (2, d("38.88")), (3, d("32.26"))]);
        assert_eq!(parts.iter().map(|p| p.1).sum::<Decimal>(), d("100"));
    }

    #[test]
    fn apportioning_equally_gives_extra_cents_to_the_lowest_ids() {
        let h = |id| HouseShare { house_id: id, building_id: 1, gross_area: area("50") };
        let parts = apportion(d("10"), &[h(7), h(5), h(6)], Apportion::Equal);
        assert_eq!(parts, vec![(5, d("3.34")), (6, d("3.33")), (7, d("3.33"))]);
        // The total is rounded to cents first: 0.005 → 0.01.
        assert_eq!(apportion(d("0.005"), &[h(1), h(2)], Apportion::Equal), vec![(1, d("0.01")), (2, d("0"))]);
        assert_eq!(apportion(d("10"), &[], Apportion::Equal), vec![]);
    }

    #[test]
    fn usage_adds_own_meters_and_the_shares_of_building_and_project_meters() {
        let houses = [
            HouseShare { house_id: 1, building_id: 10, gross_area: area("60") },
            HouseShare { house_id: 2, building_id: 10, gross_area: area("90") },
            HouseShare { house_id: 3, building_id: 11, gross_area: area("100") },
        ];
        let own = |h, c: &str| MeterUse { house_id: Some(h), building_id: None, apportion: None, consumption: d(c) };
        let meters = [
            own(1, "12.5"),
            own(3, "7"),
            // Building 10's stair lights, by area: 15 × 60/150 = 6, 15 × 90/150 = 9.
            MeterUse { house_id: None, building_id: Some(10), apportion: Some(Apportion::Area), consumption: d("15") },
            // The project's pump, equally: 1 each.
            MeterUse { house_id: None, building_id: None, apportion: Some(Apportion::Equal), consumption: d("3") },
        ];
        let u = usage(&meters, &houses);
        assert_eq!(u[&1], MeteredUse { consumption: d("12.5"), shared: d("7") });
        assert_eq!(u[&2], MeteredUse { consumption: d("0"), shared: d("10") });
        assert_eq!(u[&3], MeteredUse { consumption: d("7"), shared: d("1") });
    }

    #[test]
    fn meter_fields_are_checked_and_shared_meters_default_to_area() {
        let new = NewMeter {
            project_id: 1,
            house_id: None,
            building_id: None,
            kind: MeterKind::Electricity,
            number: " E-01 ".into(),
            multiplier: d("40.00"),
            apportion: None,
            max_consumption: None,
            initial_value: d("0"),
            location: Some(" ".into()),
            active: true,
        };
        let f = new.clone().fields().validated().unwrap();
        assert_eq!(
            (f.number.as_str(), f.apportion, f.multiplier, f.location),
            ("E-01", Some(Apportion::Area), d("40"), None)
        );
        let bad = NewMeter { number: "E 01".into(), multiplier: d("0"), max_consumption: Some(d("-1")), ..new };
        let errs = match bad.fields().validated() {
            Err(linli_core::Error::Validation(e)) => e.into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            errs,
            [
                ("number".to_string(), "invalid".to_string()),
                ("multiplier".into(), "must_be_positive".into()),
                ("max_consumption".into(), "must_be_positive".into())
            ]
        );
    }
}
