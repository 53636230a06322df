// What each dashboard shows: panels over the metrics of GET /api/v1/metrics/{name}, and the
// pure functions that turn a metric's answer into a chart's data and the table beside it
// (the chart's text alternative, and what a screen reader reads).
import type { Dashboard } from './router'

export interface Point {
  t: string
  v: number
}
export interface Series {
  label: string
  points: Point[]
}
export interface Distribution {
  count: number
  unanswered?: number
  mean_sec: number
  p50_sec: number
  p90_sec: number
  p99_sec: number
  wall_p50_sec: number
  wall_p90_sec: number
}
export type Row = Record<string, string | number>
export interface MetricResult {
  name: string
  from: string
  to: string
  series?: Series[]
  distribution?: Record<string, Distribution>
  rows?: Row[]
}

/** A panel is one chart and its table, over one metric. */
export interface Panel {
  id: string
  metric: string
  chart: 'line' | 'bar' | 'none'
  /** for row results: only rows whose keys have these values */
  where?: Record<string, string>
  /** for row results: the keys that make a row's label, and the keys charted as datasets */
  label?: string[]
  values?: string[]
  /** the panel charts durations (a distribution) */
  durations?: boolean
}

export const panels: Record<Dashboard, Panel[]> = {
  volume: [
    { id: 'volume', metric: 'volume', chart: 'bar' },
    { id: 'digital_share', metric: 'digital_share', chart: 'line' },
    { id: 'channel_launch', metric: 'channel_launch', chart: 'bar', label: ['kind', 'launched_at'], values: ['before', 'after', 'after_on_channel'] },
    { id: 'digital_share_segments', metric: 'digital_share_segments', chart: 'bar', label: ['segment'], values: ['digital_share', 'target'] },
    { id: 'deflection_flows', metric: 'deflection_flows', chart: 'bar', label: ['from', 'to', 'action'], values: ['count'] },
  ],
  service: [
    { id: 'sla_compliance', metric: 'sla_compliance', chart: 'bar', label: ['channel', 'queue', 'clock'], values: ['compliance'] },
    { id: 'first_response_time', metric: 'first_response_time', chart: 'bar', durations: true },
    { id: 'resolution_time', metric: 'resolution_time', chart: 'bar', durations: true },
  ],
  satisfaction: [
    { id: 'csat_channel', metric: 'csat', chart: 'bar', where: { by: 'channel' }, label: ['key'], values: ['csat', 'mean'] },
    { id: 'csat_agent', metric: 'csat', chart: 'bar', where: { by: 'agent' }, label: ['key'], values: ['csat'] },
    { id: 'csat_segment', metric: 'csat', chart: 'bar', where: { by: 'segment' }, label: ['key'], values: ['csat'] },
    { id: 'nps_channel', metric: 'nps', chart: 'bar', where: { by: 'channel' }, label: ['key'], values: ['nps'] },
    { id: 'nps_agent', metric: 'nps', chart: 'bar', where: { by: 'agent' }, label: ['key'], values: ['nps'] },
    { id: 'survey_comments', metric: 'survey_comments', chart: 'none' },
  ],
  'self-service': [
    { id: 'containment', metric: 'containment', chart: 'bar', label: ['service', 'via'], values: ['containment'] },
    { id: 'search_success', metric: 'search_success', chart: 'bar', label: ['lang'], values: ['success'] },
    { id: 'top_failed_searches', metric: 'top_failed_searches', chart: 'bar', label: ['query'], values: ['failed', 'no_results'] },
    { id: 'bot_containment', metric: 'bot_containment', chart: 'bar', label: ['channel'], values: ['containment', 'handover_rate'] },
    { id: 'proactive_offers', metric: 'proactive_offers', chart: 'bar', label: ['offer'], values: ['shown', 'accepted', 'completed'] },
  ],
  portfolio: [
    { id: 'portfolio_cost', metric: 'channel_portfolio', chart: 'bar', label: ['channel'], values: ['cost_per_contact'] },
    { id: 'portfolio_quality', metric: 'channel_portfolio', chart: 'bar', label: ['channel'], values: ['sla_compliance', 'csat', 'multi_channel'] },
  ],
  adoption: [
    { id: 'coaching_stages', metric: 'coaching_stages', chart: 'line' },
    { id: 'agent_credits', metric: 'agent_credits', chart: 'bar', label: ['agent_id'], values: ['credits'] },
    { id: 'branch_service', metric: 'branch_service', chart: 'bar', label: ['branch_name'], values: ['wait_p50_sec', 'wait_p90_sec', 'service_p50_sec'] },
  ],
}

