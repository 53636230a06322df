// The settings pages: a supervisor writes a canned response that an agent then finds with "/";
// an admin sees users and channels, with secrets masked, and changes a channel without
// retyping its secrets. Every section passes axe in English and in Hebrew.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { axe, context, formatViolations, launch, signIn } from '../lib.mjs'

let browser
before(async () => (browser = await launch()))
after(async () => browser?.close())

test('a supervisor writes a canned response; an agent sends it filled in', { timeout: 90_000 }, async () => {
  const michal = await (await context(browser, 'en')).newPage()
  await signIn(michal, 'michal@demo.example')
  await michal.getByRole('link', { name: 'Settings' }).click()
  await michal.getByRole('heading', { name: 'Canned responses', level: 1 }).waitFor()
  assert.equal(await michal.getByRole('link', { name: 'Users' }).count(), 0, 'a supervisor is not offered the users page')
  const shortcut = 'e2e-' + Date.now()
  await michal.getByLabel('Shortcut', { exact: true }).fill(shortcut)
  await michal.getByLabel('Title', { exact: true }).fill('Branch hours')
  await michal.getByLabel('Text', { exact: true }).fill('Hello {{customer.first_name}}, our branches open Sunday to Thursday 8:30–16:00. — {{agent.first_name}}')
  await michal.getByRole('button', { name: 'Save' }).click()
  await michal.getByRole('status').filter({ hasText: 'Saved: /' + shortcut }).waitFor()
  await michal.locator(`tr[data-shortcut="${shortcut}"]`).waitFor()
  assert.deepEqual(await axe(michal), [], formatViolations(await axe(michal)))

  const dana = await (await context(browser, 'en')).newPage()
  await signIn(dana, 'dana@demo.example')
  await dana.locator('#inbox-list a').first().click()
  const box = dana.locator('#composer-text')
  await box.click()
  await box.pressSequentially('/' + shortcut.slice(0, 8))
  await dana.getByRole('option', { name: /Branch hours/ }).waitFor()
  await box.press('Enter')
  await dana.waitForFunction(() => /Sunday to Thursday/.test(document.querySelector('#composer-text').value))
  const text = await box.inputValue()
  assert.match(text, /— Dana$/, 'filled in with the agent: ' + text)
  await michal.context().close()
  await dana.context().close()
})

for (const lang of ['en', 'he']) {
  test(`${lang}: the admin's canned responses, users and channels pages pass axe, and secrets stay masked`, { timeout: 90_000 }, async () => {
    const ctx = await context(browser, lang)
    const page = await ctx.newPage()
    await signIn(page, 'admin@demo.example')
    await page.goto('/app/admin/canned')
    await page.locator('tr[data-shortcut="claim-received"]').waitFor()
    assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))
    await page.goto('/app/admin/users')
    await page.locator('tr[data-user="dana@demo.example"]').waitFor()
    assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))

    await page.goto('/app/admin/channels')
    const tg = page.locator('li[data-channel="demo-telegram"]')
    await tg.waitFor()
    await tg.getByRole('button', { name: lang === 'he' ? /עריכה/ : /Edit/ }).click()
    const values = await tg.locator('tbody input').evaluateAll((els) => els.map((e) => e.value))
    assert.ok(values.includes('••••••'), 'the bot token is masked: ' + values)
    assert.ok(!values.some((v) => v.includes('demo-telegram-bot-token')), 'the bot token is not shown')
    assert.deepEqual(await axe(page), [], formatViolations(await axe(page)))
    if (lang === 'en') {
      // Change the description only; the masked token is sent back masked and kept.
      const rowCount = await tg.locator('tbody tr').count()
      for (let i = 0; i < rowCount; i++) {
        const key = await tg.locator('tbody tr').nth(i).locator('input').first().inputValue()
        if (key === 'description') await tg.locator('tbody tr').nth(i).locator('input').nth(1).fill('Telegram bot — edited by e2e')
      }
      await tg.getByRole('button', { name: 'Save' }).click()
      await page.getByRole('status').filter({ hasText: 'Saved: demo-telegram' }).waitFor()
      const ch = await page.evaluate(async () => (await (await fetch('/api/v1/channels')).json()).items.find((c) => c.name === 'demo-telegram'))
      assert.equal(ch.settings.description, 'Telegram bot — edited by e2e')
      assert.equal(ch.settings.bot_token, '••••••', 'still masked, so still set')
    }
    assert.deepEqual(ctx.problems, [], 'CSP refusals or script errors')
    await ctx.close()
  })
}
