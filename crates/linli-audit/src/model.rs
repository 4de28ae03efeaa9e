use chrono::{DateTime, Utc};
use linli_core::Id;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Id,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Id>,
    pub actor_name: Option<String>,
    pub project_id: Option<Id>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Id>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditFilter {
    pub project_id: Option<Id>,
    pub actor_id: Option<Id>,
    /// Entity name, e.g. `project`, `user`.
    pub entity: Option<String>,
    pub entity_id: Option<Id>,
    /// Action prefix, e.g. `auth.user`.
    pub action: Option<String>,
}
