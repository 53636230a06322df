// The console's conversation tools: labels (and the inbox filtered by one), transfer to a
// queue (seen by a member in "My queues", live), snooze (out of the open views, back when the
// customer writes), and presence — two agents in one conversation see each other viewing and
// typing, and the second to answer is warned. Every new dialog and view passes axe-core in
// English and Hebrew.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, axe, context, formatViolations, hook, launch, signIn } from '../lib.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => browser?.close())

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

async function clean(page, what) {
  await page.waitForLoadState('networkidle')
  const v = await axe(page)
  assert.equal(v.length, 0, `${what}: axe found\n${formatViolations(v)}`)
}

/** customer writes in as a new customer and returns the conversation's id. */
async function customer(n, name, text) {
  const r = await hook('e2e-14-' + n + '-' + Date.now(), '+97250514' + String(n).padStart(4, '0'), name, text)
  return r.results[0].conversation_id
}

const row = (page, name) => page.locator('#inbox-list a', { hasText: name })

async function openConversation(page, id) {
  await page.goto('/app/c/' + id + '?view=open')
  await page.locator(`main[data-conversation="${id}"] [data-testid=conversation-status]`).waitFor()
}

test('a supervisor adds a label; an agent puts it on a conversation and filters the inbox by it', { timeout: 90_000 }, async () => {
  const michal = await (await context(browser, 'en')).newPage()
  await signIn(michal, 'michal@demo.example')
  await michal.goto('/app/admin/labels')
  await michal.locator('#label-name').fill('  Water Damage ')
  await michal.getByRole('button', { name: 'Add' }).click()
  await michal.locator('[data-testid=admin-labels]', { hasText: 'water damage' }).waitFor()
  await clean(michal, 'en admin labels')
  await michal.context().close()

  const id = await customer(1, 'Ruth Azoulay', 'The pipe burst and the kitchen is flooded')
  const dana = await (await context(browser, 'en')).newPage()
  await signIn(dana, 'dana@demo.example')
  await openConversation(dana, id)
  await dana.keyboard.press('l')
  const dialog = dana.locator('[data-testid=label-dialog]')
  await dialog.waitFor()
  await dialog.locator('#label-search').fill('water')
  await dialog.getByLabel('water damage').check()
  await dana.locator('[data-testid=conversation-labels]', { hasText: 'water damage' }).waitFor()
  await clean(dana, 'en label dialog')
  await dialog.getByRole('button', { name: 'Close' }).click()

  await dana.locator('[data-testid=label-filter]').selectOption({ label: 'water damage' })
  await until('the filtered list', async () => new URL(dana.url()).searchParams.get('label') === 'water damage' && (await dana.locator('#inbox-list a[data-row]').count()) === 1)
  assert.equal(await dana.locator('#inbox-list a[data-row]').first().getAttribute('data-row'), id)
  await row(dana, 'Ruth Azoulay').locator('[data-testid=row-label]', { hasText: 'water damage' }).waitFor()
  // The filter is in the address: a bookmark of it opens the same list.
  await dana.reload()
  await row(dana, 'Ruth Azoulay').waitFor()
  assert.equal(await dana.locator('#inbox-list a[data-row]').count(), 1)
  assert.deepEqual(dana.context().problems, [], 'CSP refusals or script errors')
  await dana.context().close()
})

test('dana transfers a conversation to the claims desk; omar, a member, sees it live in My queues', { timeout: 90_000 }, async () => {
  const id = await customer(2, 'Avi Dahan', 'My windshield cracked on the highway')
  const omar = await (await context(browser, 'en')).newPage()
  await signIn(omar, 'omar@demo.example')
  await omar.goto('/app/?view=queues')
  await omar.locator('#inbox-list').waitFor()
  await omar.waitForLoadState('networkidle')
  assert.equal(await row(omar, 'Avi Dahan').count(), 0)

  // Routing gave the new conversation to whoever had room; Dana takes it, then sends it away.
  const danaAPI = await apiSession('dana@demo.example')
  const danaID = (await danaAPI('GET', '/api/v1/me')).id
  await danaAPI('POST', '/api/v1/conversations/' + id + '/assign', { assignee_id: danaID })
  const dana = await (await context(browser, 'en')).newPage()
  await signIn(dana, 'dana@demo.example')
  await openConversation(dana, id)
  // The transfer control appears once the console has the queues (loaded beside the list).
  await dana.locator('[data-testid=transfer-queue]').waitFor()
  await dana.keyboard.press('t')
  assert.equal(await dana.evaluate(() => document.activeElement?.dataset.testid), 'transfer-queue')
  await dana.locator('[data-testid=transfer-queue]').selectOption({ label: 'Claims desk' })
  await until('the conversation in the desk', async () => /Claims desk/.test(await dana.locator('[data-testid=transfer-queue] option').first().textContent()))

  // Omar's "My queues" view updates by itself.
  await row(omar, 'Avi Dahan').waitFor({ timeout: 15_000 })
  await clean(omar, 'en my queues view')
  const api = await apiSession('omar@demo.example')
  const conv = await api('GET', '/api/v1/conversations/' + id)
  assert.ok(conv.queue_id, 'the conversation is in a queue')
  assert.notEqual(conv.assignee_id ?? '', danaID, 'it left Dana')
  await omar.context().close()
  await dana.context().close()
})

