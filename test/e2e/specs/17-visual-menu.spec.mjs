// The visual menu a caller opens from the SMS the phone menu sent them: a call walks the demo
// menu through signed Twilio webhooks, the link arrives at a fake Twilio, and the page — the
// same menu on screen, the place in line kept — is used in Chromium: navigated, the caller's
// claim looked up, the nearest branch found, a callback chosen (the call released through the
// fake's Calls API). axe-core finds nothing in he, ar, en and ru, and it all works with
// JavaScript off.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, test } from 'node:test'
import { BASE, apiSession, axe, context, formatViolations, gatherURL, launch, signIn, twilioVoice } from '../lib.mjs'

const phone = { width: 375, height: 740 }
const hook = BASE + '/hooks/voice/demo-voice'
const voice = twilioVoice

let browser, fake, admin, restore, link, ref
const texts = []
const releases = []
const sid = 'CA' + [...Array(32)].map(() => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('')
const from = '+97250' + String(Math.floor(1000000 + Math.random() * 8999999))

before(async () => {
  browser = await launch()
  // The far side: Twilio's Messages and Calls APIs.
  fake = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()))
      res.setHeader('Content-Type', 'application/json')
      if (req.url.endsWith('/Messages.json')) {
        texts.push(form)
        res.writeHead(201)
        res.end(JSON.stringify({ sid: 'SM' + String(texts.length).padStart(32, '0'), status: 'queued' }))
      } else if (/\/Calls\/CA[0-9a-f]{32}\.json$/.test(req.url)) {
        releases.push({ url: req.url, ...form })
        res.end(JSON.stringify({ sid, status: 'in-progress' }))
      } else {
        res.writeHead(404)
        res.end('{}')
      }
    })
  })
  await new Promise((ok) => fake.listen(0, '127.0.0.1', ok))
  const api = `http://127.0.0.1:${fake.address().port}`
  admin = await apiSession('admin@demo.example')
  const chans = (await admin('GET', '/api/v1/channels')).items.filter((c) => c.name === 'demo-sms' || c.name === 'demo-voice')
  restore = chans.map((c) => [c.id, { ...c.settings }])
  for (const c of chans) await admin('PUT', '/api/v1/channels/' + c.id, { settings: { ...c.settings, api_base: api } })

  // The call: an unknown caller, asked for a language, presses 1 for Hebrew.
  const base = { CallSid: sid, AccountSid: 'ACdemo00000000000000000000000000', From: from, To: '+97235550199', Direction: 'inbound', ApiVersion: '2010-04-01' }
  let twiml = await voice(hook, { ...base, CallStatus: 'ringing' })
  assert.match(twiml, /לעברית, הקישו 1/)
  twiml = await voice(gatherURL(twiml), { ...base, CallStatus: 'in-progress', Digits: '1' })
  assert.match(twiml, /למצב תביעה הקישו 1/)
  // A claim of theirs, opened by an agent, for the visual menu to find.
  const dana = await apiSession('dana@demo.example')
  const found = await dana('GET', '/api/v1/customers?identity=' + encodeURIComponent('phone:' + from))
  const c = await dana('POST', '/api/v1/cases', {
    customer_id: found.items[0].id,
    service_id: 'car-claim',
    answers: { plate: '12-345-67', injuries: 'no', what_happened: 'A scratch' },
  })
  ref = c.ref
  // 4: the visual menu by SMS; the caller waits in line.
  twiml = await voice(gatherURL(twiml), { ...base, CallStatus: 'in-progress', Digits: '4' })
  assert.match(twiml, /<Enqueue waitUrl="[^"]+menu=wait"/)
  const wait = twiml.match(/waitUrl="([^"]+)"/)[1].replaceAll('&amp;', '&')
  await voice(wait, { ...base, CallStatus: 'in-progress', QueuePosition: '3' })
  for (let i = 0; i < 100 && !texts.some((t) => t.To === from && /\/m\//.test(t.Body)); i++) await new Promise((r) => setTimeout(r, 100))
  const sms = texts.find((t) => t.To === from && /\/m\//.test(t.Body))
  assert.ok(sms, 'the visual menu link was not texted: ' + JSON.stringify(texts))
  link = sms.Body.match(/\/m\/[0-9a-z]{26}\.[0-9a-z]+\.[A-Za-z0-9_-]+/)[0]
})

after(async () => {
  for (const [id, settings] of restore ?? []) await admin('PUT', '/api/v1/channels/' + id, { settings })
  await new Promise((ok) => (fake ? fake.close(ok) : ok()))
  await browser?.close()
})

const inLine = { he: 'אתם במקום 3 בתור.', ar: 'أنت رقم 3 في الدور.', en: 'You are number 3 in line.', ru: 'Вы 3-й в очереди.' }

for (const [lang, dir] of [['he', 'rtl'], ['ar', 'rtl'], ['en', 'ltr'], ['ru', 'ltr']]) {
  test(`the visual menu in ${lang}: ${dir}, the place in line, no axe violations`, { timeout: 60_000 }, async () => {
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    assert.equal((await page.goto(`${link}?lang=${lang}`)).status(), 200)
    assert.equal(await page.getAttribute('html', 'lang'), lang)
    assert.equal(await page.getAttribute('html', 'dir'), dir)
    assert.equal((await page.locator('#line-title + p strong').innerText()).trim(), inLine[lang])
    let violations = await axe(page)
    assert.deepEqual(violations, [], formatViolations(violations))
    // The claim-status option, with its picture and the caller's claim.
    await page.locator('nav[aria-labelledby=options-title] a').first().click()
    await page.waitForURL(/node=status/)
    assert.match(await page.locator('#cases-title ~ ul').innerText(), new RegExp(ref))
    violations = await axe(page)
    assert.deepEqual(violations, [], formatViolations(violations))
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`)
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}

test('the agent sees, above the conversation, why the caller called and what they tried', { timeout: 60_000 }, async () => {
  const dana = await apiSession('dana@demo.example')
  const h = await dana('GET', `/api/v1/calls/${sid}/context`)
  assert.equal(h.call.state, 'queued')
  assert.equal(h.reason, 'התפריט על מסך הטלפון')
  assert.ok(h.visual.some((s) => s.data.action === 'case-status'), 'the case look-up is in the hand-over')
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'dana@demo.example')
  await page.goto('/app/c/' + h.conversation.id)
  const block = page.locator('[data-testid=call-context]')
  await block.waitFor()
  assert.equal(await block.getAttribute('aria-label'), 'Phone call')
  const text = await block.innerText()
  assert.match(text, /why: התפריט על מסך הטלפון/)
  assert.match(text, /waiting in line · number 3 in line/)
  assert.match(text, /Menu: התפריט על מסך הטלפון/)
  assert.match(await page.locator('[data-testid=call-context-visual]').innerText(), /On the visual menu: .*(מצב תביעה|Claim status)/)
  assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
  await ctx.close()
})

test('with JavaScript off: navigate, find the nearest branch, choose a callback', { timeout: 60_000 }, async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'en' })
  const page = await ctx.newPage()
  assert.equal((await page.goto(`${link}?lang=en`)).status(), 200)
  // The location button needs a script; without one it stays hidden and the city pick works.
  assert.equal(await page.locator('#locate').isVisible(), false)
  await page.getByRole('link', { name: 'New car claim' }).click()
  await page.waitForURL(/node=new-claim/)
  assert.equal(await page.getByRole('link', { name: /Start: Car claim|Start: Car insurance claim/ }).count(), 1)
  await page.locator('#city').selectOption('Haifa')
  await page.getByRole('button', { name: 'Show branches' }).click()
  await page.waitForURL(/city=Haifa/)
  assert.match(await page.locator('#branch-title ~ ul').innerText(), /Herzl 20, Haifa/)
  // Call me back instead: the call leaves the line with a goodbye, through the provider.
  await page.getByRole('button', { name: 'Call me back instead' }).click()
  await page.waitForURL(/done=callback/)
  assert.match(await page.locator('[role=status]').innerText(), /we have ended the call and will call you back/)
  assert.equal(releases.length, 1)
  assert.ok(releases[0].url.endsWith(`/Calls/${sid}.json`))
  assert.match(releases[0].Twiml, /<Hangup\/>/)
  // The page now says what happens next, and offers no more buttons.
  assert.equal(await page.getByRole('button', { name: 'Call me back instead' }).count(), 0)
  assert.match(await page.locator('main').innerText(), /We will call you back soon\./)
  await ctx.close()
})

test('a tampered link opens nothing', async () => {
  const r = await fetch(BASE + link.slice(0, -2) + 'xx')
  assert.equal(r.status, 404)
})
