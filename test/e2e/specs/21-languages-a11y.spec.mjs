// Every customer page in all six customer languages (he, ar, en, ru, am, fr) and in each
// display mode (normal, large text, high contrast): axe-core finds nothing; each page has the
// landmarks and the one h1 a screen reader navigates by, the language switch and the display
// switches. Then the switches without JavaScript, read-aloud where the browser can speak, the
// simple-language version, and a keyboard-only journey: search → article, the tracker, a flow
// (and a queue ticket, where that page exists).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, alwaysOpen, apiSession, axe, context, formatViolations, launch, surveyLink, visualMenuLink } from '../lib.mjs'

const phone = { width: 375, height: 740 }
const langs = { he: 'rtl', ar: 'rtl', en: 'ltr', ru: 'ltr', am: 'ltr', fr: 'ltr' }
const modes = { normal: '', large: 'large', contrast: 'contrast' }

// One article in every language, written for the suite; English has a simple-language version.
const articles = {
  he: ['איך מגישים תביעה אחרי תאונה', 'אחרי תאונה מגישים **תביעה** עם תמונות של הנזק ודו"ח משטרה.', 'תביעה'],
  ar: ['كيف أقدم مطالبة بعد حادث', 'بعد الحادث قدِّم **المطالبة** مع صور الأضرار وتقرير الشرطة.', 'مطالبة'],
  en: ['How to file a claim after an accident', 'After an accident, file a **claim** with photos of the damage and the police report.\n\n::: simple\nHad an accident? Tell us. Send photos of the car and the police paper.', 'claim'],
  ru: ['Как подать заявление после аварии', 'После аварии подайте **заявление** с фотографиями повреждений и протоколом полиции.', 'заявление'],
  am: ['ከአደጋ በኋላ የካሳ ጥያቄ እንዴት ማቅረብ እንደሚቻል', 'ከአደጋ በኋላ የጉዳቱን ፎቶዎችና የፖሊስ ሪፖርት አያይዘው **የካሳ ጥያቄ** ያቅርቡ።', 'ካሳ'],
  fr: ['Comment déclarer un sinistre après un accident', 'Après un accident, déclarez le **sinistre** avec des photos des dégâts et le procès-verbal de police.', 'sinistre'],
}

let browser
let tracker
let menu // a visual menu link, texted during a call
let survey // an emailed survey's link, from a real resolution
before(async () => {
  browser = await launch()
  const admin = await apiSession('admin@demo.example')
  for (const [lang, [title, body]] of Object.entries(articles)) {
    await admin('POST', '/api/v1/articles', { id: 'e2e-claim-' + lang, group: 'e2e-claim', lang, title, body, category: 'e2e', status: 'published' })
  }
  const dana = await apiSession('dana@demo.example')
  const found = await dana('GET', '/api/v1/customers?identity=' + encodeURIComponent('phone:+972500000104'))
  const c = await dana('POST', '/api/v1/cases', {
    customer_id: found.items[0].id,
    service_id: 'car-claim',
    answers: { plate: '44-555-66', injuries: 'no', what_happened: 'A scratch on the bumper' },
  })
  tracker = new URL(c.tracker_url).pathname
  survey = (await surveyLink()).link
  // Numbers are taken at Haifa whatever the hour.
  await alwaysOpen('haifa')
  // The menu on the phone's screen, from a real call to the demo's menu.
  const call = await visualMenuLink()
  menu = call.link
  await call.close()
})
after(async () => browser?.close())

