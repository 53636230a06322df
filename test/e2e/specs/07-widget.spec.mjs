// The visitor's side: the chat widget on the demo insurer's site, on a phone. A visitor opens
// it from the keyboard and writes; an agent answers through the API; the visitor sees the
// answer live, in the log a screen reader announces. axe finds nothing on the page with the
// widget open, in Hebrew and in English, and at 320 px.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { axe, BASE, context, formatViolations, launch, PASSWORD } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

const KB = 1024
const phone = { width: 360, height: 740 }
const words = {
  he: { launcher: 'צ׳אט עם נציג', title: 'ביטוח גשר', message: 'ההודעה שלך', close: 'סגירת הצ׳אט' },
  en: { launcher: 'Chat with us', title: 'Gesher Insurance', message: 'Your message', close: 'Close chat' },
}

/** until polls fn until it returns a truthy value (the server records what the widget reports on its own). */
async function until(what, fn, ms = 15_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting for ' + what)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** shadowFocus names what has the focus inside the widget's shadow root. */
const shadowFocus = (page) =>
  page.evaluate(() => {
    const a = document.querySelector('gesher-chat')?.shadowRoot?.activeElement
    return a ? a.id || a.className : ''
  })

/** visitorID reads the identity the widget keeps in the site's localStorage. */
const visitorID = (page) =>
  page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('gesher-chat:'))
    return key ? JSON.parse(localStorage.getItem(key)).session?.visitor_id : undefined
  })

