use chrono::{DateTime, Utc};
use linli_core::change::keep_or_set;
use linli_core::error::{Validator, required_text};
use linli_core::text_enum;
use linli_core::{Change, Id, Result};
use serde::{Deserialize, Serialize};

use crate::id_number::{self, IdType};

text_enum! {
    PersonKind {
        Person = "person",
        Organization = "organization",
    }
}

text_enum! {
    Gender {
        Male = "male",
        Female = "female",
    }
}

/// An owner or resident as every list and detail shows them: ID number and bank account masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: Id,
    pub project_id: Id,
    pub kind: PersonKind,
    pub name: String,
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub id_type: Option<IdType>,
    /// Masked, e.g. `110101********1234`; the whole number needs `people.person.reveal_id`.
    pub id_number: Option<String>,
    pub gender: Option<Gender>,
    pub emergency_contact: Option<String>,
    pub emergency_phone: Option<String>,
    /// Masked.
    pub bank_account: Option<String>,
    pub notes: Option<String>,
    /// The resident account bound to this person, if any.
    pub user_id: Option<Id>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewPerson {
    pub project_id: Id,
    #[serde(default = "person")]
    pub kind: PersonKind,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(pattern = "^([-+ ()]*([0-9][-+ ()]*){7,15})?$", max_length = 20)]
    pub phone: Option<String>,
    #[schema(pattern = "^([-+ ()]*([0-9][-+ ()]*){7,15})?$", max_length = 20)]
    pub phone2: Option<String>,
    pub id_type: Option<IdType>,
    pub id_number: Option<String>,
    pub gender: Option<Gender>,
    #[schema(max_length = 50)]
    pub emergency_contact: Option<String>,
    #[schema(pattern = "^([-+ ()]*([0-9][-+ ()]*){7,15})?$", max_length = 20)]
    pub emergency_phone: Option<String>,
    #[schema(pattern = "^([0-9]{8,30})?$")]
    pub bank_account: Option<String>,
    #[schema(max_length = 1000)]
    pub notes: Option<String>,
}

fn person() -> PersonKind {
    PersonKind::Person
}

/// Changed fields: `null` clears an optional one (so does an empty string), and is refused on a
/// required one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PersonPatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = PersonKind)]
    pub kind: Option<PersonKind>,
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^([-+ ()]*([0-9][-+ ()]*){7,15})?$", max_length = 20)]
    pub phone: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^([-+ ()]*([0-9][-+ ()]*){7,15})?$", max_length = 20)]
    pub phone2: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<IdType>)]
    pub id_type: Change<IdType>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub id_number: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<Gender>)]
    pub gender: Change<Gender>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub emergency_contact: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^([-+ ()]*([0-9][-+ ()]*){7,15})?$", max_length = 20)]
    pub emergency_phone: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^([0-9]{8,30})?$")]
    pub bank_account: Change<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub notes: Change<String>,
}

/// Validated plain values; the repository encrypts, indexes and masks the secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFields {
    pub kind: PersonKind,
    pub name: String,
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub id_type: Option<IdType>,
    pub gender: Option<Gender>,
    pub emergency_contact: Option<String>,
    pub emergency_phone: Option<String>,
    pub notes: Option<String>,
    pub id_number: Change<String>,
    pub bank_account: Change<String>,
}

/// Phone numbers as people write them: mobile (11 digits) or landline with area code.
pub fn phone_ok(p: &str) -> bool {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    (7..=15).contains(&digits.len()) && p.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c))
}

fn text(v: &mut Validator, field: &str, s: Option<&str>, max: usize) -> Option<String> {
    let t = s.map(str::trim).filter(|t| !t.is_empty())?;
    v.check(t.chars().count() <= max, field, "too_long");
    Some(t.to_string())
}

fn phone(v: &mut Validator, field: &str, s: Option<&str>) -> Option<String> {
    let p = text(v, field, s, 20)?;
    v.check(phone_ok(&p), field, "invalid_format");
    Some(p)
}

/// The ID number normalised and checked against its type (身份证 by default).
fn id_number(v: &mut Validator, kind: PersonKind, id_type: Option<IdType>, n: Change<&str>) -> Change<String> {
    let raw = match n {
        Change::Set(raw) => raw,
        Change::Keep => return Change::Keep,
        Change::Clear => return Change::Clear,
    };
    let n = id_number::normalize(raw);
    if n.is_empty() {
        return Change::Clear;
    }
    let t = id_type.unwrap_or(match kind {
        PersonKind::Person => IdType::ResidentIdCard,
        PersonKind::Organization => IdType::CreditCode,
    });
    if let Err(code) = id_number::check(t, &n) {
        v.check(false, "id_number", code);
    }
    Change::Set(n)
}

