// The widget's calls to Gesher: a visitor identity, the channel's greeting, the visitor's
// messages (POST /hooks/webchat/{channel}), and the URL of their WebSocket. All of them go to
// the origin the script was loaded from, not the page's.

import type { Pending } from './outbox'

/** Session is the visitor identity the server issued, kept in the embedding site's storage. */
export type Session = { visitor_id: string; token: string }

export type Config = { title?: string; greeting?: string; languages?: string[] }

/** SendResult says what became of one message: stored, refused for good, a stale identity, or try later. */
export type SendResult = 'ok' | 'rejected' | 'unauthorized' | 'retry'

export class Client {
  constructor(
    readonly base: string,
    readonly channel: string,
  ) {}

  private url(path: string): string {
    return this.base + path.replace('{channel}', encodeURIComponent(this.channel))
  }

  async session(): Promise<Session> {
    const r = await fetch(this.url('/widget/{channel}/session'), { method: 'POST' })
    if (!r.ok) throw new Error('session: HTTP ' + r.status)
    const s = (await r.json()) as Session
    if (!s.visitor_id || !s.token) throw new Error('session: no identity')
    return s
  }

  async config(lang: string): Promise<Config> {
    const r = await fetch(this.url('/widget/{channel}/config') + '?lang=' + encodeURIComponent(lang))
    return r.ok ? ((await r.json()) as Config) : {}
  }

  /** send posts one message; on success it also gives the server's id of the stored message. */
  async send(s: Session, p: Pending): Promise<{ result: SendResult; messageID?: string }> {
    const body: Record<string, string> = { visitor_id: s.visitor_id, token: s.token, id: p.id, text: p.text }
    if (p.email) body.email = p.email
    if (p.phone) body.phone = p.phone
    let r: Response
    try {
      r = await fetch(this.url('/hooks/webchat/{channel}'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    } catch {
      return { result: 'retry' } // offline, or the connection dropped: the same id goes again later
    }
    if (r.ok) {
      const ack = (await r.json().catch(() => ({}))) as { messages?: { message_id?: string }[] }
      return { result: 'ok', messageID: ack.messages?.[0]?.message_id }
    }
    if (r.status === 401) return { result: 'unauthorized' }
    if (r.status === 400 || r.status === 403 || r.status === 404 || r.status === 413) return { result: 'rejected' }
    return { result: 'retry' }
  }

  liveURL(s: Session): string {
    const u = new URL(this.url('/widget/{channel}/live'))
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
    u.searchParams.set('visitor_id', s.visitor_id)
    u.searchParams.set('token', s.token)
    return u.toString()
  }
}

/** Saved is what the widget keeps per channel in localStorage. */
export type Saved = { session?: Session; outbox?: Pending[]; contact?: { email?: string; phone?: string } }

/**
 * storage returns a load/save pair over localStorage, or over memory when the site's storage
 * is unavailable (blocked cookies, a sandboxed frame): the chat still works for the visit.
 */
export function storage(key: string): { load(): Saved; save(s: Saved): void } {
  let memory: Saved = {}
  return {
    load() {
      try {
        const raw = localStorage.getItem(key)
        return raw ? (JSON.parse(raw) as Saved) : memory
      } catch {
        return memory
      }
    },
    save(s) {
      memory = s
      try {
        localStorage.setItem(key, JSON.stringify(s))
      } catch {
        /* memory only */
      }
    },
  }
}
