//! What the API document says a decimal string or an amount may be, for fields whose rule has a
//! range: used as `#[schema(schema_with = linli_core::schema::area)]`, so a request the document
//! calls valid is one the rule accepts (the fuzzer in CI holds the two to each other). Each
//! pattern is the rule beside it written as a regular expression (ECMA-262, as OpenAPI 3.1 uses).

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema, SchemaFormat};

/// `area::Area`: positive, at most two decimals, below 1,000,000 m².
const AREA: &str = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,5}(\.[0-9]{1,2})?)$";
/// A meter quantity (`meter::quantity_error`): not negative, three decimals, below 10⁹.
const QUANTITY: &str = r"^[0-9]{1,9}(\.[0-9]{1,3})?$";
/// The same, positive (multiplier, maximum consumption).
const POSITIVE_QUANTITY: &str = r"^(0\.[0-9]{0,2}[1-9]|[1-9][0-9]{0,8}(\.[0-9]{1,3})?)$";
/// A price or tier bound in 元 (`settings::price_ok`): 0 to 1,000,000, four decimals.
const PRICE: &str = r"^([0-9]{1,6}(\.[0-9]{1,4})?|1000000(\.0{1,4})?)$";
/// A share of one (loss rate, vacancy rate): 0 to 1.
const FRACTION: &str = r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$";
/// A late fee's daily rate: 0 to 0.01 (1 % a day).
const DAILY_RATE: &str = r"^0(\.0(0[0-9]{0,4}|1(0{0,4}))?)?$";
/// A late fee's cap as a share of the principal: 0 to 10.
const CAP_RATE: &str = r"^([0-9](\.[0-9]{1,6})?|10(\.0{1,6})?)$";
/// An owner's share of a house in % (`tenure::share_bp`): above 0, at most 100, two decimals
/// (trailing zeros aside: `33.3300` is `33.33`).
const SHARE: &str = r"^(0\.(0[1-9]|[1-9][0-9]?)0{0,4}|[1-9][0-9]?(\.[0-9]{1,2}0{0,4})?|100(\.0{1,6})?)$";
/// The most money one payment, refund or adjustment moves: 100,000,000 元.
const MAX_FEN: i64 = 10_000_000_000;

fn text(t: SchemaType, pattern: &str, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(t)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([serde_json::json!(example)])
        .into()
}

fn decimal(pattern: &str, description: &str, example: &str) -> RefOr<Schema> {
    text(Type::String.into(), pattern, description, example)
}

/// For an optional field, whose `null` the rule takes for "none".
fn nullable(pattern: &str, description: &str, example: &str) -> RefOr<Schema> {
    text(SchemaType::from_iter([Type::String, Type::Null]), pattern, description, example)
}

pub fn area() -> RefOr<Schema> {
    decimal(AREA, "m², positive, at most two decimals, below 1,000,000", "89.47")
}
pub fn optional_area() -> RefOr<Schema> {
    nullable(AREA, "m², positive, at most two decimals, below 1,000,000; null for none", "72.10")
}
pub fn quantity() -> RefOr<Schema> {
    decimal(QUANTITY, "Not negative, at most three decimals, below 1,000,000,000", "1024.5")
}
pub fn positive_quantity() -> RefOr<Schema> {
    decimal(POSITIVE_QUANTITY, "Positive, at most three decimals, below 1,000,000,000", "1")
}
pub fn optional_positive_quantity() -> RefOr<Schema> {
    nullable(POSITIVE_QUANTITY, "Positive, at most three decimals, below 1,000,000,000; null for none", "500")
}
pub fn price() -> RefOr<Schema> {
    decimal(PRICE, "元, 0 to 1,000,000, at most four decimals", "2.35")
}
/// A tier's upper bound, `null` for the open last tier.
pub fn optional_price() -> RefOr<Schema> {
    nullable(PRICE, "0 to 1,000,000, at most four decimals; null for the open last tier", "10")
}
pub fn fraction() -> RefOr<Schema> {
    decimal(FRACTION, "0 to 1, at most six decimals", "0.3")
}
pub fn optional_fraction() -> RefOr<Schema> {
    nullable(FRACTION, "0 to 1, at most six decimals; null for none", "0.7")
}
pub fn daily_rate() -> RefOr<Schema> {
    decimal(DAILY_RATE, "0 to 0.01 a day, at most six decimals", "0.0005")
}
pub fn optional_cap_rate() -> RefOr<Schema> {
    nullable(CAP_RATE, "0 to 10 times the principal, at most six decimals; null for no cap", "0.3")
}
pub fn optional_share() -> RefOr<Schema> {
    nullable(SHARE, "%, above 0 and at most 100, two decimals; null for 100", "100")
}

