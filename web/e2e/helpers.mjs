// What every browser test needs: the server and the admin password from the environment, the
// browser, waits, screenshots, API calls and the sign-in. Each test file imports what it uses;
// what it asserts stays in the file.
//   LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e
// Drives Debian's chromium through playwright-core (CHROMIUM_PATH overrides the binary).
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const BASE_URL = process.env.LINLI_E2E_URL?.replace(/\/+$/, '')
export const ADMIN_PASSWORD = process.env.LINLI_E2E_ADMIN_PASSWORD
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url))

/** Fails the test at once, saying how to run it, when the server or the admin password is not given. */
export function requireServer() {
  assert.ok(
    BASE_URL,
    'LINLI_E2E_URL is not set: start the server (e.g. `linli demo`) and run ' +
      '`LINLI_E2E_URL=http://127.0.0.1:18080 LINLI_E2E_ADMIN_PASSWORD=… npm run e2e`',
  )
  assert.ok(ADMIN_PASSWORD, 'LINLI_E2E_ADMIN_PASSWORD is not set: give the password of the `admin` user')
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * The waits and screenshots of a test file, with its step timeout. `animations`: screenshots wait
 * for running animations (drawers sliding in, tags fading in) first.
 */
export function helpers({ stepTimeout, animations = false }) {
  const text = async (locator) => (await locator.textContent({ timeout: stepTimeout })) ?? ''

  /** Waits until the locator's text holds every expected string. */
  async function waitForText(locator, expected, what, timeout = stepTimeout) {
    const deadline = Date.now() + timeout
    let last = ''
    while (Date.now() < deadline) {
      last = await text(locator).catch(() => '')
      if (expected.every((s) => last.includes(s))) return last
      await sleep(100)
    }
    assert.fail(`${what}: expected ${JSON.stringify(expected)} in ${JSON.stringify(last.slice(0, 400))}`)
  }

  async function waitForAttribute(locator, name, expected, what, timeout = stepTimeout) {
    const deadline = Date.now() + timeout
    let last = null
    while (Date.now() < deadline) {
      last = await locator.getAttribute(name, { timeout: stepTimeout }).catch(() => null)
      if (last === expected) return
      await sleep(100)
    }
    assert.fail(`${what}: expected ${name}=${JSON.stringify(expected)}, got ${JSON.stringify(last)}`)
  }

  /** No loading masks left (lists, trees, drawers). */
  async function settled(page) {
    await page.waitForFunction(() => !document.querySelector('.el-loading-mask:not([style*="display: none"])'), null, {
      timeout: stepTimeout,
    })
  }

  async function shot(page, name) {
    await mkdir(ARTIFACTS, { recursive: true })
    if (animations) await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))))
    await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })
  }

  return { text, waitForText, waitForAttribute, settled, shot }
}

/** The <input> (or <textarea>) of a form field: Element Plus puts the test id on it or on its wrapper. */
export function field(page, testId) {
  return page
    .locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input, textarea[data-testid="${testId}"], [data-testid="${testId}"] textarea`)
    .first()
}

/** A JSON call to the API as an API client (bearer token); fails the test on an unexpected status. */
export async function call(method, path, { token, body, headers = {}, expect = [200, 201, 202] } = {}) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: {
      Accept: 'application/json, application/problem+json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const raw = await response.text()
  assert.ok(expect.includes(response.status), `${method} ${path}: ${response.status} ${raw.slice(0, 300)}`)
  return raw ? JSON.parse(raw) : null
}

/** Signs in through the login page in Chinese, optionally with a current project (the page decides where it lands). */
export async function signIn(page, username, password, project) {
  await page.goto('/login')
  await page.evaluate((id) => {
    localStorage.setItem('linli.locale', 'zh-CN')
    if (id) localStorage.setItem('linli.project', JSON.stringify(id))
  }, project ?? null)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
}

/** Signs admin in and waits for the dashboard. */
export async function signInAsAdmin(page, project) {
  await signIn(page, 'admin', ADMIN_PASSWORD, project)
  await page.getByTestId('dashboard-title').waitFor({ state: 'visible' })
}
