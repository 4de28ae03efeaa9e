use chrono::{DateTime, Utc};
use linli_core::Id;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Id,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Id>,
    /// The actor's login name when the row was written.
    pub actor_name: Option<String>,
    /// The actor's display name now (`None` for the system or a deleted user).
    pub actor_display_name: Option<String>,
    pub project_id: Option<Id>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Id>,
    /// What the object is called now, e.g. the house "1栋1单元702" or the person's name; `None`
    /// when it is gone, outside the caller's projects, or a kind without a name (a payment).
    pub entity_label: Option<String>,
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

/// Someone who acted in the log the caller may read, for the log's filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditActor {
    pub id: Id,
    pub display_name: String,
    pub username: String,
}