test('a snoozed conversation leaves the open view, waits in Snoozed, and returns when the customer writes', { timeout: 90_000 }, async () => {
  const id = await customer(3, 'Yael Golan', 'I will send the police report tomorrow')
  const dana = await (await context(browser, 'en')).newPage()
  await signIn(dana, 'dana@demo.example')
  await openConversation(dana, id)
  await row(dana, 'Yael Golan').waitFor()
  await dana.keyboard.press('s')
  const dialog = dana.locator('[data-testid=snooze-dialog]')
  await dialog.waitFor()
  await clean(dana, 'en snooze dialog')
  await dialog.locator('[data-preset="tomorrow"]').click()
  await dana.locator('[data-testid=conversation-snoozed]').waitFor()
  await until('the row to leave All open', async () => (await row(dana, 'Yael Golan').count()) === 0)

  await dana.getByRole('link', { name: /Snoozed/ }).click()
  await row(dana, 'Yael Golan').locator('[data-testid=row-snoozed]').waitFor()
  await clean(dana, 'en snoozed view')

  await dana.getByRole('link', { name: /All open/ }).click()
  await dana.locator('#inbox-list').waitFor()
  await hook('e2e-14-3b-' + Date.now(), '+972505140003', 'Yael Golan', 'Here is the report after all')
  await row(dana, 'Yael Golan').waitFor({ timeout: 15_000 })
  await dana.locator('[data-testid=conversation-snoozed]').waitFor({ state: 'detached' })
  await dana.context().close()
})

test('two agents in one conversation see each other viewing and typing; the second to answer is warned', { timeout: 90_000 }, async () => {
  const id = await customer(4, 'Nir Shalom', 'Who can help me with my claim?')
  const dana = await (await context(browser, 'en')).newPage()
  const omar = await (await context(browser, 'en')).newPage()
  await signIn(dana, 'dana@demo.example')
  await signIn(omar, 'omar@demo.example')
  await openConversation(dana, id)
  await openConversation(omar, id)

  const presence = (page) => page.locator('[data-testid=presence]')
  await until('Dana to see Omar viewing', async () => (await presence(dana).textContent()).includes('Omar Haddad is viewing'))
  await until('Omar to see Dana viewing', async () => (await presence(omar).textContent()).includes('Dana Levi is viewing'))

  await dana.locator('#composer-text').fill('')
  await dana.locator('#composer-text').pressSequentially('Hello Nir, ', { delay: 20 })
  await until('Omar to see Dana typing', async () => (await presence(omar).textContent()).includes('Dana Levi is typing'))
  await omar.locator('#composer-text').pressSequentially('Hi Nir', { delay: 20 })
  await until('Dana to see Omar typing', async () => (await presence(dana).textContent()).includes('Omar Haddad is typing'))
  await clean(dana, 'en conversation with presence')

  // Omar answers first; Dana, still writing, is warned before her reply goes.
  await omar.keyboard.press('Control+Enter')
  await dana.locator(`[data-testid=message-out]`, { hasText: 'Hi Nir' }).waitFor({ timeout: 15_000 })
  await dana.locator('[data-testid=collision-warning]', { hasText: 'Omar Haddad replied while you were writing' }).waitFor()
  await dana.locator('#composer-text').press('Control+Enter')
  await dana.getByRole('button', { name: 'Send anyway' }).waitFor()
  await clean(dana, 'en collision warning')
  await dana.getByRole('button', { name: 'Send anyway' }).click()
  await dana.locator(`[data-testid=message-out]`, { hasText: 'Hello Nir' }).waitFor({ timeout: 15_000 })

  // Omar closes his tab: Dana's header lets him go.
  await omar.context().close()
  await until('Omar to leave', async () => !(await presence(dana).textContent()).includes('Omar Haddad'))
  await dana.context().close()
})

test('he: the label and snooze dialogs, My queues and Snoozed pass axe right to left', { timeout: 90_000 }, async () => {
  const id = await customer(5, 'Moshe Katz', 'שלום, יש לי שאלה על הפוליסה')
  const page = await (await context(browser, 'he')).newPage()
  await signIn(page, 'dana@demo.example')
  await openConversation(page, id)
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  await page.locator('[data-testid=labels-open]').click()
  await page.locator('[data-testid=label-dialog]').waitFor()
  await clean(page, 'he label dialog')
  await page.keyboard.press('Escape')
  await page.locator('[data-testid=snooze-open]').click()
  await page.locator('[data-testid=snooze-dialog]').waitFor()
  await clean(page, 'he snooze dialog')
  await page.keyboard.press('Escape')
  await page.goto('/app/?view=queues')
  await page.locator('#inbox-list a[data-row]').first().waitFor()
  await clean(page, 'he my queues view')
  await page.goto('/app/?view=snoozed')
  await page.locator('#inbox-list').waitFor()
  await clean(page, 'he snoozed view')
  await page.keyboard.press('?')
  await page.getByRole('dialog').waitFor()
  await clean(page, 'he shortcuts dialog')
  assert.deepEqual(page.context().problems, [], 'CSP refusals or script errors')
  await page.context().close()

  const michal = await (await context(browser, 'he')).newPage()
  await signIn(michal, 'michal@demo.example')
  await michal.goto('/app/admin/labels')
  await michal.locator('[data-testid=admin-labels]').waitFor()
  await clean(michal, 'he admin labels')
  await michal.context().close()
})
