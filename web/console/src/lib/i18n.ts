// Interface languages, from the same message catalogs as the server
// (internal/i18n/locales/<lang>.json). Only the agent's language is loaded.
import { reactive } from 'vue'

export type Plural = Partial<Record<Intl.LDMLPluralRule, string>>
export interface Catalog {
  lang: string
  name: string
  dir: 'ltr' | 'rtl'
  messages: Record<string, string | Plural>
}

export const languages = [
  { code: 'he', name: 'עברית' },
  { code: 'ar', name: 'العربية' },
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
] as const

const loaders = import.meta.glob<Catalog>('@locales/*.json', { import: 'default' })

export const locale = reactive({ lang: 'en', dir: 'ltr' as 'ltr' | 'rtl', catalog: null as Catalog | null })

const STORAGE_KEY = 'gesher.lang'

/** pickLanguage chooses the saved language, else the browser's, else English. */
export function pickLanguage(saved: string | null, browser: readonly string[]): string {
  const known = languages.map((l) => l.code as string)
  if (saved && known.includes(saved)) return saved
  for (const b of browser) {
    const base = b.toLowerCase().split('-')[0]
    if (known.includes(base)) return base
  }
  return 'en'
}

export async function setLanguage(lang: string): Promise<void> {
  const key = Object.keys(loaders).find((k) => k.endsWith('/' + lang + '.json'))
  if (!key) throw new Error('no catalog for ' + lang)
  const catalog = await loaders[key]()
  applyCatalog(catalog)
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    /* private mode: the choice lasts this page */
  }
}

export function applyCatalog(catalog: Catalog): void {
  locale.catalog = catalog
  locale.lang = catalog.lang
  locale.dir = catalog.dir
  if (typeof document !== 'undefined') {
    document.documentElement.lang = catalog.lang
    document.documentElement.dir = catalog.dir
  }
}

export function savedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}

/** interpolate replaces {name} with vars.name; unknown names stay as they are. */
export function interpolate(s: string, vars?: Record<string, string | number>): string {
  if (!vars) return s
  return s.replace(/\{([a-z_]+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))
}

/** t translates key; a missing key shows the key itself, so a gap is visible, never blank. */
export function t(key: string, vars?: Record<string, string | number>): string {
  const m = locale.catalog?.messages[key]
  if (typeof m !== 'string') return key
  return interpolate(m, vars)
}

/** tn translates a plural message for count n, by the language's CLDR rules. */
export function tn(key: string, n: number, vars?: Record<string, string | number>): string {
  const m = locale.catalog?.messages[key]
  if (!m || typeof m === 'string') return m ?? key
  const form = intl(locale.lang).plural.select(n)
  const s = m[form] ?? m.other ?? key
  return interpolate(s, { n: formatNumber(n), ...vars })
}

export function formatNumber(n: number): string {
  return intl(locale.lang).number.format(n)
}

const perLang = new Map<string, { plural: Intl.PluralRules; number: Intl.NumberFormat }>()
function intl(lang: string) {
  let v = perLang.get(lang)
  if (!v) perLang.set(lang, (v = { plural: new Intl.PluralRules(lang), number: new Intl.NumberFormat(lang) }))
  return v
}

/** has reports whether the catalog has key (events of kinds added later may not). */
export function has(key: string): boolean {
  return locale.catalog?.messages[key] !== undefined
}
