// The identity check by one-time code and the file step of a guided flow, as a customer meets
// them on the web form: the code goes by SMS to the number given (read here at a fake
// Twilio, as the customer would read it on their phone; agents never see it), a wrong code is announced, the right
// one passes; the file input takes a photo, and the case keeps it. Both steps pass axe-core
// in he, ar, en and ru, and the whole flow runs with JavaScript off.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, apiSession, axe, codeIn, context, fakeTwilio, formatViolations, launch } from '../lib.mjs'

const phone = { width: 375, height: 740 }
const start = { he: 'להתחלה', ar: 'ابدأ', en: 'Start', ru: 'Начать' }
const next = { he: 'הבא', ar: 'التالي', en: 'Next', ru: 'Далее' }
const all = (s) => ({ he: s.he, ar: s.ar, en: s.en, ru: s.ru })

const service = {
  category: 'car',
  name: all({ he: 'דיווח גניבה עם תמונה', ar: 'بلاغ سرقة مع صورة', en: 'Theft report with a photo', ru: 'Заявление о краже с фото' }),
  channels: ['web', 'whatsapp', 'phone'],
  flow: [
    { id: 'identity', kind: 'code', label: all({ he: 'הקוד ששלחנו', ar: 'الرمز الذي أرسلناه', en: 'The code we sent you', ru: 'Код, который мы отправили' }) },
    { id: 'photo', kind: 'file', label: all({ he: 'תמונה של אישור המשטרה', ar: 'صورة عن بلاغ الشرطة', en: 'A photo of the police report', ru: 'Фото справки из полиции' }) },
    { id: 'confirm', kind: 'confirm', label: all({ he: 'שליחה', ar: 'إرسال', en: 'Send the report', ru: 'Отправить' }) },
  ],
}

let browser, supervisor, agent, sms
before(async () => {
  browser = await launch()
  sms = await fakeTwilio()
  supervisor = await apiSession('michal@demo.example')
  agent = await apiSession('dana@demo.example')
  await supervisor('PUT', '/api/v1/services/e2e-theft-report', service)
})
after(async () => {
  await sms?.close()
  await browser?.close()
})

async function clean(page, what) {
  const violations = await axe(page)
  assert.deepEqual(violations, [], what + ':\n' + formatViolations(violations))
}

/** codeSent is the six digits of the last code texted to the number, as the customer's phone shows it. */
const codeSent = (number) => codeIn(sms.texts, (t) => t.To === number, number)

const jpeg = { name: 'report.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('\xff\xd8\xff\xe0 the police report', 'latin1') }

let n = 0
for (const [lang, dir] of [['he', 'rtl'], ['ar', 'rtl'], ['en', 'ltr'], ['ru', 'ltr']]) {
  test(`the code and file steps in ${lang} pass axe, refuse a wrong code and take a photo`, { timeout: 90_000 }, async () => {
    const number = '+97250000' + String(1500 + n++).padStart(4, '0')
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    assert.equal((await page.goto(`/f/e2e-theft-report?lang=${lang}`)).status(), 200)
    assert.equal(await page.getAttribute('html', 'dir'), dir)
    await page.getByRole('button', { name: start[lang] }).click()
    await page.locator('#a').fill(number)
    await page.getByRole('button', { name: next[lang] }).click()
    assert.equal(await page.locator('#a').getAttribute('autocomplete'), 'one-time-code')
    await clean(page, 'the code step')
    const code = await codeSent(number)
    await page.locator('#a').fill(code === '000000' ? '111111' : '000000')
    await page.getByRole('button', { name: next[lang] }).click()
    assert.equal(await page.locator('[role=alert]').count(), 1, 'a wrong code is announced')
    assert.equal(await page.locator('#a').getAttribute('aria-invalid'), 'true')
    await clean(page, 'a wrong code')
    await page.locator('#a').fill(code)
    await page.getByRole('button', { name: next[lang] }).click()
    assert.equal(await page.locator('input[type=file]').count(), 1, 'the file step')
    await clean(page, 'the file step')
    await page.getByRole('button', { name: next[lang] }).click()
    assert.equal(await page.locator('[role=alert]').count(), 1, 'no file is announced')
    await clean(page, 'no file')
    await page.locator('input[type=file]').setInputFiles(jpeg)
    // By keyboard: after two refused answers the widget may offer help over the form on a
    // phone; the form stays usable without the pointer.
    await page.getByRole('button', { name: next[lang] }).press('Enter')
    assert.equal(await page.locator('main dl dd').count(), 3, 'the contact, the check and the file to confirm')
    await clean(page, 'the confirmation')
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}

test('with JavaScript off the code and the photo run to the case, which keeps the photo', { timeout: 90_000 }, async () => {
  const number = '+972500001599'
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'en' })
  const page = await ctx.newPage()
  await page.goto('/f/e2e-theft-report?lang=en')
  await page.getByRole('button', { name: 'Start' }).click()
  await page.locator('#a').fill(number)
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('The code we sent you').fill(await codeSent(number))
  await page.getByRole('button', { name: 'Next' }).click()
  await page.getByLabel('A photo of the police report').setInputFiles(jpeg)
  await page.getByRole('button', { name: 'Next' }).click()
  assert.match(await page.locator('main dl').innerText(), /Identity checked[\s\S]*A file was sent/)
  await page.getByRole('button', { name: 'Send the report' }).click()
  assert.equal(await page.locator('h1').innerText(), 'Your request was sent')
  const customers = await agent('GET', '/api/v1/customers?identity=' + encodeURIComponent('phone:' + number))
  const cases = await agent('GET', '/api/v1/cases?customer=' + (customers.items ?? customers)[0].id)
  const c = (cases.items ?? cases).find((x) => x.service_id === 'e2e-theft-report')
  assert.ok(c, 'the case')
  assert.equal(c.answers.identity, 'verified')
  const photo = await fetch(BASE + c.answers.photo, { headers: { Cookie: '' } })
  assert.notEqual(photo.status, 200, 'the photo is not public')
  await ctx.close()
})
