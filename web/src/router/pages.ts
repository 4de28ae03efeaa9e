import type { Component } from 'vue'

type Lazy = () => Promise<Component>

// The console's pages by nav key. Every nav entry has one (nav.test.ts checks it).
export const PAGES: Record<string, Lazy> = {
  dashboard: () => import('@/modules/dashboard/DashboardPage.vue'),
  projects: () => import('@/modules/property/ProjectsPage.vue'),
  houses: () => import('@/modules/property/HousesPage.vue'),
  residents: () => import('@/modules/people/PersonsPage.vue'),
  equipment: () => import('@/modules/equipment/EquipmentPage.vue'),
  meterReadings: () => import('@/modules/meters/MeterReadingsPage.vue'),
  users: () => import('@/modules/users/UsersPage.vue'),
  roles: () => import('@/modules/users/RolesPage.vue'),
  auditLog: () => import('@/modules/audit/AuditLogPage.vue'),
  notifications: () => import('@/modules/notifications/MessagesPage.vue'),
  arrears: () => import('@/modules/billing/ReportsPage.vue'),
  counter: () => import('@/modules/billing/CounterPage.vue'),
  payments: () => import('@/modules/billing/PaymentsPage.vue'),
  bills: () => import('@/modules/billing/BillsPage.vue'),
  paymentOrders: () => import('@/modules/payments/PaymentOrdersPage.vue'),
  reconciliations: () => import('@/modules/payments/ReconciliationsPage.vue'),
  billingRuns: () => import('@/modules/billing/RunsPage.vue'),
  feeItems: () => import('@/modules/billing/FeeItemsPage.vue'),
  adjustments: () => import('@/modules/billing/AdjustmentsPage.vue'),
  meters: () => import('@/modules/meters/MetersPage.vue'),
  meterUsage: () => import('@/modules/meters/MeterUsagePage.vue'),
  billingSettings: () => import('@/modules/billing/SettingsPage.vue'),
}

export const BUILT_PAGES: ReadonlySet<string> = new Set(Object.keys(PAGES))
