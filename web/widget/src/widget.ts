// The widget on the page: a launcher button, a panel that is a labelled dialog, the
// conversation as a live log, the composer, and the "continue elsewhere" form; behind them,
// the visitor's socket (reconnecting with back-off) and the outbox of unsent messages.

import { Client, type Saved, type Session } from './api'
import { backoff } from './backoff'
import { checkContact } from './contact'
import type { Key, Lang } from './i18n'
import { newID, Outbox, type Pending } from './outbox'
import { css } from './style'

type Message = { id: string; client_id?: string; from: 'visitor' | 'agent'; author?: string; text: string; at: string }
type Frame = { type: string; messages?: Message[]; message?: Message; agent?: string }

/** h builds an element: attributes (false and undefined are left out), then children. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) el.setAttribute(k, '')
    else if (v !== false && v !== undefined) el.setAttribute(k, v)
  }
  el.append(...kids)
  return el
}

const icon = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg>'

export type Options = { client: Client; lang: Lang; store: { load(): Saved; save(s: Saved): void } }

export class Widget {
  private t: Lang['t']
  private saved: Saved
  private outbox: Outbox
  root!: ShadowRoot
  /** box holds everything the widget shows, in its language and direction. */
  box!: HTMLElement
  launcher!: HTMLButtonElement
  private dot!: HTMLElement
  private unreadText!: HTMLElement
  private panel!: HTMLElement
  private title!: HTMLElement
  private state!: HTMLElement
  private log!: HTMLElement
  private greeting!: HTMLElement
  private text!: HTMLTextAreaElement
  private contactForm!: HTMLFormElement
  private moreButton!: HTMLButtonElement
  private contactDone!: HTMLElement
  private fields!: Record<'email' | 'phone', { input: HTMLInputElement; err: HTMLElement }>

  private ws: WebSocket | null = null
  private attempt = 0
  private reconnectTimer = 0
  private sessionPromise: Promise<Session> | null = null
  private sending = false
  private sendAttempt = 0
  private sendTimer = 0
  private configLoaded = false
  private agent = ''
  private shown = new Map<string, HTMLElement>() // server message id → element
  private pendingEls = new Map<string, HTMLElement>() // widget message id → element
  private unreadAgent: string[] = [] // agent messages not yet reported read
  private unread = 0

  constructor(private o: Options) {
    this.t = o.lang.t
    this.saved = o.store.load()
    this.outbox = new Outbox({
      load: () => this.saved.outbox ?? [],
      save: (items) => {
        this.saved.outbox = [...items]
        this.persist()
      },
    })
  }

  private persist() {
    this.o.store.save(this.saved)
  }

  /** mount adds the widget to the page and, for a returning visitor, connects at once so replies arrive while the panel is closed. */
  mount(parent: HTMLElement) {
    const { t } = this
    const host = h('gesher-chat' as 'div', { role: 'complementary', 'aria-label': t('region') })
    this.root = host.attachShadow({ mode: 'open' })
    if ('adoptedStyleSheets' in this.root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
      // A constructed sheet is not inline style: a host page's strict CSP does not block it.
      const sheet = new CSSStyleSheet()
      sheet.replaceSync(css)
      this.root.adoptedStyleSheets = [sheet]
    } else {
      this.root.append(h('style', {}, css))
    }

    this.launcher = h('button', { type: 'button', class: 'launcher', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': 'panel' })
    this.launcher.innerHTML = icon
    this.dot = h('span', { class: 'dot', hidden: true, 'aria-hidden': 'true' })
    this.unreadText = h('span', { class: 'sr' })
    this.launcher.append(h('span', {}, t('launcher')), this.dot, this.unreadText)
    this.launcher.addEventListener('click', () => this.open())

    this.title = h('h2', { id: 'title' }, t('title'))
    this.state = h('p', { class: 'state', hidden: true }, t('connecting'))
    const close = h('button', { type: 'button', class: 'close', 'aria-label': t('close') }, '×')
    close.addEventListener('click', () => this.close())
    this.greeting = h('p', { class: 'note', dir: 'auto' }, t('greeting'))
    this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': t('log'), tabindex: '0' }, this.greeting)

    this.text = h('textarea', { id: 'text', rows: '2', maxlength: '2000', dir: 'auto', 'aria-describedby': 'hint', autocomplete: 'off' })
    const compose = h(
      'form',
      { class: 'compose' },
      h('label', { for: 'text' }, t('label')),
      h('p', { id: 'hint', class: 'hint' }, t('hint')),
      h('div', { class: 'row' }, this.text, h('button', { type: 'submit', class: 'send' }, t('send'))),
    )
    compose.addEventListener('submit', (e) => {
      e.preventDefault()
      this.submit()
    })
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault()
        this.submit()
      }
    })

    this.panel = h('div', { id: 'panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'title', hidden: true },
      h('div', { class: 'top' }, h('div', {}, this.title, this.state), close), this.log, this.contactSection(), compose)
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault()
        this.close()
      }
    })

    this.box = h('div', { class: 'w', lang: this.o.lang.lang, dir: this.o.lang.dir }, this.launcher, this.panel)
    this.root.append(this.box)
    parent.append(host)

    for (const p of this.outbox.pending()) this.renderPending(p)
    addEventListener('online', () => {
      this.reconnectNow()
      this.flush()
    })
    document.addEventListener('visibilitychange', () => this.reportRead())
    if (this.saved.session) this.connect()
    if (this.outbox.next()) this.flush()
  }

  /** The "leave your email or phone" toggle and form. */
  private contactSection(): HTMLElement {
    const { t } = this
    const field = (name: 'email' | 'phone', type: string, auto: string) => {
      const input = h('input', { id: name, name, type, autocomplete: auto, dir: 'ltr', 'aria-describedby': 'contact-help ' + name + '-err' })
      const err = h('p', { id: name + '-err', class: 'err' })
      return { input, err, nodes: [h('label', { for: name }, t(name)), input, err] }
    }
    const email = field('email', 'email', 'email')
    const phone = field('phone', 'tel', 'tel')
    this.fields = { email, phone }
    this.contactForm = h('form', { id: 'contact', class: 'contact', hidden: true, novalidate: true },
      h('p', { id: 'contact-help', class: 'help' }, t('contactHelp')), ...email.nodes, ...phone.nodes, h('button', { type: 'submit', class: 'save' }, t('save')))
    this.contactForm.addEventListener('submit', (e) => {
      e.preventDefault()
      this.saveContact()
    })
    this.moreButton = h('button', { type: 'button', class: 'more', 'aria-expanded': 'false', 'aria-controls': 'contact' }, t('contactOpen'))
    this.moreButton.addEventListener('click', () => {
      const opening = this.contactForm.hidden
      this.contactForm.hidden = !opening
      this.moreButton.setAttribute('aria-expanded', String(opening))
      if (opening) email.input.focus()
    })
    this.contactDone = h('p', { class: 'ok', role: 'status' })
    return h('div', { class: 'more-row' }, this.moreButton, this.contactDone, this.contactForm)
  }

  open() {
    this.panel.hidden = false
    this.launcher.hidden = true
    this.launcher.setAttribute('aria-expanded', 'true')
    this.text.focus()
    this.unread = 0
    this.updateUnread()
    this.scrollDown()
    if (!this.configLoaded) {
      this.configLoaded = true
      this.o.client
        .config(this.o.lang.lang)
        .then((c) => {
          if (c.title) this.title.textContent = c.title
          if (c.greeting) this.greeting.textContent = c.greeting
        })
        .catch(() => {
          this.configLoaded = false
        })
    }
    this.ensureSession()
      .then(() => this.connect())
      .catch(() => this.scheduleReconnect())
    this.reportRead()
  }

  close() {
    this.panel.hidden = true
    this.launcher.hidden = false
    this.launcher.setAttribute('aria-expanded', 'false')
    this.launcher.focus()
  }

  /** openConversation opens the panel on a conversation the server has just opened for the visitor (an accepted offer of help): the socket starts again, so it follows the visitor's new customer. */
  openConversation() {
    const ws = this.ws
    this.ws = null
    ws?.close()
    this.open()
  }

  ensureSession(): Promise<Session> {
    if (this.saved.session) return Promise.resolve(this.saved.session)
    this.sessionPromise ??= this.o.client.session().then(
      (s) => {
        this.saved.session = s
        this.persist()
        this.sessionPromise = null
        return s
      },
      (e) => {
        this.sessionPromise = null
        throw e
      },
    )
    return this.sessionPromise
  }

  // --- the socket ---------------------------------------------------------------------------

  private connect() {
    const s = this.saved.session
    if (!s || this.ws) return
    clearTimeout(this.reconnectTimer)
    this.state.hidden = false
    const ws = new WebSocket(this.o.client.liveURL(s))
    this.ws = ws
    ws.onmessage = (ev) => {
      let f: Frame
      try {
        f = JSON.parse(String(ev.data)) as Frame
      } catch {
        return
      }
      this.frame(f)
    }
    ws.onclose = () => {
      if (this.ws !== ws) return
      this.ws = null
      this.state.hidden = false
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect() {
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = window.setTimeout(() => this.connect(), backoff(this.attempt++))
  }

  private reconnectNow() {
    if (this.ws || !this.saved.session) return
    this.attempt = 0
    this.connect()
  }

  private frame(f: Frame) {
    switch (f.type) {
      case 'hello':
        this.attempt = 0
        this.state.hidden = true
        for (const m of f.messages ?? []) this.render(m)
        if (f.agent) this.agent = f.agent
        this.flush()
        this.reportRead()
        break
      case 'message':
        if (f.message) this.render(f.message)
        break
      case 'agent':
        if (f.agent && f.agent !== this.agent) {
          this.agent = f.agent
          this.log.append(h('p', { class: 'note' }, this.t('joined', { name: f.agent })))
          this.scrollDown()
        }
        break
    }
  }

  // --- the conversation ---------------------------------------------------------------------

  private bubble(from: 'visitor' | 'agent', who: string, text: string, status?: Key): HTMLElement {
    const el = h('div', { class: 'msg ' + from }, h('span', { class: 'who' }, who), h('p', { dir: 'auto' }, text))
    if (status) el.append(h('span', { class: 'st' }, this.t(status)))
    return el
  }

  private setStatus(el: HTMLElement, status?: Key) {
    el.querySelector('.st')?.remove()
    el.classList.toggle('rejected', status === 'rejected')
    if (status) el.append(h('span', { class: 'st' }, this.t(status)))
  }

  private render(m: Message) {
    if (this.shown.has(m.id)) return
    if (m.from === 'visitor' && m.client_id) {
      const el = this.pendingEls.get(m.client_id)
      this.outbox.done(m.client_id)
      if (el) {
        // The server has it (perhaps from a send whose answer was lost): no longer pending.
        this.setStatus(el)
        this.pendingEls.delete(m.client_id)
        this.shown.set(m.id, el)
        return
      }
    }
    const el = m.from === 'visitor' ? this.bubble('visitor', this.t('you'), m.text) : this.bubble('agent', m.author || this.t('agent'), m.text)
    this.shown.set(m.id, el)
    this.log.append(el)
    this.scrollDown()
    if (m.from === 'agent') {
      this.unreadAgent.push(m.id)
      if (this.panel.hidden) {
        this.unread++
        this.updateUnread()
      }
      this.reportRead()
    }
  }

  private renderPending(p: Pending) {
    const el = this.bubble('visitor', this.t('you'), p.text, 'sending')
    this.pendingEls.set(p.id, el)
    this.log.append(el)
    this.scrollDown()
  }

  private scrollDown() {
    this.log.scrollTop = this.log.scrollHeight
  }

  private updateUnread() {
    this.dot.hidden = this.unread === 0
    this.unreadText.textContent = this.unread ? ' ' + this.t('newMessage') : ''
  }

  /** reportRead tells the server which agent messages the visitor has on screen. */
  private reportRead() {
    if (this.panel.hidden || document.visibilityState !== 'visible' || !this.ws || this.ws.readyState !== WebSocket.OPEN || !this.unreadAgent.length) return
    this.ws.send(JSON.stringify({ type: 'read', ids: this.unreadAgent }))
    this.unreadAgent = []
  }

  // --- sending ------------------------------------------------------------------------------

  private submit() {
    const text = this.text.value.trim()
    if (!text) return
    this.text.value = ''
    this.queue(text)
  }

  private queue(text: string, contact: { email?: string; phone?: string } = {}) {
    const p = this.outbox.add(text, Date.now(), newID(), contact)
    this.renderPending(p)
    this.flush()
  }

  /** flush sends the outbox, oldest first and one at a time, so the agent reads them in order. */
  private async flush() {
    const p = this.outbox.next()
    if (this.sending || !p) return
    this.sending = true
    clearTimeout(this.sendTimer)
    let again = false
    try {
      const s = await this.ensureSession()
      const { result, messageID } = await this.o.client.send(s, p)
      const el = this.pendingEls.get(p.id)
      switch (result) {
        case 'ok':
          this.outbox.done(p.id)
          this.sendAttempt = 0
          if (el) {
            this.setStatus(el)
            this.pendingEls.delete(p.id)
            if (messageID) this.shown.set(messageID, el)
          }
          again = true
          this.connect()
          break
        case 'rejected':
          this.outbox.done(p.id)
          if (el) this.setStatus(el, 'rejected')
          if (p.email || p.phone) this.contactRefused(p)
          again = true
          break
        case 'unauthorized':
          // The channel's secret changed: this identity is gone. Start a new one and send the
          // same message with it.
          this.saved.session = undefined
          this.persist()
          this.ws?.close()
          this.ws = null
          if (el) this.setStatus(el, 'failed')
          this.retryLater()
          break
        default:
          if (el) this.setStatus(el, 'failed')
          this.retryLater()
      }
    } catch {
      this.retryLater()
    } finally {
      this.sending = false
    }
    if (again) this.flush()
  }

  private retryLater() {
    clearTimeout(this.sendTimer)
    this.sendTimer = window.setTimeout(() => this.flush(), backoff(this.sendAttempt++))
  }

  // --- continue elsewhere -------------------------------------------------------------------

  private saveContact() {
    const { email, phone, errors } = checkContact(this.fields.email.input.value, this.fields.phone.input.value)
    let first: HTMLInputElement | null = null
    for (const name of ['email', 'phone'] as const) {
      const f = this.fields[name]
      const err = errors[name]
      f.err.textContent = err ? this.t(err) : ''
      if (err) f.input.setAttribute('aria-invalid', 'true')
      else f.input.removeAttribute('aria-invalid')
      if (err && !first) first = f.input
    }
    if (first) {
      first.focus()
      return
    }
    this.saved.contact = { email: email || undefined, phone: phone || undefined }
    this.persist()
    this.queue(this.t('contactNote', { v: [email, phone].filter(Boolean).join(', ') }), this.saved.contact)
    this.contactForm.hidden = true
    this.moreButton.hidden = true
    this.contactDone.textContent = this.t('saved')
    this.text.focus()
  }

  /** The server refused the address: show the form again, with the fields marked. */
  private contactRefused(p: Pending) {
    this.moreButton.hidden = false
    this.contactDone.textContent = ''
    this.contactForm.hidden = false
    this.moreButton.setAttribute('aria-expanded', 'true')
    for (const name of ['email', 'phone'] as const) {
      if (!p[name]) continue
      const f = this.fields[name]
      f.input.value = p[name] ?? ''
      f.input.setAttribute('aria-invalid', 'true')
      f.err.textContent = this.t(name === 'email' ? 'errEmail' : 'errPhone')
    }
  }
}
