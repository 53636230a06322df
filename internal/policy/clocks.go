package policy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// The clocks of a conversation. The response clock waits for an agent's answer (the first one,
// then each next one), the resolution clock for the conversation to be resolved, and the
// awaiting-customer clock, which has no target, for the customer's answer: it carries their
// reminders and the auto-close.
const (
	FirstResponse    = "first-response"
	NextResponse     = "next-response"
	Resolution       = "resolution"
	AwaitingCustomer = "awaiting-customer"
)

const (
	slotResponse   = "response"
	slotResolution = "resolution"
	slotCustomer   = "customer"

	stateRunning = "running"
	statePaused  = "paused"
	stateDone    = "done"

	outcomeMet     = "met"     // answered or resolved within the target
	outcomeMissed  = "missed"  // answered or resolved after the breach
	outcomeStopped = "stopped" // ended without it: resolved unanswered, merged, the customer answered
)

// The events clocks write, all in the transaction of the change that caused them.
const (
	SLAStarted         event.Kind = "sla.started"          // a target clock started
	SLAWarning         event.Kind = "sla.warning"          // 80 % of a target's business time is used
	SLABreached        event.Kind = "sla.breached"         // a target's time ran out
	SLAMet             event.Kind = "sla.met"              // answered or resolved within the target
	SLAPaused          event.Kind = "sla.paused"           // the conversation went pending
	SLAResumed         event.Kind = "sla.resumed"          // it came back from pending
	SLAEscalated       event.Kind = "sla.escalated"        // the breach's escalation: supervisors told, priority raised, queue changed
	SLANudged          event.Kind = "sla.nudged"           // the owner was reminded that the customer waits
	SLAReminderSent    event.Kind = "sla.reminder-sent"    // the customer was reminded on the channel
	SLAReminderSkipped event.Kind = "sla.reminder-skipped" // the channel does not fit a reminder now (WhatsApp's window closed …)
	SLAAutoClosed      event.Kind = "sla.auto-closed"      // resolved after the customer's silence
)

// maxNudges bounds the nudges of one wait, so that a conversation nobody answers does not
// write an event every minute for ever.
const maxNudges = 5

// clockRow is one row of sla_clocks. Times are Unix milliseconds; 0 is "not set" (NULL).
//
// Business time is kept as used (counted up to the start of the current running stretch)
// plus the stretch itself (RunningSince to now), so a pause only has to fold the stretch into
// used, and a resume only has to compute new moments from what is left. Deadline and Warn are
// wall-clock instants computed once with the calendar when the clock starts or resumes; the
// scheduler then compares instants and never walks the calendar for a clock not yet due.
type clockRow struct {
	ID, ConversationID, ChannelID string
	Slot, Kind, State, Outcome    string
	CalendarID                    string
	Target, Used                  int64
	RunningSince, Deadline, Warn  int64
	Warned, Breached              bool
	Nudge, Remind, Close          int64
	Fired                         int
	Due, Started, Ended, Updated  int64
}

// slotOf says what a clock waits for. First and next response share a slot: a conversation
// owes at most one answer at a time.
func slotOf(kind string) string {
	switch kind {
	case FirstResponse, NextResponse:
		return slotResponse
	case Resolution:
		return slotResolution
	}
	return slotCustomer
}

// convInfo is what the clocks need of a conversation.
type convInfo struct {
	ID, CustomerID, Status, AssigneeID, ChannelID, QueueID string
	Priority                                               int
}

// infoOf reads what the clocks need from the conversation the hook was handed, so a hook
// never reads the conversation's row again (it is the caller's, locked and changed in this
// transaction).
func infoOf(c conversation.Conversation) convInfo {
	return convInfo{ID: c.ID, CustomerID: c.CustomerID, Status: string(c.Status), AssigneeID: c.AssigneeID, ChannelID: c.ChannelID, Priority: c.Priority}
}

// setting is a policy with the calendar it counts in.
type setting struct {
	pol Policy
	cal *Calendar
}

