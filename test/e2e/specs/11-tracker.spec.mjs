// The status tracker a customer opens from the link in their notification: rendered on the
// server, accessible in each of the four languages (axe-core finds nothing), complete and
// navigable with JavaScript turned off, and a tampered link is a plain "not found".
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, apiSession, axe, context, formatViolations, launch } from '../lib.mjs'

const phone = { width: 375, height: 740 }
const current = { he: 'בבדיקה', ar: 'قيد المراجعة', en: 'In review', ru: 'На рассмотрении' }

let browser
let link
before(async () => {
  browser = await launch()
  // An agent opens a car claim for a demo customer through the API and moves it on; the
  // answer carries the link the customer was sent.
  const dana = await apiSession('dana@demo.example')
  const found = await dana('GET', '/api/v1/customers?identity=' + encodeURIComponent('phone:+972500000103'))
  const c = await dana('POST', '/api/v1/cases', {
    customer_id: found.items[0].id,
    service_id: 'car-claim',
    answers: { plate: '11-222-33', injuries: 'no', what_happened: 'A dent in the door' },
  })
  assert.match(c.tracker_url, /\/s\/[0-9a-z]{26}\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/)
  const moved = await dana('POST', `/api/v1/cases/${c.id}/stage`, { stage: 'in-review' })
  assert.equal(moved.changed, true)
  link = new URL(c.tracker_url).pathname
})
after(async () => browser?.close())

for (const [lang, dir] of [['he', 'rtl'], ['ar', 'rtl'], ['en', 'ltr'], ['ru', 'ltr']]) {
  test(`the tracker in ${lang}: ${dir}, the current stage marked, no axe violations`, { timeout: 60_000 }, async () => {
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    const resp = await page.goto(`${link}?lang=${lang}`)
    assert.equal(resp.status(), 200)
    assert.equal(await page.getAttribute('html', 'lang'), lang)
    assert.equal(await page.getAttribute('html', 'dir'), dir)
    assert.equal(await page.locator('[aria-current="step"]').count(), 1)
    assert.equal((await page.locator('[aria-current="step"] strong').innerText()).trim(), current[lang])
    assert.equal(await page.locator('main h1').count(), 1)
    const violations = await axe(page)
    assert.deepEqual(violations, [], formatViolations(violations))
    // Nothing needs a horizontal scroll on a small phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`)
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}

test('with JavaScript off the tracker shows everything and the language switch works', { timeout: 60_000 }, async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'en' })
  const page = await ctx.newPage()
  assert.equal((await page.goto(`${link}?lang=en`)).status(), 200)
  assert.equal((await page.locator('[aria-current="step"] strong').innerText()).trim(), 'In review')
  assert.match(await page.locator('main').innerText(), /The next stage is expected by \d+ \w+ \d{4}\./)
  await page.getByRole('link', { name: 'Русский' }).click()
  await page.waitForURL(/lang=ru/)
  assert.equal(await page.getAttribute('html', 'lang'), 'ru')
  assert.equal((await page.locator('[aria-current="step"] strong').innerText()).trim(), 'На рассмотрении')
  await page.getByRole('link', { name: 'עברית' }).click()
  await page.waitForURL(/lang=he/)
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl')
  await ctx.close()
})

test('a tampered link is the same accessible "not found" as an unknown one', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en', phone)
  const page = await ctx.newPage()
  const last = link.at(-1) === 'A' ? 'B' : 'A'
  const tampered = await page.goto(link.slice(0, -1) + last)
  assert.equal(tampered.status(), 404)
  const body = await page.content()
  const unknown = await page.goto('/s/0123456789abcdefghjkmnpqrs.zzzzzz.AAAAAAAAAAAAAAAAAAAAAA')
  assert.equal(unknown.status(), 404)
  assert.equal(await page.content(), body)
  assert.match(await page.locator('h1').innerText(), /This link does not open a request/)
  const violations = await axe(page)
  assert.deepEqual(violations, [], formatViolations(violations))
  await ctx.close()
})
