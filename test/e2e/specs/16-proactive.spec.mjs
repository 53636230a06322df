// Proactive help: a visitor on a phone searches the help centre twice and opens nothing; the
// widget on the answer page shows exactly one offer of help, announced by a live region
// without taking the focus, fixed in place so nothing on the page moves; axe finds nothing
// with it shown, in Hebrew and in English. Accepting it from the keyboard opens the chat,
// whose first line names the searches; the agent who opens that conversation in the console
// sees both searches, in the conversation and on the customer's timeline.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, axe, context, formatViolations, launch, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

const phone = { width: 360, height: 740 }
const words = {
  he: { offer: 'אפשר לעזור?', accept: 'כן, לשיחה עם נציג/ה', searches: ['איבדתי את הכרטיס בחו״ל', 'הכרטיס נגנב מה עושים'] },
  en: { offer: 'Can we help?', accept: 'Chat with an agent', searches: ['lost my card abroad', 'card stolen what now'] },
}

/** search types a question into the help centre's search box and waits for the widget to report the answer page. */
async function search(page, q) {
  const reported = page.waitForResponse((r) => r.url().includes('/signals') && r.request().method() === 'POST')
  await page.locator('#q').fill(q)
  await page.locator('#q').press('Enter')
  await page.waitForURL(/\/help\/search/)
  const r = await reported
  assert.equal(r.status(), 200, 'the signal is accepted')
  return r.json()
}

for (const lang of ['he', 'en']) {
  test(`${lang}: two searches with no click earn one offer; accepting opens a chat; the agent sees the searches`, { timeout: 180_000 }, async () => {
    const w = words[lang]
    const stamp = String(Date.now()).slice(-6)
    const [q1, q2] = w.searches.map((q) => `${q} ${stamp}`)
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    await page.goto('/help?lang=' + lang)
    await page.locator('gesher-chat .launcher').waitFor()

    const first = await search(page, q1)
    assert.equal(first.offer, null, 'no offer after one search')
    assert.equal(await page.locator('gesher-chat .offer').count(), 0)

    const layoutBefore = await page.evaluate(() => document.querySelector('main').getBoundingClientRect().toJSON())
    const second = await search(page, q2)
    assert.equal(second.offer?.kind, 'chat', 'the second search earns a chat offer')
    const offer = page.getByRole('region', { name: w.offer })
    await offer.waitFor()
    assert.equal(await page.locator('gesher-chat .offer').count(), 1, 'exactly one offer')
    // Announced, not focused; fixed, so the page's own content does not move.
    await page.waitForFunction((t) => [...document.querySelector('gesher-chat').shadowRoot.querySelectorAll('[aria-live=polite]')].some((e) => e.textContent.includes(t)), w.offer)
    assert.ok(!(await page.evaluate(() => document.querySelector('gesher-chat').shadowRoot.activeElement)), 'the offer does not take the focus')
    assert.equal(await page.locator('gesher-chat .offer').evaluate((e) => getComputedStyle(e).position), 'fixed')
    assert.equal(await page.locator('gesher-chat .offer').getAttribute('dir'), lang === 'he' ? 'rtl' : 'ltr')
    const layoutAfter = await page.evaluate(() => document.querySelector('main').getBoundingClientRect().toJSON())
    assert.equal(layoutAfter.width, layoutBefore.width, 'no layout shift')
    const box = await page.locator('gesher-chat .offer').boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= phone.width, 'the offer fits the phone')

    const violations = await axe(page)
    assert.deepEqual(violations, [], formatViolations(violations))

    // A reload is the same visit: the same offer, not a second.
    await page.reload()
    await offer.waitFor()
    assert.equal(await page.locator('gesher-chat .offer').count(), 1)

    // Accept from the keyboard: the chat opens with its first line naming the searches.
    const accept = page.getByRole('button', { name: w.accept })
    await accept.focus()
    await page.keyboard.press('Enter')
    // The dialog is named by the channel's own title ("ביטוח גשר"), not the widget's default.
    await page.locator('gesher-chat [role=dialog]').waitFor({ state: 'visible' })
    const log = page.getByRole('log')
    await log.getByText(q1, { exact: false }).waitFor({ timeout: 30_000 })
    assert.match(await log.innerText(), new RegExp(q2))
    assert.equal(await page.locator('gesher-chat .offer').count(), 0, 'the offer is gone')
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')

    // The agent: find the visitor's conversation as any agent could, open it in the console.
    const visitor = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('gesher-chat:'))
      return JSON.parse(localStorage.getItem(key)).session.visitor_id
    })
    const api = await apiSession('dana@demo.example')
    const customers = await api('GET', '/api/v1/customers?identity=' + encodeURIComponent('visitor:' + visitor))
    assert.equal(customers.items.length, 1, 'the visitor became a customer')
    const convs = await api('GET', '/api/v1/conversations?status=open,pending&customer=' + customers.items[0].id)
    assert.equal(convs.items.length, 1, 'one conversation')
    const agentCtx = await context(browser, lang)
    const console_ = await agentCtx.newPage()
    await signIn(console_, 'dana@demo.example')
    await console_.goto('/app/c/' + convs.items[0].id + '?view=pending')
    const timeline = console_.locator('[data-kind="assist.visit-linked"]')
    await timeline.waitFor({ timeout: 30_000 })
    for (const q of [q1, q2]) {
      assert.ok((await timeline.innerText()).includes(q), `the timeline shows the search “${q}”`)
      assert.ok((await console_.locator('main').innerText()).includes(q), `the conversation shows the search “${q}”`)
    }
    await agentCtx.close()
    await ctx.close()
  })
}