// settingFor returns the policy of a channel ("" or unknown: the generic defaults) and its
// calendar (the default one if the named calendar has gone).
func (s *Service) settingFor(ctx context.Context, channelID string) (setting, error) {
	pol := Defaults("")
	if channelID != "" {
		p, err := s.Policy(ctx, channelID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return setting{}, err
		}
		if err == nil {
			pol = p
		}
	}
	cal, err := s.calendarOr(ctx, pol.CalendarID)
	return setting{pol: pol, cal: cal}, err
}

func (s *Service) calendarOr(ctx context.Context, id string) (*Calendar, error) {
	cal, err := s.calendar(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return builtIn, nil
	}
	return cal, err
}

// MessageReceived starts or resumes the clocks a customer's message starts: the agent now owes
// an answer (first-response for a new conversation, next-response otherwise), the
// conversation is unresolved, and the customer no longer owes one.
func (s *Service) MessageReceived(ctx context.Context, c conversation.Conversation, m conversation.Message, opened bool) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		set, err := s.settingFor(ctx, m.ChannelID)
		if err != nil {
			return err
		}
		var live []*clockRow
		if !opened { // a conversation opened by this very message has no clocks yet
			if live, err = s.liveClocks(ctx, tx, c.ID); err != nil {
				return err
			}
		}
		info := infoOf(c)
		var dues []int64
		if ck := pick(live, slotCustomer); ck != nil {
			if err := s.end(ctx, tx, info, ck, outcomeStopped, now); err != nil {
				return err
			}
		}
		for _, want := range []struct{ slot, kind string }{{slotResolution, Resolution}, {slotResponse, next(opened)}} {
			ck := pick(live, want.slot)
			switch {
			case ck == nil:
				if ck, err = s.start(ctx, tx, info, want.kind, m.ChannelID, set, now); err != nil {
					return err
				}
			case ck.State == statePaused:
				if err := s.resume(ctx, tx, info, ck, now); err != nil {
					return err
				}
			}
			if ck != nil {
				dues = append(dues, ck.Due)
			}
		}
		return s.schedule(ctx, dues...)
	})
}

// next is the response clock a customer message starts.
func next(opened bool) string {
	if opened {
		return FirstResponse
	}
	return NextResponse
}

// MessageSent stops the response clock on an agent's answer (met, or missed after a breach)
// and starts the customer's: reminders and the auto-close count from the answer. The
// system's own messages (reminders) change nothing.
func (s *Service) MessageSent(ctx context.Context, c conversation.Conversation, m conversation.Message) error {
	if m.AuthorID == "" {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		live, err := s.liveClocks(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		info := infoOf(c)
		if ck := pick(live, slotResponse); ck != nil {
			outcome := outcomeMet
			if ck.Breached || (ck.State == stateRunning && ck.Deadline != 0 && now.UnixMilli() >= ck.Deadline) {
				outcome = outcomeMissed
			}
			if err := s.end(ctx, tx, info, ck, outcome, now); err != nil {
				return err
			}
		}
		if c.Status == conversation.Resolved || c.Status == conversation.Merged {
			return nil
		}
		return s.awaitCustomer(ctx, tx, info, pick(live, slotCustomer), m.ChannelID, now)
	})
}

// StatusChanged pauses the target clocks while a conversation is pending (the customer owes
// the next step), resumes them when it opens again, and ends every clock when it is resolved.
func (s *Service) StatusChanged(ctx context.Context, c conversation.Conversation, from conversation.Status) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		live, err := s.liveClocks(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		info := infoOf(c)
		var dues []int64
		switch c.Status {
		case conversation.Pending:
			for _, ck := range live {
				if ck.Slot != slotCustomer && ck.State == stateRunning {
					if err := s.pause(ctx, tx, info, ck, now); err != nil {
						return err
					}
				}
			}
			if err := s.awaitCustomer(ctx, tx, info, pick(live, slotCustomer), c.ChannelID, now); err != nil {
				return err
			}
		case conversation.Open:
			if from != conversation.Pending {
				return nil
			}
			for _, ck := range live {
				if ck.State == statePaused {
					if err := s.resume(ctx, tx, info, ck, now); err != nil {
						return err
					}
					dues = append(dues, ck.Due)
				}
			}
		case conversation.Resolved, conversation.Merged:
			for _, ck := range live {
				outcome := outcomeStopped
				if ck.Slot == slotResolution {
					outcome = outcomeMet
					if ck.Breached || (ck.State == stateRunning && ck.Deadline != 0 && now.UnixMilli() >= ck.Deadline) {
						outcome = outcomeMissed
					}
				}
				if err := s.end(ctx, tx, info, ck, outcome, now); err != nil {
					return err
				}
			}
		}
		return s.schedule(ctx, dues...)
	})
}

