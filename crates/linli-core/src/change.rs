//! What a PATCH does to one field. An optional (clearable) field is a `Change<T>`: absent keeps it,
//! `null` clears it, a value sets it. A required field stays `Option<T>` read with
//! [`keep_or_set`]: absent keeps it, a value sets it, and `null` is refused (422 naming the field),
//! because there is nothing to clear it to.
//!
//! ```ignore
//! #[serde(default)]                                   // absent: Keep
//! #[schema(value_type = Option<String>, max_length = 20)]
//! pub layout: Change<String>,
//! #[serde(default, deserialize_with = "linli_core::change::keep_or_set")]
//! #[schema(value_type = String, min_length = 1, max_length = 20)]
//! pub number: Option<String>,
//! ```
//! Every `Change` field needs `#[serde(default)]`: serde reads a missing field as `null`, which
//! would clear it. Decimal texts and dates have their own readers with the same meaning
//! (`decimal::change`, `decimal::keep_or_set`, `date::<window>::change_day`). The document shows
//! a `Change<T>` as `T` made nullable, so the field's `value_type` is `Option<T>` (utoipa reads
//! only the written type, and keeps the field's own pattern or length that way).

use serde::{Deserialize, Deserializer};
use utoipa::openapi::{RefOr, Schema};

/// What a patch does to an optional stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Change<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Change<U> {
        match self {
            Change::Keep => Change::Keep,
            Change::Clear => Change::Clear,
            Change::Set(v) => Change::Set(f(v)),
        }
    }

    /// The value once the patch is applied to `current`.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Change::Keep => current,
            Change::Clear => None,
            Change::Set(v) => Some(v),
        }
    }

    pub fn as_ref(&self) -> Change<&T> {
        match self {
            Change::Keep => Change::Keep,
            Change::Clear => Change::Clear,
            Change::Set(v) => Change::Set(v),
        }
    }

    /// `null` is `None`, a value `Some`: how the field was written when it was.
    pub fn from_nullable(value: Option<T>) -> Self {
        value.map_or(Change::Clear, Change::Set)
    }
}

impl<T: std::ops::Deref> Change<T> {
    /// A `Change<String>` as a `Change<&str>`, to apply to a borrowed value.
    pub fn as_deref(&self) -> Change<&T::Target> {
        self.as_ref().map(|v| &**v)
    }
}

/// Present: `null` clears, a value sets. Absent is `Keep` only with `#[serde(default)]`.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Change<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Change::from_nullable)
    }
}

/// `T` made nullable, as a patch field takes it.
impl<T> utoipa::PartialSchema for Change<T>
where
    Option<T>: utoipa::PartialSchema,
{
    fn schema() -> RefOr<Schema> {
        <Option<T> as utoipa::PartialSchema>::schema()
    }
}

impl<T: utoipa::ToSchema> utoipa::ToSchema for Change<T>
where
    Option<T>: utoipa::PartialSchema,
{
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        T::schemas(schemas);
    }
}

/// A required field of a patch: absent (with `#[serde(default)]`) keeps it, a value sets it, and
/// `null` is refused like any other value of the wrong type.
pub fn keep_or_set<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Patch {
        #[serde(default)]
        layout: Change<String>,
        #[serde(default, deserialize_with = "keep_or_set")]
        number: Option<String>,
    }

    fn read(v: serde_json::Value) -> Result<Patch, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn absent_keeps_null_clears_and_a_value_sets() {
        let p = read(json!({})).unwrap();
        assert_eq!((p.layout, p.number), (Change::Keep, None));
        assert_eq!(read(json!({"layout": null})).unwrap().layout, Change::Clear);
        assert_eq!(read(json!({"layout": "3室2厅"})).unwrap().layout, Change::Set("3室2厅".into()));
        assert!(read(json!({"layout": 3})).is_err());
    }

    #[test]
    fn a_required_field_is_kept_or_set_but_never_null() {
        assert_eq!(read(json!({"number": "301"})).unwrap().number.as_deref(), Some("301"));
        assert!(read(json!({"number": null})).unwrap_err().starts_with("invalid type: null"));
    }

    #[test]
    fn applying_a_change() {
        assert_eq!(Change::Keep.apply(Some(1)), Some(1));
        assert_eq!(Change::Clear.apply(Some(1)), None);
        assert_eq!(Change::Set(2).apply(None), Some(2));
        let layout = Change::Set("3室2厅".to_string());
        assert_eq!(layout.as_deref().apply(Some("2室")), Some("3室2厅"));
    }

    #[test]
    fn the_schema_is_the_value_made_nullable() {
        let doc = serde_json::to_value(<Change<String> as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(doc, serde_json::to_value(<Option<String> as utoipa::PartialSchema>::schema()).unwrap());
    }
}
