// Browser test of what a new user ran into (issue 9), against a running server (`linli demo`):
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// A resident who opens the console is sent to the phone pages; the counter finds a house by the
// label it displays ("1栋1单元702"); the audit log shows translated actions ("登录", not
// `auth.session.created`) and the actor's name; the menu offers no "coming soon" entry; at
// 390 px the console's sidebar is hidden until the menu button opens it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN_PASSWORD, BASE_URL, call, helpers, launch, requireServer, signIn, signInAsAdmin, sleep } from './helpers.mjs'

const STEP_TIMEOUT = 20_000
const { text, waitForText, settled, shot } = helpers({ stepTimeout: STEP_TIMEOUT, animations: true })

// What the pages say (src/locales); kept literal here so a wrong translation fails the test.
const ZH = {
  signedIn: '登录',
  houseCreated: '新建房屋',
  house: '房屋',
  comingSoon: '即将上线',
  workOrders: '报修工单',
  access: '门禁',
}

test('ux: residents on the phone, house labels at the counter, a readable audit log, a narrow console', { timeout: 300_000 }, async (t) => {
  requireServer()
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`

  let token
  let admin
  let project
  await t.test('the demo has a house 1栋1单元702', async () => {
    token = (await call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).token
    admin = await call('GET', '/api/v1/auth/me', { token })
    for (const p of admin.projects) {
      const found = await call('GET', `/api/v1/houses?project_id=${p.id}&q=${encodeURIComponent('1栋1单元702')}`, { token })
      if (found.items.some((h) => `${h.building_name}${h.unit_name ?? ''}${h.number}` === '1栋1单元702')) {
        project = p
        break
      }
    }
    assert.ok(project, 'no demo project finds 1栋1单元702 by its label')
    const short = await call('GET', `/api/v1/houses?project_id=${project.id}&q=1-1-702`, { token })
    assert.equal(short.total, 1)
    const all = await call('GET', `/api/v1/houses?project_id=${project.id}&q=%25`, { token })
    assert.equal(all.total, 0, 'q=% matches a literal percent sign, not every house')
  })

  const browser = await launch()
  try {
    await t.test('a resident who opens /dashboard is sent to /m', async () => {
      const username = `e2e-ux-${stamp}`
      const password = `Ux-${stamp}-Pw9!`
      const user = await call('POST', '/api/v1/users', { token, body: { username, display_name: `E2E 住户 ${stamp}`, password } })
      await call('POST', `/api/v1/users/${user.id}/grants`, { token, body: { project_id: project.id, role: 'resident' } })
      const phone = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' })
      phone.setDefaultTimeout(STEP_TIMEOUT)
      const m = await phone.newPage()
      await signIn(m, username, password)
      await m.waitForURL((url) => url.pathname === '/m', { timeout: STEP_TIMEOUT })
      await m.goto('/dashboard')
      await m.waitForURL((url) => url.pathname === '/m', { timeout: STEP_TIMEOUT })
      await m.goto('/audit-log')
      await m.waitForURL((url) => url.pathname === '/m', { timeout: STEP_TIMEOUT })
      assert.equal(await m.getByTestId('dashboard-title').count(), 0)
      await m.locator('.m-home').waitFor({ state: 'visible' })
      await shot(m, 'ux-resident-sent-to-phone')
      await phone.close()
    })

    const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    context.setDefaultTimeout(STEP_TIMEOUT)
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))

    await t.test('admin signs in; the menu has no "coming soon" entry', async () => {
      await signInAsAdmin(page, project.id)
      const nav = await text(page.getByTestId('nav'))
      assert.ok(!nav.includes(ZH.workOrders) && !nav.includes(ZH.access), `unbuilt modules in the menu: ${nav}`)
    })

    await t.test('the counter finds 1栋1单元702 by the label it displays', async () => {
      await page.goto('/counter')
      const picker = page.getByTestId('house-picker')
      await picker.click()
      await picker.locator('input').fill('1栋1单元702')
      const option = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '1栋1单元702' }).first()
      await option.waitFor({ state: 'visible' })
      await option.click()
      await waitForText(page.getByTestId('counter-house'), ['1栋1单元702'], 'the house on the counter')
      // "702" alone matches more houses than one page: the picker loads more.
      await picker.click()
      await picker.locator('input').fill('702')
      const more = page.getByTestId('house-picker-more')
      await more.waitFor({ state: 'visible' })
      // The first page of "702" is in (its count is on the button) before more are asked for.
      await waitForText(more, ['20 /'], 'the first page of matches')
      await settled(page)
      const before = await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').count()
      // Asked for once; asked again only if a late answer to the typed search replaced the list
      // meanwhile (under load the select's debounced search can land after the click).
      const items = page.locator('.el-select-dropdown:visible .el-select-dropdown__item')
      const deadline = Date.now() + STEP_TIMEOUT
      let asked = 0
      while ((await items.count()) <= before && Date.now() < deadline) {
        if (Date.now() >= asked + 3000 && (await more.isVisible())) {
          await more.click()
          asked = Date.now()
        }
        await sleep(100)
      }
      assert.ok((await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').count()) > before, 'more houses loaded')
      await shot(page, 'ux-counter-label-search')
      await page.keyboard.press('Escape')
    })

    await t.test('the audit log shows translated actions and the actor\'s name', async () => {
      await page.goto('/audit-log')
      const table = page.locator('.el-table').first()
      await settled(page)
      const actions = page.getByTestId('audit-action')
      await actions.first().waitFor({ state: 'visible' })
      const shown = await actions.allTextContents()
      assert.ok(shown.includes(ZH.signedIn), `"登录" among ${JSON.stringify(shown.slice(0, 10))}`)
      assert.ok(shown.every((a) => !/^[a-z_]+\.[a-z_]+\.[a-z_]+$/.test(a.trim())), `no internal codes: ${JSON.stringify(shown)}`)
      const body = await text(table)
      assert.ok(!body.includes('auth.session.created'), 'no auth.session.created on the page')
      const actors = await page.getByTestId('audit-actor').allTextContents()
      assert.ok(actors.some((a) => a.trim() === admin.display_name), `${admin.display_name} among ${JSON.stringify(actors.slice(0, 10))}`)
      // The action filter is a translated select.
      await page.getByTestId('audit-action-filter').click()
      await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: ZH.houseCreated }).first().click()
      await page.getByRole('button', { name: '搜索' }).click()
      await settled(page)
      await waitForText(table, [ZH.houseCreated, ZH.house], 'filtered by a translated action')
      await shot(page, 'ux-audit-log')
    })

    await t.test('at 390 px the sidebar is hidden until the menu button opens it', async () => {
      await page.setViewportSize({ width: 390, height: 844 })
      await page.goto('/dashboard')
      await page.getByTestId('dashboard-title').waitFor({ state: 'visible' })
      assert.equal(await page.getByTestId('nav').isVisible(), false, 'the sidebar is hidden at 390 px')
      await page.getByTestId('nav-toggle').click()
      await page.getByTestId('nav').waitFor({ state: 'visible' })
      const box = await page.getByTestId('nav').boundingBox()
      assert.ok(box && box.width <= 260, `drawer width ${box?.width}`)
      await shot(page, 'ux-narrow-drawer')
      // Choosing a page closes the drawer.
      await page.getByTestId('nav').getByText('系统设置').click()
      await page.getByTestId('nav').getByText('审计日志').click()
      await page.waitForURL((url) => url.pathname === '/audit-log')
      await page.waitForFunction(() => !document.querySelector('[data-testid="nav"]')?.checkVisibility?.(), null, { timeout: STEP_TIMEOUT })
    })

    assert.deepEqual(pageErrors, [])
  } finally {
    await browser.close()
  }
})
