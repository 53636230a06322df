// Proactive help in the widget: it reports the page it is on (the server's signed page token,
// from the script tag's data-page) and how long the page stays on screen, and shows the one
// offer of help the server may answer with — a chat, an article or a callback — as a card
// above the launcher: announced by a live region without taking the focus, answered with the
// keyboard (Escape dismisses), right-to-left where the language is, and fixed in place so
// nothing on the page moves when it appears.

import type { Client, Session } from './api'

export type Offer = { id: string; kind: 'chat' | 'article' | 'callback'; article?: { title: string; url: string } }

type Texts = {
  title: string
  chat: string
  chatYes: string
  article: string
  articleYes: string
  callback: string
  callbackYes: string
  phone: string
  send: string
  badPhone: string
  calling: string
  no: string
  announce: string
}

const catalogs: Record<string, Texts> = {
  en: {
    title: 'Can we help?',
    chat: 'It looks like you have not found what you are looking for. An agent can answer you now, in the chat.',
    chatYes: 'Chat with an agent',
    article: 'This article may answer your question:',
    articleYes: 'Read the article',
    callback: 'Leave your number and an agent will call you back.',
    callbackYes: 'Call me back',
    phone: 'Your phone number',
    send: 'Send',
    badPhone: 'Enter a phone number in digits, like 050-1234567.',
    calling: 'Thank you. An agent will call you soon.',
    no: 'No, thanks',
    announce: 'Can we help? An offer of help is shown beside the chat button.',
  },
  he: {
    title: 'אפשר לעזור?',
    chat: 'נראה שעוד לא מצאת את מה שחיפשת. נציג/ה יכולים לענות לך עכשיו, בצ׳אט.',
    chatYes: 'כן, לשיחה עם נציג/ה',
    article: 'ייתכן שהמאמר הזה עונה על השאלה:',
    articleYes: 'לקריאת המאמר',
    callback: 'השאירו מספר טלפון ונציג/ה יחזרו אליכם.',
    callbackYes: 'חזרו אליי',
    phone: 'מספר הטלפון שלך',
    send: 'שליחה',
    badPhone: 'הקלידו מספר טלפון בספרות, למשל 050-1234567.',
    calling: 'תודה. נציג/ה יתקשרו בקרוב.',
    no: 'לא, תודה',
    announce: 'אפשר לעזור? הצעת עזרה מוצגת ליד כפתור הצ׳אט.',
  },
  ar: {
    title: 'هل نستطيع المساعدة؟',
    chat: 'يبدو أنك لم تجد ما تبحث عنه بعد. يمكن لموظف أن يجيبك الآن في المحادثة.',
    chatYes: 'محادثة مع موظف',
    article: 'قد يجيب هذا المقال عن سؤالك:',
    articleYes: 'اقرأ المقال',
    callback: 'اترك رقمك وسيعاود موظف الاتصال بك.',
    callbackYes: 'اتصلوا بي',
    phone: 'رقم هاتفك',
    send: 'إرسال',
    badPhone: 'أدخل رقم هاتف بالأرقام، مثل 050-1234567.',
    calling: 'شكرًا. سيتصل بك موظف قريبًا.',
    no: 'لا، شكرًا',
    announce: 'هل نستطيع المساعدة؟ يظهر عرض للمساعدة بجانب زر المحادثة.',
  },
  ru: {
    title: 'Вам помочь?',
    chat: 'Похоже, вы пока не нашли то, что искали. Сотрудник может ответить вам прямо сейчас в чате.',
    chatYes: 'Написать сотруднику',
    article: 'Возможно, на ваш вопрос отвечает эта статья:',
    articleYes: 'Прочитать статью',
    callback: 'Оставьте номер, и сотрудник вам перезвонит.',
    callbackYes: 'Перезвоните мне',
    phone: 'Ваш номер телефона',
    send: 'Отправить',
    badPhone: 'Введите номер телефона цифрами, например 050-1234567.',
    calling: 'Спасибо. Сотрудник скоро позвонит.',
    no: 'Нет, спасибо',
    announce: 'Вам помочь? Рядом с кнопкой чата показано предложение помощи.',
  },
  fr: {
    title: 'Pouvons-nous vous aider ?',
    chat: 'Vous n’avez pas encore trouvé ce que vous cherchez, semble-t-il. Un conseiller peut vous répondre maintenant, dans la discussion.',
    chatYes: 'Discuter avec un conseiller',
    article: 'Cet article répond peut-être à votre question :',
    articleYes: 'Lire l’article',
    callback: 'Laissez votre numéro et un conseiller vous rappellera.',
    callbackYes: 'Rappelez-moi',
    phone: 'Votre numéro de téléphone',
    send: 'Envoyer',
    badPhone: 'Saisissez un numéro de téléphone en chiffres, par exemple 050-1234567.',
    calling: 'Merci. Un conseiller vous appellera bientôt.',
    no: 'Non merci',
    announce: 'Pouvons-nous vous aider ? Une offre d’aide s’affiche à côté du bouton de discussion.',
  },
  am: {
    title: 'ልንረዳዎ እንችላለን?',
    chat: 'የሚፈልጉትን ገና ያላገኙ ይመስላል። ሠራተኛ አሁን በውይይቱ ሊመልስልዎ ይችላል።',
    chatYes: 'ከሠራተኛ ጋር ይወያዩ',
    article: 'ይህ ጽሑፍ ጥያቄዎን ሊመልስ ይችላል፦',
    articleYes: 'ጽሑፉን ያንብቡ',
    callback: 'ቁጥርዎን ይተዉ፤ ሠራተኛ መልሶ ይደውልልዎታል።',
    callbackYes: 'መልሰው ይደውሉልኝ',
    phone: 'የስልክ ቁጥርዎ',
    send: 'ላክ',
    badPhone: 'የስልክ ቁጥር በአሃዝ ያስገቡ፣ ለምሳሌ 050-1234567።',
    calling: 'እናመሰግናለን። ሠራተኛ በቅርቡ ይደውልልዎታል።',
    no: 'አይ፣ አመሰግናለሁ',
    announce: 'ልንረዳዎ እንችላለን? የእርዳታ ቅናሽ ከውይይት አዝራሩ አጠገብ ይታያል።',
  },
}