// start inserts a running target clock and records sla.started.
func (s *Service) start(ctx context.Context, tx *store.Tx, c convInfo, kind, channelID string, set setting, now time.Time) (*clockRow, error) {
	minutes := set.pol.NextResponseMinutes
	switch kind {
	case FirstResponse:
		minutes = set.pol.FirstResponseMinutes
	case Resolution:
		minutes = set.pol.ResolutionMinutes
	}
	target := minutesDur(minutes)
	ms := now.UnixMilli()
	// The warning is 80 % of the business time, not of the wall-clock span: a three-hour
	// target set on Friday noon warns on Sunday morning, not on Friday at half past two.
	ck := &clockRow{
		ID: store.NewID(now), ConversationID: c.ID, ChannelID: channelID, Slot: slotOf(kind), Kind: kind, State: stateRunning,
		CalendarID: set.pol.CalendarID, Target: target.Milliseconds(), RunningSince: ms,
		Deadline: set.cal.Add(now, target).UnixMilli(), Warn: set.cal.Add(now, target*8/10).UnixMilli(),
		Started: ms, Updated: ms,
	}
	if ck.Slot == slotResponse && set.pol.AgentNudgeMinutes > 0 {
		ck.Nudge = set.cal.Add(now, minutesDur(set.pol.AgentNudgeMinutes)).UnixMilli()
	}
	ck.Due = nextDue(ck)
	if err := s.insert(ctx, tx, ck); err != nil {
		return nil, err
	}
	return ck, s.record(ctx, SLAStarted, c, ck, nil)
}

