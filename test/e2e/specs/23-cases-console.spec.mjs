// Cases in the customer panel: an agent sees a demo customer's case, moves it to the next
// stage after being told where the customer will hear of it, sees that notification in the
// case's stages and at the far side of the customer's channel, and opens a new case whose
// tracker link the console shows; a case a colleague opens and moves appears in the open panel
// by itself. axe-core on each screen, in English and in Hebrew.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, axe, context, fakeCRM, formatViolations, launch, signIn } from '../lib.mjs'

let browser, crm, dana, ahmad, convID, claimRef

async function until(what, fn, ms = 15_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting for ' + what)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function clean(page, what) {
  const v = await axe(page)
  assert.equal(v.length, 0, `${what}: axe found\n${formatViolations(v)}`)
}

before(async () => {
  browser = await launch()
  // Ahmad Nasser (demo) filed a car claim that waits for him; he last wrote on the API channel,
  // whose far side the fake CRM plays.
  crm = await fakeCRM()
  dana = await apiSession('dana@demo.example')
  ahmad = (await dana('GET', '/api/v1/customers?identity=' + encodeURIComponent('phone:+972500000103'))).items[0]
  const list = await dana('GET', '/api/v1/cases?customer=' + ahmad.id)
  // Other specs open claims for Ahmad too (11-tracker moves one to in-review): take the demo's.
  const claim = list.items.find((c) => c.service_id === 'car-claim' && c.stage === 'waiting-for-you')
  assert.ok(claim, 'the demo seeds Ahmad a car claim waiting for him')
  convID = Object.values(claim.sent)[0].conversation_id
  claimRef = claim.ref
})
after(async () => {
  await crm?.close()
  await browser?.close()
})

/** openPanel signs in and opens Ahmad's conversation; the customer panel is beside it. */
async function openPanel(page) {
  await signIn(page, 'dana@demo.example')
  await page.goto('/app/c/' + convID)
  const cases = page.getByTestId('customer-cases')
  await cases.locator('li[data-case]').first().waitFor()
  return cases
}

test('an agent moves a demo case to its next stage; the customer is told on the channel the dialog named', { timeout: 90_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  const cases = await openPanel(page)
  const ref = claimRef
  const row = cases.locator(`li[data-case="${ref}"]`)
  assert.match(await row.innerText(), /Car insurance claim/)
  assert.equal((await row.getByTestId('case-stage').innerText()).trim(), 'Waiting for you')
  await row.getByRole('button', { name: /Show the stages/ }).click()
  const history = row.getByTestId('case-history').locator(':scope > li')
  assert.equal(await history.count(), 3, 'received, in review, waiting for you')
  assert.match(await history.nth(2).innerText(), /Told on demo-api \(API\), with the tracker link/)
  assert.match(await row.getByTestId('case-link').inputValue(), /^http:\/\/127\.0\.0\.1:\d+\/s\//)
  await clean(page, 'the case list, expanded')

  const move = row.getByRole('button', { name: /^Move/ })
  await move.click()
  const dlg = page.getByRole('dialog', { name: 'Move case ' + ref })
  await dlg.waitFor()
  assert.equal(await dlg.getByLabel('Next stage').evaluate((s) => s.options[s.selectedIndex].text), 'Approved', 'the next stage is offered first')
  assert.deepEqual(await dlg.getByLabel('Next stage').evaluate((s) => [...s.options].map((o) => o.value)), ['approved', 'done'])
  assert.equal((await dlg.getByTestId('case-will-tell').innerText()).trim(), 'The customer will be told on demo-api (API), with the tracker link.')
  await clean(page, 'the move dialog')
  const before = crm.received.length
  await dlg.getByRole('button', { name: 'Confirm the move' }).click()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim().startsWith('Move')), true, 'focus returns to the Move button')

  await row.getByTestId('case-stage').filter({ hasText: 'Approved' }).waitFor()
  await cases.getByTestId('cases-status').filter({ hasText: `Case ${ref} moved to Approved.` }).waitFor()
  await until('the fourth stage in the case', async () => (await history.count()) === 4)
  const last = await history.nth(3).innerText()
  assert.match(last, /^Approved ·/)
  assert.match(last, /by Dana Levi/)
  assert.match(last, /Told on demo-api \(API\), with the tracker link/)
  const got = await until('the notification at the far side', async () => crm.received.slice(before).find((m) => m.text.includes(ref)))
  assert.ok(got.signed, 'the CRM checked the signature')
  assert.ok(last.includes(got.text.slice(0, 30)), `the stage shows the words sent: ${got.text}`)
  assert.equal(crm.received.slice(before).filter((m) => m.text.includes(ref)).length, 1, 'one notification for one move')
  await page.context().close()
})