/** offerTexts returns the offer's words in lang, English when the widget has no such catalog. */
export function offerTexts(lang: string): Texts {
  return catalogs[lang] ?? catalogs.en
}

export const offerCss = `
.offer{position:fixed;inset-block-end:76px;inset-inline-end:16px;z-index:2147483000;inline-size:min(340px,calc(100vw - 32px));max-block-size:calc(100vh - 100px);overflow-y:auto;padding:12px 16px;background:#fff;border:2px solid #0b5cad;border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.3)}
.offer h2{font-size:17px;margin:0 0 4px}
.offer p{margin:0 0 8px;font-size:15px}
.offer .acts{display:flex;flex-wrap:wrap;gap:8px}
.offer .yes,.offer .no{min-block-size:44px;padding:0 14px;border-radius:8px;font-weight:600}
.offer .yes{border:0;background:#0b5cad;color:#fff;text-decoration:none;display:inline-flex;align-items:center}
.offer .no{border:1px solid #6b7480;background:#fff;color:#1b1f24}
.offer form{padding:0;border:0}
`

/** The dwell milestones, in seconds of the page on screen, that the widget reports. */
export const dwellMarks = [30, 60, 90, 120, 180, 300]

type Hooks = {
  client: Client
  lang: string
  dir: string
  page: string
  root: ShadowRoot
  box: HTMLElement
  launcher: () => HTMLElement
  session: () => Promise<Session>
  /** openChat opens the chat panel on the conversation the server just opened. */
  openChat: () => void
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  e.append(...kids)
  return e
}

export class Assist {
  private t: Texts
  private live: HTMLElement
  private card: HTMLElement | null = null
  private shown = ''
  private visible = 0 // milliseconds on screen so far
  private since = 0
  private next = 0 // index into dwellMarks

  constructor(private o: Hooks) {
    this.t = offerTexts(o.lang)
    this.live = el('div', { class: 'sr', 'aria-live': 'polite' })
    o.box.append(this.live)
    if (typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype && 'adoptedStyleSheets' in o.root) {
      const sheet = new CSSStyleSheet()
      sheet.replaceSync(offerCss)
      o.root.adoptedStyleSheets = [...o.root.adoptedStyleSheets, sheet]
    }
  }

