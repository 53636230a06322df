// Guided flows as a customer meets them: the first page says where a service can be done and
// its limits; each step is a server-side form that works with JavaScript off; a transfer over
// the limit stops at the amount and names the branch; a finished flow shows its tracker link.
// Every page passes axe-core in he, ar, en and ru.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, axe, context, formatViolations, launch } from '../lib.mjs'

const phone = { width: 375, height: 740 }
const start = { he: 'להתחלה', ar: 'ابدأ', en: 'Start', ru: 'Начать' }
const next = { he: 'הבא', ar: 'التالي', en: 'Next', ru: 'Далее' }

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

async function clean(page, what) {
  const violations = await axe(page)
  assert.deepEqual(violations, [], what + ':\n' + formatViolations(violations))
}

for (const [lang, dir] of [['he', 'rtl'], ['ar', 'rtl'], ['en', 'ltr'], ['ru', 'ltr']]) {
  test(`the transfer flow in ${lang}: first page, steps and the stop at the limit pass axe`, { timeout: 90_000 }, async () => {
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    assert.equal((await page.goto(`/f/funds-transfer?lang=${lang}`)).status(), 200)
    assert.equal(await page.getAttribute('html', 'dir'), dir)
    assert.ok((await page.locator('main li').count()) >= 4, 'the ways and the limit are listed before the start')
    await clean(page, 'first page')
    await page.getByRole('button', { name: start[lang] }).click()
    await page.locator('#a').fill('050-000-0' + { he: '201', ar: '202', en: '203', ru: '204' }[lang])
    await page.getByRole('button', { name: next[lang] }).click()
    await page.locator('input[type=radio]').first().check()
    await clean(page, 'a choice')
    await page.getByRole('button', { name: next[lang] }).click()
    await page.locator('#a').fill('abc')
    await page.getByRole('button', { name: next[lang] }).click()
    assert.equal(await page.locator('[role=alert]').count(), 1, 'a refused answer is announced')
    await clean(page, 'a refused answer')
    await page.locator('#a').fill('75000')
    await page.getByRole('button', { name: next[lang] }).click()
    assert.match(await page.locator('main [role=status]').innerText(), /50[,\s]?000/)
    await clean(page, 'the stop at the limit')
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}

test('with JavaScript off a flow runs to the end and shows the tracker link', { timeout: 90_000 }, async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'en' })
  const page = await ctx.newPage()
  await page.goto('/f/address-change?lang=en')
  await page.getByRole('button', { name: 'Start' }).click()
  await page.getByLabel(/mobile number or email/).fill('rachel.green@example.com')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('Street and number').fill('Emek Refaim 10')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByRole('button', { name: 'Back' }).click()
  assert.equal(await page.getByLabel('Street and number').inputValue(), 'Emek Refaim 10', 'back keeps the answer')
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('City').fill('Jerusalem')
  await page.getByRole('button', { name: 'Next' }).click()
  assert.match(await page.locator('main dl').innerText(), /Emek Refaim 10[\s\S]*Jerusalem/)
  await page.getByRole('button', { name: 'Update my address' }).click()
  assert.equal(await page.locator('h1').innerText(), 'Your request was sent')
  await page.getByRole('link', { name: 'Follow your request' }).click()
  assert.match(page.url(), /\/s\/[0-9a-z]{26}\./)
  assert.equal((await page.locator('[aria-current="step"] strong').innerText()).trim(), 'Received')
  await ctx.close()
})
