use linli_core::Id;
use serde::{Deserialize, Serialize};

/// A role granted to a user on one project, or on every project of the company (`project_id: null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Grant {
    pub id: Id,
    pub project_id: Option<Id>,
    pub project_name: Option<String>,
    pub role: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewGrant {
    pub project_id: Option<Id>,
    pub role: String,
}
