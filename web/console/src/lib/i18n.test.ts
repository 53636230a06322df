import { describe, expect, test } from 'vitest'
import en from '@locales/en.json'
import he from '@locales/he.json'
import ru from '@locales/ru.json'
import ar from '@locales/ar.json'
import { applyCatalog, interpolate, pickLanguage, t, tn, type Catalog } from './i18n'

describe('pickLanguage', () => {
  test('a saved choice wins, then the browser, then English', () => {
    expect(pickLanguage('ru', ['he-IL'])).toBe('ru')
    expect(pickLanguage(null, ['fr-FR', 'he-IL', 'en'])).toBe('he')
    expect(pickLanguage('xx', ['ja'])).toBe('en')
  })
})

describe('messages', () => {
  test('placeholders are filled, unknown ones kept', () => {
    expect(interpolate('Reply to {name}', { name: 'Rivka' })).toBe('Reply to Rivka')
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}')
  })

  test('a missing key shows itself, never a blank', () => {
    applyCatalog(en as Catalog)
    expect(t('no.such.key')).toBe('no.such.key')
  })

  test('plural forms follow the language', () => {
    applyCatalog(ru as Catalog)
    expect([1, 3, 5, 21].map((n) => tn('inbox.count', n))).toEqual(['1 обращение', '3 обращения', '5 обращений', '21 обращение'])
    applyCatalog(he as Catalog)
    expect(tn('inbox.count', 2)).toBe('שתי שיחות')
    applyCatalog(ar as Catalog)
    expect(tn('inbox.count', 0)).toBe('لا محادثات')
    applyCatalog(en as Catalog)
    expect(tn('inbox.count', 1)).toBe('1 conversation')
    expect(tn('inbox.count', 1200)).toBe('1,200 conversations')
  })

  test('Hebrew and Arabic are right to left', () => {
    for (const c of [he, ar]) {
      applyCatalog(c as Catalog)
      expect(c.dir).toBe('rtl')
    }
  })
})
