import { fileURLToPath, URL } from 'node:url'
import { isAbsolute, join, resolve } from 'node:path'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VantResolver } from '@vant/auto-import-resolver'

// The Rust build (linli-web-assets' build.rs) points LINLI_WEB_OUT_DIR at an absolute
// directory it embeds; everybody else gets ./dist.
function outDir(): string {
  const dir = process.env.LINLI_WEB_OUT_DIR
  if (!dir) return 'dist'
  if (!isAbsolute(dir)) {
    throw new Error(`LINLI_WEB_OUT_DIR must be an absolute path, got "${dir}"`)
  }
  return dir
}

// Writes `X.gz` and `X.br` beside each compressible output file, so the server answers the
// encoding the browser asks for without compressing on every request (linli-web-assets embeds
// them as variants of X). Skipped when the encoded file would not be clearly smaller.
function precompress(): Plugin {
  const compressible = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/
  let dir = 'dist'
  return {
    name: 'linli-precompress',
    apply: 'build',
    configResolved(config) {
      dir = resolve(config.root, config.build.outDir)
    },
    closeBundle() {
      const walk = (d: string): string[] =>
        readdirSync(d).flatMap((name) => {
          const p = join(d, name)
          return statSync(p).isDirectory() ? walk(p) : [p]
        })
      for (const file of walk(dir).filter((f) => compressible.test(f))) {
        const raw = readFileSync(file)
        if (raw.length < 1024) continue
        const gz = gzipSync(raw, { level: 9 })
        const br = brotliCompressSync(raw, {
          params: {
            [zlib.BROTLI_PARAM_QUALITY]: 11,
            [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
            [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
          },
        })
        if (gz.length < raw.length * 0.9) writeFileSync(`${file}.gz`, gz)
        if (br.length < raw.length * 0.9) writeFileSync(`${file}.br`, br)
      }
    },
  }
}

// Vant's icon font names a copy on at.alicdn.com after its embedded one. The CSP allows fonts
// from this server and data: URLs only, and an office intranet may not reach the internet: the
// web app never loads a font from elsewhere, so remote sources are dropped from every @font-face.
function noRemoteFonts() {
  const remote = /url\(\s*["']?(https?:)?\/\//
  return {
    postcssPlugin: 'linli-no-remote-fonts',
    AtRule: {
      'font-face': (rule: { walkDecls: (prop: string, f: (d: { value: string }) => void) => void }) => {
        rule.walkDecls('src', (decl) => {
          // Sources are separated by commas outside parentheses (data: URLs hold commas).
          const sources = decl.value.split(/,(?![^(]*\))/).map((s) => s.trim())
          decl.value = sources.filter((s) => !remote.test(s)).join(', ')
        })
      },
    },
  }
}

// The backend the dev server proxies /api and /healthz to (`linli demo` listens on 8080 by default).
const backend = process.env.LINLI_DEV_BACKEND ?? 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Element Plus and Vant components are imported on demand, with their styles, so each
    // route chunk carries only what it renders.
    Components({
      // The declaration file is committed and refreshed by developers' dev servers and builds.
      // Builds for the binary (and CI) must not touch src/: cargo watches it for changes.
      dts: process.env.LINLI_WEB_OUT_DIR || process.env.CI ? false : 'src/components.d.ts',
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' }), VantResolver({ importStyle: true })],
    }),
    precompress(),
  ],
  css: {
    postcss: { plugins: [noRemoteFonts()] },
  },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false',
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: outDir(),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
    // dist/.vite/manifest.json, for `npm run weight` (scripts/first-load.mjs). Not in the binary's
    // build: linli-web-assets embeds (and would serve) every file of its output directory.
    manifest: !process.env.LINLI_WEB_OUT_DIR,
    rolldownOptions: {
      output: {
        // Framework code changes rarely: keep it in its own long-cached chunk.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|pinia|vue-i18n|@intlify)[\\/]/ },
          ],
        },
      },
    },
  },
})
