// Browser test of the live inbox against a running server (`linli demo`):
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// Through the API (as admin, bearer token): a fresh resident account with a resident grant on the
// first project. In the browser, that resident opens the H5 home page; admin sends a message
// (POST /api/v1/messages) and it must show up on the open page without a reload (the server's job
// worker delivers it within a few seconds, then the SSE stream pushes it). Then the console's bell.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN_PASSWORD, BASE_URL, call, field, helpers, launch, requireServer, signIn, signInAsAdmin } from './helpers.mjs'

const STEP_TIMEOUT = 15_000
const { text, waitForText, waitForAttribute, shot } = helpers({ stepTimeout: STEP_TIMEOUT, animations: true })
// The job worker polls every 2 s; delivery plus the push must fit well inside this.
const DELIVERY_TIMEOUT = 20_000

// What the pages say (src/locales); kept literal here so a wrong translation fails the test.
const ZH = { messages: '消息', newMessage: '新消息', inbox: '站内信', preferences: '通知设置', stats: '发送统计' }
const TITLE = '停水通知'
const CONSOLE_TITLE = '电梯年检'
const TEXT = '因管网维修，明天 9:00–15:00 停水，请提前储水。'

test('inbox: a message reaches the open resident page live; the console has the bell', { timeout: 240_000 }, async (t) => {
  requireServer()

  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  const username = `e2e-res-${stamp}`
  const password = `Res-${stamp}-Pw9!`
  let token
  let projectId
  let residentId

  await t.test('admin creates a resident account through the API', async () => {
    const login = await call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })
    token = login.token
    assert.ok(token, 'the login answer carries a token')
    projectId = login.user.projects[0]?.id
    assert.ok(projectId, 'the demo has at least one project')
    const user = await call('POST', '/api/v1/users', {
      token,
      body: { username, display_name: `E2E 住户 ${stamp}`, password },
    })
    residentId = user.id
    await call('POST', `/api/v1/users/${residentId}/grants`, { token, body: { project_id: projectId, role: 'resident' } })
  })

  const browser = await launch()
  try {
    await t.test('the message appears on the open resident page without a reload', async () => {
      const context = await browser.newContext({
        baseURL: BASE_URL,
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
      })
      context.setDefaultTimeout(STEP_TIMEOUT)
      const page = await context.newPage()
      const pageErrors = []
      page.on('pageerror', (error) => pageErrors.push(String(error)))

      await signIn(page, username, password)
      await page.waitForURL((url) => url.pathname === '/m', { timeout: STEP_TIMEOUT })

      const home = page.getByTestId('m-home-inbox')
      const badge = page.getByTestId('m-inbox-unread')
      await waitForText(home, [ZH.messages], 'the 消息 entry on the home page')
      // The stream is open (the unread event came), and nothing is unread yet.
      await waitForAttribute(badge, 'data-live', 'on', 'inbox stream')
      await waitForAttribute(badge, 'data-count', '0', 'unread badge before')
      await shot(page, 'inbox-m-before')

      // A marker that a reload would wipe out.
      await page.evaluate(() => {
        window.__inboxE2E = 'same page'
      })
      const queued = await call('POST', '/api/v1/messages', {
        token,
        body: { user_id: residentId, project_id: projectId, title: TITLE, text: TEXT },
      })
      assert.ok(queued.message_ids.length >= 1, 'at least the in-app message is queued')

      await waitForText(home, [TITLE], 'the new message on the home page', DELIVERY_TIMEOUT)
      await waitForAttribute(badge, 'data-count', '1', 'unread badge after')
      assert.equal((await text(badge)).trim(), '1')
      assert.ok(await page.getByText(TITLE).first().isVisible(), 'the title is visible')
      // The live toast (van-notify).
      await waitForText(page.locator('.m-live-notify'), [ZH.newMessage, TITLE], 'van-notify toast')
      assert.equal(await page.evaluate(() => window.__inboxE2E), 'same page', 'the page was not reloaded')
      await shot(page, 'inbox-m-live')

      // The message list page: the message is there; tapping it marks it read.
      await page.getByTestId('m-inbox-entry').click()
      await page.waitForURL((url) => url.pathname === '/m/messages', { timeout: STEP_TIMEOUT })
      const list = page.getByTestId('m-inbox-list')
      await waitForText(list, [TITLE, TEXT], 'the message list')
      const item = list.locator('[data-testid^="m-inbox-item-"]', { hasText: TITLE }).first()
      assert.match((await item.getAttribute('class')) ?? '', /is-unread/)
      await item.click()
      const deadline = Date.now() + STEP_TIMEOUT
      while (/is-unread/.test((await item.getAttribute('class')) ?? '') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100))
      }
      assert.doesNotMatch((await item.getAttribute('class')) ?? '', /is-unread/, 'tapping marks the message read')
      const unread = await page.evaluate(async () => (await (await fetch('/api/v1/inbox/unread')).json()).unread)
      assert.equal(unread, 0)
      await shot(page, 'inbox-m-list')

      // The preferences on the "me" page: a switch per kind and channel.
      await page.goto('/m/me')
      await page.getByTestId('m-preferences').waitFor({ state: 'visible' })
      await page.getByTestId('m-pref-notice_published-in_app').waitFor({ state: 'visible' })
      // Switching one channel saves at once (PUT): the server has the change.
      const smsSwitch = page.getByTestId('m-pref-bill_issued-sms')
      const wasOn = (await smsSwitch.getAttribute('aria-checked')) === 'true'
      await smsSwitch.click()
      const channelsOf = () =>
        page.evaluate(async () => (await (await fetch('/api/v1/notification-preferences')).json()).find((p) => p.kind === 'bill_issued').channels)
      const prefDeadline = Date.now() + STEP_TIMEOUT
      while ((await channelsOf()).includes('sms') === wasOn && Date.now() < prefDeadline) {
        await new Promise((r) => setTimeout(r, 200))
      }
      assert.equal((await channelsOf()).includes('sms'), !wasOn, 'the preference was saved')
      await shot(page, 'inbox-m-me')

      assert.deepEqual(pageErrors, [], 'the pages threw uncaught errors')
      await context.close()
    })

    await t.test('the console shows the bell, the inbox drawer and the message log', async () => {
      const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
      context.setDefaultTimeout(STEP_TIMEOUT)
      const page = await context.newPage()
      const pageErrors = []
      page.on('pageerror', (error) => pageErrors.push(String(error)))

      await signInAsAdmin(page)

      const bell = page.getByTestId('inbox-bell')
      await bell.waitFor({ state: 'visible' })
      // The badge is in the page (hidden while nothing is unread) and carries the count.
      assert.match((await page.getByTestId('inbox-unread').getAttribute('data-count')) ?? '', /^\d+$/)
      await bell.click()
      const drawer = page.locator('.el-drawer', { hasText: ZH.inbox })
      await drawer.waitFor({ state: 'visible' })
      await shot(page, 'inbox-console-drawer')
      await page.keyboard.press('Escape')
      await drawer.waitFor({ state: 'hidden' })

      await page.goto(`/notifications`)
      await page.getByTestId('message-stats').waitFor({ state: 'visible' })
      await waitForText(page.getByTestId('message-stats'), [ZH.stats], 'statistics')
      const recipient = field(page, 'filter-recipient')
      await recipient.fill(String(residentId))
      await recipient.press('Enter')
      await waitForText(page.getByTestId('message-log'), [TITLE], 'the message log', DELIVERY_TIMEOUT)
      await shot(page, 'inbox-console-log')

      // "Send message" to admin itself: the notification and the badge arrive live on this page.
      // (Admin's inbox may hold messages of earlier runs against the same server.)
      const unreadBefore = Number(await page.getByTestId('inbox-unread').getAttribute('data-count'))
      await page.getByTestId('send-message').click()
      const dialog = page.getByTestId('send-message-dialog')
      await dialog.waitFor({ state: 'visible' })
      const userInput = field(page, 'send-user')
      await userInput.click()
      await userInput.fill('admin')
      const option = page.locator('.el-select-dropdown__item:visible', { hasText: '@admin' }).first()
      await option.waitFor({ state: 'visible' })
      await option.click()
      await field(page, 'send-title').fill(CONSOLE_TITLE)
      await page.locator('textarea[data-testid="send-text"], [data-testid="send-text"] textarea').first().fill(TEXT)
      await page.getByTestId('send-submit').click()
      await dialog.waitFor({ state: 'hidden' })
      await waitForText(page.locator('.inbox-notification'), [CONSOLE_TITLE], 'el-notification', DELIVERY_TIMEOUT)
      await waitForAttribute(page.getByTestId('inbox-unread'), 'data-count', String(unreadBefore + 1), 'bell badge', DELIVERY_TIMEOUT)
      await shot(page, 'inbox-console-live')

      assert.deepEqual(pageErrors, [], 'the pages threw uncaught errors')
      await context.close()
    })
  } finally {
    await browser.close()
  }
})
