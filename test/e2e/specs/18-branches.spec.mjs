// Branch visits: a number taken from home whose position moves, live, when the clerk calls the
// next one; check-in at the kiosk with the ticket's code; the branch display showing the number
// called; an appointment booked and cancelled; a ticket taken at the kiosk. axe-core finds
// nothing in Hebrew, Arabic, English and Russian, and every page works with JavaScript off.
//
// The Beersheba branch is given an always-open calendar first, so the suite does not depend on
// the hour it runs at (a closed branch gives no numbers, as it should).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, alwaysOpen, apiSession, axe, context, formatViolations, launch, signIn } from '../lib.mjs'

const phone = { width: 390, height: 800 }
let browser
let agent
let beersheba
let desk2

before(async () => {
  browser = await launch()
  beersheba = await alwaysOpen('beersheba')
  desk2 = beersheba.desks.find((d) => d.name === '2')
  agent = await apiSession('dana@demo.example')
})
after(async () => browser?.close())

async function takeFromHome(page, lang) {
  await page.goto(`/b/beersheba/ticket?lang=${lang}`)
  await page.locator('input[name=service][value=address-change]').check()
  await page.locator('main form button[type=submit]').click()
  await page.waitForURL(/\/q\//)
  return (await page.getByTestId('ticket-number').innerText()).trim()
}

test('a number from home moves live when the desk calls, checks in, and shows on the display', { timeout: 90_000 }, async () => {
  const ctx = await context(browser, 'he', phone)
  const first = await ctx.newPage()
  const mine = await ctx.newPage()
  const a = Number(await takeFromHome(first, 'he'))
  const b = Number(await takeFromHome(mine, 'he'))
  assert.equal(b, a + 1)
  assert.equal(await mine.getAttribute('html', 'dir'), 'rtl')
  assert.match(await mine.getByTestId('ahead').innerText(), /לפניך בתור: 1/)
  const called = await agent('POST', `/api/v1/desks/${desk2.id}/call-next`)
  assert.equal(called.label, String(a))
  // No reload: the page's script swaps the live part in place.
  await mine.getByTestId('ahead').filter({ hasText: 'אתה הבא בתור.' }).waitFor({ timeout: 15_000 })
  await first.getByTestId('ahead').filter({ hasText: 'הגיע תורך: נא לגשת לעמדה 2.' }).waitFor({ timeout: 15_000 })
  // Check in at the kiosk with the code shown on the ticket.
  const code = (await mine.getByTestId('code').innerText()).trim()
  const kiosk = await ctx.newPage()
  await kiosk.goto('/kiosk/beersheba/checkin?lang=he')
  await kiosk.locator('#code').fill(code)
  await kiosk.locator('main form button[type=submit]').click()
  assert.match(await kiosk.getByTestId('checkin-result').innerText(), new RegExp(`המספר שלך הוא ${b}`))
  await mine.getByTestId('checked-in').waitFor({ timeout: 15_000 })
  // The display lists the number called to desk 2.
  const display = await ctx.newPage()
  await display.goto('/b/beersheba/display?lang=he')
  assert.ok((await display.getByTestId('called-number').allInnerTexts()).includes(String(a)))
  await agent('POST', `/api/v1/desks/${desk2.id}/call-next`)
  await display.getByTestId('called-number').filter({ hasText: new RegExp(`^${b}$`) }).waitFor({ timeout: 15_000 })
  assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
  await ctx.close()
})

test('an appointment is booked and cancelled on the web', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en', phone)
  const page = await ctx.newPage()
  await page.goto('/b/beersheba/book?lang=en')
  await page.getByRole('link', { name: 'Car insurance claim' }).click()
  await page.locator('input[name=slot]').first().check()
  await page.locator('#name').fill('Ruth Levi')
  await page.locator('main form button[type=submit]').click()
  await page.waitForURL(/\/a\//)
  assert.equal((await page.getByTestId('appt-status').innerText()).trim(), 'Your appointment is booked.')
  await page.getByRole('button', { name: 'Cancel the appointment' }).click()
  await page.getByTestId('appt-status').filter({ hasText: 'This appointment is cancelled.' }).waitFor()
  await ctx.close()
})

test('the kiosk takes a ticket, shows it on screen and texts it', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'ru', { width: 1080, height: 1920 })
  const page = await ctx.newPage()
  await page.goto('/kiosk/beersheba?lang=ru')
  await page.locator('.tiles form button').first().click()
  await page.waitForURL(/\/kiosk\/beersheba\/t\//)
  assert.match(await page.getByTestId('ticket-number').innerText(), /^\d+$/)
  await page.locator('#phone').fill('0541112233')
  await page.locator('main form button[type=submit]').click()
  await page.locator('[role=status]').waitFor()
  await page.getByRole('link', { name: 'В начало' }).click()
  await page.waitForURL(/\/kiosk\/beersheba\?lang=ru$/)
  await ctx.close()
})