/** pages are the customer pages of one language: path, and what to do there before checking. */
function pages(lang) {
  const [, , word] = articles[lang]
  return [
    ['help home', `/help?lang=${lang}`],
    ['answer page', `/help/search?lang=${lang}&q=${encodeURIComponent(word)}`],
    ['article', `/help/articles/e2e-claim-${lang}?lang=${lang}`],
    ['tracker', `${tracker}?lang=${lang}`],
    ['flow start', `/f/address-change?lang=${lang}`],
    ['flow step', `/f/address-change?lang=${lang}`, async (page) => {
      await page.locator('button[name=action][value=start]').click()
      await page.locator('#a').waitFor()
    }],
    ['demo site with the widget open', `/demo/site?lang=${lang}`, async (page) => {
      const launcher = page.locator('gesher-chat .launcher')
      await launcher.waitFor()
      await launcher.click()
      await page.locator('gesher-chat [role=dialog]').waitFor()
      // The widget follows the page's display modes.
      const look = await page.evaluate(() => {
        const root = document.querySelector('gesher-chat').shadowRoot
        return { size: getComputedStyle(root.querySelector('.w')).fontSize, bg: getComputedStyle(root.querySelector('.panel')).backgroundColor }
      })
      const cls = (await page.getAttribute('html', 'class')) ?? ''
      assert.equal(look.size, cls.includes('large') ? '20px' : '16px', 'the widget’s text size follows the page')
      assert.equal(look.bg, cls.includes('contrast') ? 'rgb(0, 0, 0)' : 'rgb(255, 255, 255)', 'the widget’s contrast follows the page')
    }],
    ['survey from an email', `${survey}?lang=${lang}`],
    // The branch pages (their own layout and style sheet, no footer): taking a number from
    // home, the queue ticket it gives, booking an appointment, the kiosk.
    ['take a number', `/b/haifa/ticket?lang=${lang}`, null, true],
    ['queue ticket', `/b/haifa/ticket?lang=${lang}`, async (page) => {
      await page.locator('main form button[type=submit]').click()
      await page.waitForURL(/\/q\//)
    }, true],
    ['book an appointment', `/b/haifa/book?lang=${lang}`, null, true],
    ['kiosk', `/kiosk/haifa?lang=${lang}`, null, true],
    // The visual menu (Amharic and French only on the screen: the phone does not speak them).
    ['visual menu', `${menu}?lang=${lang}`],
    ['visual menu: claim status', `${menu}?lang=${lang}&node=status`],
  ]
}

/** structure checks what a screen reader navigates by. */
async function structure(page, what, theirs) {
  assert.equal(await page.locator('main').count(), 1, `${what}: one main landmark`)
  assert.equal(await page.locator('h1').count(), 1, `${what}: one h1`)
  assert.equal(await page.locator('body > header').count(), 1, `${what}: a banner`)
  if (!theirs) assert.equal(await page.locator('body > footer').count(), 1, `${what}: a content-info footer`)
  assert.ok(await page.locator('nav[aria-label] a[hreflang]').count() >= 6, `${what}: the language switch with six languages`)
  assert.equal(await page.locator('form.display[aria-label] button[name=toggle]').count() >= 2, true, `${what}: the display switches`)
  // Headings do not skip a level.
  const levels = await page.locator('main h1, main h2, main h3, main h4').evaluateAll((hs) => hs.map((h) => Number(h.tagName[1])))
  for (let i = 1; i < levels.length; i++) assert.ok(levels[i] <= levels[i - 1] + 1, `${what}: heading levels ${levels}`)
}

for (const [lang, dir] of Object.entries(langs)) {
  for (const [mode, cookie] of Object.entries(modes)) {
    test(`customer pages in ${lang}, ${mode}: axe finds nothing, the structure is there`, { timeout: 180_000 }, async () => {
      const ctx = await context(browser, lang, phone)
      if (cookie) await ctx.addCookies([{ name: 'gesher_display', value: cookie, url: BASE }])
      const page = await ctx.newPage()
      for (const [what, path, prepare, theirs] of pages(lang)) {
        const resp = await page.goto(path)
        assert.ok(resp.status() === 200, `${what}: ${resp.status()}`)
        if (prepare) await prepare(page)
        assert.equal(await page.getAttribute('html', 'lang'), lang, `${what}: lang`)
        assert.equal(await page.getAttribute('html', 'dir'), dir, `${what}: dir`)
        if (cookie) assert.match((await page.getAttribute('html', 'class')) ?? '', new RegExp(cookie), `${what}: the ${mode} mode is on`)
        await structure(page, `${what} (${lang}, ${mode})`, theirs)
        const violations = await axe(page)
        assert.deepEqual(violations, [], `${what} (${lang}, ${mode}):\n` + formatViolations(violations))
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        assert.ok(overflow <= 0, `${what} (${lang}, ${mode}): ${overflow}px wider than the phone`)
      }
      assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
      await ctx.close()
    })
  }
}

test('without JavaScript the switches are forms: large text and high contrast follow the visitor to every page', { timeout: 60_000 }, async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'fr-FR' })
  const page = await ctx.newPage()
  await page.goto('/help')
  assert.equal(await page.getAttribute('html', 'lang'), 'fr', 'the browser’s French is picked')
  assert.equal(await page.locator('#read-aloud').isVisible(), false, 'read-aloud is hidden without JavaScript')
  await page.getByRole('button', { name: 'Grand texte' }).click()
  await page.waitForURL(/\/help/)
  assert.equal(await page.getAttribute('html', 'class'), 'large')
  assert.equal(await page.getByRole('button', { name: 'Grand texte' }).getAttribute('aria-pressed'), 'true')
  await page.getByRole('button', { name: 'Contraste élevé' }).click()
  assert.equal(await page.getAttribute('html', 'class'), 'large contrast')
  await page.goto(`${tracker}?lang=am`)
  assert.equal(await page.getAttribute('html', 'class'), 'large contrast', 'the tracker keeps the visitor’s modes')
  await page.getByRole('button', { name: 'ትልቅ ጽሑፍ' }).click()
  await page.waitForURL(new RegExp(tracker.replace(/\./g, '\\.')))
  assert.equal(await page.getAttribute('html', 'class'), 'contrast')
  assert.equal(await page.getAttribute('html', 'lang'), 'am', 'the switch comes back to the same page in the same language')
  // The tracker remembered the modes in the customer's profile; put it back as it was.
  await page.getByRole('button', { name: 'ከፍተኛ ንፅፅር' }).click()
  assert.equal(await page.getAttribute('html', 'class'), null)
  await ctx.close()
})

