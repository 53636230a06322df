// Customers' words are shown, never run: a corpus of script-injection payloads sent in as
// message text and as the sender's name is opened in the console in a real browser, and not
// one of them executes — no call to the trap, no dialog, no script error — while each is
// still readable as the text the customer typed.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { context, hook, launch, signIn } from '../lib.mjs'

const payloads = readFileSync(new URL('../data/xss-payloads.txt', import.meta.url), 'utf8').split('\n').filter(Boolean)

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

test(`${payloads.length} injection payloads in messages and names never execute in the console`, { timeout: 120_000 }, async () => {
  const run = Date.now()
  // One customer writes every payload; a second one is named with one.
  for (const [i, p] of payloads.entries()) await hook(`xss-${run}-${i}`, '+972507770001', 'XSS Tester', p)
  await hook(`xss-${run}-name`, '+972507770002', payloads[1], 'my name is an attack')

  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  const fired = []
  await page.exposeFunction('__pwned', (id) => fired.push(id))
  page.on('dialog', (d) => {
    fired.push('dialog: ' + d.message())
    d.dismiss()
  })
  await signIn(page, 'michal@demo.example')
  await page.getByRole('link', { name: /All open/ }).click()

  await page.locator('#inbox-list a', { hasText: 'XSS Tester' }).first().click()
  const thread = page.locator('[data-testid=message-in]')
  await thread.filter({ hasText: payloads.at(-1).slice(1, 20) }).first().waitFor()
  const shown = await thread.allInnerTexts()
  for (const p of payloads) {
    assert.ok(shown.some((t) => t.includes(p.trim().slice(0, 30))), 'the payload is shown as text: ' + p)
  }
  // Whatever the page holds, no element from a payload became markup.
  const injected = await page.evaluate(() =>
    document.querySelectorAll('main iframe, main object, main embed, main svg script, main [onerror], main [onload], main a[href^="javascript"]').length,
  )
  assert.equal(injected, 0, 'elements injected into the page')

  // The customer whose name is a payload: the inbox row, the header, the panel.
  await page.locator('#inbox-list a', { hasText: 'my name is an attack' }).first().click()
  await page.locator('[data-testid=message-in]', { hasText: 'my name is an attack' }).waitFor()
  await page.waitForTimeout(500)
  assert.deepEqual(fired, [], 'payloads that ran')
  assert.deepEqual(ctx.problems.filter((p) => !/Refused to/.test(p)), [], 'script errors')
  await ctx.close()
})
