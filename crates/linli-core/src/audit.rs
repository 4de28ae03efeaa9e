//! The audit row every change writes in its own transaction.

use serde_json::Value;

use crate::{Actor, Id};

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub actor: Actor,
    pub project_id: Option<Id>,
    /// `<module>.<entity>.<verb>` in the past tense, e.g. `property.project.created`.
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<Id>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl AuditEvent {
    pub fn new(actor: &Actor, action: &'static str, entity: &'static str) -> Self {
        Self { actor: actor.clone(), project_id: None, action, entity, entity_id: None, before: None, after: None }
    }

    pub fn project(mut self, project_id: Option<Id>) -> Self {
        self.project_id = project_id;
        self
    }

    pub fn entity_id(mut self, id: Id) -> Self {
        self.entity_id = Some(id);
        self
    }

    pub fn before<T: serde::Serialize>(mut self, v: &T) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }

    pub fn after<T: serde::Serialize>(mut self, v: &T) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}
