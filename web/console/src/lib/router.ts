// The console's few pages, read from and written to the address bar, so that back, forward,
// reload and a pasted link all land on the same screen.
import { reactive } from 'vue'
import type { View } from './types'

export type AdminSection = 'canned' | 'users' | 'channels' | 'service-levels'

export interface Route {
  page: 'signin' | 'inbox' | 'admin'
  conversation: string | null
  view: View
  channel: string
  /** the admin page's section: canned responses (supervisors), users and channels (admins) */
  section: AdminSection
}

const sections: AdminSection[] = ['canned', 'users', 'channels', 'service-levels']

const BASE = '/app/'
const views: View[] = ['mine', 'unassigned', 'open', 'pending', 'resolved', 'breaching']

export function parse(pathname: string, search: string): Route {
  const q = new URLSearchParams(search)
  const v = q.get('view') as View | null
  const r: Route = { page: 'inbox', conversation: null, view: v && views.includes(v) ? v : 'mine', channel: q.get('channel') ?? '', section: 'canned' }
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : ''
  const parts = rest.split('/').filter(Boolean)
  if (parts[0] === 'signin') r.page = 'signin'
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
  const q = new URLSearchParams()
  if (full.view !== 'mine') q.set('view', full.view)
  if (full.channel) q.set('channel', full.channel)
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
