// The shapes the Gesher API answers with (see /api/v1/openapi.json).

export type Role = 'agent' | 'supervisor' | 'admin'
export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'merged'
export type View = 'mine' | 'unassigned' | 'queues' | 'open' | 'pending' | 'snoozed' | 'resolved' | 'breaching'

export interface User {
  id: string
  email: string
  name: string
  role: Role
  languages?: string[]
  availability?: string
  disabled?: boolean
  totp_enabled?: boolean
}

export interface Channel {
  id: string
  name: string
  kind: string
  enabled: boolean
}

export interface InboxMessage {
  direction: 'in' | 'out'
  text: string
  status: string
  channel_id?: string
  at: string
}

export interface InboxRow {
  id: string
  customer_id: string
  customer_name: string
  customer_languages: string[]
  status: ConversationStatus
  assignee_id?: string
  channel_id?: string
  subject?: string
  priority: number
  updated_at: string
  last_message_at: string
  last_message?: InboxMessage
  /** the live service-level clock that falls due first */
  sla?: SlaClock
  queue_id?: string
  snoozed_until?: string
  labels?: Label[]
}

/** A label of the team's list (stored normalised: trimmed, in lower case). */
export interface Label {
  id: string
  name: string
  created_at?: string
}

/** A queue as the filter and the transfer menu show it. */
export interface QueueBrief {
  id: string
  name: string
  /** the signed-in user answers this queue */
  member: boolean
}

/** What the inbox's filters offer. */
export interface FilterOptions {
  queues: QueueBrief[]
  labels: Label[]
  segments: { id: string; name: string }[]
  languages: string[]
}

/** The moments the snooze choices stand for now. */
export interface SnoozePresets {
  '1h': string
  tomorrow: string
  'next-week': string
  time_zone: string
}

/** A service-level clock, counted by the server at as_of; business times in milliseconds. */
export interface SlaClock {
  id: string
  kind: 'first-response' | 'next-response' | 'resolution' | 'awaiting-customer'
  state: 'running' | 'paused' | 'done'
  outcome?: 'met' | 'missed' | 'stopped'
  calendar_id: string
  target_ms: number
  used_ms: number
  remaining_ms: number
  deadline_at?: string
  warned: boolean
  breached: boolean
  /** the calendar's hours are running: the clock counts down */
  open_now: boolean
  next_reminder_at?: string
  auto_close_at?: string
  reminders_sent?: number
  started_at: string
  ended_at?: string
  as_of: string
  /** set by the console: when this copy arrived (Date.now()), to count down from */
  received_at?: number
}

export interface InboxCounts {
  mine: number
  unassigned: number
  open: number
  pending: number
  resolved: number
  breaching: number
  snoozed: number
  queues: number
}

export interface Inbox {
  view: View
  items: InboxRow[]
  counts: InboxCounts
}

export interface Attachment {
  name?: string
  content_type: string
  size?: number
  url?: string
}

export interface Message {
  id: string
  conversation_id: string
  customer_id: string
  channel_id?: string
  direction: 'in' | 'out'
  author_id?: string
  text: string
  attachments: Attachment[] | null
  status: string
  status_reason?: string
  bot?: boolean // written by the help bot before an agent joined
  secret?: boolean // a one-time code: delivered to the customer, its text never shown to agents
  created_at: string
  updated_at: string
}

export interface Note {
  id: string
  conversation_id: string
  author_id: string
  text: string
  mentions: string[] | null
  created_at: string
}

export interface Conversation {
  id: string
  customer_id: string
  status: ConversationStatus
  assignee_id?: string
  channel_id?: string
  subject?: string
  priority: number
  created_at: string
  updated_at: string
  last_message_at: string
  resolved_at?: string
  queue_id?: string
  snoozed_until?: string
  labels?: Label[]
  messages?: Message[]
  notes?: Note[]
}

export interface Identity {
  id: string
  kind: string
  value: string
  created_at?: string
}

export interface Profile {
  accessibility?: string[]
  device?: string
  consent?: Record<string, boolean>
  coaching_stage?: string
  birth_year?: number
  city?: string
  segments?: string[]
  notes?: string
}

export interface Customer {
  id: string
  name: string
  languages: string[]
  profile: Profile
  merged_into?: string
  identities: Identity[]
  created_at: string
  updated_at: string
  /** The segments the customer is in now, as GET /api/v1/customers/{id} shows them. */
  segments?: SegmentMembership[]
}

export interface SegmentMembership {
  segment_id: string
  name: string
  since: string
  /** hybrid while the segment's digital share is below its target; digital once reached. */
  phase?: 'hybrid' | 'digital'
}

export interface LiveEvent {
  seq: number
  id: string
  kind: string
  customer_id?: string
  conversation_id?: string
  channel_id?: string
  actor: { kind: string; id?: string }
  data?: Record<string, unknown>
  at: string
}

export interface List<T> {
  items: T[]
}

/** A canned response, as the composer offers it after "/". */
export interface CannedResponse {
  id: string
  shortcut: string
  title: string
  body: string
  language: string
  channels: string[]
  approved_template: boolean
}