/** agent signs Dana in, in her own browser context, and returns a function that calls the API as her. */
async function agent() {
  const ctx = await browser.newContext({ baseURL: BASE })
  const login = await ctx.request.post('/api/v1/auth/login', { data: { email: 'dana@demo.example', password: PASSWORD }, headers: { Origin: BASE } })
  assert.equal(login.status(), 200, 'agent sign-in')
  const call = async (method, path, data) => {
    const r = await ctx.request.fetch(path, { method, data, headers: { Origin: BASE } })
    assert.ok(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`)
    return r.json()
  }
  return { ctx, call }
}

/** conversationOf finds the visitor's open conversation through the API, as an agent would. */
async function conversationOf(call, visitor) {
  const customers = await call('GET', '/api/v1/customers?identity=' + encodeURIComponent('visitor:' + visitor))
  assert.equal(customers.items?.length ?? customers.length, 1, 'one customer for the visitor')
  const customer = (customers.items ?? customers)[0]
  const convs = await call('GET', '/api/v1/conversations?status=open&customer=' + customer.id)
  const list = convs.items ?? convs
  assert.equal(list.length, 1, 'one open conversation')
  return call('GET', '/api/v1/conversations/' + list[0].id)
}

test('widget.js is one small file: under 25 KB gzipped', async () => {
  const r = await fetch(BASE + '/widget.js')
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type'), /javascript/)
  const body = Buffer.from(await r.arrayBuffer())
  const gz = gzipSync(body, { level: 9 }).length
  console.log(`widget.js: ${(body.length / KB).toFixed(1)} KB, ${(gz / KB).toFixed(1)} KB gzipped (budget 25 KB)`)
  assert.ok(gz < 25 * KB, `widget.js is ${gz} bytes gzipped`)
})

for (const lang of ['he', 'en']) {
  test(`${lang}: a visitor writes from the keyboard, an agent answers, the visitor sees it live; axe finds nothing`, { timeout: 120_000 }, async () => {
    const w = words[lang]
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    await page.goto('/demo/site' + (lang === 'he' ? '' : '?lang=en'))
    assert.equal(await page.locator('html').getAttribute('dir'), lang === 'he' ? 'rtl' : 'ltr')
    const launcher = page.getByRole('button', { name: w.launcher })
    await launcher.waitFor()

    // Open it by keyboard: Tab to the launcher, Enter. Focus moves into the dialog.
    for (let i = 0; i < 40 && (await shadowFocus(page)) !== 'launcher'; i++) await page.keyboard.press('Tab')
    assert.equal(await shadowFocus(page), 'launcher', 'Tab reaches the launcher')
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: w.title })
    await dialog.waitFor()
    assert.equal(await shadowFocus(page), 'text', 'focus is in the message box')
    assert.equal(await page.getByLabel(w.message).count(), 1, 'the message box has a visible label')
    assert.equal(await page.locator('gesher-chat .w').getAttribute('dir'), lang === 'he' ? 'rtl' : 'ltr')

    // Write and send with Enter; the message shows in the log.
    const text = lang === 'he' ? `שלום, אני רוצה לבדוק את הפוליסה שלי (${Date.now()})` : `Hello, I want to check my policy (${Date.now()})`
    await page.keyboard.type(text)
    await page.keyboard.press('Enter')
    const log = page.getByRole('log')
    assert.equal(await log.getAttribute('aria-live'), 'polite')
    await log.getByText(text).waitFor()
    await page.waitForFunction(() => !document.querySelector('gesher-chat').shadowRoot.querySelector('.st'), null, { timeout: 30_000 })

    // The agent answers through the API, from another browser context.
    const visitor = await visitorID(page)
    assert.match(visitor ?? '', /^[a-z2-7]{26}$/, 'the visitor identity is in the site\'s localStorage')
    const { ctx: agentCtx, call } = await agent()
    const conv = await conversationOf(call, visitor)
    assert.ok(conv.messages.some((m) => m.text === text), 'the agent sees the visitor\'s message')
    const answer = lang === 'he' ? 'שלום! הפוליסה שלך בתוקף עד דצמבר.' : 'Hello! Your policy is valid until December.'
    const reply = await call('POST', `/api/v1/conversations/${conv.id}/messages`, { text: answer })

    // Live, without reloading, inside the polite live log: a screen reader announces it.
    await log.getByText(answer).waitFor({ timeout: 30_000 })
    assert.match(await log.innerText(), new RegExp(answer.replace(/[.!]/g, '.')))
    // Shown on an open panel: the server records it delivered, then read.
    const status = async () => (await call('GET', `/api/v1/conversations/${conv.id}`)).messages.find((x) => x.id === reply.id)?.status
    await until('the reply to be read', async () => (await status()) === 'read')

    const violations = await axe(page)
    assert.deepEqual(violations, [], formatViolations(violations))

    // Esc closes it and gives the focus back to the launcher.
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    assert.equal(await shadowFocus(page), 'launcher')
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await agentCtx.close()
    await ctx.close()
  })
}

test('at 320 px the page and the widget fit; the contact form explains its errors; an offline message goes out once when back online', { timeout: 120_000 }, async () => {
  const ctx = await context(browser, 'en', { width: 320, height: 640 })
  const page = await ctx.newPage()
  await page.goto('/demo/site?lang=en')
  await page.getByRole('button', { name: words.en.launcher }).click()
  const dialog = page.getByRole('dialog')
  await dialog.waitFor()
  const box = await dialog.boundingBox()
  assert.ok(box.x >= 0 && box.x + box.width <= 320, `dialog at x=${box.x} width=${box.width}`)
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 320, 'no sideways scrolling')
  for (const name of ['Send', words.en.close]) {
    const b = await page.getByRole('button', { name }).boundingBox()
    assert.ok(b.width >= 44 && b.height >= 44, `${name}: ${b.width}×${b.height}, want 44 px or more`)
  }

  // Continue elsewhere: a wrong email is explained next to the field.
  await page.getByRole('button', { name: 'Leave your email or phone' }).click()
  const email = page.getByLabel('Email')
  await email.fill('dana@')
  await page.getByRole('button', { name: 'Save' }).click()
  assert.equal(await email.getAttribute('aria-invalid'), 'true')
  const described = await email.evaluate((el) => el.getAttribute('aria-describedby').split(' ').map((id) => el.getRootNode().getElementById(id)?.textContent).join(' '))
  assert.match(described, /Enter an email like name@example.com/)
  let violations = await axe(page)
  assert.deepEqual(violations, [], formatViolations(violations))
  const address = `visitor${Date.now()}@example.com`
  await email.fill(address)
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('status').filter({ hasText: 'Thank you' }).waitFor()
  const log = page.getByRole('log')
  await log.getByText('My contact details: ' + address).waitFor()

  // Offline: the message waits in the outbox, then goes out once, with the same id.
  await page.waitForFunction(() => !document.querySelector('gesher-chat').shadowRoot.querySelector('.st'), null, { timeout: 30_000 })
  await ctx.setOffline(true)
  const text = 'Written in a tunnel ' + Date.now()
  await page.getByLabel('Your message').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
  await log.getByText('Not sent yet').waitFor({ timeout: 30_000 })
  await ctx.setOffline(false)
  await page.waitForFunction(() => !document.querySelector('gesher-chat').shadowRoot.querySelector('.st'), null, { timeout: 30_000 })

  const { ctx: agentCtx, call } = await agent()
  const conv = await conversationOf(call, await visitorID(page))
  assert.equal(conv.messages.filter((m) => m.text === text).length, 1, 'the offline message is stored once')
  const customer = await call('GET', '/api/v1/customers/' + conv.customer_id)
  assert.ok(customer.identities.some((i) => i.kind === 'email' && i.value === address), 'the email left in the widget is the customer\'s')

  violations = await axe(page)
  assert.deepEqual(violations, [], formatViolations(violations))
  assert.deepEqual(ctx.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), [], 'CSP refusals or script errors')
  await agentCtx.close()
  await ctx.close()
})