/** Filters a dashboard sends with every metric. */
export interface Filters {
  from: string
  to: string
  bucket: string
  channel: string
  segment: string
  queue: string
  agent: string
  branch: string
  hour_cost: string
}

/** defaultRange is the last 30 days up to tomorrow (to is exclusive), as YYYY-MM-DD. */
export function defaultRange(now: Date): { from: string; to: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10)
  const to = new Date(now.getTime() + 86400_000)
  return { from: day(new Date(to.getTime() - 31 * 86400_000)), to: day(to) }
}

/** query is the query string of a metric request under f (empty filters left out). */
export function query(f: Filters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) q.set(k, v)
  return q.toString()
}

/** Table is what a panel shows as text: headers and rows of cells. */
export interface Table {
  columns: string[]
  rows: (string | number)[][]
}

/** chartData is the labels and datasets a chart draws, and table the same figures as text. */
export interface ChartData {
  labels: string[]
  datasets: { key: string; data: number[] }[]
}

type Namer = (column: string, value: string | number) => string

/** rowsOf keeps the rows a panel shows. */
export function rowsOf(p: Panel, r: MetricResult): Row[] {
  return (r.rows ?? []).filter((row) => Object.entries(p.where ?? {}).every(([k, v]) => String(row[k]) === v))
}

/** chartOf turns a result into what the panel's chart draws. name renders a label's parts. */
export function chartOf(p: Panel, r: MetricResult, name: Namer): ChartData {
  if (r.series) {
    const labels = r.series[0]?.points.map((pt) => pt.t.slice(0, 10)) ?? []
    return { labels, datasets: r.series.map((s) => ({ key: s.label, data: s.points.map((pt) => pt.v) })) }
  }
  if (p.durations && r.distribution) {
    const keys = Object.keys(r.distribution).sort((a, b) => (a === 'all' ? 1 : b === 'all' ? -1 : a.localeCompare(b)))
    return {
      labels: keys.map((k) => name('channel', k)),
      datasets: ['p50_sec', 'p90_sec'].map((f) => ({ key: f, data: keys.map((k) => Math.round((r.distribution![k] as unknown as Record<string, number>)[f] / 60)) })),
    }
  }
  const rows = rowsOf(p, r)
  return {
    labels: rows.map((row) => (p.label ?? []).map((k) => name(k, row[k] ?? '')).filter(Boolean).join(' · ')),
    datasets: (p.values ?? []).map((k) => ({ key: k, data: rows.map((row) => Number(row[k]) || 0) })),
  }
}

/** tableOf is the same result as text, every figure of it. */
export function tableOf(p: Panel, r: MetricResult, name: Namer): Table {
  if (r.series) {
    const labels = r.series.map((s) => s.label)
    const buckets = r.series[0]?.points.map((pt) => pt.t.slice(0, 10)) ?? []
    return {
      columns: ['bucket', ...labels.map((l) => name('channel', l))],
      rows: buckets.map((b, i) => [b, ...r.series!.map((s) => s.points[i]?.v ?? 0)]),
    }
  }
  if (r.distribution) {
    const keys = Object.keys(r.distribution).sort()
    const cols = ['count', 'unanswered', 'mean_sec', 'p50_sec', 'p90_sec', 'p99_sec', 'wall_p50_sec', 'wall_p90_sec'] as const
    return {
      columns: ['channel', ...cols],
      rows: keys.map((k) => [name('channel', k), ...cols.map((c) => r.distribution![k][c] ?? 0)]),
    }
  }
  const rows = rowsOf(p, r)
  // An id column is left out where the API names it too (branch_id beside branch_name).
  const keys = rows.length ? Object.keys(rows[0]) : []
  const columns = keys.filter((k) => !(k.endsWith('_id') && keys.includes(k.slice(0, -3) + '_name'))).sort()
  return { columns, rows: rows.map((row) => columns.map((c) => name(c, row[c] ?? ''))) }
}
