// The console's modules, grouped as in the product. The menu and the routes are both built
// from this list, so a module appears in one place. `permission` hides the entry (and guards
// the route) for users without it. Only built pages are listed: a module adds its entries (and
// its group, e.g. service, facilities, security) when it lands.

import type { Permission } from '@/api/types'

export interface NavItem {
  /** i18n key under `nav.` and the route name. */
  key: string
  path: string
  permission?: Permission
  /** Company-wide work with no project (reconciliation of the merchant account): shown only to a
   * user holding a grant over every project, since the server refuses project-only users. */
  companyWide?: true
}

export interface NavGroup {
  /** i18n key under `nav.groups.` */
  key: string
  icon: 'basic' | 'billing' | 'service' | 'facilities' | 'security' | 'system'
  items: NavItem[]
}

export const PERMISSIONS = {
  projectRead: 'property.project.read',
  projectCreate: 'property.project.create',
  projectUpdate: 'property.project.update',
  houseRead: 'property.house.read',
  houseManage: 'property.house.manage',
  personRead: 'people.person.read',
  personManage: 'people.person.manage',
  personRevealId: 'people.person.reveal_id',
  equipmentRead: 'equipment.item.read',
  equipmentManage: 'equipment.item.manage',
  meterRead: 'billing.meter.read',
  meterManage: 'billing.meter.manage',
  readingEnter: 'billing.reading.enter',
  userRead: 'auth.user.read',
  userManage: 'auth.user.manage',
  roleRead: 'auth.role.read',
  auditRead: 'audit.log.read',
  messageRead: 'notify.message.read',
  messageResend: 'notify.message.resend',
  messageSend: 'notify.message.send',
  feeRead: 'billing.fee.read',
  feeManage: 'billing.fee.manage',
  runManage: 'billing.run.manage',
  billRead: 'billing.bill.read',
  paymentCollect: 'billing.payment.collect',
  adjustmentRequest: 'billing.adjustment.request',
  adjustmentApprove: 'billing.adjustment.approve',
  reportRead: 'billing.report.read',
} as const satisfies Record<string, Permission>

export const DASHBOARD: NavItem = { key: 'dashboard', path: '/dashboard' }

export const NAV_GROUPS: NavGroup[] = [
  {
    key: 'basic',
    icon: 'basic',
    items: [
      { key: 'projects', path: '/projects', permission: PERMISSIONS.projectRead },
      { key: 'houses', path: '/houses', permission: PERMISSIONS.houseRead },
      { key: 'residents', path: '/residents', permission: PERMISSIONS.personRead },
      { key: 'equipment', path: '/equipment', permission: PERMISSIONS.equipmentRead },
    ],
  },
  {
    key: 'billing',
    icon: 'billing',
    items: [
      { key: 'arrears', path: '/reports/arrears', permission: PERMISSIONS.reportRead },
      { key: 'counter', path: '/counter', permission: PERMISSIONS.paymentCollect },
      { key: 'payments', path: '/payments', permission: PERMISSIONS.billRead },
      { key: 'bills', path: '/bills', permission: PERMISSIONS.billRead },
      { key: 'paymentOrders', path: '/payment-orders', permission: PERMISSIONS.billRead },
      { key: 'reconciliations', path: '/reconciliations', permission: PERMISSIONS.reportRead, companyWide: true },
      { key: 'billingRuns', path: '/billing-runs', permission: PERMISSIONS.runManage },
      { key: 'feeItems', path: '/fee-items', permission: PERMISSIONS.feeRead },
      { key: 'adjustments', path: '/adjustments', permission: PERMISSIONS.adjustmentApprove },
      { key: 'meterReadings', path: '/meter-readings', permission: PERMISSIONS.meterRead },
      { key: 'meters', path: '/meters', permission: PERMISSIONS.meterRead },
      { key: 'meterUsage', path: '/meter-usage', permission: PERMISSIONS.meterRead },
      { key: 'billingSettings', path: '/billing-settings', permission: PERMISSIONS.feeRead },
    ],
  },
  {
    key: 'system',
    icon: 'system',
    items: [
      { key: 'users', path: '/users', permission: PERMISSIONS.userRead },
      { key: 'roles', path: '/roles', permission: PERMISSIONS.roleRead },
      { key: 'auditLog', path: '/audit-log', permission: PERMISSIONS.auditRead },
      { key: 'notifications', path: '/notifications', permission: PERMISSIONS.messageRead },
    ],
  },
]

/** The groups and items a user with `can` sees (company-wide items only with a company-wide
 * grant); empty groups are dropped. */
export function visibleGroups(can: (permission?: Permission) => boolean, companyWide = true): NavGroup[] {
  const shown = (item: NavItem) => can(item.permission) && (companyWide || !item.companyWide)
  return NAV_GROUPS.map((group) => ({ ...group, items: group.items.filter(shown) })).filter(
    (group) => group.items.length > 0,
  )
}

/** The group a nav key belongs to (for the breadcrumb and the opened submenu). */
export function groupOf(key: string): NavGroup | undefined {
  return NAV_GROUPS.find((group) => group.items.some((item) => item.key === key))
}
