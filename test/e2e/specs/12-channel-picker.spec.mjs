// The composer offers only the channels that fit the customer: for Rivka Cohen, 84, on a
// kosher phone, WhatsApp, Telegram and web chat are listed but cannot be picked, each with the
// reason; SMS can, and a reply sent on it goes out on SMS. Keyboard only, and axe stays clean.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { axe, context, formatViolations, launch, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

test('a kosher-phone customer is never offered WhatsApp in the composer', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'michal@demo.example')
  const id = await page.evaluate(async () => {
    const found = await (await fetch('/api/v1/customers?identity=' + encodeURIComponent('phone:+972500000101'))).json()
    const cust = (found.items ?? [found])[0]
    return (await (await fetch('/api/v1/conversations?customer=' + cust.id)).json()).items[0].id
  })
  await page.goto('/app/c/' + id + '?view=open')
  const picker = page.getByLabel('Send on')
  await picker.waitFor()
  await page.waitForFunction(() => document.querySelectorAll('#composer-channel option').length > 2)
  const options = await picker.locator('option').evaluateAll((os) => os.map((o) => ({ text: o.textContent.trim(), disabled: o.disabled, value: o.value })))
  const wa = options.find((o) => /WhatsApp/.test(o.text))
  assert.ok(wa && wa.disabled, 'WhatsApp is listed and cannot be picked: ' + JSON.stringify(options))
  assert.match(wa.text, / — (not on a kosher phone|the customer said no)$/, 'with the reason')
  const sms = options.find((o) => /\(SMS\)/.test(o.text))
  assert.ok(sms && !sms.disabled, 'SMS can be picked: ' + JSON.stringify(options))
  assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))

  // By keyboard: focus the picker, choose SMS, write, send.
  await picker.focus()
  await picker.selectOption(sms.value)
  const text = 'Your appointment is on Sunday at 10:00. — e2e ' + Date.now()
  await page.locator('#composer-text').fill(text)
  await page.locator('#composer-text').press('Control+Enter')
  await page.locator('[data-testid=message-out]', { hasText: text }).waitFor()
  const sent = await page.evaluate(async ([id, text]) => {
    const c = await (await fetch('/api/v1/conversations/' + id)).json()
    return c.messages.find((m) => m.text === text)
  }, [id, text])
  assert.equal(sent.channel_id, sms.value, 'the reply went on the SMS channel picked')
  await ctx.close()
})
