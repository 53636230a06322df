import { expect, test } from 'vitest'
import { backoff, firstDelay, maxDelay } from './backoff'

test('the wait doubles from one second and stops at thirty', () => {
  const top = () => 1 // the largest jitter factor
  expect([0, 1, 2, 3, 4, 5, 6, 10, 100].map((n) => backoff(n, top))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000])
})

test('jitter spreads each wait between half and all of it', () => {
  expect(backoff(0, () => 0)).toBe(firstDelay / 2)
  expect(backoff(3, () => 0.5)).toBe(6000)
  expect(backoff(20, () => 0)).toBe(maxDelay / 2)
  for (let i = 0; i < 200; i++) {
    const d = backoff(i % 8)
    expect(d).toBeGreaterThanOrEqual(firstDelay / 2)
    expect(d).toBeLessThanOrEqual(maxDelay)
  }
})

test('odd attempts and randoms stay in range', () => {
  expect(backoff(-3, () => 1)).toBe(firstDelay)
  expect(backoff(2.7, () => 1)).toBe(4000)
  expect(backoff(1, () => 7)).toBe(2000)
  expect(backoff(1, () => -1)).toBe(1000)
})
