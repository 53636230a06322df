// The satisfaction survey a customer answers from the link in an email: a real resolution of
// an email conversation sends it (to a fake mail server); the page is in the customer's
// language, right to left where it should be, accessible (axe-core finds nothing) and answered
// by keyboard alone with JavaScript off. Reloading the page or opening it again records
// nothing; the answer lands, once, in the CSAT of the agent who had the conversation.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, apiSession, axe, context, formatViolations, launch, screenshotsDir, surveyLink } from '../lib.mjs'

const phone = { width: 375, height: 740 }
const question = { he: 'איך היה השירות?', ar: 'كيف كانت خدمتنا؟', en: 'How did we do?', ru: 'Как мы справились?', am: 'አገልግሎታችን እንዴት ነበር?', fr: 'Comment avons-nous fait ?' }
const dirs = { he: 'rtl', ar: 'rtl', en: 'ltr', ru: 'ltr', am: 'ltr', fr: 'ltr' }

let browser
let survey
let michal // a supervisor reads the figures
before(async () => {
  browser = await launch()
  survey = await surveyLink()
  michal = await apiSession('michal@demo.example')
})
after(async () => browser?.close())

/** csatOf is the agent's CSAT row today: how many answers, and the comments customers wrote. */
async function csatOf(agentID) {
  const from = new Date(Date.now() - 86_400_000).toISOString()
  const to = new Date(Date.now() + 3_600_000).toISOString()
  const q = `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&agent=${agentID}`
  const res = await michal('GET', '/api/v1/metrics/csat' + q)
  const row = res.rows.find((r) => r.by === 'agent' && r.key === agentID)
  const comments = await michal('GET', '/api/v1/metrics/survey_comments' + q)
  return { responses: row?.responses ?? 0, comments: JSON.stringify(comments.rows ?? []) }
}

for (const [lang, dir] of Object.entries(dirs)) {
  test(`the survey page in ${lang}: ${dir}, five labelled scores in one group, no axe violations`, { timeout: 60_000 }, async () => {
    const ctx = await context(browser, lang, phone)
    const page = await ctx.newPage()
    assert.equal((await page.goto(`${survey.link}?lang=${lang}`)).status(), 200)
    assert.equal(await page.getAttribute('html', 'lang'), lang)
    assert.equal(await page.getAttribute('html', 'dir'), dir)
    assert.equal((await page.locator('fieldset legend').innerText()).trim(), question[lang])
    assert.equal(await page.getByRole('radio').count(), 5)
    assert.equal(await page.getByRole('group', { name: question[lang] }).count(), 1, 'the scores are one group named by the question')
    const violations = await axe(page)
    assert.deepEqual(violations, [], formatViolations(violations))
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`)
    if (lang === 'he' || lang === 'en') await page.screenshot({ path: `${screenshotsDir}survey-${lang}.png`, fullPage: true })
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}

test('with JavaScript off and by keyboard alone the customer answers; opening the link again records nothing', { timeout: 60_000 }, async () => {
  const before = await csatOf(survey.me.id)
  const ctx = await browser.newContext({ javaScriptEnabled: false, baseURL: BASE, viewport: phone, locale: 'en' })
  const page = await ctx.newPage()
  // A mail scanner, a preview and the customer all open the link: none of it is an answer.
  for (let i = 0; i < 3; i++) assert.equal((await page.goto(`${survey.link}?lang=en`)).status(), 200)
  assert.equal((await csatOf(survey.me.id)).responses, before.responses, 'opening the page recorded an answer')

  // Tab into the scores, pick "4 – Good" with the arrow keys, write, send with Enter.
  await page.locator('input[name=score]').first().focus()
  await page.keyboard.press('Space')
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown')
  assert.equal(await page.locator('input[name=score]:checked').getAttribute('value'), '4')
  await page.keyboard.press('Tab')
  const comment = 'Kind and quick ' + Math.random().toString(36).slice(2, 8)
  await page.keyboard.type(comment)
  assert.equal(await page.evaluate(() => document.activeElement.id), 'survey-comment')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname === survey.link)
  assert.equal((await page.locator('h1').innerText()).trim(), 'Thank you')
  assert.match(await page.locator('main').innerText(), /We have your answer: 4 – Good\./)
  assert.equal(await page.locator('input[name=score]').count(), 0, 'the question is gone once answered')

  // Reloading the thank-you page sends nothing again; the answer is the agent's, once.
  await page.reload()
  const after = await csatOf(survey.me.id)
  assert.equal(after.responses, before.responses + 1)
  assert.ok(after.comments.includes(comment), 'the comment is among the verbatim comments')
  await ctx.close()
})

test('a tampered link is a plain "not found" in the language asked for', { timeout: 30_000 }, async () => {
  const ctx = await context(browser, 'ar', phone)
  const page = await ctx.newPage()
  const bad = survey.link.slice(0, -1) + (survey.link.endsWith('A') ? 'B' : 'A')
  assert.equal((await page.goto(`${bad}?lang=ar`)).status(), 404)
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl')
  assert.equal((await page.locator('h1').innerText()).trim(), 'رابط الاستطلاع هذا لا يعمل')
  const violations = await axe(page)
  assert.deepEqual(violations, [], formatViolations(violations))
  await ctx.close()
})
