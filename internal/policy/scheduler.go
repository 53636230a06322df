package policy

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store"
)

// ScanJob is the durable job that runs the clocks due at its moment. Clocks live in the
// database, indexed by their next due moment, and nowhere else: a scan claims the due ones in
// batches, so a million running clocks cost a million rows, not a million timers. Every
// change that gives a clock an earlier moment enqueues a scan for it, and every scan enqueues
// the next one, for the earliest moment still ahead.
const ScanJob = "sla.scan"

// scanGrain rounds the moments scans are enqueued for, so that clocks falling due close
// together share one scan (one job row) instead of one each.
const scanGrain = 250 * time.Millisecond

// heartbeat is the longest a scan waits while clocks run, so that a clock whose own scan was
// lost (a node claimed the previous scan just before the clock committed) waits at most this.
const heartbeat = time.Minute

// maxBatches bounds one scan; a scan that stops there enqueues another at once.
const maxBatches = 50

func (s *Service) scanJob(ctx context.Context, _ jobs.Job) error {
	_, err := s.RunDue(ctx)
	return err
}

// schedule enqueues a scan for the earliest of dues (Unix milliseconds; zeros ignored), in
// the transaction carried by ctx.
func (s *Service) schedule(ctx context.Context, dues ...int64) error {
	var first int64
	for _, d := range dues {
		if d != 0 && (first == 0 || d < first) {
			first = d
		}
	}
	if first == 0 {
		return nil
	}
	// Round up, never down: a scan that runs before a clock is due would find nothing and
	// leave the clock to the next one.
	grain := scanGrain.Milliseconds()
	at := (first + grain - 1) / grain * grain
	_, err := s.jobs.Enqueue(ctx, ScanJob, nil, jobs.RunAt(time.UnixMilli(at)), jobs.UniqueKey("sla.scan:"+strconv.FormatInt(at, 10)), jobs.MaxAttempts(3))
	return err
}

// RunDue runs every clock due now — warnings, breaches and their escalations, nudges,
// reminders, auto-closes — and returns how many clocks it looked at. The scan job calls it;
// tests call it after moving a manual clock.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	now := s.clock.Now()
	n, more := 0, false
	for i := 0; i < maxBatches; i++ {
		claimed, err := s.claim(ctx, now)
		if err != nil {
			return n, err
		}
		for _, c := range claimed {
			// A clock that fails stays claimed until its lease ends, then comes due again.
			if err := s.process(ctx, c.id, c.conversation); err != nil {
				s.log.Error("running an SLA clock", "clock", c.id, "conversation", c.conversation, "err", err)
			}
		}
		n += len(claimed)
		if len(claimed) < s.batch {
			break
		}
		more = i == maxBatches-1
	}
	return n, s.scheduleNext(ctx, now, more)
}

// claimed is a clock a scan took, with its conversation, which is locked first when it is
// handled.
type claimed struct{ id, conversation string }

// claim takes up to a batch of clocks due at now, moving each a lease ahead.
func (s *Service) claim(ctx context.Context, now time.Time) ([]claimed, error) {
	var out []claimed
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		out = out[:0] // PostgreSQL may run this again after a conflict
		rows, err := tx.Query(ctx, claimSQL(tx.Dialect()), now.Add(s.lease).UnixMilli(), now.UnixMilli(), s.batch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c claimed
			if err := rows.Scan(&c.id, &c.conversation); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("policy: claim clocks: %w", err)
	}
	return out, nil
}

// scheduleNext enqueues the scan after this one: at the earliest moment a running clock is
// due, but never later than the heartbeat, and never at a moment already past (a scan must
// not find itself due again within the same run).
func (s *Service) scheduleNext(ctx context.Context, now time.Time, more bool) error {
	var next *int64
	if err := s.db.Q(ctx).QueryRow(ctx, sqlNextDue).Scan(&next); err != nil {
		return fmt.Errorf("policy: next due clock: %w", err)
	}
	if next == nil && !more {
		return nil
	}
	at := now.Add(heartbeat).UnixMilli()
	if next != nil && *next < at {
		at = *next
	}
	if more || at <= now.UnixMilli() {
		at = now.UnixMilli() + 1
	}
	return s.schedule(ctx, at)
}

