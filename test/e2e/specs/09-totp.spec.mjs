// Two-step sign-in as an agent meets it: set it up from the header with the key an
// authenticator app would take, then sign in with the password and a fresh code; the dialog
// passes axe; turning it off takes the password.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { after, before, test } from 'node:test'
import { axe, context, formatViolations, launch, PASSWORD, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

/** totp is RFC 6238 (SHA-1, six digits, 30 s), as an authenticator app computes it. */
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/\s/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)))
  const mac = createHmac('sha1', key).update(counter).digest()
  const off = mac[mac.length - 1] & 0x0f
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

test('an agent turns on two-step sign-in and then signs in with a code', { timeout: 90_000 }, async () => {
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'pierre@demo.example')
  await page.getByTestId('security-open').click()
  const dialog = page.getByRole('dialog', { name: 'Two-step sign-in' })
  await dialog.getByRole('button', { name: 'Set it up' }).click()
  const secret = (await dialog.getByTestId('totp-secret').innerText()).replace(/\s/g, '')
  assert.match(secret, /^[A-Z2-7]{32}$/, 'a base32 key of 160 bits')
  assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))
  // Confirmed with the code of the step before (a phone 30 s slow is accepted), so the code
  // of this step is still unused for the sign-in below.
  await dialog.getByLabel('Code from your authenticator app').fill(totp(secret, Date.now() - 30_000))
  await dialog.getByRole('button', { name: 'Turn on' }).click()
  await dialog.getByText('the next sign-in will ask for a code').waitFor()
  await dialog.getByRole('button', { name: 'Close' }).click()
  await page.getByRole('button', { name: 'Sign out' }).click()

  // The password alone opens nothing: the form asks for the code, focused, and a wrong one
  // is refused with a message.
  await page.locator('#signin-email').fill('pierre@demo.example')
  await page.locator('#signin-password').fill(PASSWORD)
  await page.locator('form button[type=submit]').click()
  const codeBox = page.getByLabel('Code from your authenticator app')
  await codeBox.waitFor()
  assert.equal(await codeBox.evaluate((el) => el === document.activeElement), true, 'the code field has the focus')
  assert.equal(await codeBox.getAttribute('autocomplete'), 'one-time-code')
  assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))
  await codeBox.fill('000000')
  await page.locator('form button[type=submit]').click()
  await page.getByRole('alert').filter({ hasText: 'wrong or has expired' }).waitFor()

  // The code the app shows now.
  await codeBox.fill(totp(secret))
  await page.locator('form button[type=submit]').click()
  await page.locator('#inbox-list').waitFor()

  // Off again, with the password, so the demo stays as it was.
  await page.getByTestId('security-open').click()
  await dialog.getByLabel('Your password, to turn it off').fill(PASSWORD)
  await dialog.getByRole('button', { name: 'Turn off' }).click()
  await dialog.getByTestId('totp-state').filter({ hasText: 'is off' }).waitFor()
  assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
  await ctx.close()
})
