import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { DASHBOARD, NAV_GROUPS, PERMISSIONS } from '@/modules/console/nav'
import { METER_PERMISSIONS } from '@/modules/meters/meterReadings'
import { loadStaffMessages } from '@/i18n'
import { useSessionStore } from '@/stores/session'
import { belongsOnPhone, homePathFor, safeRedirect } from './landing'
import { PAGES } from './pages'
import type { Permission } from '@/api/types'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Required permission (see modules/console/nav.ts). */
    permission?: Permission
    /** Company-wide work: needs a grant over every project (see NavItem.companyWide). */
    companyWide?: boolean
    /** i18n key of the page title. */
    titleKey?: string
    /** A staff console page: residents are sent to their phone pages instead. */
    console?: boolean
    /** Renders with the core messages only: the staff pages' messages are not loaded for it. */
    coreMessages?: boolean
  }
}

const consoleChildren: RouteRecordRaw[] = [DASHBOARD, ...NAV_GROUPS.flatMap((g) => g.items)].map((item) => ({
  path: item.path.slice(1),
  name: item.key,
  component: PAGES[item.key]!,
  meta: { permission: item.permission, companyWide: item.companyWide, titleKey: `nav.${item.key}` },
}))

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/modules/auth/LoginPage.vue'),
    meta: { public: true, titleKey: 'auth.login.title', coreMessages: true },
  },
  {
    path: '/',
    component: () => import('@/modules/console/ConsoleLayout.vue'),
    redirect: DASHBOARD.path,
    meta: { console: true },
    children: [
      ...consoleChildren,
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('@/modules/placeholder/ForbiddenPage.vue'),
        meta: { titleKey: 'forbidden.title' },
      },
    ],
  },
  {
    path: '/m',
    component: () => import('@/modules/mobile/ResidentShell.vue'),
    meta: { coreMessages: true },
    children: [
      { path: '', name: 'm-home', component: () => import('@/modules/mobile/ResidentHome.vue'), meta: { titleKey: 'mobile.tabs.home' } },
      { path: 'bills', name: 'm-bills', component: () => import('@/modules/mobile/ResidentBills.vue'), meta: { titleKey: 'mobile.tabs.bills' } },
      { path: 'repairs', name: 'm-repairs', component: () => import('@/modules/mobile/MobileComingSoon.vue'), meta: { titleKey: 'mobile.tabs.repairs' } },
      { path: 'me', name: 'm-me', component: () => import('@/modules/mobile/MobileMe.vue'), meta: { titleKey: 'mobile.tabs.me' } },
      { path: 'messages', name: 'm-messages', component: () => import('@/modules/mobile/MobileMessages.vue'), meta: { titleKey: 'mobile.messages.title' } },
      { path: 'houses', name: 'm-houses', component: () => import('@/modules/mobile/ResidentHouses.vue'), meta: { titleKey: 'mobile.houses.title' } },
    ],
  },
  {
    // What a technician sees after scanning an equipment label (signing in first if needed).
    path: '/m/equipment/:id(\\d+)',
    name: 'm-equipment',
    component: () => import('@/modules/equipment/EquipmentMobilePage.vue'),
    meta: { permission: PERMISSIONS.equipmentRead, titleKey: 'mobile.equipment.title' },
  },
  {
    path: '/m/staff',
    component: () => import('@/modules/mobile/StaffShell.vue'),
    children: [
      { path: '', name: 'm-staff-tasks', component: () => import('@/modules/mobile/MobileComingSoon.vue'), meta: { titleKey: 'mobile.staff.tasks' } },
      {
        path: 'readings',
        name: 'm-staff-readings',
        component: () => import('@/modules/mobile/MeterReadings.vue'),
        meta: { permission: METER_PERMISSIONS.enter, titleKey: 'meters.title' },
      },
      { path: 'me', name: 'm-staff-me', component: () => import('@/modules/mobile/MobileMe.vue'), meta: { titleKey: 'mobile.staff.me' } },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/modules/placeholder/NotFoundPage.vue'),
    meta: { public: true, titleKey: 'notFound.title', coreMessages: true },
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

function loginFor(to: RouteLocationNormalized) {
  return to.fullPath === '/' ? { name: 'login' } : { name: 'login', query: { redirect: to.fullPath } }
}

router.beforeEach(async (to) => {
  const session = useSessionStore()
  let me
  try {
    me = await session.load()
  } catch {
    // Server unreachable: the login page will say so when the user tries.
    me = null
  }
  if (to.name === 'login') {
    return me ? (safeRedirect(to.query.redirect) ?? homePathFor(me)) : true
  }
  if (to.meta.public) return true
  if (!me) return loginFor(to)
  if (to.matched.some((r) => r.meta.console) && belongsOnPhone(me)) return { path: '/m' }
  if (!session.can(to.meta.permission)) return { name: 'forbidden' }
  if (to.meta.companyWide && !session.companyWide) return { name: 'forbidden' }
  return true
})

// Staff pages (the console, the staff phone pages) need the staff part of the messages; the
// resident's phone pages and the sign-in page make do with the core part (see i18n/index.ts).
router.beforeResolve(async (to) => {
  if (to.matched.some((r) => r.meta.coreMessages)) return
  try {
    await loadStaffMessages()
  } catch {
    // Not fetched (offline, a new deployment): the page's own chunks will not load either.
  }
})
