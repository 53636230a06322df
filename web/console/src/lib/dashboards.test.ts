import { describe, expect, it } from 'vitest'
import { chartOf, defaultRange, panels, query, tableOf, type MetricResult } from './dashboards'
import { href, parse } from './router'

const plain = (_c: string, v: string | number) => String(v)

describe('dashboards', () => {
  it('charts a series per label and tables it per bucket', () => {
    const r: MetricResult = {
      name: 'volume', from: '', to: '',
      series: [
        { label: 'sms', points: [{ t: '2026-11-08T00:00:00Z', v: 2 }, { t: '2026-11-15T00:00:00Z', v: 0 }] },
        { label: 'whatsapp', points: [{ t: '2026-11-08T00:00:00Z', v: 2 }, { t: '2026-11-15T00:00:00Z', v: 1 }] },
      ],
    }
    const p = panels.volume[0]
    expect(chartOf(p, r, plain)).toEqual({ labels: ['2026-11-08', '2026-11-15'], datasets: [{ key: 'sms', data: [2, 0] }, { key: 'whatsapp', data: [2, 1] }] })
    expect(tableOf(p, r, plain).rows).toEqual([['2026-11-08', 2, 2], ['2026-11-15', 0, 1]])
  })

  it('keeps only the rows a panel is about', () => {
    const r: MetricResult = {
      name: 'csat', from: '', to: '',
      rows: [
        { by: 'all', key: '', csat: 66.67, mean: 3.67, responses: 3, sent: 3 },
        { by: 'channel', key: 'sms', csat: 0, mean: 2, responses: 1, sent: 1 },
        { by: 'agent', key: 'u1', csat: 100, mean: 4.5, responses: 2, sent: 2 },
      ],
    }
    const agents = panels.satisfaction.find((p) => p.id === 'csat_agent')!
    expect(chartOf(agents, r, (c, v) => (c === 'key' ? 'Agent ' + v : String(v)))).toEqual({ labels: ['Agent u1'], datasets: [{ key: 'csat', data: [100] }] })
    expect(tableOf(agents, r, plain)).toEqual({ columns: ['by', 'csat', 'key', 'mean', 'responses', 'sent'], rows: [['agent', '100', 'u1', '4.5', '2', '2']] })
  })

  it('labels branches by name, not id', () => {
    const row = { tickets: 2, done: 1, no_show: 1, left: 0, wait_p50_sec: 600, wait_p90_sec: 600, service_p50_sec: 300, service_p90_sec: 300, appointments_booked: 0, appointments_cancelled: 0 }
    const r: MetricResult = { name: 'branch_service', from: '', to: '', rows: [{ branch_id: 'b01', branch_name: 'Haifa', ...row }] }
    const p = panels.adoption.find((x) => x.id === 'branch_service')!
    expect(chartOf(p, r, plain).labels).toEqual(['Haifa'])
    const table = tableOf(p, r, plain)
    expect(table.columns).toContain('branch_name')
    expect(table.columns).not.toContain('branch_id')
    expect(table.rows[0]).toContain('Haifa')
    expect(table.rows[0]).not.toContain('b01')
  })

  it('charts durations in minutes, all last', () => {
    const d = { count: 1, mean_sec: 600, p50_sec: 600, p90_sec: 1200, p99_sec: 1200, wall_p50_sec: 600, wall_p90_sec: 1200 }
    const r: MetricResult = { name: 'first_response_time', from: '', to: '', distribution: { all: d, sms: d } }
    expect(chartOf(panels.service[1], r, plain)).toEqual({ labels: ['sms', 'all'], datasets: [{ key: 'p50_sec', data: [10, 10] }, { key: 'p90_sec', data: [20, 20] }] })
  })

  it('sends only the filters set, and a 30-day range by default', () => {
    expect(query({ from: '2026-11-01', to: '2026-12-01', bucket: 'week', channel: '', segment: 's', queue: '', agent: '', branch: '', hour_cost: '' }, { format: 'csv' }))
      .toBe('from=2026-11-01&to=2026-12-01&bucket=week&segment=s&format=csv')
    expect(defaultRange(new Date('2026-12-02T05:00:00Z'))).toEqual({ from: '2026-11-02', to: '2026-12-03' })
  })

  it('routes /app/dashboards/{name}, and an unknown name to the first', () => {
    expect(parse('/app/dashboards/portfolio', '')).toMatchObject({ page: 'dashboards', dashboard: 'portfolio' })
    expect(parse('/app/dashboards/nope', '')).toMatchObject({ page: 'dashboards', dashboard: 'volume' })
    expect(href({ page: 'dashboards', dashboard: 'self-service' })).toBe('/app/dashboards/self-service')
  })
})
