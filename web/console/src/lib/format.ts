// Times and names, in the interface language.
import { locale } from './i18n'

// Intl formatters are slow to make and cheap to use: one per language and style, kept.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>()
function dtf(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = 'd' + locale.lang + JSON.stringify(opts)
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale.lang, opts)))
  return f
}
function rtf(): Intl.RelativeTimeFormat {
  const key = 'r' + locale.lang
  let f = formatters.get(key) as Intl.RelativeTimeFormat | undefined
  if (!f) formatters.set(key, (f = new Intl.RelativeTimeFormat(locale.lang, { numeric: 'auto', style: 'narrow' })))
  return f
}

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

/** ago is a short relative time for lists: "5 min", "3 h", a weekday, or a date. */
export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso)
  const d = now - t
  if (d < MIN) return rtf().format(0, 'second')
  if (d < HOUR) return rtf().format(-Math.floor(d / MIN), 'minute')
  if (d < DAY) return rtf().format(-Math.floor(d / HOUR), 'hour')
  if (d < 7 * DAY) return dtf({ weekday: 'short' }).format(t)
  return dtf({ day: 'numeric', month: 'short' }).format(t)
}

/** when is a full date and time, for titles and the timeline. */
export function when(iso: string): string {
  return dtf({ dateStyle: 'medium', timeStyle: 'short' }).format(Date.parse(iso))
}

export function time(iso: string): string {
  return dtf({ hour: '2-digit', minute: '2-digit' }).format(Date.parse(iso))
}

export function day(iso: string): string {
  return dtf({ dateStyle: 'full' }).format(Date.parse(iso))
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  if (!parts.length) return '?'
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase()
}

const displayNames = new Map<string, Intl.DisplayNames>()

/** languageName names a language code in the interface language ("ru" → "Russian"). */
export function languageName(code: string): string {
  try {
    let names = displayNames.get(locale.lang)
    if (!names) displayNames.set(locale.lang, (names = new Intl.DisplayNames([locale.lang], { type: 'language' })))
    return names.of(code) ?? code
  } catch {
    return code
  }
}
