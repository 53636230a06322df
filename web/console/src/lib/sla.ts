// Service-level clocks as the console shows them: how much business time is left, counted
// down between two loads while the calendar's hours run, and in which tone to say it.
import { ref } from 'vue'
import { locale, t } from './i18n'
import type { SlaClock } from './types'

export type Tone = 'ok' | 'warn' | 'over' | 'paused' | 'after-hours'

/** now ticks every 15 seconds while the workspace is open, so badges count down live. */
export const now = ref(Date.now())
let ticker: number | undefined
export function startTicking(): () => void {
  window.clearInterval(ticker)
  ticker = window.setInterval(() => (now.value = Date.now()), 15_000)
  return () => window.clearInterval(ticker)
}

/** stamp marks when a clock arrived, the moment its remaining time was true. */
export function stamp(c: SlaClock, at = Date.now()): void {
  c.received_at = at
}

/**
 * remaining is the business time left at `at`. The server counted it when it answered; while
 * the clock runs and the calendar is open the time since then counts too. (A load crossing
 * the closing hour is corrected by the next load: every SLA event reloads.)
 */
export function remaining(c: SlaClock, at: number): number {
  if (c.state !== 'running' || !c.open_now || !c.received_at) return c.remaining_ms
  return c.remaining_ms - Math.max(0, at - c.received_at)
}

export function tone(c: SlaClock, at: number): Tone {
  if (c.state === 'paused') return 'paused'
  const left = remaining(c, at)
  if (c.breached || left <= 0) return 'over'
  if (c.warned || left <= c.target_ms * 0.2) return 'warn'
  if (!c.open_now) return 'after-hours'
  return 'ok'
}

const units = new Map<string, Intl.NumberFormat>()
function unit(n: number, u: 'minute' | 'hour'): string {
  const key = locale.lang + u
  let f = units.get(key)
  if (!f) units.set(key, (f = new Intl.NumberFormat(locale.lang, { style: 'unit', unit: u, unitDisplay: 'short' })))
  return f.format(n)
}

/** span says a duration in hours and minutes ("2 hr 5 min"), rounded up to the minute. */
export function span(ms: number): string {
  const minutes = Math.max(1, Math.ceil(Math.abs(ms) / 60_000))
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (!h) return unit(m, 'minute')
  return m ? unit(h, 'hour') + ' ' + unit(m, 'minute') : unit(h, 'hour')
}

/** label is the badge's words: never colour alone. */
export function label(c: SlaClock, at: number): string {
  const k = tone(c, at)
  if (k === 'paused') return t('sla.paused')
  if (k === 'over') return t('sla.overdue')
  return t('sla.left', { time: span(remaining(c, at)) })
}

/** detail is the longer form, for the conversation header. */
export function detail(c: SlaClock, at: number): string {
  const k = tone(c, at)
  if (k === 'paused') return t('sla.paused_hint')
  if (k === 'over') return t('sla.overdue_by', { time: span(remaining(c, at)) })
  return t('sla.left', { time: span(remaining(c, at)) })
}

export const toneClass: Record<Tone, string> = {
  ok: 'bg-emerald-50 text-emerald-900 ring-emerald-700/30',
  warn: 'bg-amber-50 text-amber-900 ring-amber-700/40',
  over: 'bg-red-50 text-red-800 ring-red-700/40',
  paused: 'bg-slate-100 text-slate-800 ring-slate-500/30',
  'after-hours': 'bg-sky-50 text-sky-900 ring-sky-700/30',
}
