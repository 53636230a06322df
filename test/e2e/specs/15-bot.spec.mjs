// The help bot in the demo's web chat: a visitor's question is answered before an agent joins,
// and the agent sees in the console what the bot said, marked as the bot's.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE, PASSWORD, axe, context, formatViolations, launch, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

const visitorID = (page) =>
  page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('gesher-chat:'))
    return key ? JSON.parse(localStorage.getItem(key)).session?.visitor_id : undefined
  })

test('the bot answers a web-chat question and the agent sees its answer marked as the bot\'s', { timeout: 120_000 }, async () => {
  const ctx = await context(browser, 'en', { width: 375, height: 740 })
  const page = await ctx.newPage()
  await page.goto('/demo/site?lang=en')
  await page.getByRole('button', { name: 'Chat with us' }).click()
  await page.getByRole('dialog', { name: 'Gesher Insurance' }).waitFor()
  const question = `How do I file a car insurance claim? (${Date.now()})`
  await page.getByLabel('Your message').fill(question)
  await page.keyboard.press('Enter')
  const log = page.getByRole('log')
  await log.getByText(question).waitFor()
  const visitor = await visitorID(page)
  const agentCtx = await browser.newContext({ baseURL: BASE })
  const login = await agentCtx.request.post('/api/v1/auth/login', { data: { email: 'dana@demo.example', password: PASSWORD }, headers: { Origin: BASE } })
  assert.equal(login.status(), 200)
  const get = async (path) => (await agentCtx.request.get(path)).json()
  const customers = await get('/api/v1/customers?identity=' + encodeURIComponent('visitor:' + visitor))
  const customer = (customers.items ?? customers)[0]
  const convs = await get('/api/v1/conversations?customer=' + customer.id)
  const conv = await get('/api/v1/conversations/' + (convs.items ?? convs)[0].id)
  // The bot answered in the same transaction that stored the question.
  const bot = conv.messages.filter((m) => m.bot)
  assert.equal(bot.length, 1, 'the conversation holds the bot\'s answer, marked: ' + JSON.stringify(conv.messages.map((m) => [m.direction, m.bot, m.text])))
  assert.ok(conv.messages.some((m) => m.text === question), 'and the visitor\'s question')
  // … and it reaches the visitor live.
  await log.getByText(bot[0].text.split('\n')[0], { exact: false }).waitFor({ timeout: 30_000 })
  await agentCtx.close()
  await ctx.close()

  const console = await context(browser, 'en')
  const agentPage = await console.newPage()
  await signIn(agentPage, 'dana@demo.example')
  await agentPage.goto('/app/c/' + encodeURIComponent(conv.id) + '?view=all')
  await agentPage.locator('[data-testid=bot-marker]').first().waitFor({ timeout: 30_000 })
  assert.ok((await agentPage.locator('[data-testid=bot-marker]').count()) >= 1, 'the console marks the bot\'s messages')
  const violations = await axe(agentPage)
  assert.deepEqual(violations, [], formatViolations(violations))
  await console.close()
})
