// Segments on the customer panel: a kosher-phone caller's panel shows the segments they are in
// now (evaluated from their profile and history, each with its adoption phase) beside the
// coaching stage, in English and in Hebrew, with axe finding nothing.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, axe, context, formatViolations, hook, launch, signIn } from '../lib.mjs'

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

// The segment admin screen: a supervisor changes a segment's channel-fit matrix in the console
// and the API then serves the new matrix; a rule the server refuses shows the server's reason;
// the list shows the members, the adoption figure and the phase; axe finds nothing.
for (const lang of ['en', 'he']) {
  test(`a supervisor edits a segment's channel fit in the console (${lang})`, { timeout: 90_000 }, async () => {
    const api = await apiSession('michal@demo.example')
    const name = `e2e-fit-${lang}-${Date.now()}`
    const sg = await api('POST', '/api/v1/segments', { name, rule: { field: 'tag', op: 'has', values: [name] }, matrix: { voice: 'offer-first' }, target_share: 0.4 })
    const page = await (await context(browser, lang)).newPage()
    await signIn(page, 'michal@demo.example')
    await page.goto('/app/admin/segments')
    const row = page.locator(`tr[data-segment="${name}"]`)
    await row.waitFor()
    assert.equal((await row.getByTestId('segment-members').innerText()).trim(), '0')
    await row.getByTestId('segment-phase').filter({ hasText: lang === 'en' ? /Hybrid|Digital/ : /היברידי|דיגיטלי/ }).waitFor()
    assert.match(await row.getByTestId('segment-adoption').innerText(), /40%/)

    await row.getByRole('button', { name: new RegExp((lang === 'en' ? 'Edit' : 'עריכה') + '.*' + name) }).click()
    const matrix = page.getByTestId('segment-matrix')
    assert.equal(await matrix.locator('tr[data-kind="voice"] input[value="offer-first"]').isChecked(), true, 'the stored matrix is shown')
    // A rule the server refuses: its reason is shown, and nothing is saved.
    const rule = page.getByTestId('segment-rule')
    await rule.fill('{"field": "age", "op": "about", "number": 75}')
    await page.getByTestId('segment-form').locator('button[type=submit]').click()
    await page.getByTestId('segment-error').filter({ hasText: /rule/ }).waitFor()
    assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))
    await rule.fill(JSON.stringify({ field: 'tag', op: 'has', values: [name] }))
    await matrix.locator('tr[data-kind="whatsapp"] input[value="never"]').check()
    await matrix.locator('tr[data-kind="sms"] input[value="offer-first"]').check()
    await matrix.locator('tr[data-kind="voice"] input[value="fits"]').check()
    await page.getByTestId('segment-form').locator('button[type=submit]').click()
    await page.getByRole('status').filter({ hasText: name }).waitFor()
    await row.getByTestId('segment-never').filter({ hasText: 'WhatsApp' }).waitFor()

    const now = await api('GET', '/api/v1/segments/' + sg.id)
    assert.deepEqual(now.matrix, { whatsapp: 'never', sms: 'offer-first' })
    assert.equal(now.target_share, 0.4, 'the target is kept')
    assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))
    if (lang === 'en') {
      // An agent reads the segments and is offered no change.
      const dana = await (await context(browser, lang)).newPage()
      await signIn(dana, 'dana@demo.example')
      await dana.goto('/app/admin/segments')
      await dana.locator(`tr[data-segment="${name}"]`).getByTestId('segment-never').filter({ hasText: 'WhatsApp' }).waitFor()
      assert.equal(await dana.getByRole('button', { name: /Edit|Delete|New segment/ }).count(), 0, 'no way to change segments for an agent')
      await dana.context().close()
    }
    await api('DELETE', '/api/v1/segments/' + sg.id)
    await page.context().close()
  })
}
