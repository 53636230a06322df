// What a first visit costs and how quickly conversations switch. The numbers are printed, not
// asserted as timings (this machine's speed is not the product's); only the transfer budget,
// which does not depend on the machine, is a test.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, context, launch, measureSwitching, PASSWORD, switchingStats } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

const KB = 1024

test('a first load of the console transfers less than 300 KB gzipped', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en')
  const login = await ctx.request.post(BASE + '/api/v1/auth/login', { data: { email: 'dana@demo.example', password: PASSWORD }, headers: { Origin: BASE } })
  assert.equal(login.status(), 200)
  const page = await ctx.newPage()
  const done = []
  page.on('requestfinished', (req) => done.push(req))
  await page.goto('/app/?view=open', { waitUntil: 'networkidle' })
  await page.locator('#inbox-list a').first().waitFor()
  let app = 0
  let api = 0
  const files = []
  for (const req of done) {
    const s = await req.sizes()
    const bytes = s.responseBodySize + s.responseHeadersSize
    const path = new URL(req.url()).pathname
    if (path.startsWith('/app/')) {
      app += bytes
      const r = await req.response()
      files.push(`${path} ${(bytes / KB).toFixed(1)} KB ${r?.headers()['content-encoding'] ?? 'identity'}`)
    } else api += bytes
  }
  console.log(`first load: console ${(app / KB).toFixed(1)} KB over ${files.length} files (gzipped, with headers), API ${(api / KB).toFixed(1)} KB, total ${((app + api) / KB).toFixed(1)} KB`)
  for (const f of files) console.log('  ' + f)
  assert.ok(files.some((f) => f.includes('.js') && f.endsWith('gzip')), 'scripts are served gzipped')
  assert.ok(app + api < 300 * KB, `first load ${((app + api) / KB).toFixed(1)} KB, budget 300 KB`)
  await ctx.close()
})

test('switching conversations: time from click to the new conversation on screen', { timeout: 120_000 }, async () => {
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await page.goto('/app/')
  await page.locator('#signin-email').fill('michal@demo.example')
  await page.locator('#signin-password').fill(PASSWORD)
  await page.locator('#signin-password').press('Enter')
  await page.getByRole('link', { name: /All open/ }).click()
  await page.locator('#inbox-list a').nth(5).waitFor()
  await page.waitForLoadState('networkidle')
  const rounds = await measureSwitching(page)
  console.log(`switching conversations, first visit (${rounds[0].length}): ${switchingStats(rounds[0])}`)
  console.log(`switching conversations, coming back (${rounds[1].length}): ${switchingStats(rounds[1])}`)
  assert.ok(rounds[0].length > 5)
  await ctx.close()
})