  /** start reports the page, then the time it stays on screen. */
  start() {
    this.report({ kind: 'page' })
    this.since = document.visibilityState === 'visible' ? Date.now() : 0
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.since = Date.now()
      else this.pause()
    })
    const tick = () => {
      if (this.next >= dwellMarks.length) return
      if (this.since) {
        const seen = this.visible + Date.now() - this.since
        if (seen >= dwellMarks[this.next] * 1000) {
          this.report({ kind: 'dwell', seconds: dwellMarks[this.next] })
          this.next++
        }
      }
      window.setTimeout(tick, 5000)
    }
    window.setTimeout(tick, 5000)
  }

  private pause() {
    if (this.since) this.visible += Date.now() - this.since
    this.since = 0
  }

  private async post(path: string, body: Record<string, unknown>): Promise<Response | null> {
    try {
      const s = await this.o.session()
      return await fetch(this.o.client.base + path.replace('{channel}', encodeURIComponent(this.o.client.channel)), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ visitor_id: s.visitor_id, token: s.token, lang: this.o.lang, ...body }),
      })
    } catch {
      return null // offline: help is offered another time
    }
  }

  private async report(body: { kind: string; seconds?: number }) {
    const r = await this.post('/widget/{channel}/signals', { ...body, page: this.o.page })
    if (!r || !r.ok) return
    const ans = (await r.json().catch(() => ({}))) as { offer?: Offer | null }
    if (ans.offer) this.show(ans.offer)
  }

  /** show puts the offer on screen once; the live region says it is there. */
  show(offer: Offer) {
    if (this.shown === offer.id) return
    this.shown = offer.id
    const t = this.t
    const title = el('h2', { id: 'offer-title' }, t.title)
    const no = el('button', { type: 'button', class: 'no' }, t.no)
    no.addEventListener('click', () => this.answer(offer, 'dismiss'))
    const acts = el('div', { class: 'acts' })
    const card = el('div', { class: 'offer', role: 'region', 'aria-labelledby': 'offer-title', lang: this.o.lang, dir: this.o.dir }, title)
    if (offer.kind === 'article' && offer.article) {
      card.append(el('p', { dir: 'auto' }, t.article + ' ', el('strong', {}, offer.article.title)))
      const a = el('a', { class: 'yes', href: offer.article.url }, t.articleYes)
      a.addEventListener('click', (e) => {
        e.preventDefault()
        this.answer(offer, 'accept').then(() => location.assign(a.href))
      })
      acts.append(a, no)
      card.append(acts)
    } else if (offer.kind === 'callback') {
      card.append(el('p', {}, t.callback))
      const input = el('input', { id: 'offer-phone', type: 'tel', autocomplete: 'tel', dir: 'ltr', 'aria-describedby': 'offer-err' })
      const err = el('p', { id: 'offer-err', class: 'err' })
      const form = el('form', { novalidate: '' }, el('label', { for: 'offer-phone' }, t.phone), input, err)
      const send = el('button', { type: 'submit', class: 'yes' }, t.callbackYes)
      acts.append(send, no)
      form.append(acts)
      form.addEventListener('submit', (e) => {
        e.preventDefault()
        const digits = input.value.replace(/[\s()\-.]/g, '')
        if (!/^\+?\d{8,15}$/.test(digits)) {
          input.setAttribute('aria-invalid', 'true')
          err.textContent = t.badPhone
          input.focus()
          return
        }
        this.answer(offer, 'accept', input.value).then((ok) => {
          if (ok === 'phone') {
            input.setAttribute('aria-invalid', 'true')
            err.textContent = t.badPhone
            input.focus()
          }
        })
      })
      card.append(form)
    } else {
      card.append(el('p', {}, t.chat))
      const yes = el('button', { type: 'button', class: 'yes' }, t.chatYes)
      yes.addEventListener('click', () => this.answer(offer, 'accept'))
      acts.append(yes, no)
      card.append(acts)
    }
    card.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault()
        this.answer(offer, 'dismiss')
      }
    })
    this.card = card
    this.o.box.append(card)
    this.live.textContent = t.announce
  }

  /** answer tells the server, then acts: the chat opens, the card goes, the focus stays sensible. */
  private async answer(offer: Offer, action: 'accept' | 'dismiss', phone?: string): Promise<'ok' | 'phone' | 'failed'> {
    const body: Record<string, string> = { action }
    if (phone) body.phone = phone
    const r = await this.post('/widget/{channel}/offers/' + encodeURIComponent(offer.id), body)
    if (r && r.status === 422) return 'phone'
    const hadFocus = !!this.card && this.card.contains(this.o.root.activeElement)
    const ans = r && r.ok ? ((await r.json().catch(() => ({}))) as { chat?: boolean }) : {}
    if (action === 'accept' && offer.kind === 'callback' && r && r.ok && this.card) {
      this.card.replaceChildren(el('p', { role: 'status' }, this.t.calling))
      const card = this.card
      window.setTimeout(() => card.remove(), 8000)
      this.card = null
      return 'ok'
    }
    this.close(hadFocus && !ans.chat)
    if (ans.chat) this.o.openChat()
    return r && (r.ok || r.status === 409) ? 'ok' : 'failed'
  }

  private close(focusLauncher: boolean) {
    this.card?.remove()
    this.card = null
    this.live.textContent = ''
    if (focusLauncher) this.o.launcher().focus()
  }
}
