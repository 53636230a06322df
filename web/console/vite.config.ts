/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import tailwindcss from '@tailwindcss/vite'
import { fileURLToPath } from 'node:url'

const i18nDir = fileURLToPath(new URL('../../internal/i18n/locales', import.meta.url))

// The console is served by the Go binary under /app/ and embedded from internal/web/dist/console.
export default defineConfig({
  base: '/app/',
  plugins: [vue(), tailwindcss()],
  resolve: { alias: { '@locales': i18nDir } },
  build: {
    outDir: fileURLToPath(new URL('../../internal/web/dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The server's CSP forbids inline scripts: keep the module-preload helper in a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    fs: { allow: ['.', i18nDir] },
    // `npm run dev` against a running `gesher demo`.
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
})
