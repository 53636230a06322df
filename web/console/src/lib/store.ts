// The console's shared state: who is signed in, colleagues, channels, the inbox, and what was
// seen. Components read it; only the functions here change it.
import { reactive } from 'vue'
import { ApiError, get, post, api } from './api'
import type { Channel, FilterOptions, Inbox, InboxRow, List, User, View } from './types'
import { stamp } from './sla'
import { loadSeen, saveSeen, type Seen } from './unread'

export const state = reactive({
  me: null as User | null,
  checked: false, // the session was asked about once
  expired: false, // the session ended while the console was open
  users: [] as User[],
  channels: [] as Channel[],
  inbox: { view: 'mine', items: [], counts: { mine: 0, unassigned: 0, open: 0, pending: 0, resolved: 0, breaching: 0, snoozed: 0, queues: 0 } } as Inbox,
  filters: { queues: [], labels: [], segments: [], languages: [] } as FilterOptions,
  inboxLoading: false,
  inboxMore: false, // the server may have older rows than those shown
  inboxError: '',
  live: false,
  seen: loadSeen() as Seen,
})

export async function loadMe(): Promise<void> {
  try {
    state.me = await get<User>('/me')
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    state.me = null
  } finally {
    state.checked = true
  }
}

export async function signIn(email: string, password: string, code = ''): Promise<void> {
  state.me = await post<User>('/auth/login', code ? { email, password, code } : { email, password })
  state.expired = false
}

export async function signOut(): Promise<void> {
  try {
    await post('/auth/logout')
  } finally {
    state.me = null
  }
}

export async function loadDirectory(): Promise<void> {
  const [users, channels] = await Promise.all([get<List<User>>('/users'), get<List<Channel>>('/inbox/channels')])
  state.users = users.items
  state.channels = channels.items
}

let inboxSeq = 0
const PAGE = 100

/** loadFilters loads what the inbox's filters offer (queues, labels, segments, languages). */
export async function loadFilters(): Promise<void> {
  state.filters = await get<FilterOptions>('/inbox/filters')
}

/** loadInbox loads a view under the filters; a reload of the same view keeps as many rows as were shown. */
export async function loadInbox(view: View, filters: Record<string, string>): Promise<void> {
  const seq = ++inboxSeq
  state.inboxLoading = true
  const same = state.inbox.view === view
  const limit = same ? Math.min(200, Math.max(PAGE, state.inbox.items.length)) : PAGE
  const q = new URLSearchParams({ view, limit: String(limit), ...filters })
  try {
    const inbox = await get<Inbox>('/inbox?' + q)
    if (seq !== inboxSeq) return // a newer request answers for the screen
    stampClocks(inbox.items)
    state.inbox = inbox
    // "Breaching soon" and "Snoozed" are ordered by deadline, not by activity: no older page.
    state.inboxMore = view !== 'breaching' && view !== 'snoozed' && inbox.items.length === limit
    state.inboxError = ''
  } catch (e) {
    if (seq === inboxSeq) state.inboxError = e instanceof ApiError ? e.code : 'error'
  } finally {
    if (seq === inboxSeq) state.inboxLoading = false
  }
}

/** loadOlder appends the next page of the view: conversations last active before the last row. */
export async function loadOlder(filters: Record<string, string>): Promise<void> {
  const items = state.inbox.items
  if (!items.length) return
  const q = new URLSearchParams({ view: state.inbox.view, limit: String(PAGE), before: items[items.length - 1].last_message_at, ...filters })
  const seq = inboxSeq
  const page = await get<Inbox>('/inbox?' + q)
  if (seq !== inboxSeq) return
  stampClocks(page.items)
  const have = new Set(items.map((r) => r.id))
  state.inbox.items.push(...page.items.filter((r) => !have.has(r.id)))
  state.inboxMore = page.items.length === PAGE
}

export function markSeen(row: Pick<InboxRow, 'id' | 'last_message_at'>): void {
  if (state.seen[row.id] === row.last_message_at) return
  state.seen[row.id] = row.last_message_at
  saveSeen(state.seen)
}

export async function setAvailability(availability: string): Promise<void> {
  state.me = await api<User>('PUT', '/me/availability', { availability })
}

export function userName(id?: string): string {
  if (!id) return ''
  return state.users.find((u) => u.id === id)?.name ?? ''
}

export function channelOf(id?: string): Channel | undefined {
  return id ? state.channels.find((c) => c.id === id) : undefined
}

function stampClocks(rows: InboxRow[]): void {
  const now = Date.now()
  for (const r of rows) if (r.sla) stamp(r.sla, now)
}