// awaitCustomer arms the customer's clock after an agent's answer or a move to pending: the
// next reminder (while the conversation has reminders left) and the auto-close count from now.
func (s *Service) awaitCustomer(ctx context.Context, tx *store.Tx, c convInfo, ck *clockRow, channelID string, now time.Time) error {
	set, err := s.settingFor(ctx, channelID)
	if err != nil {
		return err
	}
	sent, err := s.remindersSent(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	var remind, closeAt int64
	if set.pol.CustomerReminderMinutes > 0 && sent < set.pol.MaxReminders {
		remind = set.cal.Add(now, minutesDur(set.pol.CustomerReminderMinutes)).UnixMilli()
	}
	if set.pol.AutoCloseMinutes > 0 {
		closeAt = set.cal.Add(now, minutesDur(set.pol.AutoCloseMinutes)).UnixMilli()
	}
	ms := now.UnixMilli()
	// One customer clock per conversation: a second answer while the customer is silent
	// re-arms it, so reminders and the auto-close count from the agent's latest message.
	if ck == nil {
		if remind == 0 && closeAt == 0 {
			return nil // the channel neither reminds nor closes: nothing to wait for
		}
		ck = &clockRow{
			ID: store.NewID(now), ConversationID: c.ID, ChannelID: channelID, Slot: slotCustomer, Kind: AwaitingCustomer,
			State: stateRunning, CalendarID: set.pol.CalendarID, RunningSince: ms, Started: ms, Updated: ms,
			Remind: remind, Close: closeAt,
		}
		ck.Due = nextDue(ck)
		if err := s.insert(ctx, tx, ck); err != nil {
			return err
		}
	} else {
		ck.ChannelID, ck.CalendarID, ck.Remind, ck.Close, ck.State = channelID, set.pol.CalendarID, remind, closeAt, stateRunning
		ck.Due = nextDue(ck)
		if err := s.save(ctx, tx, ck, now); err != nil {
			return err
		}
	}
	return s.schedule(ctx, ck.Due)
}

// pause stops counting: the business time used so far is kept, the deadline is dropped (it
// moves by however long the conversation stays pending).
func (s *Service) pause(ctx context.Context, tx *store.Tx, c convInfo, ck *clockRow, now time.Time) error {
	cal, err := s.calendarOr(ctx, ck.CalendarID)
	if err != nil {
		return err
	}
	ck.Used += cal.Between(time.UnixMilli(ck.RunningSince), now).Milliseconds()
	ck.State, ck.RunningSince, ck.Nudge = statePaused, 0, 0
	if !ck.Breached {
		ck.Deadline, ck.Warn = 0, 0
	}
	ck.Due = 0
	if err := s.save(ctx, tx, ck, now); err != nil {
		return err
	}
	return s.record(ctx, SLAPaused, c, ck, nil)
}

// resume counts again from now, with the business time left.
func (s *Service) resume(ctx context.Context, tx *store.Tx, c convInfo, ck *clockRow, now time.Time) error {
	set, err := s.settingFor(ctx, ck.ChannelID)
	if err != nil {
		return err
	}
	cal, err := s.calendarOr(ctx, ck.CalendarID)
	if err != nil {
		return err
	}
	ck.State, ck.RunningSince = stateRunning, now.UnixMilli()
	left := time.Duration(ck.Target-ck.Used) * time.Millisecond
	if !ck.Breached {
		ck.Deadline = cal.Add(now, max(left, 0)).UnixMilli()
	}
	if !ck.Warned {
		ck.Warn = cal.Add(now, max(time.Duration(ck.Target*8/10-ck.Used)*time.Millisecond, 0)).UnixMilli()
	}
	if ck.Slot == slotResponse && set.pol.AgentNudgeMinutes > 0 && ck.Fired < maxNudges {
		ck.Nudge = cal.Add(now, minutesDur(set.pol.AgentNudgeMinutes)).UnixMilli()
	}
	ck.Due = nextDue(ck)
	if err := s.save(ctx, tx, ck, now); err != nil {
		return err
	}
	return s.record(ctx, SLAResumed, c, ck, nil)
}

// end finishes a clock with its outcome; a target met records sla.met.
func (s *Service) end(ctx context.Context, tx *store.Tx, c convInfo, ck *clockRow, outcome string, now time.Time) error {
	if ck.State == stateRunning && ck.Slot != slotCustomer {
		cal, err := s.calendarOr(ctx, ck.CalendarID)
		if err != nil {
			return err
		}
		ck.Used += cal.Between(time.UnixMilli(ck.RunningSince), now).Milliseconds()
	}
	ck.State, ck.Outcome, ck.Ended = stateDone, outcome, now.UnixMilli()
	ck.RunningSince, ck.Warn, ck.Nudge, ck.Remind, ck.Close, ck.Due = 0, 0, 0, 0, 0, 0
	if err := s.save(ctx, tx, ck, now); err != nil {
		return err
	}
	if outcome == outcomeMet {
		return s.record(ctx, SLAMet, c, ck, nil)
	}
	return nil
}

// nextDue is the next moment the scheduler must look at ck (0: none).
func nextDue(ck *clockRow) int64 {
	var due int64
	take := func(t int64) {
		if t != 0 && (due == 0 || t < due) {
			due = t
		}
	}
	if !ck.Warned {
		take(ck.Warn)
	}
	if !ck.Breached {
		take(ck.Deadline)
	}
	take(ck.Nudge)
	take(ck.Remind)
	take(ck.Close)
	return due
}

// pick returns the live clock of a slot; the unique index on (conversation, slot) for live
// clocks means there is at most one.
func pick(live []*clockRow, slot string) *clockRow {
	for _, ck := range live {
		if ck.Slot == slot {
			return ck
		}
	}
	return nil
}

// record appends a clock's event.
func (s *Service) record(ctx context.Context, kind event.Kind, c convInfo, ck *clockRow, extra map[string]any) error {
	data := map[string]any{"clock_id": ck.ID, "clock": ck.Kind, "target_ms": ck.Target, "used_ms": ck.Used, "calendar_id": ck.CalendarID}
	if ck.Deadline != 0 {
		data["deadline_at"] = time.UnixMilli(ck.Deadline).UTC()
	}
	for k, v := range extra {
		data[k] = v
	}
	_, err := s.events.Append(ctx, event.Event{
		Kind: kind, CustomerID: c.CustomerID, ConversationID: c.ID, ChannelID: ck.ChannelID, Actor: event.System,
	}, data)
	return err
}

// liveClocks reads a conversation's running and paused clocks. On PostgreSQL it locks them:
// a scan handling one of them at this moment has locked the conversation first and is done
// before this transaction, which holds the conversation, gets here.
func (s *Service) liveClocks(ctx context.Context, tx *store.Tx, conversationID string) ([]*clockRow, error) {
	q := sqlLiveClocks
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, q, conversationID)
	if err != nil {
		return nil, fmt.Errorf("policy: clocks of %s: %w", conversationID, err)
	}
	return scanClocks(rows)
}

