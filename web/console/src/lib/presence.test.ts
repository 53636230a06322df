import { beforeEach, describe, expect, test } from 'vitest'
import { others, onPresence, present, prune } from './presence'
import type { LiveEvent } from './types'

const ev = (user: string, state: string, ttl = 45_000): LiveEvent => ({
  seq: 0,
  id: 'e',
  kind: 'presence.changed',
  conversation_id: 'c1',
  actor: { kind: 'user', id: user },
  data: { state, name: user === 'u2' ? 'Omar' : 'Dana', ttl_ms: ttl },
  at: '',
})

describe('presence', () => {
  beforeEach(() => others.clear())

  test('a colleague viewing, then typing, then gone; my own presence is not shown', () => {
    onPresence(ev('u1', 'viewing'), 'u1', 0)
    expect(present('c1', 1)).toEqual([])
    onPresence(ev('u2', 'viewing'), 'u1', 0)
    expect(present('c1', 1).map((p) => [p.name, p.state])).toEqual([['Omar', 'viewing']])
    onPresence(ev('u2', 'typing', 8000), 'u1', 1000)
    expect(present('c1', 2000)[0].state).toBe('typing')
    // A "viewing" beat while typing keeps the typing until it lapses.
    onPresence(ev('u2', 'viewing'), 'u1', 3000)
    expect(present('c1', 4000)[0].state).toBe('typing')
    expect(present('c1', 10_000)[0].state).toBe('viewing')
    onPresence(ev('u2', 'left'), 'u1', 11_000)
    expect(present('c1', 11_000)).toEqual([])
  })

  test('presence not repeated expires by itself (a closed tab)', () => {
    onPresence(ev('u2', 'viewing'), 'u1', 0)
    expect(present('c1', 44_000)).toHaveLength(1)
    expect(present('c1', 46_000)).toHaveLength(0)
    prune(200_000)
    expect(others.size).toBe(0)
  })
})
