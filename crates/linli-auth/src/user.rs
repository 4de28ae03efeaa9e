use chrono::{DateTime, Utc};
use linli_core::{
    Change, Id, Result,
    change::keep_or_set,
    error::{Validator, required_text},
};
use serde::{Deserialize, Serialize};

use crate::Grant;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectRef {
    pub id: Id,
    pub name: String,
    pub kind: String,
}

/// The signed-in user as the web app needs it: grants, the projects they open and the union of
/// their permissions (to show or hide navigation; the server checks every action anyway).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub company_id: Id,
    pub grants: Vec<Grant>,
    pub projects: Vec<ProjectRef>,
    #[schema(value_type = Vec<linli_core::Permission>)]
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    /// Letters, digits and `_ . @ -`, or a mobile phone number.
    #[schema(pattern = "^[A-Za-z0-9_.@-]{3,64}$")]
    pub username: String,
    #[schema(min_length = 1, max_length = 50)]
    pub display_name: String,
    #[schema(pattern = "^(1[0-9]{10})?$")]
    pub phone: Option<String>,
    #[schema(min_length = 8, max_length = 64, format = Password)]
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserPatch {
    #[serde(default, deserialize_with = "keep_or_set")]
    #[schema(value_type = String, min_length = 1, max_length = 50)]
    pub display_name: Option<String>,
    /// `null` removes the phone (so does an empty string).
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^(1[0-9]{10})?$")]
    pub phone: Change<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    #[schema(min_length = 8, max_length = 64, format = Password)]
    pub password: String,
}

/// A signed-in user's change of their own password.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct OwnPasswordChange {
    #[schema(format = Password)]
    pub current_password: String,
    /// At least 8 characters, and not the current one.
    #[schema(min_length = 8, max_length = 64, format = Password)]
    pub new_password: String,
}

pub const PASSWORD_MIN: usize = 8;
/// Long passphrases fit; beyond this a "password" is a pasted document.
pub const PASSWORD_MAX: usize = 64;

fn username_ok(u: &str) -> bool {
    (3..=64).contains(&u.len()) && u.chars().all(|c| c.is_ascii_alphanumeric() || "_.@-".contains(c))
}

/// Mainland mobile numbers: 11 digits starting with 1.
fn phone_ok(p: &str) -> bool {
    p.len() == 11 && p.starts_with('1') && p.chars().all(|c| c.is_ascii_digit())
}

pub(crate) fn check_password(v: &mut Validator, password: &str) {
    v.check(password.chars().count() >= PASSWORD_MIN, "password", "too_short");
    v.check(password.chars().count() <= PASSWORD_MAX, "password", "too_long");
}

impl NewUser {
    pub fn validated(self) -> Result<Self> {
        let mut v = Validator::default();
        let username = self.username.trim().to_lowercase();
        v.check(username_ok(&username), "username", "invalid_format");
        let display_name = required_text(&mut v, "display_name", &self.display_name, 50);
        let phone = self.phone.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
        if let Some(p) = &phone {
            v.check(phone_ok(p), "phone", "invalid_format");
        }
        check_password(&mut v, &self.password);
        v.finish()?;
        Ok(Self { username, display_name, phone, password: self.password })
    }
}

impl UserPatch {
    pub fn validated(self) -> Result<Self> {
        let mut v = Validator::default();
        let display_name = self.display_name.as_deref().map(|d| required_text(&mut v, "display_name", d, 50));
        // An empty phone is the older way to remove it.
        let phone = match self.phone.map(|p| p.trim().to_string()) {
            Change::Set(p) if p.is_empty() => Change::Clear,
            other => other,
        };
        if let Change::Set(p) = &phone {
            v.check(phone_ok(p), "phone", "invalid_format");
        }
        v.finish()?;
        Ok(Self { display_name, phone })
    }

    /// Applies a validated patch.
    pub fn apply(&self, u: &mut User) {
        if let Some(d) = &self.display_name {
            u.display_name.clone_from(d);
        }
        u.phone = self.phone.clone().apply(u.phone.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(username: &str, phone: Option<&str>, password: &str) -> Result<NewUser> {
        NewUser {
            username: username.into(),
            display_name: "张三".into(),
            phone: phone.map(Into::into),
            password: password.into(),
        }
        .validated()
    }

    #[test]
    fn usernames_may_be_phone_numbers_and_are_lowercased() {
        assert_eq!(new("13800000000", None, "longenough").unwrap().username, "13800000000");
        assert_eq!(new(" Zhang.San ", None, "longenough").unwrap().username, "zhang.san");
    }

    #[test]
    fn bad_username_phone_and_short_password_are_all_reported() {
        let linli_core::Error::Validation(errs) = new("a b", Some("12345"), "short").unwrap_err() else {
            panic!("expected validation error")
        };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "phone", "password"]);
    }
}