// remindersSent counts a conversation's reminders over all its waits: the cap is per
// conversation, so a customer who answers once and goes quiet again is not reminded afresh.
func (s *Service) remindersSent(ctx context.Context, tx *store.Tx, conversationID string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, sqlRemindersSent, conversationID).Scan(&n)
	return n, err
}

func (s *Service) insert(ctx context.Context, tx *store.Tx, ck *clockRow) error {
	_, err := tx.Exec(ctx, sqlInsertClock, ck.ID, ck.ConversationID, nullStr(ck.ChannelID), ck.Slot, ck.Kind, ck.State, ck.Outcome,
		ck.CalendarID, ck.Target, ck.Used, nullMS(ck.RunningSince), nullMS(ck.Deadline), nullMS(ck.Warn), boolInt(ck.Warned),
		boolInt(ck.Breached), nullMS(ck.Nudge), nullMS(ck.Remind), nullMS(ck.Close), ck.Fired, nullMS(ck.Due), ck.Started,
		nullMS(ck.Ended), ck.Updated)
	if err != nil {
		return fmt.Errorf("policy: start %s clock: %w", ck.Kind, err)
	}
	return nil
}

func (s *Service) save(ctx context.Context, tx *store.Tx, ck *clockRow, now time.Time) error {
	ck.Updated = now.UnixMilli()
	_, err := tx.Exec(ctx, sqlUpdateClock, ck.State, ck.Outcome, ck.Used, nullMS(ck.RunningSince), nullMS(ck.Deadline), nullMS(ck.Warn),
		boolInt(ck.Warned), boolInt(ck.Breached), nullMS(ck.Nudge), nullMS(ck.Remind), nullMS(ck.Close), ck.Fired, nullMS(ck.Due),
		nullMS(ck.Ended), ck.Updated, ck.ID)
	if err != nil {
		return fmt.Errorf("policy: save clock %s: %w", ck.ID, err)
	}
	return nil
}

func scanClocks(rows *sql.Rows) ([]*clockRow, error) {
	defer rows.Close()
	var out []*clockRow
	for rows.Next() {
		ck, err := scanClock(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ck)
	}
	return out, rows.Err()
}

func scanClock(r interface{ Scan(...any) error }) (*clockRow, error) {
	var ck clockRow
	var channel sql.NullString
	var since, deadline, warn, nudge, remind, closeAt, due, ended sql.NullInt64
	var warned, breached int
	err := r.Scan(&ck.ID, &ck.ConversationID, &channel, &ck.Slot, &ck.Kind, &ck.State, &ck.Outcome, &ck.CalendarID, &ck.Target, &ck.Used,
		&since, &deadline, &warn, &warned, &breached, &nudge, &remind, &closeAt, &ck.Fired, &due, &ck.Started, &ended, &ck.Updated)
	if store.IsNoRows(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("policy: scan clock: %w", err)
	}
	ck.ChannelID = channel.String
	ck.RunningSince, ck.Deadline, ck.Warn, ck.Nudge = since.Int64, deadline.Int64, warn.Int64, nudge.Int64
	ck.Remind, ck.Close, ck.Due, ck.Ended = remind.Int64, closeAt.Int64, due.Int64, ended.Int64
	ck.Warned, ck.Breached = warned != 0, breached != 0
	return &ck, nil
}

// nullMS and nullStr store "not set" as NULL, which the partial and composite indexes skip.
func nullMS(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(v string) any {
	if v == "" {
		return nil
	}
	return v
}
