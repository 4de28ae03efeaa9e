// Browser test: the app works under the server's Content-Security-Policy (no inline scripts,
// `script-src 'self'`) and the answers carry the security headers.
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// Opens the console's pages, the resident H5 and a printable label sheet, and fails on any CSP
// violation the browser reports or any uncaught error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN_PASSWORD, BASE_URL, launch, requireServer } from './helpers.mjs'

const STEP_TIMEOUT = 15_000

const PAGES = [
  '/dashboard',
  '/projects',
  '/houses',
  '/residents',
  '/equipment',
  '/reports/arrears',
  '/counter',
  '/bills',
  '/billing-runs',
  '/fee-items',
  '/meter-readings',
  '/users',
  '/roles',
  '/audit-log',
  '/notifications',
  '/m',
]

test('the app runs under the Content-Security-Policy', { timeout: 240_000 }, async (t) => {
  requireServer()
  const browser = await launch()
  try {
    const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    context.setDefaultTimeout(STEP_TIMEOUT)
    // Every violation the page sees, kept across navigations in the page itself and in the console.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const seen = JSON.parse(sessionStorage.getItem('csp-violations') || '[]')
        seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)
        sessionStorage.setItem('csp-violations', JSON.stringify(seen))
      })
    })
    const page = await context.newPage()
    const problems = []
    page.on('pageerror', (error) => problems.push(`uncaught: ${error}`))
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) problems.push(`console: ${msg.text()}`)
    })

    await t.test('the index page carries the policy and the other security headers', async () => {
      const res = await page.goto('/login')
      const h = res.headers()
      assert.match(h['content-security-policy'] ?? '', /script-src 'self';/)
      assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/)
      assert.equal(h['x-frame-options'], 'DENY')
      assert.equal(h['referrer-policy'], 'strict-origin-when-cross-origin')
      await page.getByTestId('login-username').waitFor()
    })

    await t.test('signing in and opening every console page reports no violation', async () => {
      await page.getByTestId('login-username').fill('admin')
      await page.getByTestId('login-password').fill(ADMIN_PASSWORD)
      await page.getByTestId('login-submit').click()
      await page.getByTestId('dashboard-title').waitFor({ state: 'visible' })
      for (const path of PAGES) {
        await page.goto(path)
        await page.waitForFunction(() => document.querySelector('#app')?.children.length > 0, null, { timeout: STEP_TIMEOUT })
        await page.waitForTimeout(400)
      }
      const api = await page.evaluate(async () => {
        const r = await fetch('/api/v1/auth/me')
        return { status: r.status, cache: r.headers.get('cache-control') }
      })
      assert.deepEqual(api, { status: 200, cache: 'no-store' })
    })

    await t.test('the printable label sheet prints without an inline handler', async () => {
      const items = await page.evaluate(async () => {
        const projects = await (await fetch('/api/v1/projects?page_size=1')).json()
        const id = projects.items?.[0]?.id
        if (!id) return null
        return (await (await fetch(`/api/v1/equipment?project_id=${id}&page_size=2`)).json()).items?.map((e) => e.id)
      })
      if (!items?.length) return t.skip('no equipment in this database')
      await page.goto(`/api/v1/equipment/labels?ids=${items.join(',')}`)
      await page.evaluate(() => {
        window.__printed = 0
        window.print = () => {
          window.__printed += 1
        }
      })
      await page.locator('[data-print]').click()
      assert.equal(await page.evaluate(() => window.__printed), 1, 'the print button works under the policy')
    })

    const violations = await page.evaluate(() => JSON.parse(sessionStorage.getItem('csp-violations') || '[]'))
    assert.deepEqual([...violations, ...problems], [], 'CSP violations or page errors')
  } finally {
    await browser.close()
  }
})