test('read-aloud shows where the browser can speak, and reads the page', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en', phone)
  // A browser that speaks: the utterance the page hands it is recorded.
  await ctx.addInitScript(() => {
    window.__spoken = []
    window.speechSynthesis.speak = (u) => {
      window.__spoken.push({ text: u.text, lang: u.lang })
      setTimeout(() => u.onend && u.onend(), 10)
    }
  })
  const page = await ctx.newPage()
  for (const path of ['/help/articles/e2e-claim-he?lang=he', `${tracker}?lang=ar`, '/f/address-change?lang=fr', '/kiosk/haifa?lang=am', '/demo/site?lang=ru']) {
    await page.goto(path)
    const btn = page.locator('#read-aloud')
    assert.equal(await btn.isVisible(), true, `${path}: read-aloud visible`)
    await btn.click()
    const spoken = await page.evaluate(() => window.__spoken.at(-1))
    assert.ok(spoken && spoken.text.length > 20, `${path}: the page was read`)
    assert.equal(spoken.lang, await page.getAttribute('html', 'lang'))
  }
  await ctx.close()
  // A browser that cannot speak shows no button.
  const mute = await context(browser, 'en', phone)
  await mute.addInitScript(() => delete window.speechSynthesis)
  const p2 = await mute.newPage()
  await p2.goto('/help?lang=en')
  assert.equal(await p2.locator('#read-aloud').isVisible(), false)
  await mute.close()
})

test('the simple-language version of an article, with its switch', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en', phone)
  const page = await ctx.newPage()
  await page.goto('/help/articles/e2e-claim-en?lang=en')
  assert.match(await page.locator('#article-body').innerText(), /police report/)
  await page.getByRole('button', { name: 'Simple language' }).click()
  await page.waitForURL(/e2e-claim-en/)
  assert.match(await page.locator('#article-body').innerText(), /Send photos of the car and the police paper/)
  assert.equal(await page.getByRole('button', { name: 'Simple language' }).getAttribute('aria-pressed'), 'true')
  const violations = await axe(page)
  assert.deepEqual(violations, [], formatViolations(violations))
  // An article without a simple version offers no switch.
  await page.goto('/help/articles/e2e-claim-fr?lang=fr')
  assert.equal(await page.locator('button[name=toggle][value=simple]').count(), 0)
  await ctx.close()
})