// process runs one claimed clock in a transaction of its own. It locks the conversation first
// and the clock second, the order every change to a conversation takes, so the scheduler and
// an agent's reply never wait for each other in a cycle.
func (s *Service) process(ctx context.Context, id, conversationID string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		conv, err := s.lockConversation(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		q := sqlSelectClock + ` WHERE id = ?`
		if tx.Dialect() == store.Postgres {
			q += ` FOR UPDATE`
		}
		ck, err := scanClock(tx.QueryRow(ctx, q, id))
		if err != nil {
			return err
		}
		if ck.State != stateRunning {
			return nil // paused or ended since it was claimed
		}
		now := s.clock.Now()
		if conv.Status != string(conversation.Open) && conv.Status != string(conversation.Pending) {
			// Resolved or merged without the change reaching the clock (a merge folds a
			// conversation without a status change).
			return s.end(ctx, tx, conv, ck, outcomeStopped, now)
		}
		set, err := s.settingFor(ctx, ck.ChannelID)
		if err != nil {
			return err
		}
		if set.cal, err = s.calendarOr(ctx, ck.CalendarID); err != nil {
			return err
		}
		// Each action below checks its own moment against now, so a clock handled twice (a
		// lease that ran out, a second node) does nothing the second time, and a clock handled
		// late (the node was down) does everything that came due, in order.
		ms := now.UnixMilli()
		switch ck.Slot {
		case slotResponse, slotResolution:
			if !ck.Warned && ck.Warn != 0 && ms >= ck.Warn {
				ck.Warned, ck.Warn = true, 0
				if err := s.record(ctx, SLAWarning, conv, ck, s.usedNow(ck, set.cal, now)); err != nil {
					return err
				}
			}
			if !ck.Breached && ck.Deadline != 0 && ms >= ck.Deadline {
				ck.Breached, ck.Warned, ck.Warn = true, true, 0
				if err := s.record(ctx, SLABreached, conv, ck, s.usedNow(ck, set.cal, now)); err != nil {
					return err
				}
				if err := s.escalate(ctx, tx, &conv, ck, set.pol); err != nil {
					return err
				}
			}
			if ck.Nudge != 0 && ms >= ck.Nudge {
				if err := s.nudge(ctx, conv, ck, set, now); err != nil {
					return err
				}
			}
		case slotCustomer:
			if ck.Close != 0 && ms >= ck.Close {
				return s.autoClose(ctx, conv, ck, set.pol)
			}
			if ck.Remind != 0 && ms >= ck.Remind {
				if err := s.remind(ctx, tx, conv, ck, set, now); err != nil {
					return err
				}
			}
		}
		ck.Due = nextDue(ck)
		if err := s.save(ctx, tx, ck, now); err != nil {
			return err
		}
		return s.schedule(ctx, ck.Due)
	})
}

// usedNow is the event data of a running clock's business time so far.
func (s *Service) usedNow(ck *clockRow, cal *Calendar, now time.Time) map[string]any {
	used := ck.Used
	if ck.RunningSince != 0 {
		used += cal.Between(time.UnixMilli(ck.RunningSince), now).Milliseconds()
	}
	return map[string]any{"used_ms": used}
}

