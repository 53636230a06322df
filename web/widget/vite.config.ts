/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const outDir = fileURLToPath(new URL('../../internal/web/dist/widget', import.meta.url))

// The widget loads on every page of a customer's site, often on a phone: its budget is 25 KB
// gzipped, checked on every build (and printed, so the figure is in the build log).
const budget = 25 * 1024

function sizeBudget(): Plugin {
  return {
    name: 'gesher-widget-size',
    apply: 'build',
    closeBundle() {
      const js = readFileSync(outDir + '/widget.js')
      const gz = gzipSync(js, { level: 9 }).length
      console.log(`widget.js: ${(js.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${budget / 1024} KB)`)
      if (gz > budget) throw new Error(`widget.js is ${gz} bytes gzipped, over the ${budget}-byte budget`)
    },
  }
}

// Library mode: one self-contained IIFE, served by the Go binary at /widget.js and embedded
// with one script tag on the customer's site. No framework, no chunks, no CSS file: the
// styles live in the widget's shadow root.
export default defineConfig({
  plugins: [sizeBudget()],
  build: {
    lib: { entry: 'src/main.ts', name: 'GesherWidget', formats: ['iife'], fileName: () => 'widget.js' },
    outDir,
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    reportCompressedSize: true,
  },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
})
