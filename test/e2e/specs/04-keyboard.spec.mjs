// The console by keyboard alone: sign in, move through the inbox with j/k, open with Enter,
// switch views with digits, list the shortcuts with ?, act on a conversation, and reach every
// control with Tab.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { context, launch, PASSWORD } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement
  return { tag: e?.tagName, id: e?.id, row: e?.getAttribute('data-row'), text: (e?.textContent ?? '').trim().slice(0, 60), label: e?.getAttribute('aria-label') ?? '' }
})

test('keyboard only: sign in, j/k through the inbox, Enter, ?, views, reply box and actions', { timeout: 90_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  await page.goto('/app/')
  await page.locator('#signin-email').waitFor()
  // The email field has focus on arrival; type, Tab, type, Enter.
  assert.equal((await focused(page)).id, 'signin-email')
  await page.keyboard.type('michal@demo.example')
  await page.keyboard.press('Tab')
  await page.keyboard.type(PASSWORD)
  await page.keyboard.press('Enter')
  await page.locator('#inbox-list').waitFor()

  await page.keyboard.press('3') // All open
  await page.locator('h1', { hasText: 'All open' }).waitFor()
  const rows = page.locator('#inbox-list a')
  await rows.nth(2).waitFor()
  const ids = await rows.evaluateAll((as) => as.map((a) => a.dataset.row))

  await page.keyboard.press('j')
  assert.equal((await focused(page)).row, ids[0], 'j focuses the first conversation')
  await page.keyboard.press('j')
  await page.keyboard.press('j')
  assert.equal((await focused(page)).row, ids[2])
  await page.keyboard.press('k')
  assert.equal((await focused(page)).row, ids[1], 'k goes back one')
  await page.keyboard.press('Enter')
  await page.locator('[data-testid=conversation-status]').waitFor()
  assert.equal(new URL(page.url()).pathname, '/app/c/' + ids[1])

  // ? lists the shortcuts in a dialog; Escape closes it.
  await page.keyboard.press('?')
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await dialog.waitFor()
  assert.match(await dialog.innerText(), /Next conversation/)
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'hidden' })

  // r puts the cursor in the reply box, n switches to an internal note; Escape leaves the box.
  await page.keyboard.press('r')
  assert.equal((await focused(page)).id, 'composer-text')
  await page.keyboard.press('Escape')
  await page.keyboard.press('n')
  assert.equal((await focused(page)).id, 'composer-text')
  assert.equal(await page.getByRole('button', { name: 'Internal note' }).getAttribute('aria-pressed'), 'true')
  await page.keyboard.type('Called back, waiting for the documents.')
  await page.keyboard.press('Control+Enter')
  await page.locator('[data-testid=note]', { hasText: 'waiting for the documents' }).waitFor()

  // p sets pending, o reopens; Escape goes back to the list with the conversation focused.
  await page.locator('#composer-text').press('Escape')
  await page.keyboard.press('p')
  await page.locator('[data-testid=conversation-status]', { hasText: 'Pending' }).waitFor()
  await page.keyboard.press('o')
  await page.locator('[data-testid=conversation-status]', { hasText: 'Open' }).waitFor()
  await page.keyboard.press('Escape')
  assert.equal((await focused(page)).row, ids[1])
  await page.context().close()
})

test('every control of a conversation is reachable with Tab', { timeout: 60_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  await page.goto('/app/')
  await page.locator('#signin-email').fill('dana@demo.example')
  await page.locator('#signin-password').fill(PASSWORD)
  await page.locator('#signin-password').press('Enter')
  await page.locator('#inbox-list a').first().click()
  await page.locator('[data-testid=conversation-status]').waitFor()
  await page.locator('body').focus()

  const want = ['Skip to the inbox', 'Shortcuts', 'Sign out', 'Mine', 'All open', 'channel-filter', 'Assigned to', 'Resolve', 'Reply', 'Internal note', 'composer-text']
  const seen = new Set()
  for (let i = 0; i < 120 && seen.size < want.length; i++) {
    await page.keyboard.press('Tab')
    const f = await page.evaluate(() => {
      const e = document.activeElement
      const label = e?.closest('label')?.textContent ?? ''
      return [e?.id ?? '', e?.getAttribute('aria-label') ?? '', (e?.textContent ?? '').trim(), label.trim()].join('|')
    })
    for (const w of want) if (f.includes(w)) seen.add(w)
  }
  assert.deepEqual(want.filter((w) => !seen.has(w)), [], 'controls never reached with Tab')
  await page.context().close()
})

test('/ finds a customer by phone and opens their conversation', { timeout: 60_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  await page.goto('/app/')
  await page.locator('#signin-email').fill('dana@demo.example')
  await page.locator('#signin-password').fill(PASSWORD)
  await page.locator('#signin-password').press('Enter')
  await page.locator('#inbox-list').waitFor()
  await page.locator('body').click({ position: { x: 700, y: 500 } })
  await page.keyboard.press('/')
  assert.equal((await focused(page)).id, 'customer-search')
  await page.keyboard.type('0500000102') // Sergei Ivanov, as he would say his number
  await page.keyboard.press('Enter')
  const results = page.getByRole('list', { name: 'Customers found' })
  await results.getByRole('button', { name: /Sergei Ivanov/ }).click()
  await page.locator('main h2', { hasText: 'Sergei Ivanov' }).waitFor()
  assert.match(new URL(page.url()).pathname, /^\/app\/c\//)
  await page.context().close()
})
