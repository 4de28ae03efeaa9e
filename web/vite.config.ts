import { fileURLToPath, URL } from 'node:url'
import { isAbsolute } from 'node:path'
import { defineConfig } from 'vite'
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
  ],
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
