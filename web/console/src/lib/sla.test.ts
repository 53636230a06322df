import { describe, expect, test } from 'vitest'
import en from '@locales/en.json'
import { applyCatalog, type Catalog } from './i18n'
import { label, remaining, span, tone } from './sla'
import type { SlaClock } from './types'

const MIN = 60_000
function clock(over: Partial<SlaClock> = {}): SlaClock {
  return {
    id: 'c', kind: 'first-response', state: 'running', calendar_id: 'default', target_ms: 60 * MIN, used_ms: 20 * MIN,
    remaining_ms: 40 * MIN, warned: false, breached: false, open_now: true, started_at: '', as_of: '', received_at: 1_000_000, ...over,
  }
}

describe('service-level badges', () => {
  applyCatalog(en as Catalog)

  test('a running clock counts down from when it arrived, only while the calendar is open', () => {
    expect(remaining(clock(), 1_000_000 + 10 * MIN)).toBe(30 * MIN)
    expect(remaining(clock({ open_now: false }), 1_000_000 + 10 * MIN)).toBe(40 * MIN)
    expect(remaining(clock({ state: 'paused' }), 1_000_000 + 10 * MIN)).toBe(40 * MIN)
  })

  test('the tone follows the time left and says it in words', () => {
    expect([tone(clock(), 1_000_000), label(clock(), 1_000_000)]).toEqual(['ok', '40 min left'])
    // The last 20 % of the target is the warning window.
    expect(tone(clock(), 1_000_000 + 29 * MIN)).toBe('warn')
    expect([tone(clock(), 1_000_000 + 40 * MIN), label(clock(), 1_000_000 + 40 * MIN)]).toEqual(['over', 'Overdue'])
    expect(label(clock({ breached: true, remaining_ms: -5 * MIN }), 1_000_000)).toBe('Overdue')
    expect([tone(clock({ state: 'paused' }), 1_000_000), label(clock({ state: 'paused' }), 1_000_000)]).toEqual(['paused', 'Paused'])
    expect(tone(clock({ open_now: false }), 1_000_000)).toBe('after-hours')
  })

  test('durations read in hours and minutes, rounded up', () => {
    expect(span(30_000)).toBe('1 min')
    expect(span(59 * MIN + 1)).toBe('1 hr')
    expect(span(125 * MIN)).toBe('2 hr 5 min')
    expect(span(-90 * MIN)).toBe('1 hr 30 min')
  })
})
