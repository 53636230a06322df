// The dashboards: a supervisor opens each one from the header, in English and in Hebrew (right
// to left), sees its charts with their tables, exports a panel as CSV, and axe-core finds
// nothing. The console's first load does not fetch the charting library; opening a dashboard
// does. Screenshots of every dashboard go to docs/screenshots/dashboard-<name>-<lang>.png.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, axe, context, formatViolations, hook, launch, screenshotsDir, signIn } from '../lib.mjs'

const dashboards = ['volume', 'service', 'satisfaction', 'self-service', 'portfolio', 'adoption']
let browser

before(async () => {
  browser = await launch()
  // A few fresh conversations, so the volume and service figures of the last 30 days have
  // something of today in them whatever the demo seeded.
  for (let i = 0; i < 3; i++) await hook(`e2e-dash-${Date.now()}-${i}`, `+97250777000${i}`, `Dashboard customer ${i}`, 'Where is my claim?')
})
after(async () => browser?.close())

for (const lang of ['en', 'he']) {
  test(`${lang}: every dashboard shows its charts and tables, exports CSV and passes axe`, { timeout: 180_000 }, async () => {
    // Tall enough for a whole dashboard in one screenshot (the console scrolls inside its main).
    const ctx = await context(browser, lang, { width: 1440, height: 2600 })
    const page = await ctx.newPage()
    const scripts = []
    page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()))
    await signIn(page, 'michal@demo.example')
    assert.ok(!scripts.some((u) => /DashboardsPage/.test(u)), 'the inbox loaded the dashboards chunk: ' + scripts.join(' '))

    await page.getByTestId('dashboards-open').click()
    await page.locator('#dashboard-title').waitFor()
    assert.ok(scripts.some((u) => /DashboardsPage/.test(u)), 'opening a dashboard fetched its chunk')
    assert.equal(await page.evaluate(() => document.documentElement.dir), lang === 'he' ? 'rtl' : 'ltr')

    for (const d of dashboards) {
      await page.getByTestId('dash-' + d).click()
      await page.waitForURL('**/app/dashboards/' + d)
      // Every panel has finished loading: a table, an empty note or an error, none busy.
      await page.waitForFunction(() => {
        const panels = [...document.querySelectorAll('#dashboards-main section[aria-labelledby]')]
        return panels.length > 0 && panels.every((p) => p.getAttribute('aria-busy') === 'false')
      })
      const errors = await page.locator('#dashboards-main [role=alert]').allTextContents()
      assert.deepEqual(errors, [], d + ': panels failed to load')
      // A chart is an image with a name, and the table beside it holds its figures.
      for (const c of await page.locator('#dashboards-main canvas').all()) {
        assert.ok((await c.getAttribute('aria-label'))?.length > 5, d + ': a chart without a text alternative')
      }
      if (d === 'satisfaction') {
        // The demo seeds survey answers over past weeks (internal/demo/surveys.go): the
        // dashboard has figures, not empty notes.
        const rows = await page.locator('#dashboards-main table tbody tr').count()
        assert.ok(rows >= 10, `satisfaction: ${rows} table rows; want the demo's answers`)
      }
      if (d === 'adoption') {
        // Branch service reads by branch name (the API names them), not by id: the demo's
        // branches take tickets (internal/demo/branches.go).
        const branches = (await (await ctx.request.get(BASE + '/api/v1/branches')).json()).items
        const text = await page.locator('section[aria-labelledby="panel-branch_service"] table').innerText()
        assert.ok(branches.some((b) => text.includes(b.name)), 'branch service: no branch name in\n' + text)
        assert.ok(!branches.some((b) => text.includes(b.id)), 'branch service: a branch id in\n' + text)
      }
      const violations = await axe(page)
      assert.deepEqual(violations, [], `${d}:\n` + formatViolations(violations))
      await page.screenshot({ path: `${screenshotsDir}dashboard-${d}-${lang}.png`, fullPage: true })
    }

    // The CSV export of a panel is the API's CSV.
    await page.getByTestId('dash-volume').click()
    const link = page.getByTestId('csv-volume')
    const hrefCSV = await link.getAttribute('href')
    assert.match(hrefCSV, /^\/api\/v1\/metrics\/volume\?.*format=csv/)
    const resp = await ctx.request.get(BASE + hrefCSV) // with the signed-in session's cookie
    assert.equal(resp.status(), 200)
    assert.match(resp.headers()['content-type'], /text\/csv/)
    assert.match((await resp.text()).split('\n')[0], /^bucket,series,value/)
    assert.deepEqual(ctx.problems, [], 'CSP or script errors: ' + ctx.problems.join('\n'))
    await ctx.close()
  })
}
