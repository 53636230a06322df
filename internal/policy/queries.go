package policy

import (
	"fmt"

	"github.com/gesher-cs/gesher/internal/store"
)

const (
	sqlChannelKind = `SELECT kind FROM channels WHERE id = ?`

	sqlSelectPolicy = `SELECT channel_id, calendar_id, first_response_ms, next_response_ms, resolution_ms, reminder_ms, max_reminders,
  nudge_ms, auto_close_ms, weight, topics, notify_supervisor, raise_priority, escalate_queue_id, updated_by, updated_at
FROM channel_policies`

	sqlUpsertPolicy = `INSERT INTO channel_policies (channel_id, calendar_id, first_response_ms, next_response_ms, resolution_ms, reminder_ms,
  max_reminders, nudge_ms, auto_close_ms, weight, topics, notify_supervisor, raise_priority, escalate_queue_id, updated_by, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (channel_id) DO UPDATE SET calendar_id = excluded.calendar_id, first_response_ms = excluded.first_response_ms,
  next_response_ms = excluded.next_response_ms, resolution_ms = excluded.resolution_ms, reminder_ms = excluded.reminder_ms,
  max_reminders = excluded.max_reminders, nudge_ms = excluded.nudge_ms, auto_close_ms = excluded.auto_close_ms,
  weight = excluded.weight, topics = excluded.topics, notify_supervisor = excluded.notify_supervisor,
  raise_priority = excluded.raise_priority, escalate_queue_id = excluded.escalate_queue_id,
  updated_by = excluded.updated_by, updated_at = excluded.updated_at`

	// Upserts, so a second PUT of the same calendar or policy replaces it instead of failing,
	// in the one form both databases accept.
	sqlUpsertCalendar = `INSERT INTO calendars (id, name, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data, updated_at = excluded.updated_at`

	clockColumns = `id, conversation_id, channel_id, slot, kind, state, outcome, calendar_id, target_ms, used_ms, running_since,
  deadline_at, warn_at, warned, breached, nudge_at, remind_at, close_at, fired, due_at, started_at, ended_at, updated_at`

	sqlSelectClock = `SELECT ` + clockColumns + ` FROM sla_clocks`

	sqlLiveClocks = sqlSelectClock + ` WHERE conversation_id = ? AND state <> 'done' ORDER BY slot`

	sqlInsertClock = `INSERT INTO sla_clocks (` + clockColumns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	sqlUpdateClock = `UPDATE sla_clocks SET state = ?, outcome = ?, used_ms = ?, running_since = ?, deadline_at = ?, warn_at = ?,
  warned = ?, breached = ?, nudge_at = ?, remind_at = ?, close_at = ?, fired = ?, due_at = ?, ended_at = ?, updated_at = ?
WHERE id = ?`

	// sqlClaimTmpl takes the row-lock clause. Claiming moves due_at a lease ahead, so other
	// nodes pass over the clock while this one works on it, and take it over if this node
	// dies before it wrote the clock's real next moment.
	sqlClaimTmpl = `UPDATE sla_clocks SET due_at = ?
WHERE id IN (
  SELECT id FROM sla_clocks WHERE state = 'running' AND due_at <= ? ORDER BY due_at LIMIT ? %s)
RETURNING id, conversation_id`

	// sqlNextDue is answered from the (state, due_at) index alone, however many clocks run.
	sqlNextDue = `SELECT MIN(due_at) FROM sla_clocks WHERE state = 'running' AND due_at IS NOT NULL`

	sqlConversationTmpl = `SELECT c.customer_id, c.status, c.assignee_id, c.channel_id, c.priority, c.queue_id FROM conversations c WHERE c.id = ? %s`

	// fired counts the reminders of one wait; their sum over the conversation's waits is what
	// the policy's max_reminders caps.
	sqlRemindersSent = `SELECT COALESCE(SUM(fired), 0) FROM sla_clocks WHERE conversation_id = ? AND slot = 'customer'`

	sqlCustomerLanguages = `SELECT languages FROM customers WHERE id = ?`

	// The member of a queue with the most room, for an escalation that moves a conversation
	// there: online, enabled agents whose held weight leaves room for this conversation's.
	sqlRoomInQueue = `SELECT u.id FROM users u JOIN queue_members qm ON qm.user_id = u.id
WHERE qm.queue_id = ? AND u.disabled = 0 AND u.availability = 'online'
  AND u.capacity - COALESCE((SELECT SUM(c.weight) FROM conversations c WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending')), 0) >= ?
ORDER BY u.capacity - COALESCE((SELECT SUM(c.weight) FROM conversations c WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending')), 0) DESC, u.id
LIMIT 1`

	sqlIsQueueMember = `SELECT COUNT(*) FROM queue_members WHERE queue_id = ? AND user_id = ?`
)

// lockClause is the dialect difference of this package: PostgreSQL nodes claim at once, and
// SKIP LOCKED lets each pass over clocks another is claiming; SQLite has one writer.
func lockClause(d store.Dialect, skip bool) string {
	if d != store.Postgres {
		return ""
	}
	if skip {
		return "FOR UPDATE SKIP LOCKED"
	}
	return "FOR UPDATE"
}

func claimSQL(d store.Dialect) string { return fmt.Sprintf(sqlClaimTmpl, lockClause(d, true)) }

func conversationSQL(d store.Dialect) string {
	return fmt.Sprintf(sqlConversationTmpl, lockClause(d, false))
}
