import { describe, expect, test } from 'vitest'
import { catalogs } from './i18n'
import { dwellMarks, offerTexts } from './offer'

describe('the offer of help', () => {
  test('speaks every language the widget speaks, every text filled and none left in English', () => {
    const en = offerTexts('en')
    for (const lang of Object.keys(catalogs)) {
      const t = offerTexts(lang)
      for (const k of Object.keys(en) as (keyof typeof en)[]) {
        expect(t[k], `${lang}.${k}`).toBeTruthy()
        if (lang !== 'en') expect(t[k], `${lang}.${k}`).not.toBe(en[k])
      }
    }
  })
  test('its accept button never reads like the launcher, so a screen reader tells them apart', () => {
    for (const lang of Object.keys(catalogs)) expect(offerTexts(lang).chatYes).not.toBe(catalogs[lang].launcher)
  })
  test('an unknown language falls back to English', () => {
    expect(offerTexts('xx').title).toBe('Can we help?')
  })
  test('dwell is reported at rising marks, the last within the server’s bound', () => {
    expect([...dwellMarks].sort((a, b) => a - b)).toEqual(dwellMarks)
    expect(dwellMarks[dwellMarks.length - 1]).toBeLessThanOrEqual(4 * 3600)
  })
})
