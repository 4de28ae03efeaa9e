// Browser test of the houses page against a running server (`linli demo`):
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// As admin: a building and a unit through the tree, a house through the dialog (a zero area is
// refused with a translated message first), then two more houses imported from a CSV (check, then import).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BASE_URL, field, helpers, launch, requireServer, signInAsAdmin } from './helpers.mjs'

const STEP_TIMEOUT = 15_000
const { text, waitForText, settled, shot } = helpers({ stepTimeout: STEP_TIMEOUT })

// What the pages say (src/locales); kept literal here so a wrong translation fails the test.
const ZH = {
  mustBePositive: '必须大于 0',
  taken: '已被占用',
  houses: '房屋',
  allHouses: '全部房屋',
}
const EN = { houses: 'Houses', allHouses: 'All houses' }

// The template's headers (GET /api/v1/imports/houses/template) and values as a manager types them.
const CSV_HEADER = '楼栋,单元,房号,楼层,户型,建筑面积,套内面积,朝向,用途,状态'

/** A number of the import report (rows, created, failed …). */
async function count(page, key) {
  return Number((await text(page.getByTestId(`import-count-${key}`))).trim())
}

test('houses: tree, house dialog and CSV import', { timeout: 240_000 }, async (t) => {
  requireServer()

  // A building name of its own, so that the test can run again against the same data.
  const stamp = String(Date.now()).slice(-6)
  const building = `E${stamp}栋`
  const unit = '1单元'
  const tmp = await mkdtemp(join(tmpdir(), 'linli-e2e-'))
  const csvPath = join(tmp, 'houses.csv')
  await writeFile(
    csvPath,
    [
      CSV_HEADER,
      `${building},${unit},101,1,2室1厅,88.50,70.20,南,住宅,空置`,
      `${building},${unit},102,1,3室2厅,120.00,98.60,南北,住宅,空置`,
    ].join('\r\n') + '\r\n',
    'utf8',
  )

  const browser = await launch()
  try {
    const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    context.setDefaultTimeout(STEP_TIMEOUT)
    const page = await context.newPage()
    const pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(String(error)))
    const tree = page.getByTestId('structure-tree')
    const table = page.getByTestId('houses-table')

    await t.test('admin signs in and opens the houses page', async () => {
      await signInAsAdmin(page)
      await page.goto('/houses')
      await page.getByTestId('houses-page').waitFor({ state: 'visible' })
      await waitForText(tree, [ZH.allHouses], 'tree root')
      await settled(page)
    })

    await t.test('a building and a unit are created through the tree', async () => {
      await page.getByTestId('tree-add-building').click()
      const dialog = page.getByTestId('building-dialog')
      await dialog.waitFor({ state: 'visible' })
      await field(page, 'building-name').fill(building)
      await page.getByTestId('building-save').click()
      await dialog.waitFor({ state: 'hidden' })
      const buildingNode = tree.locator('.tree-node', { hasText: building })
      await buildingNode.waitFor({ state: 'visible' })

      await buildingNode.locator('[data-testid^="tree-menu-"]').click()
      await page.locator('[data-testid="tree-add-unit"]:visible').click()
      const unitDialog = page.getByTestId('unit-dialog')
      await unitDialog.waitFor({ state: 'visible' })
      await field(page, 'unit-name').fill(unit)
      await page.getByTestId('unit-save').click()
      await unitDialog.waitFor({ state: 'hidden' })
      // The new unit is selected: the list shows its (no) houses.
      await waitForText(page.getByTestId('houses-scope'), [building, unit], 'list scope')
      await settled(page)
      await shot(page, 'houses-tree')
    })

    await t.test('a zero area is refused in Chinese, then the house is created', async () => {
      await page.getByTestId('house-create').click()
      const dialog = page.getByTestId('house-dialog')
      await dialog.waitFor({ state: 'visible' })
      await field(page, 'house-number').fill('301')
      await field(page, 'house-floor').fill('3')
      await field(page, 'house-gross-area').fill('0')
      await page.getByTestId('house-save').click()
      await waitForText(page.getByTestId('house-gross-area-item').locator('.el-form-item__error'), [ZH.mustBePositive], 'area error')
      await shot(page, 'house-dialog-error')

      await field(page, 'house-gross-area').fill('89.47')
      await field(page, 'house-inner-area').fill('72.10')
      await page.getByTestId('house-save').click()
      await dialog.waitFor({ state: 'hidden' })
      await waitForText(table, [`${building}${unit}301`, '89.47 m²'], 'new house in the list')
    })

    await t.test('the same number again is refused by the server next to the field', async () => {
      await page.getByTestId('house-create').click()
      const dialog = page.getByTestId('house-dialog')
      await dialog.waitFor({ state: 'visible' })
      await field(page, 'house-number').fill('301')
      await field(page, 'house-floor').fill('3')
      await field(page, 'house-gross-area').fill('89.47')
      await page.getByTestId('house-save').click()
      await waitForText(page.getByTestId('house-number-item').locator('.el-form-item__error'), [ZH.taken], 'taken number')
      await dialog.getByRole('button', { name: '取消', exact: true }).click()
      await dialog.waitFor({ state: 'hidden' })
    })

    await t.test('a CSV is checked, then imported, and the list shows the new houses', async () => {
      await page.getByTestId('houses-import').click()
      const dialog = page.getByTestId('import-dialog')
      await dialog.waitFor({ state: 'visible' })
      await page.getByTestId('import-file').locator('input[type=file]').setInputFiles(csvPath)
      await page.getByTestId('import-dry-run').click()
      const report = page.getByTestId('import-report')
      await waitForText(report, ['预检结果'], 'dry-run report')
      assert.equal(await count(page, 'total'), 2)
      assert.equal(await count(page, 'created'), 2)
      assert.equal(await count(page, 'failed'), 0)
      await shot(page, 'import-dry-run')

      await page.getByTestId('import-run').click()
      await waitForText(report, ['导入结果'], 'import report')
      assert.equal(await count(page, 'created'), 2)
      await shot(page, 'import-done')
      await dialog.getByRole('button', { name: '关闭', exact: true }).click()
      await dialog.waitFor({ state: 'hidden' })

      await waitForText(table, [`${building}${unit}101`, `${building}${unit}102`, `${building}${unit}301`], 'imported houses')
      await waitForText(tree.locator('.tree-node', { hasText: unit }).last(), ['3'], 'unit count')
      await settled(page)
      await shot(page, 'houses-after-import')
    })

    await t.test('the page reads well in English too', async () => {
      await page.evaluate(() => localStorage.setItem('linli.locale', 'en'))
      await page.reload()
      await page.getByTestId('houses-page').waitFor({ state: 'visible' })
      await waitForText(tree, [EN.allHouses], 'tree (en)')
      await waitForText(page.getByTestId('nav'), [EN.houses], 'nav (en)')
      await settled(page)
      await shot(page, 'houses-en')
      await page.evaluate(() => localStorage.setItem('linli.locale', 'zh-CN'))
    })

    assert.deepEqual(pageErrors, [], 'the pages threw uncaught errors')
  } finally {
    await browser.close()
    await rm(tmp, { recursive: true, force: true })
  }
})
