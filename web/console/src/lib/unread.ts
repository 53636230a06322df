// Unread marks: a conversation is unread when the customer wrote after the agent last
// opened it. What was seen is kept per browser, which is what an agent expects of "bold".

import type { InboxRow } from './types'

export type Seen = Record<string, string>

const KEY = 'gesher.seen'
const MAX = 2000

export function loadSeen(): Seen {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Seen
  } catch {
    return {}
  }
}

export function saveSeen(s: Seen): void {
  const ids = Object.keys(s)
  if (ids.length > MAX) {
    // Keep the most recently seen; the rest are old enough not to matter.
    ids.sort((a, b) => (s[a] < s[b] ? 1 : -1))
    for (const id of ids.slice(MAX)) delete s[id]
  }
  try {
    localStorage.setItem(KEY, JSON.stringify(s))
  } catch {
    /* storage full or private mode: marks last this page only */
  }
}

export function isUnread(row: InboxRow, seen: Seen): boolean {
  if (!row.last_message || row.last_message.direction !== 'in') return false
  const at = seen[row.id]
  return !at || Date.parse(at) < Date.parse(row.last_message.at)
}
