import { expect, test } from 'vitest'
import type { InboxRow } from './types'
import { isUnread } from './unread'

const row = (direction: 'in' | 'out', at: string): InboxRow => ({
  id: 'c1', customer_id: 'k1', customer_name: 'Rivka', customer_languages: [], status: 'open', priority: 0,
  updated_at: at, last_message_at: at, last_message: { direction, text: 'hi', status: 'received', at },
})

test('unread: the customer wrote after the agent last looked', () => {
  expect(isUnread(row('in', '2026-11-22T10:00:00Z'), {})).toBe(true)
  expect(isUnread(row('in', '2026-11-22T10:00:00Z'), { c1: '2026-11-22T10:00:00Z' })).toBe(false)
  expect(isUnread(row('in', '2026-11-22T10:05:00Z'), { c1: '2026-11-22T10:00:00Z' })).toBe(true)
  // The agent's own reply is never "unread".
  expect(isUnread(row('out', '2026-11-22T10:05:00Z'), {})).toBe(false)
})
