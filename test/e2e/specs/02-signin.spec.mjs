// Sign-in, sign-out and an expired session, as an agent lives them.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { context, launch, PASSWORD, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

test('a wrong password is refused with a message, the right one opens the inbox', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await page.goto('/app/')
  await page.locator('#signin-email').waitFor()
  assert.match(page.url(), /\/app\/signin$/)
  await page.locator('#signin-email').fill('dana@demo.example')
  await page.locator('#signin-password').fill('not the password')
  await page.locator('#signin-password').press('Enter')
  await page.getByRole('alert').waitFor()
  assert.match(await page.getByRole('alert').innerText(), /do not match/)

  await page.locator('#signin-password').fill(PASSWORD)
  await page.locator('#signin-password').press('Enter')
  await page.locator('#inbox-list').waitFor()
  assert.match(page.url(), /\/app\/$/)
  assert.equal(await page.locator('h1').innerText(), 'Mine')
  await ctx.close()
})

test('signing out ends the session: the API refuses it and the console shows sign-in', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'dana@demo.example')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.locator('#signin-email').waitFor()
  const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status)
  assert.equal(status, 401)
  await page.reload()
  await page.locator('#signin-email').waitFor()
  await ctx.close()
})

test('an expired session sends the agent to sign in, then back to the conversation with the draft kept', { timeout: 60_000 }, async () => {
  const ctx = await context(browser, 'en')
  const page = await ctx.newPage()
  await signIn(page, 'dana@demo.example')
  await page.locator('#inbox-list a').first().click()
  await page.locator('[data-testid=conversation-status]').waitFor()
  const where = new URL(page.url()).pathname
  assert.match(where, /^\/app\/c\//)
  const draft = 'A draft written just as the session ran out'
  await page.locator('#composer-text').fill(draft)

  await ctx.clearCookies() // what an expired or revoked session looks like to the browser
  await page.locator('#composer-text').press('Control+Enter')
  await page.getByText('Your session has ended').waitFor()
  await page.locator('#signin-email').fill('dana@demo.example')
  await page.locator('#signin-password').fill(PASSWORD)
  await page.locator('#signin-password').press('Enter')
  await page.locator('[data-testid=conversation-status]').waitFor()
  assert.equal(new URL(page.url()).pathname, where)
  assert.equal(await page.locator('#composer-text').inputValue(), draft)
  await ctx.close()
})