test('an agent opens a case for the customer: channels and limits first, then the tracker link', { timeout: 90_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  const cases = await openPanel(page)
  const count = await cases.locator('li[data-case]').count()
  const opener = cases.getByRole('button', { name: 'Open a case' })
  // By keyboard: Enter on the button opens the dialog with the focus inside it.
  await opener.focus()
  await page.keyboard.press('Enter')
  const dlg = page.getByRole('dialog', { name: /Open a case for Ahmad Nasser/ })
  await dlg.waitFor()
  assert.equal(await dlg.evaluate((d) => d.contains(document.activeElement)), true, 'focus moves into the dialog')
  await dlg.getByLabel('Service').selectOption('funds-transfer')
  const facts = dlg.getByTestId('case-service-facts')
  await facts.getByText(/Can be done/).waitFor()
  assert.match(await facts.innerText(), /at a branch/, 'the limit says which way finishes it')
  await clean(page, 'the open-a-case dialog')
  const before = crm.received.length
  await dlg.getByRole('button', { name: 'Open the case' }).click()
  const done = dlg.getByTestId('case-created')
  await done.waitFor()
  const link = await dlg.getByTestId('case-created-link').inputValue()
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/s\/[0-9a-z]+\./)
  const ref = (await done.getByRole('status').innerText()).match(/Case (\S+) is open/)[1]
  await until('the new case in the list', async () => (await cases.locator('li[data-case]').count()) === count + 1)
  await cases.locator(`li[data-case="${ref}"]`).waitFor()
  await until('the opening notice at the far side', async () => crm.received.slice(before).find((m) => m.text.includes(ref)))
  const r = await fetch(link)
  assert.equal(r.status, 200, 'the tracker link opens')
  await page.keyboard.press('Escape')
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Open a case', 'focus returns to the opener')
  await page.context().close()
})

test('a case a colleague opens and moves shows in the open panel by itself', { timeout: 90_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  const cases = await openPanel(page)
  // The live socket is up (the header says so) before anything changes.
  await page.getByRole('status').filter({ hasText: /^\s*Live\s*$/ }).waitFor()
  // A mark on this document: a reload (even to the same address) would make a new one without it.
  await page.evaluate(() => (window.__sameDocument = true))
  // Michal, another agent, works Ahmad's case through the API while Dana has him open.
  const michal = await apiSession('michal@demo.example')
  const opened = await michal('POST', '/api/v1/cases', { customer_id: ahmad.id, service_id: 'car-claim', answers: {} })
  const row = cases.locator(`li[data-case="${opened.ref}"]`)
  await row.waitFor()
  const moved = await michal('POST', `/api/v1/cases/${opened.id}/stage`, { stage: 'in-review' })
  assert.equal(moved.stage, 'in-review')
  await row.getByTestId('case-stage').filter({ hasText: 'In review' }).waitFor()
  assert.equal(await page.evaluate(() => window.__sameDocument === true), true, 'the page was not reloaded')
  await clean(page, 'the cases after a colleague moved one')
  await page.context().close()
})

test('the cases, the move dialog and the open dialog in Hebrew: right to left, no axe violations', { timeout: 90_000 }, async () => {
  const page = await (await context(browser, 'he')).newPage()
  const cases = await openPanel(page)
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  await cases.getByRole('heading', { name: 'פניות' }).waitFor()
  const row = cases.locator('li[data-case]', { hasText: 'תביעת רכב' }).first()
  await row.getByRole('button', { name: /הצגת השלבים/ }).click()
  await row.getByTestId('case-history').waitFor()
  await clean(page, 'the cases in Hebrew')
  await row.getByRole('button', { name: /העברה לשלב/ }).click()
  const dlg = page.getByRole('dialog', { name: /העברת פנייה/ })
  await dlg.waitFor()
  assert.match(await dlg.getByTestId('case-will-tell').innerText(), /הלקוח יקבל הודעה בערוץ demo-api/)
  await clean(page, 'the move dialog in Hebrew')
  await page.keyboard.press('Escape')
  await dlg.waitFor({ state: 'hidden' })
  await cases.getByRole('button', { name: 'פתיחת פנייה' }).click()
  const open = page.getByRole('dialog', { name: /פתיחת פנייה עבור/ })
  await open.getByLabel('שירות').selectOption('car-claim')
  await open.getByTestId('case-service-facts').waitFor()
  await clean(page, 'the open dialog in Hebrew')
  await page.context().close()
})
