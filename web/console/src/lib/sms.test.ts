import { expect, test } from 'vitest'
import { countSegments } from './sms'

test('Latin text is GSM-7: 160 in one part, 153 per part after that', () => {
  expect(countSegments('')).toMatchObject({ segments: 0, units: 0 })
  expect(countSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1, remaining: 0 })
  expect(countSegments('a'.repeat(161))).toMatchObject({ segments: 2, remaining: 306 - 161 })
})

test('extension characters count twice', () => {
  expect(countSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 })
  expect(countSegments('€'.repeat(81))).toMatchObject({ segments: 2 })
})

test('Hebrew, Arabic, Russian and emoji switch the whole message to UCS-2', () => {
  expect(countSegments('שלום')).toMatchObject({ encoding: 'UCS-2', units: 4, segments: 1, remaining: 66 })
  expect(countSegments('ש'.repeat(71))).toMatchObject({ segments: 2, remaining: 134 - 71 })
  expect(countSegments('Hello 👋')).toMatchObject({ encoding: 'UCS-2', units: 8 })
  expect(countSegments('a'.repeat(100) + 'й')).toMatchObject({ encoding: 'UCS-2', segments: 2 })
})
