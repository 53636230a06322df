// A photo a customer sends is stored with the message and previewed in the conversation; the
// file downloads from Gesher. (An HTML "invoice" in the same mail is only ever a download: the
// Go suite checks the headers that keep it from running.)
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { after, before, test } from 'node:test'
import { BASE, context, launch, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

test('a photo sent by email is previewed in the conversation and downloads', { timeout: 60_000 }, async () => {
  const run = Date.now()
  const mail = [
    'From: Avi Photo <avi.photo@example.com>',
    'To: service@demo.example',
    'Subject: the damage',
    `Message-ID: <photo-${run}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Here is the photo of the bumper.',
    '--b',
    'Content-Type: image/png; name="bumper.png"',
    'Content-Disposition: attachment; filename="bumper.png"',
    'Content-Transfer-Encoding: base64',
    '',
    PNG,
    '--b--',
    '',
  ].join('\r\n')
  const sig = 'sha256=' + createHmac('sha256', 'demo-email-secret').update(mail).digest('hex')
  const r = await fetch(BASE + '/hooks/email/demo-email', { method: 'POST', body: mail, headers: { 'Content-Type': 'message/rfc822', 'X-Gesher-Signature': sig } })
  assert.ok(r.ok, 'email: ' + r.status)

  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'michal@demo.example')
  const id = await page.evaluate(async () => {
    const found = await (await fetch('/api/v1/customers?identity=' + encodeURIComponent('email:avi.photo@example.com'))).json()
    const cust = (found.items ?? [found])[0]
    return (await (await fetch('/api/v1/conversations?customer=' + cust.id)).json()).items[0].id
  })
  await page.goto('/app/c/' + id + '?view=open')
  const preview = page.getByTestId('attachment-preview').first()
  await preview.waitFor()
  const img = preview.locator('img')
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle())
  assert.equal(await img.getAttribute('alt'), 'bumper.png')
  const href = await preview.getAttribute('href')
  const file = await page.evaluate(async (u) => {
    const r = await fetch(u)
    return { status: r.status, disposition: r.headers.get('content-disposition'), size: (await r.arrayBuffer()).byteLength }
  }, href)
  assert.equal(file.status, 200)
  assert.match(file.disposition, /^attachment/)
  assert.equal(file.size, Buffer.from(PNG, 'base64').length, 'the same bytes as sent')
  assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
  await ctx.close()
})
