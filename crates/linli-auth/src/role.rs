//! Roles shipped by default. They are written to the `roles` table on start (a company can add
//! its own later); the code here is the source of truth for the built-ins.

use linli_core::Permission::{
    self, AuditLogRead, AuthRoleRead, AuthUserRead, BillingAdjustmentApprove, BillingAdjustmentRequest,
    BillingBillRead, BillingFeeManage, BillingFeeRead, BillingMeterManage, BillingMeterRead, BillingPaymentCollect,
    BillingReadingEnter, BillingReportRead, BillingRunManage, EquipmentItemManage, EquipmentItemRead,
    NotifyMessageRead, NotifyMessageResend, NotifyMessageSend, PeoplePersonManage, PeoplePersonRead,
    PeoplePersonRevealId, PropertyHouseManage, PropertyHouseRead, PropertyProjectRead, PropertyProjectUpdate,
};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Role {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub permissions: Vec<String>,
}

const READ_PROJECT: &[Permission] = &[PropertyProjectRead];

fn role(code: &str, zh: &str, en: &str, perms: &[Permission]) -> Role {
    Role {
        code: code.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        permissions: perms.iter().map(|p| p.as_str().to_string()).collect(),
    }
}

pub fn builtin_roles() -> Vec<Role> {
    vec![
        role("admin", "系统管理员", "Administrator", Permission::ALL),
        role(
            "manager",
            "项目经理",
            "Project manager",
            &[
                PropertyProjectRead,
                PropertyProjectUpdate,
                PropertyHouseRead,
                PropertyHouseManage,
                PeoplePersonRead,
                PeoplePersonManage,
                PeoplePersonRevealId,
                EquipmentItemRead,
                EquipmentItemManage,
                BillingMeterRead,
                BillingMeterManage,
                BillingReadingEnter,
                AuthUserRead,
                AuthRoleRead,
                AuditLogRead,
                NotifyMessageRead,
                NotifyMessageResend,
                NotifyMessageSend,
                BillingFeeRead,
                BillingFeeManage,
                BillingRunManage,
                BillingBillRead,
                BillingPaymentCollect,
                BillingAdjustmentRequest,
                BillingAdjustmentApprove,
                BillingReportRead,
            ],
        ),
        role(
            "cashier",
            "收费员",
            "Cashier",
            &[
                PropertyProjectRead,
                PropertyHouseRead,
                PeoplePersonRead,
                BillingFeeRead,
                BillingBillRead,
                BillingPaymentCollect,
                BillingAdjustmentRequest,
                BillingReportRead,
                BillingMeterRead,
            ],
        ),
        role(
            "service_desk",
            "客服",
            "Service desk",
            &[
                PropertyProjectRead,
                PropertyHouseRead,
                PeoplePersonRead,
                PeoplePersonManage,
                NotifyMessageRead,
                NotifyMessageResend,
                NotifyMessageSend,
                BillingBillRead,
            ],
        ),
        role(
            "technician",
            "维修工",
            "Technician",
            &[PropertyProjectRead, PropertyHouseRead, EquipmentItemRead, BillingMeterRead, BillingReadingEnter],
        ),
        role("guard", "保安", "Guard", &[PropertyProjectRead, PropertyHouseRead, PeoplePersonRead]),
        role("resident", "业主/住户", "Resident", READ_PROJECT),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seven_roles_of_the_product_exist_and_only_admin_manages_users() {
        let roles = builtin_roles();
        let codes: Vec<_> = roles.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["admin", "manager", "cashier", "service_desk", "technician", "guard", "resident"]);
        for r in &roles {
            let manages = r.permissions.iter().any(|p| p == "auth.user.manage");
            assert_eq!(manages, r.code == "admin", "{}", r.code);
        }
    }
}
