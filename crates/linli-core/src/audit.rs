//! The audit row every change writes in its own transaction.

use serde_json::Value;

use crate::{Actor, Id};

/// Every action an audit row can name. Closed, like permissions: the console translates each one
/// (its locale test reads this list), so a new action is added here and to the web locales.
pub const ACTIONS: &[&str] = &[
    "auth.grant.created",
    "auth.grant.deleted",
    "auth.session.created",
    "auth.session.revoked",
    "auth.user.created",
    "auth.user.disabled",
    "auth.user.enabled",
    "auth.user.password_changed",
    "auth.user.password_reset",
    "auth.user.updated",
    "billing.adjustment.approved",
    "billing.adjustment.rejected",
    "billing.adjustment.requested",
    "billing.bill.charged",
    "billing.fee_assignment.created",
    "billing.fee_item.created",
    "billing.fee_standard.created",
    "billing.meter.created",
    "billing.meter.updated",
    "billing.payment.received",
    "billing.reading.confirmed",
    "billing.reading.entered",
    "billing.reading.imported",
    "billing.reading.rejected",
    "billing.reading.replaced",
    "billing.receipt.printed",
    "billing.receipt.voided",
    "billing.refund.paid",
    "billing.run.confirmed",
    "billing.run.previewed",
    "billing.settings.updated",
    "billing.till.closed",
    "billing.till.opened",
    "equipment.attachment.created",
    "equipment.attachment.deleted",
    "equipment.item.created",
    "equipment.item.deleted",
    "equipment.item.imported",
    "equipment.item.maintained",
    "equipment.item.updated",
    "payments.discrepancy.resolved",
    "payments.order.closed",
    "payments.order.created",
    "payments.order.paid",
    "payments.reconciliation.run",
    "payments.reconciliation.signed_off",
    "payments.refund.failed",
    "payments.refund.refunded",
    "payments.refund.requested",
    "people.occupancy.created",
    "people.occupancy.ended",
    "people.ownership.created",
    "people.ownership.ended",
    "people.person.bound",
    "people.person.created",
    "people.person.id_searched",
    "people.person.imported",
    "people.person.revealed",
    "people.person.updated",
    "property.building.created",
    "property.building.deleted",
    "property.building.updated",
    "property.house.created",
    "property.house.deleted",
    "property.house.imported",
    "property.house.updated",
    "property.project.created",
    "property.project.updated",
    "property.unit.created",
    "property.unit.deleted",
    "property.unit.updated",
];

/// Every kind of object an audit row can be about.
pub const ENTITIES: &[&str] = &[
    "adjustment",
    "bill",
    "billing_run",
    "billing_settings",
    "building",
    "equipment",
    "fee_assignment",
    "fee_item",
    "fee_standard",
    "grant",
    "house",
    "meter",
    "meter_reading",
    "occupancy",
    "ownership",
    "payment",
    "payment_order",
    "person",
    "project",
    "reconciliation",
    "till_session",
    "unit",
    "user",
];

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
        debug_assert!(ACTIONS.contains(&action), "audit action {action} is not in linli_core::audit::ACTIONS");
        debug_assert!(ENTITIES.contains(&entity), "audit entity {entity} is not in linli_core::audit::ENTITIES");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_module_entity_verb_and_listed_once() {
        for (i, a) in ACTIONS.iter().enumerate() {
            assert_eq!(a.split('.').count(), 3, "{a}");
            assert!(!ACTIONS[..i].contains(a), "{a} twice");
        }
        for (i, e) in ENTITIES.iter().enumerate() {
            assert!(!ENTITIES[..i].contains(e), "{e} twice");
        }
    }
}
