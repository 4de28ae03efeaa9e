// Browser test of the sign-in flow against a running server (the release binary in CI).
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// Drives Debian's chromium through playwright-core (CHROMIUM_PATH overrides the binary).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { ADMIN_PASSWORD, ARTIFACTS, BASE_URL, helpers, launch, requireServer } from './helpers.mjs'

const STEP_TIMEOUT = 15_000
const { text, waitForText } = helpers({ stepTimeout: STEP_TIMEOUT })

// What the pages say (src/locales); kept literal here so a wrong translation fails the test.
const ZH = { signIn: '登录', invalidCredentials: '用户名或密码错误', projects: '项目', dashboard: '工作台' }
const EN = { signIn: 'Sign in', projects: 'Projects', dashboard: 'Dashboard' }

const pathOf = (page) => new URL(page.url()).pathname

async function openUserMenuItem(page, testId) {
  await page.getByTestId('user-menu').click()
  const item = page.getByTestId(testId)
  await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT })
  await item.click()
}

test('sign in, switch language, sign out', { timeout: 180_000 }, async (t) => {
  requireServer()

  const browser = await launch()
  try {
    const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    context.setDefaultTimeout(STEP_TIMEOUT)
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))

    await t.test('opening / lands on the login page in Chinese', async () => {
      await page.goto('/')
      await page.waitForURL((url) => url.pathname === '/login', { timeout: STEP_TIMEOUT })
      await page.getByTestId('login-username').waitFor()
      assert.equal(pathOf(page), '/login')
      assert.equal((await text(page.getByTestId('login-submit'))).trim(), ZH.signIn)
      assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
    })

    await t.test('a wrong password shows the translated error', async () => {
      await page.getByTestId('login-username').fill('admin')
      await page.getByTestId('login-password').fill(`${ADMIN_PASSWORD}-wrong`)
      await page.getByTestId('login-submit').click()
      await waitForText(page.getByTestId('login-error'), [ZH.invalidCredentials], 'login error')
      assert.equal(pathOf(page), '/login')
    })

    await t.test('signing in as admin opens the dashboard with the Chinese menu', async () => {
      await page.getByTestId('login-username').fill('admin')
      await page.getByTestId('login-password').fill(ADMIN_PASSWORD)
      await page.getByTestId('login-submit').click()
      await page.getByTestId('dashboard-title').waitFor({ state: 'visible' })
      assert.equal(pathOf(page), '/dashboard')
      assert.equal((await text(page.getByTestId('dashboard-title'))).trim(), ZH.dashboard)
      await waitForText(page.getByTestId('nav'), [ZH.dashboard, ZH.projects], 'nav (zh-CN)')
      await page.getByTestId('project-switcher').waitFor({ state: 'visible' })
      // The cards and the activity table have loaded (not 'networkidle': live updates keep a connection open).
      await page.waitForFunction(() => !document.querySelector('.el-skeleton, .el-loading-mask'), null, {
        timeout: STEP_TIMEOUT,
      })
      await mkdir(ARTIFACTS, { recursive: true })
      await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true })
    })

    await t.test('switching to English via the user menu survives a reload', async () => {
      await openUserMenuItem(page, 'lang-en')
      await waitForText(page.getByTestId('nav'), [EN.dashboard, EN.projects], 'nav (en)')
      assert.equal((await text(page.getByTestId('dashboard-title'))).trim(), EN.dashboard)

      await page.reload()
      await page.getByTestId('dashboard-title').waitFor({ state: 'visible' })
      await waitForText(page.getByTestId('nav'), [EN.dashboard, EN.projects], 'nav after reload')
      assert.equal(await page.evaluate(() => localStorage.getItem('linli.locale')), 'en')
    })

    await t.test('signing out returns to the English login page and ends the session', async () => {
      await openUserMenuItem(page, 'logout')
      await page.waitForURL((url) => url.pathname === '/login', { timeout: STEP_TIMEOUT })
      await page.getByTestId('login-submit').waitFor({ state: 'visible' })
      assert.equal((await text(page.getByTestId('login-submit'))).trim(), EN.signIn)
      const status = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)
      assert.equal(status, 401)
    })

    assert.deepEqual(pageErrors, [], 'the pages threw uncaught errors')
  } finally {
    await browser.close()
  }
})
