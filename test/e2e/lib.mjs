// Shared helpers of the browser tests: Debian's Chromium through playwright-core, axe-core
// injected from its own file, and sign-in through the real form.
import { chromium } from 'playwright-core'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { connect, createServer as createTCPServer } from 'node:net'
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
  const body = JSON.stringify({ id, from: { phone, name }, text })
  const sig = 'sha256=' + createHmac('sha256', 'demo-api-secret').update(body).digest('hex')
  const r = await fetch(BASE + '/hooks/api/demo-api', { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Gesher-Signature': sig } })
  if (!r.ok) throw new Error('hook: ' + r.status + ' ' + (await r.text()))
  return r.json()
}

/** screenshotsDir is where the suite writes the screenshots the docs show. */
export const screenshotsDir = new URL('../../docs/screenshots/', import.meta.url).pathname

/**
 * fakeCRM is the far side of the demo's API channel: a local server that checks each reply's
 * signature as an integrator would and keeps what it received. It points demo-api's
 * outbound_url at itself (as an admin would in the channel settings) and puts it back on close.
 */
export async function fakeCRM() {
  const received = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const want = 'sha256=' + createHmac('sha256', 'demo-api-secret').update(body).digest('hex')
      const signed = req.headers['x-gesher-signature'] === want
      const m = JSON.parse(body.toString() || '{}')
      received.push({ ...m, signed, key: req.headers['idempotency-key'] })
      res.writeHead(signed ? 200 : 401, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ id: 'crm-' + m.id }))
    })
  })
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
  const url = `http://127.0.0.1:${server.address().port}/gesher`
  const admin = await apiSession('admin@demo.example')
  const channels = await admin('GET', '/api/v1/channels')
  const ch = channels.items.find((c) => c.name === 'demo-api')
  const before = { ...ch.settings }
  await admin('PUT', '/api/v1/channels/' + ch.id, { settings: { ...before, outbound_url: url } })
  return {
    received,
    async close() {
      await admin('PUT', '/api/v1/channels/' + ch.id, { settings: before })
      await new Promise((ok) => server.close(ok))
    },
  }
}

/**
 * fakeTwilio stands in for Twilio's Messages API behind the demo's SMS channel: every text the
 * server sends lands in texts ({To, From, Body}), as the customer's phone would show it. Agents
 * cannot read one-time codes in the console, so the specs read them here.
 */
export async function fakeTwilio(channelName = 'demo-sms') {
  const texts = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json')
      if (!req.url.endsWith('/Messages.json')) {
        res.writeHead(404)
        res.end('{}')
        return
      }
      texts.push(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())))
      res.writeHead(201)
      res.end(JSON.stringify({ sid: 'SM' + String(texts.length).padStart(32, '0'), status: 'queued' }))
    })
  })
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
  const admin = await apiSession('admin@demo.example')
  const ch = (await admin('GET', '/api/v1/channels')).items.find((c) => c.name === channelName)
  const before = { ...ch.settings }
  await admin('PUT', '/api/v1/channels/' + ch.id, { settings: { ...before, api_base: `http://127.0.0.1:${server.address().port}` } })
  return {
    texts,
    async close() {
      await admin('PUT', '/api/v1/channels/' + ch.id, { settings: before })
      await new Promise((ok) => server.close(ok))
    },
  }
}

/**
 * alwaysOpen gives a demo branch an always-open calendar and returns the branch as changed, so
 * a suite does not depend on the hour it runs at (a closed branch gives no numbers, as it
 * should; the hours themselves are tested in Go against a fixed clock).
 */
export async function alwaysOpen(slug) {
  const always = [{ from: '00:00', to: '24:00' }]
  const michal = await apiSession('michal@demo.example')
  await michal('PUT', '/api/v1/calendars/always-open', {
    name: 'Always open (browser tests)',
    time_zone: 'Asia/Jerusalem',
    week: { sunday: always, monday: always, tuesday: always, wednesday: always, thursday: always, friday: always, saturday: always },
    days: [],
  })
  const b = await michal('GET', '/api/v1/branches/' + slug)
  return michal('PUT', '/api/v1/branches/' + b.id, {
    name: b.name, city: b.city, address: b.address, phone: b.phone, slug: b.slug, names: b.names, calendar_id: 'always-open',
    notify_ahead: b.notify_ahead, services: b.services,
    desks: b.desks.map((d) => ({ name: d.name, services: d.services, slot_minutes: d.slot_minutes, fast: d.fast, appointments: d.appointments })),
  })
}

/** twilioSign is X-Twilio-Signature for the demo's Twilio channels: HMAC-SHA1 over the URL and the sorted parameters. */
export function twilioSign(url, params) {
  const keys = Object.keys(params).sort()
  return createHmac('sha1', 'demo-twilio-token').update(url + keys.map((k) => k + params[k]).join('')).digest('base64')
}

