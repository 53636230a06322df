// Shared helpers of the browser tests: Debian's Chromium through playwright-core, axe-core
// injected from its own file, and sign-in through the real form.
import { chromium } from 'playwright-core'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export const BASE = process.env.GESHER_URL ?? 'http://127.0.0.1:8080'
export const PASSWORD = 'gesher-demo'

/** launch starts headless Chromium (Playwright gives each launch a fresh temporary profile). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/** context opens a browser context in the given interface language. */
export async function context(browser, lang = 'en', viewport = { width: 1440, height: 900 }) {
  const ctx = await browser.newContext({ viewport, locale: lang === 'he' ? 'he-IL' : lang, baseURL: BASE, reducedMotion: 'reduce' })
  // The console remembers the agent's language choice; start each context with it chosen.
  await ctx.addInitScript((l) => {
    try {
      localStorage.getItem('gesher.lang') || localStorage.setItem('gesher.lang', l)
    } catch {
      /* about:blank has no storage */
    }
  }, lang)
  // Anything the page's CSP refused, or any script error, is collected for the tests to check.
  ctx.problems = []
  ctx.on('page', (p) => {
    p.on('console', (m) => m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text()) && ctx.problems.push(m.text()))
    p.on('pageerror', (e) => ctx.problems.push('page error: ' + e.message))
  })
  return ctx
}

/** signIn signs in through the form and waits for the inbox. */
export async function signIn(page, email) {
  await page.goto('/app/')
  await page.locator('#signin-email').fill(email)
  await page.locator('#signin-password').fill(PASSWORD)
  await page.locator('form button[type=submit]').click()
  await page.locator('#inbox-list').waitFor()
}

/** axe runs axe-core on the page and returns its violations (WCAG 2.1 A and AA, best practices). */
export async function axe(page) {
  // Evaluated through the DevTools protocol, not added as a <script>: the console's CSP
  // (rightly) refuses inline scripts, and the test must not loosen it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + n.failureSummary) }))
  })
}

/** formatViolations makes axe's answer readable in a test failure. */
export function formatViolations(vs) {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n')
}

/** hook posts a signed inbound message to the demo's API channel, as the insurer's site would. */
export async function hook(id, phone, name, text) {
  const { createHmac } = await import('node:crypto')
  const body = JSON.stringify({ id, from: { phone, name }, text })
  const sig = 'sha256=' + createHmac('sha256', 'demo-api-secret').update(body).digest('hex')
  const r = await fetch(BASE + '/hooks/api/demo-api', { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Gesher-Signature': sig } })
  if (!r.ok) throw new Error('hook: ' + r.status + ' ' + (await r.text()))
  return r.json()
}

/** screenshotsDir is where the suite writes the screenshots the docs show. */
export const screenshotsDir = new URL('../../docs/screenshots/', import.meta.url).pathname
