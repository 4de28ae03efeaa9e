//! Permissions are named `<module>.<entity>.<verb>`. The set is closed: a role stored in the
//! database names permissions by their string, and an unknown string is ignored with a warning.

use serde::{Deserialize, Serialize};

macro_rules! permissions {
    ($($variant:ident = $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Permission {
            $(#[serde(rename = $name)] $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }

            pub fn parse(s: &str) -> Option<Permission> {
                match s { $($name => Some(Permission::$variant),)* _ => None }
            }
        }
    };
}

permissions! {
    PropertyProjectRead = "property.project.read",
    PropertyProjectCreate = "property.project.create",
    PropertyProjectUpdate = "property.project.update",
    PropertyHouseRead = "property.house.read",
    PropertyHouseManage = "property.house.manage",
    PeoplePersonRead = "people.person.read",
    PeoplePersonManage = "people.person.manage",
    PeoplePersonRevealId = "people.person.reveal_id",
    EquipmentItemRead = "equipment.item.read",
    EquipmentItemManage = "equipment.item.manage",
    BillingFeeRead = "billing.fee.read",
    BillingFeeManage = "billing.fee.manage",
    BillingRunManage = "billing.run.manage",
    BillingBillRead = "billing.bill.read",
    BillingPaymentCollect = "billing.payment.collect",
    BillingAdjustmentRequest = "billing.adjustment.request",
    BillingAdjustmentApprove = "billing.adjustment.approve",
    BillingReportRead = "billing.report.read",
    BillingMeterRead = "billing.meter.read",
    BillingMeterManage = "billing.meter.manage",
    BillingReadingEnter = "billing.reading.enter",
    NotifyMessageRead = "notify.message.read",
    NotifyMessageResend = "notify.message.resend",
    NotifyMessageSend = "notify.message.send",
    AuthUserRead = "auth.user.read",
    AuthUserManage = "auth.user.manage",
    AuthRoleRead = "auth.role.read",
    AuditLogRead = "audit.log.read",
}

// By hand: a derive would list the variants' Rust names, not the names sent. The web app's
// navigation is typed against this list (`web/src/modules/console/nav.ts`).
impl utoipa::PartialSchema for Permission {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A permission, `<module>.<entity>.<verb>`."))
            .enum_values(Some(Permission::ALL.iter().map(|p| p.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for Permission {}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_module_entity_verb_and_round_trips() {
        for p in Permission::ALL {
            assert_eq!(p.as_str().split('.').count(), 3, "{p}");
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
        }
    }
}