fn bank_account(v: &mut Validator, n: Change<&str>) -> Change<String> {
    let n = match n {
        Change::Set(n) => n,
        Change::Keep => return Change::Keep,
        Change::Clear => return Change::Clear,
    };
    let n: String = n.chars().filter(|c| !c.is_whitespace()).collect();
    if n.is_empty() {
        return Change::Clear;
    }
    v.check((8..=30).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit()), "bank_account", "invalid_format");
    Change::Set(n)
}

impl NewPerson {
    pub fn validated(&self) -> Result<PersonFields> {
        let mut v = Validator::default();
        let id_type = self.id_type.or(self.id_number.as_ref().map(|_| match self.kind {
            PersonKind::Person => IdType::ResidentIdCard,
            PersonKind::Organization => IdType::CreditCode,
        }));
        let f = PersonFields {
            kind: self.kind,
            name: required_text(&mut v, "name", &self.name, 100),
            phone: phone(&mut v, "phone", self.phone.as_deref()),
            phone2: phone(&mut v, "phone2", self.phone2.as_deref()),
            id_type,
            gender: self.gender,
            emergency_contact: text(&mut v, "emergency_contact", self.emergency_contact.as_deref(), 50),
            emergency_phone: phone(&mut v, "emergency_phone", self.emergency_phone.as_deref()),
            notes: text(&mut v, "notes", self.notes.as_deref(), 1000),
            id_number: id_number(&mut v, self.kind, id_type, given(self.id_number.as_deref())),
            bank_account: bank_account(&mut v, given(self.bank_account.as_deref())),
        };
        v.finish()?;
        Ok(f)
    }
}

/// A new person's secret: nothing to keep, so what is not given is not stored.
fn given(s: Option<&str>) -> Change<&str> {
    s.map_or(Change::Keep, Change::Set)
}

impl PersonPatch {
    pub fn apply(&self, p: &Person) -> Result<PersonFields> {
        let mut v = Validator::default();
        let kind = self.kind.unwrap_or(p.kind);
        let id_type = self.id_type.apply(p.id_type);
        let f = PersonFields {
            kind,
            name: required_text(&mut v, "name", self.name.as_deref().unwrap_or(&p.name), 100),
            phone: phone(&mut v, "phone", self.phone.as_deref().apply(p.phone.as_deref())),
            phone2: phone(&mut v, "phone2", self.phone2.as_deref().apply(p.phone2.as_deref())),
            id_type,
            gender: self.gender.apply(p.gender),
            emergency_contact: text(
                &mut v,
                "emergency_contact",
                self.emergency_contact.as_deref().apply(p.emergency_contact.as_deref()),
                50,
            ),
            emergency_phone: phone(
                &mut v,
                "emergency_phone",
                self.emergency_phone.as_deref().apply(p.emergency_phone.as_deref()),
            ),
            notes: text(&mut v, "notes", self.notes.as_deref().apply(p.notes.as_deref()), 1000),
            id_number: id_number(&mut v, kind, id_type, self.id_number.as_deref()),
            bank_account: bank_account(&mut v, self.bank_account.as_deref()),
        };
        v.finish()?;
        Ok(f)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonFilter {
    pub project_id: Option<Id>,
    /// Part of the name or phone.
    pub q: Option<String>,
    /// The whole ID number: found through its keyed hash.
    pub id_number: Option<String>,
    /// People related to this house (owners and occupants, present and past).
    pub house_id: Option<Id>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(id: Option<&str>) -> NewPerson {
        NewPerson {
            project_id: 1,
            kind: PersonKind::Person,
            name: "张伟".into(),
            phone: Some("13800001111".into()),
            phone2: None,
            id_type: None,
            id_number: id.map(Into::into),
            gender: None,
            emergency_contact: None,
            emergency_phone: None,
            bank_account: None,
            notes: None,
        }
    }

    #[test]
    fn an_id_number_defaults_to_the_resident_card_and_is_normalised() {
        let f = new(Some("11010519491231002x")).validated().unwrap();
        assert_eq!(f.id_type, Some(IdType::ResidentIdCard));
        assert_eq!(f.id_number, Change::Set("11010519491231002X".into()));
    }

    #[test]
    fn a_bad_checksum_is_a_field_error() {
        let Err(linli_core::Error::Validation(e)) = new(Some("110101199003074478")).validated() else { panic!() };
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("id_number", "invalid_checksum"));
    }
}