/** twilioVoice posts a signed voice webhook as Twilio does and returns the TwiML answer. */
export async function twilioVoice(url, params) {
  const r = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams(params).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSign(url, params) },
  })
  if (r.status !== 200) throw new Error(url + ': ' + r.status)
  return r.text()
}

/** gatherURL is the action of the TwiML's <Gather>: where Twilio posts the caller's keys. */
export function gatherURL(twiml) {
  const m = twiml.match(/<Gather [^>]*action="([^"]+)"/)
  if (!m) throw new Error('no <Gather> in ' + twiml)
  return m[1].replaceAll('&amp;', '&')
}

/**
 * visualMenuLink places a call to the demo's phone menu through signed Twilio voice webhooks
 * (an unknown caller picks Hebrew, then 4: the menu on the screen) and returns the /m/ link the
 * menu texted them, caught by a fake Twilio; close() puts the SMS channel back.
 */
export async function visualMenuLink() {
  const sms = await fakeTwilio('demo-sms')
  const hookURL = BASE + '/hooks/voice/demo-voice'
  const voice = twilioVoice
  const gather = gatherURL
  const hex = [...Array(32)].map(() => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('')
  const from = '+97252' + String(Math.floor(1000000 + Math.random() * 8999999))
  const base = { CallSid: 'CA' + hex, AccountSid: 'ACdemo00000000000000000000000000', From: from, To: '+97235550199', Direction: 'inbound', ApiVersion: '2010-04-01' }
  let twiml = await voice(hookURL, { ...base, CallStatus: 'ringing' })
  twiml = await voice(gather(twiml), { ...base, CallStatus: 'in-progress', Digits: '1' })
  await voice(gather(twiml), { ...base, CallStatus: 'in-progress', Digits: '4' })
  for (let i = 0; i < 150; i++) {
    const t = sms.texts.find((t) => t.To === from && /\/m\//.test(t.Body))
    if (t) return { link: t.Body.match(/\/m\/[0-9a-z]{26}\.[0-9a-z]+\.[A-Za-z0-9_-]+/)[0], close: () => sms.close() }
    await new Promise((r) => setTimeout(r, 100))
  }
  await sms.close()
  throw new Error('the visual menu link was not texted: ' + JSON.stringify(sms.texts.slice(-3)))
}

/**
 * fakeSMTP is the customers' mail server: a minimal SMTP server on loopback that keeps every
 * message, which the demo's email channel is pointed at until close().
 */
export async function fakeSMTP(channelName = 'demo-email') {
  const mails = []
  const server = createTCPServer((sock) => {
    sock.setEncoding('utf8')
    let buf = ''
    let data = null
    sock.write('220 sink.test ESMTP\r\n')
    sock.on('data', (chunk) => {
      buf += chunk
      for (;;) {
        if (data !== null) {
          const end = buf.indexOf('\r\n.\r\n')
          if (end < 0) return
          data += buf.slice(0, end)
          buf = buf.slice(end + 5)
          mails.push(data.replace(/^\.\./gm, '.'))
          data = null
          sock.write('250 OK\r\n')
          continue
        }
        const nl = buf.indexOf('\r\n')
        if (nl < 0) return
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') sock.write('250 sink.test\r\n')
        else if (verb === 'DATA') {
          data = ''
          sock.write('354 go on\r\n')
        } else if (verb === 'QUIT') sock.end('221 bye\r\n')
        else sock.write('250 OK\r\n')
      }
    })
    sock.on('error', () => {})
  })
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
  const admin = await apiSession('admin@demo.example')
  const ch = (await admin('GET', '/api/v1/channels')).items.find((c) => c.name === channelName)
  const before = { ...ch.settings }
  await admin('PUT', '/api/v1/channels/' + ch.id, { settings: { ...before, smtp_host: '127.0.0.1', smtp_port: String(server.address().port) } })
  return {
    mails,
    async close() {
      await admin('PUT', '/api/v1/channels/' + ch.id, { settings: before })
      await new Promise((ok) => server.close(ok))
    },
  }
}

/** sendMail hands a plain-text message to an SMTP server (the demo's inbound listener). */
export async function sendMail(addr, from, to, subject, text) {
  const [host, port] = addr.split(':')
  const sock = connect(Number(port), host)
  sock.setEncoding('utf8')
  let buf = ''
  const reply = () =>
    new Promise((ok, fail) => {
      const check = () => {
        const m = buf.match(/^(\d{3}) .*\r\n/m)
        if (!m) return false
        buf = buf.slice(buf.indexOf(m[0]) + m[0].length)
        sock.off('data', onData)
        if (m[1][0] === '4' || m[1][0] === '5') fail(new Error('SMTP: ' + m[0].trim()))
        else ok(m[1])
        return true
      }
      const onData = (c) => {
        buf += c
        check()
      }
      if (!check()) sock.on('data', onData)
    })
  const say = async (line) => {
    sock.write(line + '\r\n')
    return reply()
  }
  await reply()
  await say('EHLO e2e.test')
  await say(`MAIL FROM:<${from}>`)
  await say(`RCPT TO:<${to}>`)
  await say('DATA')
  const id = Math.random().toString(36).slice(2)
  const msg = [`From: <${from}>`, `To: <${to}>`, `Subject: =?utf-8?b?${Buffer.from(subject).toString('base64')}?=`, `Message-ID: <${id}@e2e.test>`,
    `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text.replace(/^\./gm, '..')]
  await say(msg.join('\r\n') + '\r\n.')
  await say('QUIT').catch(() => {})
  sock.end()
}

/**
 * surveyLink is a survey as a customer receives it by email: a new customer writes to the
 * demo's address, Dana answers and resolves, and the survey's email (sent after the demo's
 * --survey-delay) arrives at a fake mail server. It returns the /r/ link's path, the
 * customer's address and Dana's API session.
 */
export async function surveyLink() {
  const sink = await fakeSMTP('demo-email')
  try {
    const from = `e2e-survey-${Math.random().toString(36).slice(2, 10)}@example.org`
    await sendMail(process.env.GESHER_SMTP, from, 'service@demo.example', 'My claim', 'Hello, when will my claim be paid?')
    const dana = await apiSession('dana@demo.example')
    const me = await dana('GET', '/api/v1/me')
    let conv
    for (let i = 0; i < 100 && !conv; i++) {
      const found = await dana('GET', '/api/v1/customers?identity=' + encodeURIComponent('email:' + from))
      if (found.items.length) conv = (await dana('GET', '/api/v1/conversations?customer=' + found.items[0].id)).items[0]
      if (!conv) await new Promise((r) => setTimeout(r, 100))
    }
    if (!conv) throw new Error('the email to the demo opened no conversation')
    if (conv.assignee_id !== me.id) await dana('POST', `/api/v1/conversations/${conv.id}/assign`, { assignee_id: me.id })
    await dana('POST', `/api/v1/conversations/${conv.id}/messages`, { text: 'Your claim is approved; the payment is on its way.' })
    await dana('POST', `/api/v1/conversations/${conv.id}/status`, { status: 'resolved' })
    for (let i = 0; i < 300; i++) {
      for (const m of sink.mails) {
        // The text part, quoted-printable or not: soft line breaks joined.
        const flat = m.replace(/=\r\n/g, '').replace(/=3D/g, '=')
        const link = flat.match(/\/r\/[0-9a-z]{26}\.[0-9a-z]+\.[A-Za-z0-9_-]+/)
        if (link) return { link: link[0], from, dana, me }
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error('no survey email arrived: ' + JSON.stringify(sink.mails.slice(-2)))
  } finally {
    await sink.close()
  }
}

/** codeIn waits for a six-digit code in the newest of the texts that match, and returns it. */
export async function codeIn(texts, match, what) {
  for (let i = 0; i < 150; i++) {
    for (const t of [...texts].reverse()) {
      const m = match(t) && String(t.Body ?? t.text ?? '').match(/\b(\d{6})\b/)
      if (m) return m[1]
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('no code reached ' + what + ': ' + JSON.stringify(texts.slice(-5)))
}

/** apiSession signs in through the API and returns a function that calls it with the session. */
export async function apiSession(email) {
  const r = await fetch(BASE + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  if (!r.ok) throw new Error('sign in as ' + email + ': ' + r.status)
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  return async (method, path, body) => {
    const resp = await fetch(BASE + path, {
      method,
      headers: { Cookie: cookie, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!resp.ok) throw new Error(`${method} ${path}: ${resp.status} ${await resp.text()}`)
    return resp.status === 204 ? undefined : resp.json()
  }
}

/**
 * measureSwitching clicks through the conversations listed in the inbox twice — first visits,
 * then coming back — and returns, per round, the milliseconds from the click to the new
 * conversation on screen (its messages and the customer's timeline rendered).
 */
export async function measureSwitching(page) {
  return page.evaluate(async () => {
    const links = Array.from(document.querySelectorAll('#inbox-list a[data-row]'))
    const out = [[], []]
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()))
    for (const round of [0, 1]) {
      for (const a of links) {
        const id = a.dataset.row
        const t0 = performance.now()
        a.click()
        for (;;) {
          await frame()
          if (document.querySelector('main')?.dataset.conversation === id && document.querySelector('main [data-message]') && document.querySelector('aside ol li')) break
          if (performance.now() - t0 > 10000) break
        }
        out[round].push(performance.now() - t0)
      }
    }
    return out
  })
}

/** switchingStats summarises measureSwitching's milliseconds. */
export function switchingStats(ms) {
  ms = [...ms].sort((a, b) => a - b)
  const pct = (p) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))].toFixed(0)
  return `median ${pct(50)} ms, p90 ${pct(90)} ms, max ${pct(100)} ms`
}
