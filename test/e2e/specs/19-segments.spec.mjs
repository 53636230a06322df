// Segments on the customer panel: a kosher-phone caller's panel shows the segments they are in
// now (evaluated from their profile and history, each with its adoption phase) beside the
// coaching stage, in English and in Hebrew, with axe finding nothing.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { axe, context, formatViolations, hook, launch, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

for (const [lang, phase, stage] of [
  ['en', /elderly-appointment · (Hybrid|Digital)/, 'Not digital'],
  ['he', /elderly-appointment · (היברידי|דיגיטלי)/, null],
]) {
  test(`the panel shows a kosher-phone customer's segments and coaching stage (${lang})`, { timeout: 60_000 }, async () => {
    const res = await hook('e2e-seg-' + lang + '-' + Date.now(), '050-000-0101', 'Rivka Cohen', 'אני רוצה לקבוע תור')
    const page = await (await context(browser, lang)).newPage()
    await signIn(page, 'dana@demo.example')
    await page.goto('/app/c/' + encodeURIComponent(res.results[0].conversation_id) + '?view=open')
    await page.locator('[data-testid=conversation-status]').waitFor()
    const segs = page.locator('[data-testid=customer-segments]')
    await segs.getByText('kosher-phone').waitFor()
    assert.match(await segs.innerText(), phase)
    if (stage) await page.locator('[aria-current=step]', { hasText: stage }).waitFor()
    const v = await axe(page)
    assert.equal(v.length, 0, `customer panel (${lang}): axe found\n${formatViolations(v)}`)
    await page.context().close()
  })
}
