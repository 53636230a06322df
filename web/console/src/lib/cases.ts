// Self-service cases as the console shows them in the customer panel: the types of
// /api/v1/cases and /api/v1/services, and the choices the panel offers (which stages a case
// can move to, who may move it, names in the agent's language).
import type { LiveEvent, Role } from './types'

export type Texts = Record<string, string>

export interface ServiceStage {
  id: string
  name?: Texts
  who: 'us' | 'customer' | string
  owes?: Texts
  expected_hours?: number
}

export interface ServiceLimit {
  rule: string
  then: string
  message: Texts
}

/** FlowStep is a question of the service's guided flow; its id is the answer's field. */
export interface FlowStep {
  id: string
  kind: 'question' | 'choice' | 'confirm' | string
  label: Texts
  number?: boolean
  options?: { value: string; label: Texts }[]
}

export interface Service {
  id: string
  flow?: FlowStep[]
  category: string
  name: Texts
  description?: Texts
  channels: string[]
  limits: ServiceLimit[]
  stages: ServiceStage[]
}

export interface Notice {
  message_id?: string
  channel_id?: string
  link: boolean
  skipped?: string
}

/** NoticeWay is where the customer would be told of a move if it were made now. */
export interface NoticeWay {
  channel_id?: string
  kind?: string
  name?: string
  link: boolean
  skipped?: string
}

export interface StageEntry {
  seq: number
  stage: string
  at: string
  actor: { kind: string; id?: string }
  event_id: string
  notice: Notice
}

export interface Case {
  id: string
  ref: string
  service_id: string
  customer_id: string
  stage: string
  stage_seq: number
  answers: Record<string, unknown>
  via?: string
  finish_on?: string
  limit?: { rule: string; then: string; message: Texts }
  history: StageEntry[]
  created_at: string
  updated_at: string
  stage_at: string
  closed_at?: string
  tracker_url: string
  tracker_expires_at: string
  notify_on: NoticeWay
  /** the history's notifications by message id, with their delivery status now */
  sent: Record<string, { conversation_id: string; status: string; status_reason?: string; text: string }>
}

/** text picks a per-language text the way the server does: the language, English, Hebrew,
 * then any. */
export function text(m: Texts | undefined, lang: string): string {
  if (!m) return ''
  for (const l of [lang, 'en', 'he']) if (m[l]) return m[l]
  const keys = Object.keys(m).sort()
  return keys.length ? m[keys[0]] : ''
}

/** stageName names a stage of the service in lang; a stage the service no longer has keeps
 * its id, so the history still reads. */
export function stageName(svc: Service | undefined, id: string, lang: string): string {
  return text(svc?.stages.find((s) => s.id === id)?.name, lang) || id
}

/**
 * nextStages are the stages a case can be moved to, in the service's order: those after the
 * one it is in (the first is the usual next step). A closed case, or one in its service's last
 * stage, has none; a case whose stage the service dropped may go to any stage.
 */
export function nextStages(svc: Service | undefined, c: Pick<Case, 'stage' | 'closed_at'>): ServiceStage[] {
  if (!svc || c.closed_at) return []
  const i = svc.stages.findIndex((s) => s.id === c.stage)
  return i < 0 ? svc.stages.slice() : svc.stages.slice(i + 1)
}

// The roles holding conversations:write (internal/auth/role.go): moving and opening cases
// are what an agent who may reply does.
const writers: readonly Role[] = ['agent', 'supervisor', 'admin']

/** canWriteCases says whether an agent of role may open and move cases. */
export function canWriteCases(role: Role | undefined): boolean {
  return !!role && writers.includes(role)
}

/** answerLines are a case's answers as name/value lines, by name. */
export function answerLines(answers: Record<string, unknown> | undefined): [string, string][] {
  return Object.entries(answers ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])
}

/** parseAnswer reads a field an agent typed: a number stays a number (limits compare them),
 * anything else is text; blank is nothing. */
export function parseAnswer(raw: string): string | number | undefined {
  const s = raw.trim()
  if (!s) return undefined
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s
}

/** askable are the flow's steps an agent can answer for the customer in the console: its
 * questions and choices (the confirmation page is the console's own Open button). */
export function askable(svc: Service | undefined): FlowStep[] {
  return (svc?.flow ?? []).filter((s) => s.kind === 'question' || s.kind === 'choice')
}

// Live cases: the workspace hands each case event from the live socket here (and null on a
// resync, when events may have been missed); the customer panel that shows the case, or that
// customer, reloads its list, so a case a colleague, a rule, the API or the customer's flow
// opened or moved shows without a reload.
type CaseListener = (e: LiveEvent | null) => void
const caseListeners = new Set<CaseListener>()

/** onCaseEvent calls fn with each live case event, and with null on a resync; it returns the unsubscribe. */
export function onCaseEvent(fn: CaseListener): () => void {
  caseListeners.add(fn)
  return () => caseListeners.delete(fn)
}

/** caseEvent passes a live event on to the case panels when it is a case's; null is a resync. */
export function caseEvent(e: LiveEvent | null): void {
  if (e && !e.kind.startsWith('case.')) return
  for (const fn of caseListeners) fn(e)
}

/** concerns reports whether a live case event is about the customer shown or one of the cases listed. */
export function concerns(e: LiveEvent, customerID: string, caseIDs: string[]): boolean {
  return e.customer_id === customerID || (typeof e.data?.case_id === 'string' && caseIDs.includes(e.data.case_id))
}