fn fen(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
}

/// Money received or paid back, in fen: positive and at most 100,000,000 元.
pub fn amount_fen() -> RefOr<Schema> {
    fen(1, MAX_FEN)
        .description(Some("Money in fen (分), positive: 21025 is 210.25 元"))
        .examples([serde_json::json!(21025)])
        .into()
}

/// The same, or null (the server decides: a payment order for what the house owes).
pub fn optional_amount_fen() -> RefOr<Schema> {
    fen(1, MAX_FEN)
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .description(Some("Money in fen (分), positive; null for what is owed"))
        .into()
}

/// A till session's float of change in fen: 0 to 10,000 元.
pub fn float_fen() -> RefOr<Schema> {
    fen(0, 1_000_000).description(Some("Money in fen (分), 0 to 1,000,000 (10,000.00 元)")).into()
}

/// Cash counted in fen: not negative, at most 100,000,000 元.
pub fn counted_fen() -> RefOr<Schema> {
    fen(0, MAX_FEN).description(Some("Money in fen (分), not negative")).into()
}

/// An adjustment in fen: not zero, at most 100,000,000 元 either way (negative only for kind
/// `adjust`, a rule across two fields).
pub fn adjustment_fen() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(fen(-MAX_FEN, -1))
        .item(fen(1, MAX_FEN))
        .description(Some("Money in fen (分), not zero; negative only for kind `adjust`"))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(s: RefOr<Schema>) -> regex::Regex {
        let RefOr::T(Schema::Object(o)) = s else { panic!("an object") };
        regex::Regex::new(&o.pattern.expect("a pattern")).expect("a regex")
    }

    type Case = (fn() -> RefOr<Schema>, &'static [&'static str], &'static [&'static str]);

    #[test]
    fn the_area_pattern_admits_exactly_what_area_parse_admits() {
        let re = pattern(area());
        let samples = [
            "0",
            "0.0",
            "0.00",
            "0.001",
            "0.01",
            "0.1",
            "0.10",
            "1",
            "1.5",
            "1.25",
            "1.255",
            "89.47",
            "999999.99",
            "1000000",
            "1000000.00",
            "-1",
            "-0.5",
            "abc",
            "",
            "1e3",
            "01.5",
        ];
        for s in samples {
            // The pattern may be stricter than the rule (it refuses "01.5"), never looser.
            if re.is_match(s) {
                assert!(crate::area::Area::parse_str(s).is_ok(), "{s} matches the pattern but the rule refuses it");
            }
        }
        for ok in ["0.01", "0.1", "1", "1.25", "89.47", "999999.99"] {
            assert!(re.is_match(ok) && crate::area::Area::parse_str(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn each_pattern_admits_what_its_rule_admits_and_no_more() {
        let cases: [Case; 9] = [
            (area, &["0.01", "0.5", "89.47", "999999.99"], &["0", "0.00", "1.234", "1000000", "-1", ""]),
            (quantity, &["0", "1024.5", "999999999.999"], &["-1", "1.2345", "1000000000", ""]),
            (positive_quantity, &["0.001", "1", "2.5"], &["0", "0.000", "-1", "1.0001"]),
            (price, &["0", "2.35", "1000000", "999999.9999"], &["1000001", "1.23456", "-1"]),
            (fraction, &["0", "0.3", "1", "1.000"], &["1.1", "2", "-0.1"]),
            (daily_rate, &["0", "0.0005", "0.01", "0.005", "0.0100"], &["0.011", "0.1", "1", "0.0105"]),
            (optional_cap_rate, &["0", "0.3", "10", "9.5"], &["10.5", "11", "-1"]),
            (
                optional_share,
                &["0.5", "0.01", "50", "100", "33.33", "33.3300", "100.00"],
                &["0", "100.5", "101", "0.0", "0.2856", "33.333", "0.001"],
            ),
            (optional_area, &["72.10"], &["0"]),
        ];
        for (schema, good, bad) in cases {
            let re = pattern(schema());
            for g in good {
                assert!(re.is_match(g), "{g} should match {re}");
            }
            for b in bad {
                assert!(!re.is_match(b), "{b} should not match {re}");
            }
        }
    }
}
