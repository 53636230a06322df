// The live connection: one WebSocket to /api/v1/live, reconnected with back-off. On every
// "hello" (the first one too: the page loaded its list before the socket was listening) and on
// a "resync" frame the console reloads what it shows, since events may have been missed in
// between.
import type { LiveEvent } from './types'

export interface LiveHandlers {
  event(e: LiveEvent): void
  resync(): void
  state(connected: boolean): void
}

/** A frame the console sends: its agent's presence in a conversation. */
export interface PresenceFrame {
  type: 'presence'
  conversation_id: string
  state: 'viewing' | 'typing' | 'left'
}

let socket: WebSocket | null = null

/** sendPresence tells colleagues, through the live socket, what the agent does in a conversation.
 * Nothing is sent while the socket is down: presence is repeated, so the next beat catches up. */
export function sendPresence(f: Omit<PresenceFrame, 'type'>): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'presence', ...f }))
}

export function connectLive(h: LiveHandlers): () => void {
  let ws: WebSocket | null = null
  let stopped = false
  let attempt = 0
  let timer: number | undefined

  const open = () => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
    ws = new WebSocket(`${proto}//${location.host}/api/v1/live`)
    socket = ws
    ws.onmessage = (m) => {
      let f: { type: string; event?: LiveEvent }
      try {
        f = JSON.parse(m.data as string)
      } catch {
        return
      }
      if (f.type === 'hello') {
        attempt = 0
        h.state(true)
        h.resync()
      } else if (f.type === 'event' && f.event) h.event(f.event)
      else if (f.type === 'resync') h.resync()
    }
    ws.onclose = () => {
      h.state(false)
      if (stopped) return
      const delay = Math.min(30000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2)
      attempt++
      timer = window.setTimeout(open, delay)
    }
  }
  open()
  return () => {
    stopped = true
    window.clearTimeout(timer)
    ws?.close()
  }
}