func (s *Service) lockConversation(ctx context.Context, tx *store.Tx, id string) (convInfo, error) {
	c := convInfo{ID: id}
	var assignee, ch, queue *string
	err := tx.QueryRow(ctx, conversationSQL(tx.Dialect()), id).Scan(&c.CustomerID, &c.Status, &assignee, &ch, &c.Priority, &queue)
	if store.IsNoRows(err) {
		return c, fmt.Errorf("policy: clock of conversation %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("policy: conversation %s: %w", id, err)
	}
	for _, p := range []struct {
		dst *string
		src *string
	}{{&c.AssigneeID, assignee}, {&c.ChannelID, ch}, {&c.QueueID, queue}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return c, nil
}

// escalate carries out the policy's escalation of a breach and records what it did.
func (s *Service) escalate(ctx context.Context, tx *store.Tx, conv *convInfo, ck *clockRow, pol Policy) error {
	esc := pol.Escalation
	now := s.clock.Now().UnixMilli()
	data := map[string]any{}
	var actions []string
	if esc.RaisePriority > conv.Priority {
		if _, err := tx.Exec(ctx, `UPDATE conversations SET priority = ?, updated_at = ? WHERE id = ?`, esc.RaisePriority, now, conv.ID); err != nil {
			return fmt.Errorf("policy: raise priority: %w", err)
		}
		data["priority_from"], data["priority_to"] = conv.Priority, esc.RaisePriority
		conv.Priority = esc.RaisePriority
		actions = append(actions, "raise-priority")
	}
	if q := esc.MoveToQueue; q != "" && q != conv.QueueID {
		if _, err := tx.Exec(ctx, `UPDATE conversations SET queue_id = ?, updated_at = ? WHERE id = ?`, q, now, conv.ID); err != nil {
			return fmt.Errorf("policy: move to queue: %w", err)
		}
		data["queue_from"], data["queue_to"] = conv.QueueID, q
		conv.QueueID = q
		actions = append(actions, "move-to-queue")
		member := 0
		if conv.AssigneeID != "" {
			if err := tx.QueryRow(ctx, sqlIsQueueMember, q, conv.AssigneeID).Scan(&member); err != nil {
				return err
			}
		}
		if member == 0 {
			var weight float64
			if err := tx.QueryRow(ctx, `SELECT weight FROM conversations WHERE id = ?`, conv.ID).Scan(&weight); err != nil {
				return err
			}
			var to string
			err := tx.QueryRow(ctx, sqlRoomInQueue, q, weight).Scan(&to)
			switch {
			case store.IsNoRows(err):
				data["assigned_to"] = nil // nobody in the queue has room: the owner keeps it for now
			case err != nil:
				return fmt.Errorf("policy: room in queue: %w", err)
			default:
				if _, err := s.convs.Assign(ctx, conv.ID, to, event.Actor{Kind: event.BySystem, ID: "sla"}); err != nil {
					return err
				}
				data["assigned_to"] = to
				conv.AssigneeID = to
			}
		}
	}
	if esc.NotifySupervisor {
		actions = append(actions, "notify-supervisor")
	}
	if len(actions) == 0 {
		return nil
	}
	data["actions"] = actions
	return s.record(ctx, SLAEscalated, *conv, ck, data)
}

// nudge reminds the owner that the customer is waiting, and re-arms the nudge.
func (s *Service) nudge(ctx context.Context, conv convInfo, ck *clockRow, set setting, now time.Time) error {
	ck.Fired++
	if conv.AssigneeID != "" {
		if err := s.record(ctx, SLANudged, conv, ck, map[string]any{"assignee_id": conv.AssigneeID, "nudge": ck.Fired}); err != nil {
			return err
		}
	}
	ck.Nudge = 0
	if set.pol.AgentNudgeMinutes > 0 && ck.Fired < maxNudges {
		ck.Nudge = set.cal.Add(now, minutesDur(set.pol.AgentNudgeMinutes)).UnixMilli()
	}
	return nil
}

// remind sends the customer a reminder on their channel, through the reply path: it is stored,
// queued for delivery and checked against the channel's fit like any reply. A channel that
// does not fit now (WhatsApp after its 24-hour window) skips it.
func (s *Service) remind(ctx context.Context, tx *store.Tx, conv convInfo, ck *clockRow, set setting, now time.Time) error {
	ck.Remind = 0
	sent, err := s.remindersSent(ctx, tx, conv.ID)
	if err != nil {
		return err
	}
	if set.pol.CustomerReminderMinutes == 0 || sent >= set.pol.MaxReminders {
		return nil
	}
	text, lang, err := s.reminderText(ctx, tx, conv.CustomerID)
	if err != nil {
		return err
	}
	m, err := s.convs.Reply(ctx, conversation.ReplyInput{ConversationID: conv.ID, ChannelID: ck.ChannelID, Text: text})
	var unfit *channel.NotFitError
	var invalid *conversation.ValidationError
	switch {
	case errors.As(err, &unfit) || errors.As(err, &invalid):
		return s.record(ctx, SLAReminderSkipped, conv, ck, map[string]any{"reason": err.Error()})
	case err != nil:
		return err
	}
	ck.Fired++
	if err := s.record(ctx, SLAReminderSent, conv, ck, map[string]any{"message_id": m.ID, "reminder": sent + 1, "language": lang}); err != nil {
		return err
	}
	if sent+1 < set.pol.MaxReminders {
		ck.Remind = set.cal.Add(now, minutesDur(set.pol.CustomerReminderMinutes)).UnixMilli()
	}
	return nil
}

// reminderText is the reminder in the customer's first language the catalogs have.
func (s *Service) reminderText(ctx context.Context, tx *store.Tx, customerID string) (string, string, error) {
	var langs string
	if err := tx.QueryRow(ctx, sqlCustomerLanguages, customerID).Scan(&langs); err != nil && !store.IsNoRows(err) {
		return "", "", err
	}
	for _, l := range append(strings.Split(langs, ","), s.lang, "en") {
		if cat, err := s.catalogs.Catalog(strings.TrimSpace(l)); err == nil {
			return cat.T("sla.reminder.customer"), cat.Lang, nil
		}
	}
	return "", "", errors.New("policy: no catalog for the reminder")
}

// autoClose resolves a conversation whose customer stayed silent past the policy's limit.
// Resolving ends every clock of the conversation, this one included.
func (s *Service) autoClose(ctx context.Context, conv convInfo, ck *clockRow, pol Policy) error {
	if err := s.record(ctx, SLAAutoClosed, conv, ck, map[string]any{"after_minutes": pol.AutoCloseMinutes}); err != nil {
		return err
	}
	_, err := s.convs.SetStatus(ctx, conv.ID, conversation.Resolved, event.Actor{Kind: event.BySystem, ID: "sla"})
	return err
}
