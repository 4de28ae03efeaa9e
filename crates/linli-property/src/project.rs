use chrono::{DateTime, Utc};
use linli_core::{
    Id, Result,
    error::{Validator, required_text},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    Residential,
    Commercial,
    Office,
    Mixed,
}

impl ProjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Residential => "residential",
            ProjectKind::Commercial => "commercial",
            ProjectKind::Office => "office",
            ProjectKind::Mixed => "mixed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Residential,
            Self::Commercial,
            Self::Office,
            Self::Mixed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: Id,
    pub name: String,
    pub kind: ProjectKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewProject {
    pub name: String,
    pub kind: ProjectKind,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub kind: Option<ProjectKind>,
}

pub const NAME_MAX: usize = 100;

impl NewProject {
    pub fn validated(self) -> Result<Self> {
        let mut v = Validator::default();
        let name = required_text(&mut v, "name", &self.name, NAME_MAX);
        v.finish()?;
        Ok(Self { name, ..self })
    }
}

impl ProjectPatch {
    pub fn validated(self) -> Result<Self> {
        let mut v = Validator::default();
        let name = self
            .name
            .as_deref()
            .map(|n| required_text(&mut v, "name", n, NAME_MAX));
        v.finish()?;
        Ok(Self { name, ..self })
    }

    pub fn apply(&self, p: &mut Project) {
        if let Some(name) = &self.name {
            p.name.clone_from(name);
        }
        if let Some(kind) = self.kind {
            p.kind = kind;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_or_overlong_name_is_rejected_with_field_errors() {
        let blank = NewProject {
            name: "  ".into(),
            kind: ProjectKind::Residential,
        }
        .validated();
        assert_eq!(blank.unwrap_err().to_string(), "validation failed");
        let long = NewProject {
            name: "翠".repeat(NAME_MAX + 1),
            kind: ProjectKind::Office,
        }
        .validated();
        assert!(long.is_err());
        let ok = NewProject {
            name: " 翠湖花园 ".into(),
            kind: ProjectKind::Residential,
        }
        .validated()
        .unwrap();
        assert_eq!(ok.name, "翠湖花园");
    }
}