test('the clerk calls, serves and finishes numbers from the desk page', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'dana@demo.example')
  const visitor = await ctx.newPage()
  const n = await takeFromHome(visitor, 'en')
  await page.goto(`/desk/${desk2.id}?lang=en`)
  assert.equal((await page.locator('main h1').innerText()).trim(), 'Desk 2')
  const violations = await axe(page)
  assert.deepEqual(violations, [], formatViolations(violations))
  // Call until the visitor's number is at the desk (earlier tests left others waiting).
  for (let i = 0; i < 20; i++) {
    await page.getByRole('button', { name: 'Call the next number' }).click()
    await page.waitForLoadState()
    if ((await page.getByTestId('desk-current').allInnerTexts()).includes(n)) break
  }
  assert.deepEqual(await page.getByTestId('desk-current').allInnerTexts(), [n])
  await visitor.getByTestId('ahead').filter({ hasText: 'please go to desk 2' }).waitFor({ timeout: 15_000 })
  await page.getByRole('button', { name: `${n}: arrived` }).click()
  await visitor.getByTestId('ahead').filter({ hasText: 'You are being served at desk 2.' }).waitFor({ timeout: 15_000 })
  await page.getByRole('button', { name: `${n}: done` }).click()
  await visitor.getByTestId('ahead').filter({ hasText: 'Your visit is done. Thank you.' }).waitFor({ timeout: 15_000 })
  assert.equal(await page.getByTestId('desk-current').count(), 0)
  assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
  await ctx.close()
})

for (const [lang, dir] of [['he', 'rtl'], ['ar', 'rtl'], ['en', 'ltr'], ['ru', 'ltr']]) {
  test(`the branch pages in ${lang}: ${dir}, one h1, no axe violations`, { timeout: 90_000 }, async () => {
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    await takeFromHome(page, lang)
    // An appointment an agent booked for a caller, and a ticket on the kiosk's screen.
    const slots = await agent('GET', `/api/v1/branches/${beersheba.id}/slots?service=car-claim&days=3`)
    const appt = await agent('POST', '/api/v1/appointments', { branch_id: beersheba.id, service_id: 'car-claim', start: slots.items[5 + ['he', 'ar', 'en', 'ru'].indexOf(lang)].start, name: 'Test', lang })
    const kiosk = await ctx.newPage()
    await kiosk.goto(`/kiosk/beersheba?lang=${lang}`)
    await kiosk.locator('.tiles form button').first().click()
    await kiosk.waitForURL(/\/kiosk\/beersheba\/t\//)
    const pages = [page.url(), new URL(appt.link, BASE).pathname + `?lang=${lang}`, kiosk.url(), `/b/beersheba/ticket?lang=${lang}`, `/b/beersheba/book?lang=${lang}`, `/b/beersheba/book?lang=${lang}&service=car-claim`,
      `/b/beersheba/display?lang=${lang}`, `/kiosk/beersheba?lang=${lang}`, `/kiosk/beersheba/services?lang=${lang}`,
      `/kiosk/beersheba/help?lang=${lang}&q=claim`, `/kiosk/beersheba/checkin?lang=${lang}`]
    for (const url of pages) {
      assert.equal((await page.goto(url)).status(), 200, url)
      assert.equal(await page.getAttribute('html', 'dir'), dir, url)
      assert.equal(await page.locator('main h1').count(), 1, url)
      const violations = await axe(page)
      assert.deepEqual(violations, [], url + '\n' + formatViolations(violations))
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      assert.ok(overflow <= 0, `${url} is ${overflow}px wider than the phone`)
    }
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}

test('with JavaScript off: take a number, book and cancel, the kiosk', { timeout: 90_000 }, async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'ar' })
  const page = await ctx.newPage()
  const n = await takeFromHome(page, 'ar')
  assert.match(n, /^\d+$/)
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl')
  assert.equal(await page.locator('noscript meta[http-equiv=refresh]').count(), 1)
  await page.getByRole('link', { name: 'تحديث' }).click()
  assert.equal((await page.getByTestId('ticket-number').innerText()).trim(), n)
  await page.getByRole('button', { name: 'لم أعد بحاجة إلى هذا الرقم' }).click()
  assert.match(await page.getByTestId('ahead').innerText(), /تنازلت عن هذا الرقم/)
  await page.goto('/b/beersheba/book?lang=ar&service=car-claim')
  await page.locator('input[name=slot]').nth(2).check()
  await page.locator('#name').fill('سلمى')
  await page.locator('main form button[type=submit]').click()
  await page.waitForURL(/\/a\//)
  await page.getByRole('button', { name: 'إلغاء الموعد' }).click()
  assert.match(await page.getByTestId('appt-status').innerText(), /تم إلغاء هذا الموعد/)
  await page.goto('/kiosk/beersheba?lang=ar')
  assert.equal(await page.locator('noscript meta[http-equiv=refresh]').count(), 0)
  await page.locator('.tiles form button').first().click()
  await page.waitForURL(/\/kiosk\/beersheba\/t\//)
  assert.match(await page.locator('noscript').first().innerHTML(), /url=\/kiosk\/beersheba\?lang=ar/)
  await ctx.close()
})
