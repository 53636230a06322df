// The widget's styles, applied inside its shadow root so the host page's CSS cannot reach in
// and ours cannot leak out. Logical properties, so right-to-left needs no second sheet; touch
// targets of at least 44 px; colours at 4.5:1 or better; motion only for those who want it.
// The display modes a Gesher customer page sets on its <html> (large text, high contrast; see
// docs/accessibility.md) reach in through :host-context, so the chat on such a page follows them.
const within = (mode: string, sel: string) =>
  sel
    .split(',')
    .map((s) => `:host-context(html.${mode}) ${s}`)
    .join(',')
const lg = (sel: string) => within('large', sel)
const hc = (sel: string) => within('contrast', sel)
const modes = `${lg('.w')}{font-size:20px}${lg('h2')}{font-size:22px}${lg('label')}{font-size:19px}
${lg('.state,.note,.err,.ok')}{font-size:17px}${lg('.who,.st,.hint,.help')}{font-size:16px}
${hc('.w,.who,.hint,.help,.note,.state,.rejected .who')}{color:#fff}
${hc('.launcher,.top,.visitor,.send,.save')}{background:#ffe14d;color:#000}
${hc('.close,.visitor .who,.visitor .st')}{color:#000}
${hc('.panel,.log,form,.more-row,.agent,textarea,input,.rejected')}{background:#000;color:#fff;border-color:#fff}
${hc('.more')}{color:#ffe14d}
${hc('.err,.rejected .st')}{color:#ff9e9e}
${hc('.ok')}{color:#8ee59b}
${hc(':focus-visible')}{outline-color:#fff}
`

export const css = `
:host{all:initial}
.w{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Hebrew","Noto Sans Arabic",Arial,sans-serif;color:#1b1f24}
.w *{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute;inline-size:1px;block-size:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #e08a00;outline-offset:2px}
.launcher,.panel{position:fixed;inset-block-end:16px;inset-inline-end:16px;z-index:2147483000}
.launcher{display:flex;align-items:center;gap:8px;min-block-size:48px;min-inline-size:48px;padding:0 20px;border:0;border-radius:24px;background:#0b5cad;color:#fff;font-weight:600;box-shadow:0 2px 8px rgba(0,0,0,.3)}
.launcher svg{inline-size:22px;block-size:22px;fill:currentColor}
.dot{inline-size:12px;block-size:12px;border-radius:6px;background:#ffd24d;border:2px solid #fff}
.panel{display:flex;flex-direction:column;inline-size:min(380px,calc(100vw - 32px));block-size:min(600px,calc(100vh - 32px));background:#fff;border:1px solid #6b7480;border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.3);overflow:hidden}
@media (max-width:480px){.panel{inset:0;inline-size:100%;block-size:100%;border:0;border-radius:0}}
.top{display:flex;align-items:center;gap:8px;padding-block:6px;padding-inline:16px 6px;background:#0b5cad;color:#fff}
.top div{flex:1;min-inline-size:0}
h2{margin:0;font-size:18px;line-height:1.3}
.state{margin:0;font-size:14px}
.close{min-inline-size:44px;min-block-size:44px;border:0;border-radius:8px;background:transparent;color:#fff;font-size:28px;line-height:1}
.log{flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:8px;padding:12px 16px;background:#f5f7fa}
.msg{max-inline-size:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg p{margin:0}
.agent{align-self:flex-start;background:#fff;border:1px solid #c3c9d1}
.visitor{align-self:flex-end;background:#0b5cad;color:#fff}
.who{display:block;font-size:13px;font-weight:600;color:#4a5360}
.visitor .who,.visitor .st{color:#fff}
.st{display:block;font-size:13px}
.rejected{background:#fff;color:#1b1f24;border:1px solid #b00020}
.rejected .who{color:#4a5360}.rejected .st{color:#b00020}
.note{align-self:center;margin:0;font-size:14px;color:#4a5360;text-align:center}
form,.more-row{padding:8px 12px;border-block-start:1px solid #c3c9d1;background:#fff}
label{display:block;font-size:15px;font-weight:600}
.hint,.help{margin:0 0 4px;font-size:13px;color:#4a5360}
.row{display:flex;gap:8px;align-items:flex-end}
textarea,input{flex:1;min-inline-size:0;inline-size:100%;min-block-size:44px;margin-block:2px 6px;padding:8px 10px;border:1px solid #6b7480;border-radius:8px;background:#fff;color:#1b1f24;font:inherit;resize:none}
[aria-invalid=true]{border-color:#b00020;border-width:2px}
.send,.save{min-block-size:44px;min-inline-size:44px;margin-block-end:6px;padding:0 16px;border:0;border-radius:8px;background:#0b5cad;color:#fff;font-weight:600}
.more{min-block-size:44px;padding:0 4px;border:0;background:none;color:#0b5cad;text-decoration:underline}
.err{margin:0 0 6px;font-size:14px;color:#b00020}
.ok{margin:0;font-size:14px;color:#1d6b2f}
@media (prefers-reduced-motion:no-preference){.panel{animation:rise .18s ease-out}@keyframes rise{from{opacity:0;transform:translateY(12px)}}}
${modes}`
