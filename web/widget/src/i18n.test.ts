import { describe, expect, test } from 'vitest'
import { catalogs, language, pickLanguage } from './i18n'

describe('pickLanguage', () => {
  test('the page says which language, when the widget speaks it', () => {
    expect(pickLanguage('he', ['en-US'])).toBe('he')
    expect(pickLanguage('AR', ['en-US'])).toBe('ar')
    expect(pickLanguage('ru-RU', [])).toBe('ru')
  })
  test('else the first of the browser languages the widget speaks', () => {
    expect(pickLanguage(undefined, ['he-IL', 'en'])).toBe('he')
    expect(pickLanguage('', ['de-DE', 'ru', 'en'])).toBe('ru')
    expect(pickLanguage('xx', ['fr-CA'])).toBe('fr')
    expect(pickLanguage(undefined, ['am-ET', 'en'])).toBe('am')
    expect(pickLanguage(null, ['iw'])).toBe('he') // what old browsers call Hebrew
  })
  test('else English', () => {
    expect(pickLanguage('de', ['ja-JP', 'zh'])).toBe('en')
    expect(pickLanguage(undefined, [])).toBe('en')
  })
})

describe('language', () => {
  test('Hebrew and Arabic are right to left, the others left to right', () => {
    expect(language('he').dir).toBe('rtl')
    expect(language('ar').dir).toBe('rtl')
    for (const l of ['en', 'ru', 'fr', 'am']) expect(language(l).dir).toBe('ltr')
  })
  test('placeholders are filled in', () => {
    expect(language('en').t('joined', { name: 'Noa' })).toBe('Noa joined the conversation')
    expect(language('he').t('joined', { name: 'נועה' })).toBe('נועה הצטרף/ה לשיחה')
  })
  test('an unknown language is English', () => {
    expect(language('xx').lang).toBe('en')
    expect(language('xx').t('send')).toBe('Send')
  })
})

describe('catalogs', () => {
  const en = catalogs.en
  const placeholders = (s: string) => [...s.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1]).sort()
  for (const [lang, cat] of Object.entries(catalogs)) {
    test(`${lang} has every text, none empty, with the same placeholders`, () => {
      expect(Object.keys(cat).sort()).toEqual(Object.keys(en).sort())
      for (const [k, v] of Object.entries(cat)) {
        expect(v.trim(), `${lang}.${k}`).not.toBe('')
        expect(placeholders(v), `${lang}.${k}`).toEqual(placeholders(en[k as keyof typeof en]))
      }
    })
  }
  test('each language is written in its own script', () => {
    const script: Record<string, RegExp> = { he: /[\u0590-\u05ff]/, ar: /[\u0600-\u06ff]/, ru: /[\u0400-\u04ff]/, am: /[\u1200-\u137f]/ }
    for (const [lang, re] of Object.entries(script)) {
      for (const k of ['launcher', 'send', 'greeting', 'contactHelp'] as const) expect(catalogs[lang][k], `${lang}.${k}`).toMatch(re)
    }
  })
})
