// The visitor's unsent messages. Each has the id the widget gave it when the visitor pressed
// Send, and keeps it through every retry, so the server stores it once however many times the
// connection dropped before the answer came back. The list is kept in the embedding site's
// storage: a message typed just before the tab was closed goes out on the next visit.

/** Pending is one message not yet confirmed by the server. */
export type Pending = {
  id: string
  text: string
  at: number // when the visitor sent it, ms since the epoch
  email?: string
  phone?: string
}

/** Store is where the outbox keeps its list: localStorage in the browser, a Map in tests. */
export interface Store {
  load(): Pending[]
  save(items: Pending[]): void
}

export class Outbox {
  private items: Pending[]

  constructor(private store: Store) {
    this.items = store.load().filter((p) => p && typeof p.id === 'string' && typeof p.text === 'string')
  }

  /** add queues a new message and returns it. */
  add(text: string, now: number, id: string, contact: { email?: string; phone?: string } = {}): Pending {
    const p: Pending = { id, text, at: now, ...contact }
    this.items.push(p)
    this.store.save(this.items)
    return p
  }

  /** pending lists the unconfirmed messages, oldest first: the order they must be sent in. */
  pending(): readonly Pending[] {
    return this.items
  }

  /** next is the message to send now, if any. */
  next(): Pending | undefined {
    return this.items[0]
  }

  /** done removes a message the server has stored (or refused for good). It reports whether it was queued. */
  done(id: string): boolean {
    const before = this.items.length
    this.items = this.items.filter((p) => p.id !== id)
    if (this.items.length !== before) this.store.save(this.items)
    return this.items.length !== before
  }

  /** has reports whether id is still waiting. */
  has(id: string): boolean {
    return this.items.some((p) => p.id === id)
  }
}

/** newID makes a message id from 128 random bits, in hex (crypto.randomUUID needs a secure context; this does not). */
export function newID(random: (n: number) => ArrayLike<number> = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return Array.from(random(16), (x) => (x & 255).toString(16).padStart(2, '0')).join('')
}
