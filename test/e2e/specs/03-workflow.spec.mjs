// The agent's day: read a customer's story, answer, hand over, resolve — while a colleague's
// screen follows every step live, and new messages float to the top of the inbox.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { context, fakeCRM, hook, launch, signIn } from '../lib.mjs'

let browser, crm
before(async () => {
  browser = await launch()
  crm = await fakeCRM()
})
after(async () => {
  await browser?.close()
  await crm?.close()
})

/** until polls fn until it returns a truthy value (the pages update on their own). */
async function until(what, fn, ms = 15_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting for ' + what)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const selected = (page, label) => page.getByLabel(label).evaluate((s) => s.options[s.selectedIndex].text)

test('dana reads the timeline, replies, transfers and resolves; michal sees it all live', { timeout: 120_000 }, async () => {
  const dana = await (await context(browser, 'en')).newPage()
  await signIn(dana, 'dana@demo.example')
  await dana.locator('#inbox-list a', { hasText: 'Haim Peretz' }).click()
  await dana.locator('[data-testid=conversation-status]').waitFor()

  // The customer's story is beside the conversation: what they wrote, on which channel.
  const events = dana.getByRole('list', { name: 'Timeline' }).locator(':scope > li')
  await events.first().waitFor()
  const kinds = await events.evaluateAll((els) => els.map((e) => e.dataset.kind))
  for (const k of ['customer.created', 'conversation.opened', 'message.received', 'message.queued']) {
    assert.ok(kinds.includes(k), `timeline has no ${k}: ${kinds}`)
  }
  assert.match(await events.filter({ hasText: 'Wrote' }).first().innerText(), /API/)
  const panel = dana.getByRole('complementary', { name: 'Customer' })
  assert.match(await panel.innerText(), /\+972500000113/)
  assert.match(await panel.innerText(), /Guided/)

  const michal = await (await context(browser, 'en')).newPage()
  await signIn(michal, 'michal@demo.example')
  await michal.goto(dana.url())
  await michal.locator('[data-testid=conversation-status]').waitFor()

  // Reply with a canned response: "/" and a few letters offer the team's answers; Enter puts
  // one in, filled in for this customer and this agent; Ctrl+Enter sends it. It shows at once
  // as queued, then as sent once the far side (the insurer's CRM behind the API channel)
  // accepted it.
  const box = dana.locator('#composer-text')
  await box.click()
  await box.pressSequentially('/claim')
  const options = dana.getByRole('listbox', { name: 'Canned responses' }).getByRole('option')
  await options.first().waitFor()
  await box.press('Enter')
  await until('the canned response in the box', async () => /Dana/.test(await box.inputValue()))
  const text = await box.inputValue()
  assert.match(text, /Haim/, 'filled in with the customer\'s first name: ' + text)
  assert.doesNotMatch(text, /\{\{/, 'no variable left unfilled: ' + text)
  await box.press('Control+Enter')
  const mine = dana.locator('[data-testid=message-out]', { hasText: text.slice(0, 40) })
  await mine.waitFor()
  assert.equal(await box.inputValue(), '', 'the composer is cleared after sending')
  const outcome = mine.locator('[data-status]:not([data-status=queued])')
  await outcome.waitFor({ timeout: 30_000 })
  const status = await outcome.getAttribute('data-status')
  assert.equal(status, 'sent', 'status ' + status)
  const got = await until('the reply at the far side', async () => crm.received.find((m) => m.text === text))
  assert.equal(got.signed, true, 'the far side checked the signature')
  assert.equal(got.key, got.id, 'the idempotency key is the message id')

  // Michal's screen shows the reply and its outcome without reloading.
  const theirs = michal.locator('[data-testid=message-out]', { hasText: text })
  await theirs.locator(`[data-status=${status}]`).waitFor({ timeout: 15_000 })

  // Transfer to Omar: Michal's screen follows; the conversation leaves Dana's "Mine".
  await dana.getByLabel('Assigned to').selectOption({ label: 'Omar Haddad' })
  await until("michal's screen to show Omar", async () => (await selected(michal, 'Assigned to')) === 'Omar Haddad')
  await until("Haim to leave Dana's Mine", async () => (await dana.locator('#inbox-list a', { hasText: 'Haim Peretz' }).count()) === 0)

  // Resolve: both screens say so.
  await dana.getByRole('button', { name: 'Resolve', exact: true }).click()
  await until('dana: resolved', async () => (await dana.locator('[data-testid=conversation-status]').innerText()) === 'Resolved')
  await until('michal: resolved', async () => (await michal.locator('[data-testid=conversation-status]').innerText()) === 'Resolved')
  await michal.getByRole('button', { name: 'Reopen' }).waitFor()

  // And the timeline has grown by the reply, the transfer and the resolution.
  await until('timeline to show the transfer', async () => {
    const k = await events.evaluateAll((els) => els.map((e) => e.dataset.kind))
    return k.includes('conversation.status-changed') && k.filter((x) => x === 'conversation.assigned').length >= 2
  })
  assert.deepEqual([...dana.context().problems, ...michal.context().problems], [], 'CSP refusals or script errors')
  await dana.context().close()
  await michal.context().close()
})

test('a new message floats its conversation to the top of a colleague\'s inbox, marked unread', { timeout: 60_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  await signIn(page, 'michal@demo.example')
  await page.getByRole('link', { name: /All open/ }).click()
  const rows = page.locator('#inbox-list a')
  await rows.first().waitFor()
  const countBefore = Number(await page.getByRole('link', { name: /All open/ }).locator('span').last().innerText())

  // A customer nobody has seen before writes in.
  await hook('e2e-new-' + Date.now(), '050-123-4567', 'Try Me', 'שלום, יש לי שאלה על הפוליסה')
  await until('the new conversation at the top', async () => /Try Me/.test(await rows.first().innerText()))
  await rows.first().getByRole('img', { name: 'Unread' }).waitFor()
  await until('the All open count to grow', async () => Number(await page.getByRole('link', { name: /All open/ }).locator('span').last().innerText()) === countBefore + 1)

  // Someone further down the list writes again: they move to the top.
  const last = rows.last()
  const name = (await last.locator('span.truncate').first().innerText()).trim()
  const id = await last.getAttribute('data-row')
  const phone = await page.evaluate(async (convID) => {
    const c = await (await fetch('/api/v1/conversations/' + convID)).json()
    const cu = await (await fetch('/api/v1/customers/' + c.customer_id)).json()
    return cu.identities.find((i) => i.kind === 'phone').value
  }, id)
  await hook('e2e-again-' + Date.now(), phone, name, 'One more question, please.')
  await until(`${name} at the top`, async () => (await rows.first().getAttribute('data-row')) === id)
  assert.match(await rows.first().innerText(), /One more question/)
  await page.context().close()
})
