// The console with a contact centre's worth of work: 10,000 open conversations (written in
// through the API channel, as real traffic arrives), then the time from a click to the new
// conversation on screen. Printed, not asserted as a timing; what is asserted is that the
// inbox still counts and lists them all. Runs last: it leaves the demo much fuller.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { context, hook, launch, measureSwitching, signIn, switchingStats } from '../lib.mjs'

const N = 10_000

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

test(`switching conversations with ${N.toLocaleString('en')} open`, { timeout: 600_000 }, async () => {
  const t0 = Date.now()
  let next = 0
  const worker = async () => {
    for (let i = next++; i < N; i = next++) {
      const phone = '+97252' + String(1_000_000 + i).padStart(7, '0')
      await hook(`load-${i}`, phone, `Load Customer ${i}`, `Question ${i}: when is my policy renewed?`)
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  console.log(`${N} conversations written through the API channel in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'michal@demo.example')
  const allOpen = page.getByRole('link', { name: /All open/ })
  await allOpen.click()
  await page.locator('#inbox-list a').nth(20).waitFor()
  await page.waitForLoadState('networkidle')
  const count = Number((await allOpen.locator('span').last().innerText()).replace(/[^0-9]/g, ''))
  assert.ok(count >= N, `All open counts ${count}, want at least ${N}`)

  const rounds = await measureSwitching(page)
  console.log(`switching among ${count} open conversations, first visit (${rounds[0].length}): ${switchingStats(rounds[0])}`)
  console.log(`switching among ${count} open conversations, coming back (${rounds[1].length}): ${switchingStats(rounds[1])}`)
  assert.ok(rounds[0].length >= 20, 'the inbox lists a page of them')
  await ctx.close()
})
