// Browser test of the cashier's day against a running server (`linli demo`):
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// Through the API (as admin): a fresh cashier account with the cashier role on the first project,
// and a house of it with something owed. In the browser, the cashier opens a till session at the
// counter, takes a cash payment, gets the numbered receipt and opens its print page (A5), which
// shows the receipt number, the amount in 元 and in capitals; then hands over with the cash counted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN_PASSWORD, BASE_URL, call, field, helpers, launch, requireServer, signIn } from './helpers.mjs'

const STEP_TIMEOUT = 20_000
const { waitForText, settled, shot } = helpers({ stepTimeout: STEP_TIMEOUT, animations: true })

// What the pages say (src/locales and the receipt template); kept literal so a wrong text fails.
const ZH = { receipt: '收据', cash: '现金', opened: '已开班', closed: '已交班', short: '短款', capitalsEnd: /[元角分]整?/ }

async function pickHouse(page, picker, query, label) {
  await picker.click()
  await picker.locator('input').fill(query)
  const option = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: label }).first()
  await option.waitFor({ state: 'visible' })
  await option.click()
}

async function popupOf(page, click) {
  const [popup] = await Promise.all([page.context().waitForEvent('page', { timeout: STEP_TIMEOUT }), click()])
  await popup.waitForLoadState('domcontentloaded')
  return popup
}

const yuan = (fen) => (fen / 100).toFixed(2)

test('counter: the cashier takes cash, prints the numbered receipt and hands over', { timeout: 240_000 }, async (t) => {
  requireServer()
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  const username = `e2e-cash-${stamp}`
  const password = `Cash-${stamp}-Pw9!`
  let token
  let projectId
  let house

  await t.test('admin creates a cashier and finds a house that owes', async () => {
    const login = await call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })
    token = login.token
    projectId = login.user.projects[0]?.id
    assert.ok(projectId, 'the demo has at least one project')
    const user = await call('POST', '/api/v1/users', { token, body: { username, display_name: `E2E 收费员 ${stamp}`, password } })
    await call('POST', `/api/v1/users/${user.id}/grants`, { token, body: { project_id: projectId, role: 'cashier' } })
    const houses = await call('GET', `/api/v1/houses?project_id=${projectId}&q=101&page=1&page_size=20`, { token })
    house = houses.items[0]
    assert.ok(house, 'no house 101')
    house.label = `${house.building_name}${house.unit_name ?? ''}${house.number}`
  })

  const browser = await launch()
  try {
    const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    context.setDefaultTimeout(STEP_TIMEOUT)
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))
    let receiptNo
    let amountFen

    await t.test('the cashier opens a till session with a float', async () => {
      await signIn(page, username, password, projectId)
      await page.waitForURL((url) => url.pathname !== '/login')
      await page.goto('/counter')
      await page.getByTestId('till-open').click()
      await field(page, 'till-float').fill('200.00')
      await page.getByTestId('till-open-submit').click()
      await waitForText(page.getByTestId('till-bar'), [ZH.opened, '200.00'], 'the open till')
    })

    await t.test('a cash payment gets a numbered receipt whose print page renders', async () => {
      await pickHouse(page, page.getByTestId('house-picker'), '101', house.label)
      await waitForText(page.getByTestId('counter-house'), [house.label], 'the house on the counter')
      await settled(page)
      await page.getByTestId('counter-collect').click()
      const dialog = page.getByTestId('payment-dialog')
      await dialog.waitFor({ state: 'visible' })
      // Whatever is owed, or 88.00 when nothing is.
      const amount = field(page, 'payment-amount')
      if (!(await amount.inputValue())) await amount.fill('88.00')
      await page.getByTestId('payment-submit').click()
      const receiptDialog = page.getByTestId('receipt-dialog')
      await receiptDialog.waitFor({ state: 'visible' })
      receiptNo = ((await page.getByTestId('receipt-no').textContent()) ?? '').trim()
      assert.match(receiptNo, new RegExp(`^SK${projectId}-\\d{8}$`), 'a number of the project\'s receipt book')
      const row = (await call('GET', `/api/v1/payments?project_id=${projectId}&receipt_no=${receiptNo}`, { token })).items[0]
      assert.ok(row, `the payment log lists ${receiptNo}`)
      assert.equal(row.channel, 'cash')
      assert.equal(row.cashier_name, `E2E 收费员 ${stamp}`)
      amountFen = row.amount_fen
      await shot(page, 'counter-receipt-dialog')

      const print = await popupOf(page, () => page.getByTestId('receipt-print').click())
      assert.match(print.url(), new RegExp(`/api/v1/payments/${row.id}/receipt`))
      await waitForText(print.locator('body'), [ZH.receipt, receiptNo, yuan(amountFen), ZH.cash, house.label, `E2E 收费员 ${stamp}`], 'the receipt print page')
      const body = (await print.locator('body').textContent()) ?? ''
      assert.match(body, /大写：|（大写）/, 'the amount in capitals')
      assert.ok(!body.includes('副本'), 'the first printing is the original')
      await shot(print, 'counter-receipt-print')
      await print.close()
      await page.keyboard.press('Escape')
    })

    await t.test('the till shows the cash taken and hands over one yuan short', async () => {
      await waitForText(page.getByTestId('till-takings'), [ZH.cash, yuan(amountFen)], 'the takings so far')
      await page.getByTestId('till-close').click()
      await field(page, 'till-counted').fill(yuan(20_000 + amountFen - 100))
      await page.getByTestId('till-close-submit').click()
      await waitForText(page.getByTestId('till-closed'), [ZH.closed, '-1.00', ZH.short], 'the hand-over with its difference')
      await shot(page, 'counter-handed-over')
    })

    assert.deepEqual(pageErrors, [], 'no uncaught errors on the pages')
  } finally {
    await browser.close()
  }
})
