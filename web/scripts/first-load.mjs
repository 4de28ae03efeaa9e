#!/usr/bin/env node
// The web app's weight: the JS and CSS a browser loads to show a first page, from the Vite
// manifest of a build (dist/.vite/manifest.json, or $LINLI_WEB_OUT_DIR). For each target it walks
// index.html's entry and the route's lazily loaded component chunks, following every static
// `imports` (what the browser modulepreloads) and `css`, but not `dynamicImports` (loaded later,
// only when needed; a target lists those its first page does need, like a route's component or
// the messages the router loads), and sums the files' gzip sizes (level 9, as the server's precompressed .gz).
//
//   node scripts/first-load.mjs                      # the named targets (resident, console, login)
//   node scripts/first-load.mjs resident             # some of them
//   node scripts/first-load.mjs src/modules/x/A.vue  # an ad-hoc target: these route modules
//   node scripts/first-load.mjs --list               # also list each target's files
//   node scripts/first-load.mjs --no-fail            # exit 0 even when a target is over its limit
//
// Exits 1 when a target is over its limit (by default, so CI can run `npm run build && npm run
// weight`), 2 when the manifest or a route module is missing.
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const KB = 1024

/** Named targets: the route modules needed to render each first page, and the limit (gzip KB). */
export const TARGETS = {
  // The resident's H5 home (/m): the phone shell and its home tab.
  resident: {
    routes: ['src/modules/mobile/ResidentShell.vue', 'src/modules/mobile/ResidentHome.vue'],
    limit: 150,
  },
  // The console's first page after signing in (/dashboard): the layout, the dashboard and the
  // staff pages' messages (which the router loads before any staff page, src/i18n/index.ts).
  console: {
    routes: [
      'src/modules/console/ConsoleLayout.vue',
      'src/modules/dashboard/DashboardPage.vue',
      'src/locales/zh-CN.staff.ts',
    ],
    limit: 300,
  },
  // The sign-in page, which everybody (residents too) sees first.
  login: { routes: ['src/modules/auth/LoginPage.vue'], limit: 300 },
}

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))

function outDir() {
  const dir = process.env.LINLI_WEB_OUT_DIR
  return dir && isAbsolute(dir) ? dir : join(root, 'dist')
}

/** Every JS and CSS file the browser loads for `keys` (manifest keys), static imports included. */
export function firstLoadFiles(manifest, keys) {
  const files = new Set()
  const seen = new Set()
  const visit = (key) => {
    if (seen.has(key)) return
    seen.add(key)
    const chunk = manifest[key]
    if (!chunk) throw new Error(`not in the manifest: ${key}`)
    files.add(chunk.file)
    for (const css of chunk.css ?? []) files.add(css)
    for (const imported of chunk.imports ?? []) visit(imported)
  }
  keys.forEach(visit)
  return [...files].filter((f) => /\.(m?js|css)$/.test(f))
}

function measure(dir, files) {
  return files.map((file) => {
    const raw = readFileSync(join(dir, file))
    return { file, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length }
  })
}

function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')))
  const names = argv.filter((a) => !a.startsWith('--'))
  const dir = outDir()
  const manifestPath = join(dir, '.vite', 'manifest.json')
  if (!existsSync(manifestPath)) {
    console.error(`no ${manifestPath}: build first (npx vite build)`)
    return 2
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry && k.endsWith('index.html'))
  if (!entry) {
    console.error('the manifest has no index.html entry')
    return 2
  }

  const adHoc = names.filter((n) => !(n in TARGETS))
  const targets = [
    ...(names.length === 0 ? Object.keys(TARGETS) : names.filter((n) => n in TARGETS)).map((n) => ({
      name: n,
      ...TARGETS[n],
    })),
    ...(adHoc.length ? [{ name: 'custom', routes: adHoc, limit: Infinity }] : []),
  ]

  const rows = []
  for (const target of targets) {
    let files
    try {
      files = firstLoadFiles(manifest, [entry, ...target.routes])
    } catch (e) {
      console.error(`${target.name}: ${e.message}`)
      return 2
    }
    const sizes = measure(dir, files)
    const raw = sizes.reduce((n, s) => n + s.raw, 0)
    const gzip = sizes.reduce((n, s) => n + s.gzip, 0)
    rows.push({ ...target, sizes, raw, gzip, ok: gzip <= target.limit * KB })
  }

  const kb = (n) => (n / KB).toFixed(1)
  const table = [
    ['target', 'files', 'raw KB', 'gzip KB', 'limit', 'ok/over'],
    ...rows.map((r) => [
      r.name,
      String(r.sizes.length),
      kb(r.raw),
      kb(r.gzip),
      Number.isFinite(r.limit) ? String(r.limit) : '-',
      r.ok ? 'ok' : 'OVER',
    ]),
  ]
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)))
  for (const row of table) {
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
  }
  if (flags.has('--list')) {
    for (const r of rows) {
      console.log(`\n${r.name}:`)
      for (const s of [...r.sizes].sort((a, b) => b.gzip - a.gzip)) {
        console.log(`  ${kb(s.gzip).padStart(7)} KB gz  ${kb(s.raw).padStart(8)} KB  ${s.file}`)
      }
    }
  }
  return rows.every((r) => r.ok) || flags.has('--no-fail') ? 0 : 1
}

process.exitCode = main(process.argv.slice(2))
