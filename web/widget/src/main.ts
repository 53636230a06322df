// /widget.js: embedded with one tag,
//
//   <script src="https://gesher.example/widget.js" data-channel="demo-webchat" async></script>
//
// it talks to the Gesher server it was loaded from (found from its own src), for the channel
// named in data-channel, in the language of data-lang or else the browser's.

import { Client, storage } from './api'
import { Assist } from './offer'
import { language, pickLanguage } from './i18n'
import { Widget } from './widget'

function start() {
  const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-channel][src*="widget.js"]')
  const channel = script?.dataset.channel
  if (!script || !channel) {
    console.error('gesher widget: add data-channel="…" to the script tag')
    return
  }
  const base = new URL(script.src, location.href).origin
  const lang = language(pickLanguage(script.dataset.lang, navigator.languages ?? [navigator.language]))
  // First-party storage of the embedding site, one entry per Gesher server and channel.
  const client = new Client(base, channel)
  const widget = new Widget({ client, lang, store: storage('gesher-chat:' + base + ':' + channel) })
  const mount = () => {
    widget.mount(document.body)
    // On a page the server rendered with a page token (the help centre, a guided flow), the
    // widget reports it, and shows the offer of help a rule may answer with.
    const page = script.dataset.page
    if (page) {
      new Assist({
        client, lang: lang.lang, dir: lang.dir, page, root: widget.root, box: widget.box,
        launcher: () => widget.launcher, session: () => widget.ensureSession(), openChat: () => widget.openConversation(),
      }).start()
    }
  }
  if (document.body) mount()
  else document.addEventListener('DOMContentLoaded', mount, { once: true })
}

start()
