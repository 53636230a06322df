// The help centre's answer page for a customer who signs in without a password: the phone
// number, a one-time code (read here at the fake CRM behind the API channel, as the customer reads it on their
// phone), and then the answer page lists their own open case with its stage and tracker link,
// and never another customer's; the fitting services are told with their ways and limits.
// Every page passes axe-core in he and en, and the whole sign-in works with JavaScript off.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, apiSession, axe, codeIn, context, fakeCRM, formatViolations, hook, launch } from '../lib.mjs'

const phone = { width: 375, height: 740 }
const query = { he: 'איך מגישים לתביעה', en: 'how do I file a claim' }
const services = { he: 'שירותים שיכולים לעזור', en: 'Services that may help' }
const signInLink = { he: 'התחברות', en: 'Sign in' }
const send = { he: 'שלחו לי קוד', en: 'Send me a code' }
const identity = { he: 'מספר טלפון או דוא״ל', en: 'Phone number or email' }
const codeLabel = { he: 'הקוד שקיבלת', en: 'The code you received' }
const yours = { he: 'הפניות שלך', en: 'Your requests' }

let browser, agent, crm
const customers = {}
before(async () => {
  browser = await launch()
  agent = await apiSession('dana@demo.example')
  // Agents never see a one-time code; the customer's side (the CRM behind the API channel) does.
  crm = await fakeCRM()
  // Three customers write in (so they exist, on the API channel the code then goes on), and
  // each gets a car claim.
  for (const [who, number] of [['he', '+972500002201'], ['en', '+972500002202'], ['other', '+972500002203'], ['nojs', '+972500002204']]) {
    await hook('e2e-22-' + who, number, 'E2E 22 ' + who, 'I need to file a claim')
    const found = await agent('GET', '/api/v1/customers?identity=' + encodeURIComponent('phone:' + number))
    const c = await agent('POST', '/api/v1/cases', {
      customer_id: found.items[0].id,
      service_id: 'car-claim',
      answers: { plate: '22-222-' + number.slice(-2), injuries: 'no', what_happened: 'A dent, ' + who },
    })
    customers[who] = { number, id: found.items[0].id, ref: c.ref }
  }
})
after(async () => {
  await crm?.close()
  await browser?.close()
})

async function clean(page, what) {
  const violations = await axe(page)
  assert.deepEqual(violations, [], what + ':\n' + formatViolations(violations))
}

/** codeSent is the six digits of the last code sent to the customer, as their side received it. */
async function codeSent(customerID) {
  const who = Object.values(customers).find((c) => c.id === customerID)
  return codeIn(crm.received, (m) => m.to?.phone === who.number, who.number)
}

for (const [lang, dir] of [['he', 'rtl'], ['en', 'ltr']]) {
  test(`in ${lang}: sign in by code and see your own case on the answer page; axe finds nothing`, { timeout: 90_000 }, async () => {
    const me = customers[lang]
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    assert.equal((await page.goto(`/help/search?lang=${lang}&q=${encodeURIComponent(query[lang])}`)).status(), 200)
    assert.equal(await page.getAttribute('html', 'dir'), dir)
    assert.ok(await page.getByRole('heading', { name: services[lang] }).isVisible(), 'the fitting services')
    assert.ok((await page.locator('a[href^="/f/car-claim"]').count()) >= 1, 'a link to start the service')
    await clean(page, 'the anonymous answer page')
    await page.getByRole('link', { name: signInLink[lang], exact: true }).click()
    await clean(page, 'the sign-in page')
    await page.getByLabel(identity[lang]).fill(me.number)
    await page.getByRole('button', { name: send[lang] }).click()
    assert.equal(await page.locator('#code').getAttribute('autocomplete'), 'one-time-code')
    await clean(page, 'the code step')
    const code = await codeSent(me.id)
    await page.getByLabel(codeLabel[lang]).fill(code === '000000' ? '111111' : '000000')
    await page.locator('form.signin button[type=submit]').click()
    assert.equal(await page.locator('[role=alert]').count(), 1, 'a wrong code is announced')
    await clean(page, 'a wrong code')
    await page.getByLabel(codeLabel[lang]).fill(code)
    await page.locator('form.signin button[type=submit]').click()
    // Back on the answer page, signed in.
    assert.match(new URL(page.url()).pathname, /^\/help\/search$/)
    const mine = page.locator('section.me')
    assert.ok(await page.getByRole('heading', { name: yours[lang] }).isVisible())
    assert.match(await mine.innerText(), new RegExp(me.ref))
    assert.doesNotMatch(await mine.innerText(), new RegExp(customers.other.ref), "another customer's case")
    assert.match(await mine.locator('a').first().getAttribute('href'), /\/s\/[0-9a-z]{26}\./)
    const cookies = await ctx.cookies()
    const c = cookies.find((x) => x.name === 'gesher_customer')
    assert.ok(c && c.httpOnly && c.sameSite === 'Lax', 'an HttpOnly, SameSite=Lax customer cookie')
    await clean(page, 'the signed-in answer page')
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}

test('with JavaScript off: sign in by code, the case on the answer page, then sign out', { timeout: 90_000 }, async () => {
  const me = customers.nojs
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'en' })
  const page = await ctx.newPage()
  await page.goto('/help/search?lang=en&q=' + encodeURIComponent(query.en))
  await page.getByRole('link', { name: 'Sign in', exact: true }).click()
  await page.getByLabel(identity.en).fill(me.number)
  await page.getByRole('button', { name: send.en }).click()
  await page.getByLabel(codeLabel.en).fill(await codeSent(me.id))
  await page.locator('form.signin button[type=submit]').click()
  assert.match(await page.locator('section.me').innerText(), new RegExp(me.ref))
  await page.getByRole('button', { name: 'Sign out' }).click()
  assert.doesNotMatch(await page.locator('section.me').innerText(), new RegExp(me.ref))
  await ctx.close()
})
