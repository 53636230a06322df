// Every console page passes axe-core with no violations, in English and in Hebrew (right to
// left); the pages declare their language and direction; and the suite takes the screenshots
// the docs show.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { axe, context, formatViolations, launch, screenshotsDir, signIn } from '../lib.mjs'

let browser
before(async () => {
  browser = await launch()
  mkdirSync(screenshotsDir, { recursive: true })
})
after(async () => browser?.close())

async function clean(page, what) {
  const v = await axe(page)
  assert.equal(v.length, 0, `${what}: axe found\n${formatViolations(v)}`)
}

for (const lang of ['en', 'he']) {
  test(`${lang}: sign-in, inbox, conversation, customer panel and shortcuts pass axe`, { timeout: 90_000 }, async () => {
    const page = await (await context(browser, lang)).newPage()
    await page.goto('/app/')
    await page.locator('#signin-email').waitFor()
    const dir = lang === 'he' ? 'rtl' : 'ltr'
    assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), [lang, dir])
    await clean(page, lang + ' sign-in')

    await signIn(page, 'dana@demo.example')
    await page.getByRole('link', { name: lang === 'he' ? /כל הפתוחות/ : /All open/ }).click()
    await page.locator('#inbox-list a').nth(3).waitFor()
    await page.waitForLoadState('networkidle')
    await clean(page, lang + ' inbox')
    await page.screenshot({ path: `${screenshotsDir}inbox-${lang}.png` })

    await page.locator('#inbox-list a', { hasText: 'Sergei Ivanov' }).click()
    await page.locator('[data-testid=conversation-status]').waitFor()
    await page.getByRole('complementary').locator('ol li').first().waitFor()
    await page.waitForLoadState('networkidle')
    assert.equal(await page.evaluate(() => document.documentElement.dir), dir)
    await clean(page, lang + ' conversation')
    await page.screenshot({ path: `${screenshotsDir}conversation-${lang}.png` })
    await page.getByRole('complementary').screenshot({ path: `${screenshotsDir}customer-${lang}.png` })

    // Note mode and the shortcuts dialog are states of the page too.
    await page.locator('#composer-text').focus()
    await page.keyboard.press('Escape')
    await page.keyboard.press('n')
    await clean(page, lang + ' note composer')
    await page.keyboard.press('Escape')
    await page.keyboard.press('?')
    await page.getByRole('dialog').waitFor()
    await clean(page, lang + ' shortcuts dialog')
    assert.deepEqual(page.context().problems, [], 'CSP refusals or script errors')
    await page.context().close()
  })
}

test('the interface language can be switched, and the choice is kept', { timeout: 60_000 }, async () => {
  const page = await (await context(browser, 'en')).newPage()
  await signIn(page, 'dana@demo.example')
  await page.getByRole('combobox', { name: 'Language', exact: true }).selectOption('ar')
  await page.locator('h1', { hasText: 'محادثاتي' }).waitFor()
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['ar', 'rtl'])
  await clean(page, 'ar inbox')
  await page.reload()
  await page.locator('h1', { hasText: 'محادثاتي' }).waitFor()
  await page.getByRole('combobox', { name: 'اللغة', exact: true }).selectOption('ru')
  await page.locator('h1', { hasText: 'Мои' }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr')
  await page.context().close()
})
