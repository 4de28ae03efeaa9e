//! Decimals in a request body are JSON strings (`"89.47"`), as the API document says and as the
//! answers write them. A JSON number is refused: a float may already have lost digits the user
//! typed, and a server that reads both promises less than its document. Used as
//! `#[serde(deserialize_with = "linli_core::decimal::text")]` (`optional` with `default` for an
//! optional field; in a patch, with `default`, `change` for a field whose `null` clears it and
//! `keep_or_set` for a required one, see `linli_core::change`).

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::Change;

/// Plain decimal notation: an optional minus, digits, and optionally a point and digits. No
/// exponent, no plus sign, no spaces (the document's patterns say the same).
fn parse(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let plain = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !(plain(whole) && plain(frac)) {
        return None;
    }
    // Exact: more digits than a decimal holds is refused, not rounded.
    Decimal::from_str_exact(s).ok()
}

fn read<E: serde::de::Error>(s: &str) -> Result<Decimal, E> {
    parse(s).ok_or_else(|| E::custom(format!("not a decimal text: {s:?}")))
}

pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    read(&String::deserialize(d)?)
}

pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    Option::<String>::deserialize(d)?.map(|s| read(&s)).transpose()
}

/// A patch's optional decimal: absent (with `#[serde(default)]`) keeps it, `null` clears it.
pub fn change<'de, D: Deserializer<'de>>(d: D) -> Result<Change<Decimal>, D::Error> {
    optional(d).map(Change::from_nullable)
}

/// A patch's required decimal: absent (with `#[serde(default)]`) keeps it, `null` is refused.
pub fn keep_or_set<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    text(d).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct Body {
        #[serde(deserialize_with = "super::text")]
        area: rust_decimal::Decimal,
        #[serde(default, deserialize_with = "super::optional")]
        inner: Option<rust_decimal::Decimal>,
    }

    fn read(v: serde_json::Value) -> Option<String> {
        serde_json::from_value::<Body>(v).ok().map(|b| format!("{} {:?}", b.area, b.inner.map(|d| d.to_string())))
    }

    #[test]
    fn decimals_are_read_from_plain_texts_only() {
        assert_eq!(read(json!({"area": "89.47"})).as_deref(), Some("89.47 None"));
        assert_eq!(read(json!({"area": "-1", "inner": "0.50"})).as_deref(), Some("-1 Some(\"0.50\")"));
        assert_eq!(read(json!({"area": "1", "inner": null})).as_deref(), Some("1 None"));
        for bad in
            [json!(89.47), json!(89), json!("1e2"), json!("+1"), json!(" 1"), json!("1."), json!(".5"), json!("")]
        {
            assert_eq!(read(json!({"area": bad})), None, "{bad}");
        }
        assert_eq!(read(json!({"area": "1", "inner": 2})), None);
    }

    #[derive(Deserialize, Debug)]
    struct Patch {
        #[serde(default, deserialize_with = "super::keep_or_set")]
        gross: Option<rust_decimal::Decimal>,
        #[serde(default, deserialize_with = "super::change")]
        inner: crate::Change<rust_decimal::Decimal>,
    }

    #[test]
    fn a_patch_keeps_clears_or_sets_a_decimal_text() {
        use crate::Change;
        let patch = |v| serde_json::from_value::<Patch>(v).map(|p| (p.gross.map(|d| d.to_string()), p.inner));
        assert_eq!(patch(json!({})).unwrap(), (None, Change::Keep));
        assert_eq!(patch(json!({"inner": null})).unwrap(), (None, Change::Clear));
        assert_eq!(
            patch(json!({"gross": "2", "inner": "1.5"})).unwrap(),
            (Some("2".into()), Change::Set("1.5".parse().unwrap()))
        );
        assert!(patch(json!({"gross": null})).is_err());
        assert!(patch(json!({"inner": 1.5})).is_err());
    }
}
