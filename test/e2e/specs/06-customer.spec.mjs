// The customer panel's actions: editing the profile, mentioning a colleague in a note, and
// merging a duplicate — each checked with axe while it is on screen.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { axe, context, formatViolations, hook, launch, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

async function clean(page, what) {
  const v = await axe(page)
  assert.equal(v.length, 0, `${what}: axe found\n${formatViolations(v)}`)
}

async function open(page, email, name) {
  await signIn(page, email)
  await page.getByRole('link', { name: /All open/ }).click()
  await page.locator('#inbox-list a', { hasText: name }).click()
  await page.locator('[data-testid=conversation-status]').waitFor()
  return page.getByRole('complementary', { name: 'Customer' })
}

test('an agent edits the profile; the panel and the timeline show the change', { timeout: 60_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  const panel = await open(page, 'dana@demo.example', 'Rachel Green')
  assert.equal(await panel.getByRole('button', { name: /Merge/ }).count(), 0, 'agents may not merge')
  await panel.getByRole('button', { name: 'Edit' }).click()
  await clean(page, 'profile form')
  await panel.getByLabel('Screen reader').check()
  await panel.getByLabel('Digital coaching').selectOption('supported')
  await panel.getByRole('button', { name: 'Save' }).click()
  await panel.locator('dl').getByText('Screen reader').waitFor()
  await panel.locator('[aria-current=step]', { hasText: 'Supported' }).waitFor()
  await panel.locator('li[data-kind="customer.updated"]', { hasText: 'accessibility' }).waitFor()
  await page.context().close()
})

test('a note can mention a colleague, picked by keyboard after @', { timeout: 60_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  await open(page, 'dana@demo.example', 'Rachel Green')
  await page.keyboard.press('n')
  await page.keyboard.type('Renewal question in Arabic too — @Om')
  const list = page.getByRole('listbox', { name: 'Colleagues' })
  await list.waitFor()
  await clean(page, 'mention suggestions')
  assert.match(await list.getByRole('option', { selected: true }).innerText(), /Omar Haddad/)
  await page.keyboard.press('Enter')
  assert.equal(await page.locator('#composer-text').inputValue(), 'Renewal question in Arabic too — @Omar Haddad ')
  await page.keyboard.type('can you call her?')
  await page.keyboard.press('Control+Enter')
  await page.locator('[data-testid=note]', { hasText: '@Omar Haddad can you call her?' }).waitFor()
  const mentions = await page.evaluate(async () => {
    const id = location.pathname.split('/').pop()
    const c = await (await fetch('/api/v1/conversations/' + id)).json()
    const users = (await (await fetch('/api/v1/users')).json()).items
    return c.notes.at(-1).mentions.map((m) => users.find((u) => u.id === m)?.name)
  })
  assert.deepEqual(mentions, ['Omar Haddad'])
  await page.context().close()
})

test('a supervisor merges a duplicate after seeing both side by side', { timeout: 60_000 }, async () => {
  await hook('e2e-dup-' + Date.now(), '052-765-4321', 'Rae Greenberg', 'Hi, it is Rachel again from my work phone')
  const page = await (await context(browser, 'en')).newPage()
  const panel = await open(page, 'michal@demo.example', 'Rachel Green')
  await panel.getByRole('button', { name: /Merge a duplicate/ }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('searchbox').or(dialog.locator('#merge-q')).first().fill('Greenberg')
  await dialog.getByRole('button', { name: 'Search' }).click()
  await dialog.getByLabel(/Rae Greenberg/).check()
  await dialog.getByTestId('merge-preview').waitFor()
  assert.match(await dialog.getByTestId('merge-preview').innerText(), /\+972527654321/)
  await clean(page, 'merge dialog')
  await dialog.getByRole('button', { name: 'Merge', exact: true }).click()
  await dialog.waitFor({ state: 'hidden' })
  await panel.locator('dl').getByText('+972527654321').waitFor()
  await panel.locator('li[data-kind="customer.merged"]').first().waitFor()
  await page.context().close()
})
