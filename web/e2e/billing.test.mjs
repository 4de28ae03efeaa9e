// Browser test of the billing console against a running server (`linli demo`, which has a year of
// bills with arrears):
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// As admin: the arrears report (欠费报表) lists buildings with amounts owed in 元, the collection-rate
// chart (收缴率) draws on its canvas, and a bill opens with its lines and their formulas.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, helpers, launch, requireServer, signInAsAdmin } from './helpers.mjs'

const STEP_TIMEOUT = 20_000
const { text, waitForText, settled, shot } = helpers({ stepTimeout: STEP_TIMEOUT })

// What the pages say (src/locales); kept literal here so a wrong translation fails the test.
const ZH = {
  arrears: '欠费报表',
  bands: ['1–3个月', '4–6个月', '7–12个月', '12个月以上'],
  yuan: '元',
  total: '合计',
  collection: '收缴率',
  billed: '应收',
  lines: '计费明细',
  lateFee: '滞纳金',
}
/** Yuan as the pages write it: thousands separators and two decimals. */
const YUAN = /^-?\d{1,3}(,\d{3})*\.\d{2}$/

/** Signed in (cookie session): the project of the admin's that owes the most as of today. */
async function projectWithArrears(page) {
  return page.evaluate(async () => {
    const json = async (url) => {
      const response = await fetch(url, { credentials: 'same-origin' })
      if (!response.ok) throw new Error(`${url}: ${response.status}`)
      return response.json()
    }
    const me = await json('/api/v1/auth/me')
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
    let best = null
    for (const project of me.projects) {
      const report = await json(`/api/v1/reports/arrears?project_id=${project.id}&as_of=${today}`)
      const owed = report.total?.total_fen ?? report.rows.reduce((s, r) => s + r.total_fen, 0)
      if (!best || owed > best.owed) best = { id: project.id, name: project.name, owed }
    }
    return best
  })
}

test('billing: arrears report, collection chart and a bill', { timeout: 180_000 }, async (t) => {
  requireServer()

  const browser = await launch()
  try {
    const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    context.setDefaultTimeout(STEP_TIMEOUT)
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))

    await t.test('admin signs in and picks the project with arrears', async () => {
      await signInAsAdmin(page)
      const project = await projectWithArrears(page)
      assert.ok(project, 'the admin has no project')
      assert.ok(project.owed > 0, `the demo's projects owe nothing as of today (best: ${JSON.stringify(project)})`)
      await page.evaluate((id) => localStorage.setItem('linli.project', JSON.stringify(id)), project.id)
    })

    await t.test('the arrears report lists buildings with amounts in 元 by age band', async () => {
      await page.goto('/reports/arrears')
      await page.getByTestId('arrears-page').waitFor({ state: 'visible' })
      const table = page.getByTestId('arrears-table')
      await waitForText(table, [...ZH.bands, ZH.yuan, ZH.total], 'arrears table headers')
      await settled(page)
      const rows = table.locator('.el-table__body-wrapper tbody tr')
      await rows.first().waitFor({ state: 'visible' })
      const count = await rows.count()
      assert.ok(count > 0, 'no building in the arrears report')

      // Every amount cell is yuan with two decimals; at least one building owes something.
      let owing = 0
      for (let i = 0; i < count; i++) {
        const cells = await rows.nth(i).locator('td').allTextContents()
        assert.ok(cells[0]?.trim(), `row ${i} has no building name`)
        const amounts = cells.slice(2).map((c) => c.trim())
        for (const amount of amounts) assert.match(amount, YUAN, `row ${i}: ${JSON.stringify(cells)}`)
        const total = amounts[amounts.length - 1]
        if (total !== '0.00') owing++
      }
      assert.ok(owing > 0, 'no building owes anything')

      const total = (await text(page.getByTestId('arrears-total'))).trim()
      assert.match(total, /^\d{1,3}(,\d{3})*\.\d{2} 元$/)
      assert.notEqual(total, '0.00 元')
      // The summary row sums the buildings.
      await waitForText(table.locator('.el-table__footer-wrapper'), [ZH.total], 'summary row')
      // The XLSX export is a plain link with the same day.
      const href = await page.getByTestId('arrears-export').getAttribute('href')
      assert.match(href ?? '', /\/api\/v1\/reports\/arrears\?.*format=xlsx/)
      await shot(page, 'billing-arrears')
    })

    await t.test('the collection chart draws billed, collected and the rate', async () => {
      const card = page.getByTestId('collection-card')
      await card.scrollIntoViewIfNeeded()
      await waitForText(card, [ZH.collection, ZH.billed], 'collection card')
      const canvas = page.getByTestId('collection-chart').locator('canvas').first()
      await canvas.waitFor({ state: 'visible' })
      const box = await canvas.boundingBox()
      assert.ok(box && box.width > 200 && box.height > 200, `canvas size ${JSON.stringify(box)}`)
      // Something was painted: count the pixels that are not transparent.
      const deadline = Date.now() + STEP_TIMEOUT
      let painted = 0
      while (Date.now() < deadline) {
        painted = await canvas.evaluate((el) => {
          const ctx = el.getContext('2d')
          if (!ctx) return 0
          const data = ctx.getImageData(0, 0, el.width, el.height).data
          let n = 0
          for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++
          return n
        })
        if (painted > 1000) break
        await new Promise((r) => setTimeout(r, 200))
      }
      assert.ok(painted > 1000, `the chart painted ${painted} pixels`)
      assert.match((await text(page.getByTestId('collection-rate'))).trim(), /^\d+\.\d{2}%$/)
      await shot(page, 'billing-collection')
    })

    await t.test('a bill opens with its lines, entries and late fee', async () => {
      await page.goto('/bills?state=overdue')
      await page.getByTestId('bills-page').waitFor({ state: 'visible' })
      await settled(page)
      const first = page.getByTestId('bills-table').getByTestId('bill-open').first()
      await first.waitFor({ state: 'visible' })
      await first.click()
      const drawer = page.getByTestId('bill-drawer')
      await drawer.waitFor({ state: 'visible' })
      await waitForText(drawer, [ZH.lines, ZH.lateFee], 'bill drawer')
      const formula = drawer.getByTestId('bill-line-formula').first()
      await formula.waitFor({ state: 'visible' })
      assert.match((await text(formula)).trim(), /×.*=/)
      assert.match((await text(drawer.getByTestId('bill-amount'))).trim(), /^\d{1,3}(,\d{3})*\.\d{2} 元$/)
      await settled(page)
      // An overdue bill explains its late fee span by span, unless its item charges none.
      const spans = drawer.getByTestId('late-fee-span')
      if ((await spans.count()) > 0) assert.match((await text(spans.first())).trim(), /天 × [\d,]+\.\d{2} 元 × .+ = [\d,]+\.\d{2} 元$/)
      await shot(page, 'billing-bill')
    })

    assert.deepEqual(pageErrors, [])
  } finally {
    await browser.close()
  }
})
