// Customers' words are shown, never run: a corpus of script-injection payloads sent in through
// the API channel (as text and as the sender's name), through the chat widget and by email (as
// text, subject and HTML) is opened in the console in a real browser, and not one of them
// executes — no call to the trap, no dialog, no script error — while each is still readable
// as the text the customer typed.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { BASE, context, hook, launch, signIn } from '../lib.mjs'

const payloads = readFileSync(new URL('../data/xss-payloads.txt', import.meta.url), 'utf8').split('\n').filter(Boolean)

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

test(`${payloads.length} injection payloads in messages and names never execute in the console`, { timeout: 120_000 }, async () => {
  const run = Date.now()
  // One customer writes every payload; a second one is named with one.
  for (const [i, p] of payloads.entries()) await hook(`xss-${run}-${i}`, '+972507770001', 'XSS Tester', p)
  await hook(`xss-${run}-name`, '+972507770002', payloads[1], 'my name is an attack')

  // The chat widget: a visitor's session, then every payload as a chat message, the visitor
  // leaving a payload as their name.
  const session = await (await fetch(BASE + '/widget/demo-webchat/session', { method: 'POST' })).json()
  for (const [i, p] of payloads.entries()) {
    const r = await fetch(BASE + '/hooks/webchat/demo-webchat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...session, id: `xss-chat-${run}-${i}`, text: p, ...(i === 0 ? { name: payloads[2] } : {}) }),
    })
    assert.ok(r.ok, 'chat message ' + i + ': ' + r.status)
  }

  // Email: the payloads as the text part, one as the subject, and all of them as the HTML part.
  const mail = [
    'From: XSS Mailer <xss-mailer@example.com>',
    'To: service@demo.example',
    `Subject: ${payloads[0]}`,
    `Message-ID: <xss-${run}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    payloads.join('\r\n'),
    '--b',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><body>' + payloads.join('<br>') + '</body></html>',
    '--b--',
    '',
  ].join('\r\n')
  const sig = 'sha256=' + createHmac('sha256', 'demo-email-secret').update(mail).digest('hex')
  const r = await fetch(BASE + '/hooks/email/demo-email', { method: 'POST', body: mail, headers: { 'Content-Type': 'message/rfc822', 'X-Gesher-Signature': sig } })
  assert.ok(r.ok, 'email: ' + r.status + ' ' + (await r.text()))

  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  const fired = []
  await page.exposeFunction('__pwned', (id) => fired.push(id))
  page.on('dialog', (d) => {
    fired.push('dialog: ' + d.message())
    d.dismiss()
  })
  await signIn(page, 'michal@demo.example')
  await page.getByRole('link', { name: /All open/ }).click()

  await page.locator('#inbox-list a', { hasText: 'XSS Tester' }).first().click()
  const thread = page.locator('[data-testid=message-in]')
  await thread.filter({ hasText: payloads.at(-1).slice(1, 20) }).first().waitFor()
  const shown = await thread.allInnerTexts()
  for (const p of payloads) {
    assert.ok(shown.some((t) => t.includes(p.trim().slice(0, 30))), 'the payload is shown as text: ' + p)
  }
  // Whatever the page holds, no element from a payload became markup.
  const injected = await page.evaluate(() =>
    document.querySelectorAll('main iframe, main object, main embed, main svg script, main [onerror], main [onload], main a[href^="javascript"]').length,
  )
  assert.equal(injected, 0, 'elements injected into the page')

  // The chat visitor's and the emailer's conversations: every payload shown as text, none run.
  const open = async (identity) => {
    const id = await page.evaluate(async (identity) => {
      const found = await (await fetch('/api/v1/customers?identity=' + encodeURIComponent(identity))).json()
      const cust = (found.items ?? [found])[0]
      const convs = await (await fetch('/api/v1/conversations?customer=' + cust.id)).json()
      return convs.items[0].id
    }, identity)
    await page.goto('/app/c/' + id + '?view=open')
    await page.locator('main[data-conversation="' + id + '"] [data-testid=message-in]').first().waitFor()
    return (await page.locator('[data-testid=message-in]').allInnerTexts()).join('\n')
  }
  const chat = await open('visitor:' + session.visitor_id)
  for (const p of payloads) assert.ok(chat.includes(p.trim().slice(0, 30)), 'the chat message is shown as text: ' + p)
  const mailText = await open('email:xss-mailer@example.com')
  assert.ok(mailText.includes(payloads[1].slice(0, 25)), 'the email is shown as text: ' + mailText.slice(0, 200))

  // The customer whose name is a payload: the inbox row, the header, the panel.
  await page.locator('#inbox-list a', { hasText: 'my name is an attack' }).first().click()
  await page.locator('[data-testid=message-in]', { hasText: 'my name is an attack' }).waitFor()
  await page.waitForTimeout(500)
  assert.deepEqual(fired, [], 'payloads that ran')
  assert.deepEqual(ctx.problems.filter((p) => !/Refused to/.test(p)), [], 'script errors')
  await ctx.close()
})