/** tabTo presses Tab until the focused element matches the test, and fails after limit presses. */
async function tabTo(page, what, matches, limit = 60) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(matches)) return
  }
  assert.fail('Tab never reached ' + what)
}

test('keyboard only: search → article, the tracker, a flow to its end, a queue ticket', { timeout: 120_000 }, async () => {
  const ctx = await context(browser, 'he', phone)
  const page = await ctx.newPage()
  await page.goto('/help?lang=he')
  // The skip link is the first stop and lands in main.
  await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip')
  await tabTo(page, 'the search box', () => document.activeElement?.id === 'q')
  await page.keyboard.type('תביעה')
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/help\/search/)
  await tabTo(page, 'the answer', () => document.activeElement?.tagName === 'A' && document.activeElement.closest('.answer') !== null)
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/help\/articles\/e2e-claim-he/)
  assert.match(await page.locator('h1').innerText(), /תביעה/)
  // The feedback question answers from the keyboard too.
  await tabTo(page, 'the feedback', () => document.activeElement?.getAttribute('value') === 'yes')
  await page.keyboard.press('Enter')
  await page.locator('main [role=status]').waitFor()

  await page.goto(`${tracker}?lang=he`)
  await tabTo(page, 'large text', () => document.activeElement?.getAttribute('value') === 'large')
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/s\//)
  assert.equal(await page.getAttribute('html', 'class'), 'large', 'the switch works from the keyboard')
  await tabTo(page, 'large text again', () => document.activeElement?.getAttribute('value') === 'large')
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => !document.documentElement.classList.contains('large'))
  await tabTo(page, 'the link to the help centre', () => document.activeElement?.closest('main') !== null && document.activeElement.tagName === 'A')

  await page.goto('/f/address-change?lang=he')
  await tabTo(page, 'start', () => document.activeElement?.getAttribute('value') === 'start')
  await page.keyboard.press('Enter')
  await page.locator('#a').waitFor()
  await tabTo(page, 'the contact field', () => document.activeElement?.id === 'a')
  await page.keyboard.type('050-000-0211')
  await page.keyboard.press('Enter')
  // Enter in a field sends its form, as a browser does: the next step's number says it came.
  const step = (n) => page.locator('main p.count bdi').first().filter({ hasText: new RegExp('^' + n + '$') }).waitFor()
  await step(2)
  for (const [n, answer] of [[3, 'הרצל 1'], [4, 'חולון']]) {
    await tabTo(page, 'the answer', () => document.activeElement?.id === 'a')
    await page.keyboard.type(answer)
    await page.keyboard.press('Enter')
    await step(n)
  }
  await tabTo(page, 'the confirmation', () => document.activeElement?.getAttribute('value') === 'next')
  await page.keyboard.press('Enter')
  await page.locator('main a[href^="/s/"]').waitFor()
  await tabTo(page, 'the tracker link', () => document.activeElement?.getAttribute('href')?.startsWith('/s/'))
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/s\//)
  assert.equal(await page.locator('[aria-current="step"]').count(), 1, 'the new case’s tracker opened')

  // A number from home: pick the service with the keyboard, take it, land on the ticket.
  await page.goto('/b/haifa/ticket?lang=he')
  await tabTo(page, 'a service', () => document.activeElement?.getAttribute('name') === 'service')
  await page.keyboard.press('Space')
  assert.equal(await page.evaluate(() => document.activeElement?.checked), true, 'Space chose the service')
  await tabTo(page, 'take a number', () => document.activeElement?.getAttribute('type') === 'submit' && document.activeElement.closest('main') !== null)
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/q\//)
  assert.match((await page.getByTestId('ticket-number').innerText()).trim(), /^\d+$/, 'the ticket shows its number')
  assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
  await ctx.close()
})
