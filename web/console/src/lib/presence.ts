// Presence: which colleagues have a conversation open, and who is typing in it, so that two
// agents do not answer one customer twice. Others' presence arrives as "presence.changed"
// live events and expires by itself unless repeated (a closed tab sends nothing more); ours is
// sent over the live socket, repeated while the conversation stays open.
import { reactive } from 'vue'
import { sendPresence } from './live'
import type { LiveEvent } from './types'

export interface Presence {
  user: string
  name: string
  state: 'viewing' | 'typing'
  expires: number
}

/** others maps a conversation id to the colleagues present in it, by user id. */
export const others = reactive(new Map<string, Map<string, Presence>>())

/** VIEW_EVERY is how often an open conversation repeats "viewing"; the server lets it live 45 s. */
const VIEW_EVERY = 15_000
/** TYPE_EVERY is how often typing is repeated while the agent keeps typing; it lives 8 s. */
const TYPE_EVERY = 3_000

export function onPresence(e: LiveEvent, me: string | undefined, now = Date.now()): void {
  const conv = e.conversation_id
  const user = e.actor?.id
  if (e.kind !== 'presence.changed' || !conv || !user || user === me) return
  const d = (e.data ?? {}) as { state?: string; name?: string; ttl_ms?: number }
  let m = others.get(conv)
  if (d.state === 'left') {
    m?.delete(user)
    if (m && !m.size) others.delete(conv)
    return
  }
  if (d.state !== 'viewing' && d.state !== 'typing') return
  if (!m) {
    m = new Map()
    others.set(conv, m)
  }
  const prev = m.get(user)
  // "viewing" repeated while typing does not hide the typing until the typing expires.
  if (d.state === 'viewing' && prev?.state === 'typing' && prev.expires > now) {
    m.set(user, { ...prev, name: d.name || prev.name })
    return
  }
  m.set(user, { user, name: d.name || '', state: d.state, expires: now + (d.ttl_ms ?? 45_000) })
  // A colleague who just arrived has not heard that we are here: answer once, rather than
  // leave them unaware until our next beat. They know us already, so they do not answer back.
  if (!prev && conv === viewing) sendPresence({ conversation_id: conv, state: 'viewing' })
}

/** present lists the colleagues present in a conversation now, typing ones first. */
export function present(conv: string | undefined, now = Date.now()): Presence[] {
  if (!conv) return []
  const m = others.get(conv)
  if (!m) return []
  const out: Presence[] = []
  for (const p of m.values()) {
    if (p.expires > now) out.push(p)
    else if (p.state === 'typing') out.push({ ...p, state: 'viewing', expires: p.expires + 37_000 }) // typing lapses to viewing
  }
  return out.sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === 'typing' ? -1 : 1))
}

/** prune drops what has expired, so the map does not grow with every conversation ever seen. */
export function prune(now = Date.now()): void {
  for (const [conv, m] of others) {
    for (const [u, p] of m) if (p.expires + 37_000 <= now) m.delete(u)
    if (!m.size) others.delete(conv)
  }
}

let viewing = ''
let beat: number | undefined
let lastTyping = 0

/** view says the agent now has conv open ('' for none), and keeps repeating it. */
export function view(conv: string): void {
  if (conv === viewing) return
  if (viewing) sendPresence({ conversation_id: viewing, state: 'left' })
  viewing = conv
  window.clearInterval(beat)
  lastTyping = 0
  if (!conv) return
  sendPresence({ conversation_id: conv, state: 'viewing' })
  beat = window.setInterval(() => {
    sendPresence({ conversation_id: viewing, state: 'viewing' })
    prune()
  }, VIEW_EVERY)
}

/** again repeats the current presence at once (after the live socket reconnected). */
export function again(): void {
  if (viewing) sendPresence({ conversation_id: viewing, state: 'viewing' })
}

/** typing says the agent is typing in conv's composer; called on each keystroke, it sends
 * at most one frame every few seconds. */
export function typing(conv: string, now = Date.now()): void {
  if (now - lastTyping < TYPE_EVERY) return
  lastTyping = now
  sendPresence({ conversation_id: conv, state: 'typing' })
}
