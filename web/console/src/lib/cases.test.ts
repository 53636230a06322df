import { describe, expect, test } from 'vitest'
import { answerLines, askable, canWriteCases, caseEvent, concerns, nextStages, onCaseEvent, parseAnswer, stageName, text, type Service } from './cases'
import type { LiveEvent } from './types'

const svc: Service = {
  id: 'car-claim',
  category: 'car',
  name: { en: 'Car claim', he: 'תביעת רכב' },
  channels: ['web', 'branch'],
  limits: [],
  stages: [
    { id: 'received', who: 'us', name: { en: 'Received', he: 'התקבלה' } },
    { id: 'in-review', who: 'us', name: { en: 'In review' } },
    { id: 'waiting-for-you', who: 'customer' },
    { id: 'done', who: 'us', name: { en: 'Done' } },
  ],
}

describe('case stages', () => {
  test('a case moves only to the stages after its own, the next one first', () => {
    expect(nextStages(svc, { stage: 'received' }).map((s) => s.id)).toEqual(['in-review', 'waiting-for-you', 'done'])
    expect(nextStages(svc, { stage: 'waiting-for-you' }).map((s) => s.id)).toEqual(['done'])
  })
  test('a finished case, or one in the last stage, cannot be moved', () => {
    expect(nextStages(svc, { stage: 'done' })).toEqual([])
    expect(nextStages(svc, { stage: 'in-review', closed_at: '2026-12-01T10:00:00Z' })).toEqual([])
    expect(nextStages(undefined, { stage: 'received' })).toEqual([])
  })
  test('a case in a stage its service dropped may go to any stage', () => {
    expect(nextStages(svc, { stage: 'gone' }).map((s) => s.id)).toEqual(['received', 'in-review', 'waiting-for-you', 'done'])
  })
  test('names follow the agent language, then English, and a stage without a name keeps its id', () => {
    expect(stageName(svc, 'received', 'he')).toBe('התקבלה')
    expect(stageName(svc, 'in-review', 'he')).toBe('In review')
    expect(stageName(svc, 'waiting-for-you', 'ru')).toBe('waiting-for-you')
    expect(text({ ru: 'Привет', ar: 'مرحبا' }, 'he')).toBe('مرحبا')
  })
})

describe('writing cases', () => {
  test('every role that may reply may move cases; no role, no button', () => {
    expect(canWriteCases('agent')).toBe(true)
    expect(canWriteCases(undefined)).toBe(false)
    expect(canWriteCases('viewer' as never)).toBe(false)
  })
  test('typed answers: numbers stay numbers so limits can compare them', () => {
    expect(parseAnswer(' 75000 ')).toBe(75000)
    expect(parseAnswer('12-345-67')).toBe('12-345-67')
    expect(parseAnswer('  ')).toBeUndefined()
    expect(answerLines({ b: 2, a: 'x' })).toEqual([['a', 'x'], ['b', '2']])
  })
})

describe('opening a case', () => {
  test('the agent is asked the flow questions and choices, not its confirmation page', () => {
    const flow = [
      { id: 'plate', kind: 'question', label: { en: 'Plate' } },
      { id: 'injuries', kind: 'choice', label: { en: 'Injuries?' }, options: [{ value: 'no', label: { en: 'No' } }] },
      { id: 'ok', kind: 'confirm', label: { en: 'Confirm' } },
    ]
    expect(askable({ ...svc, flow }).map((s) => s.id)).toEqual(['plate', 'injuries'])
    expect(askable(svc)).toEqual([])
  })
})

describe('live cases', () => {
  const ev = (kind: string, customer: string, caseID: string): LiveEvent => ({ seq: 1, id: 'e', kind, customer_id: customer, actor: { kind: 'user' }, data: { case_id: caseID }, at: '' })
  test('case events and resyncs reach the panels; other events do not', () => {
    const got: (string | null)[] = []
    const stop = onCaseEvent((e) => got.push(e ? e.kind : null))
    caseEvent(ev('case.stage-changed', 'c1', 'k1'))
    caseEvent(ev('message.received', 'c1', 'k1'))
    caseEvent(null)
    stop()
    caseEvent(ev('case.opened', 'c1', 'k2'))
    expect(got).toEqual(['case.stage-changed', null])
  })
  test('a panel reacts to its customer and to the cases it lists', () => {
    expect(concerns(ev('case.opened', 'c1', 'k9'), 'c1', [])).toBe(true)
    expect(concerns(ev('case.stage-changed', 'merged', 'k1'), 'c1', ['k1'])).toBe(true)
    expect(concerns(ev('case.stage-changed', 'c2', 'k3'), 'c1', ['k1'])).toBe(false)
  })
})
