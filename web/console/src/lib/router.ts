// The console's few pages, read from and written to the address bar, so that back, forward,
// reload and a pasted link all land on the same screen.
import { reactive } from 'vue'
import type { View } from './types'

export type AdminSection = 'canned' | 'labels' | 'users' | 'channels' | 'service-levels' | 'segments'

/** The dashboards (supervisors and admins), each at /app/dashboards/{name}. */
export type Dashboard = 'volume' | 'service' | 'satisfaction' | 'self-service' | 'portfolio' | 'adoption'
export const dashboards: Dashboard[] = ['volume', 'service', 'satisfaction', 'self-service', 'portfolio', 'adoption']

export interface Route {
  page: 'signin' | 'inbox' | 'admin' | 'dashboards'
  conversation: string | null
  view: View
  channel: string
  /** the other inbox filters: the customer's language, a queue id, a label's name, a segment id */
  lang: string
  queue: string
  label: string
  segment: string
  /** the admin page's section: canned responses (supervisors), users and channels (admins) */
  section: AdminSection
  dashboard: Dashboard
}

const sections: AdminSection[] = ['canned', 'labels', 'users', 'channels', 'service-levels', 'segments']

const BASE = '/app/'
/** views in the order of their shortcuts 1 to 8 (the later ones added at the end, so that
 * digits agents have learnt keep their meaning). */
export const views: View[] = ['mine', 'unassigned', 'open', 'pending', 'resolved', 'breaching', 'queues', 'snoozed']
/** navViews is the order the views are listed in. */
export const navViews: View[] = ['mine', 'queues', 'unassigned', 'open', 'pending', 'snoozed', 'resolved', 'breaching']

/** The inbox filters kept in the address, so a filtered view can be bookmarked. */
export const filterKeys = ['channel', 'lang', 'queue', 'label', 'segment'] as const

export function parse(pathname: string, search: string): Route {
  const q = new URLSearchParams(search)
  const v = q.get('view') as View | null
  const r: Route = {
    page: 'inbox',
    conversation: null,
    view: v && views.includes(v) ? v : 'mine',
    channel: q.get('channel') ?? '',
    lang: q.get('lang') ?? '',
    queue: q.get('queue') ?? '',
    label: q.get('label') ?? '',
    segment: q.get('segment') ?? '',
    section: 'canned',
    dashboard: 'volume',
  }
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : ''
  const parts = rest.split('/').filter(Boolean)
  if (parts[0] === 'signin') r.page = 'signin'
  else if (parts[0] === 'dashboards') {
    r.page = 'dashboards'
    const d = parts[1] as Dashboard | undefined
    r.dashboard = d && dashboards.includes(d) ? d : 'volume'
  }
  else if (parts[0] === 'admin') {
    r.page = 'admin'
    const sec = parts[1] as AdminSection | undefined
    r.section = sec && sections.includes(sec) ? sec : 'canned'
  }  else if (parts[0] === 'c' && parts[1]) r.conversation = decodeURIComponent(parts[1])
  return r
}

export function href(r: Partial<Route>): string {
  // A link names its page, or is to the inbox: leaving the admin page is any inbox link.
  const full: Route = { ...route, page: 'inbox', ...r }
  if (full.page === 'signin') return BASE + 'signin'
  if (full.page === 'admin') return BASE + 'admin/' + full.section
  if (full.page === 'dashboards') return BASE + 'dashboards/' + full.dashboard
  const q = new URLSearchParams()
  if (full.view !== 'mine') q.set('view', full.view)
  for (const k of filterKeys) if (full[k]) q.set(k, full[k])
  const qs = q.toString()
  return BASE + (full.conversation ? 'c/' + encodeURIComponent(full.conversation) : '') + (qs ? '?' + qs : '')
}

const inBrowser = typeof window !== 'undefined'

export const route = reactive<Route>(inBrowser ? parse(location.pathname, location.search) : parse(BASE, ''))

export function navigate(r: Partial<Route>, replace = false): void {
  const url = href(r)
  if (replace) history.replaceState(null, '', url)
  else if (url !== location.pathname + location.search) history.pushState(null, '', url)
  Object.assign(route, parse(location.pathname, location.search))
}

if (inBrowser) window.addEventListener('popstate', () => Object.assign(route, parse(location.pathname, location.search)))

/** syncRoute reads the address bar again (after history was changed directly). */
export function syncRoute(): void {
  Object.assign(route, parse(location.pathname, location.search))
}

/** filterQuery is the inbox filters of r as query parameters for /api/v1/inbox. */
export function filterQuery(r: Route = route): Record<string, string> {
  const out: Record<string, string> = {}
  for (const k of filterKeys) if (r[k]) out[k] = r[k]
  return out
}
