package policy

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Clock is a conversation's clock as the console shows it, counted at AsOf. Business times
// are in milliseconds; RemainingMS is negative once the target has passed.
type Clock struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`  // first-response, next-response, resolution, awaiting-customer
	State       string     `json:"state"` // running, paused, done
	Outcome     string     `json:"outcome,omitempty"`
	CalendarID  string     `json:"calendar_id"`
	TargetMS    int64      `json:"target_ms"`
	UsedMS      int64      `json:"used_ms"`
	RemainingMS int64      `json:"remaining_ms"`
	DeadlineAt  *time.Time `json:"deadline_at,omitempty"`
	Warned      bool       `json:"warned"`
	Breached    bool       `json:"breached"`
	// OpenNow says the calendar's hours are running at AsOf: the clock is counting down.
	OpenNow bool `json:"open_now"`
	// NextReminderAt and AutoCloseAt belong to the awaiting-customer clock.
	NextReminderAt *time.Time `json:"next_reminder_at,omitempty"`
	AutoCloseAt    *time.Time `json:"auto_close_at,omitempty"`
	RemindersSent  int        `json:"reminders_sent,omitempty"`
	StartedAt      time.Time  `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at,omitempty"`
	AsOf           time.Time  `json:"as_of"`
}

// msTime is a stored moment for the API: absent rather than 1970 when not set.
func msTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// view counts ck at now. A warning or a breach already due shows even before the scheduler
// has recorded it.
func (s *Service) view(ctx context.Context, ck *clockRow, now time.Time) (Clock, error) {
	v := Clock{
		ID: ck.ID, Kind: ck.Kind, State: ck.State, Outcome: ck.Outcome, CalendarID: ck.CalendarID, TargetMS: ck.Target,
		UsedMS: ck.Used, Warned: ck.Warned, Breached: ck.Breached, StartedAt: time.UnixMilli(ck.Started).UTC(),
		EndedAt: msTime(ck.Ended), AsOf: now.UTC(),
	}
	if ck.Slot == slotCustomer {
		v.NextReminderAt, v.AutoCloseAt, v.RemindersSent = msTime(ck.Remind), msTime(ck.Close), ck.Fired
		return v, nil
	}
	if ck.State == stateRunning {
		cal, err := s.calendarOr(ctx, ck.CalendarID)
		if err != nil {
			return v, err
		}
		v.UsedMS += cal.Between(time.UnixMilli(ck.RunningSince), now).Milliseconds()
		v.OpenNow = cal.OpenAt(now)
		ms := now.UnixMilli()
		v.Warned = v.Warned || (ck.Warn != 0 && ms >= ck.Warn)
		v.Breached = v.Breached || (ck.Deadline != 0 && ms >= ck.Deadline)
		v.Warned = v.Warned || v.Breached
	}
	v.DeadlineAt = msTime(ck.Deadline)
	v.RemainingMS = v.TargetMS - v.UsedMS
	return v, nil
}

// Clocks returns a conversation's clocks, those still live first, then by start, newest first.
func (s *Service) Clocks(ctx context.Context, conversationID string) ([]Clock, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectClock+` WHERE conversation_id = ? ORDER BY CASE WHEN state = 'done' THEN 1 ELSE 0 END, started_at DESC, id DESC`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("policy: clocks: %w", err)
	}
	cks, err := scanClocks(rows)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]Clock, 0, len(cks))
	for _, ck := range cks {
		v, err := s.view(ctx, ck, now)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Summaries returns, for each of the conversations that has one, the live target clock that
// matters most: a running one before a paused one, and among them the one that falls due
// first (a breached one has fallen due already).
func (s *Service) Summaries(ctx context.Context, conversationIDs []string) (map[string]Clock, error) {
	out := map[string]Clock{}
	if len(conversationIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(conversationIDs))
	for i, id := range conversationIDs {
		args[i] = id
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectClock+` WHERE conversation_id IN (`+marks+`) AND state <> 'done' AND slot <> 'customer'`, args...)
	if err != nil {
		return nil, fmt.Errorf("policy: clock summaries: %w", err)
	}
	cks, err := scanClocks(rows)
	if err != nil {
		return nil, err
	}
	// One query for the whole page of the inbox; the calendars come from the cache.
	now := s.clock.Now()
	for _, ck := range cks {
		v, err := s.view(ctx, ck, now)
		if err != nil {
			return nil, err
		}
		if have, ok := out[ck.ConversationID]; !ok || before(v, have) {
			out[ck.ConversationID] = v
		}
	}
	return out, nil
}

// before reports whether a matters more than b.
func before(a, b Clock) bool {
	if (a.State == stateRunning) != (b.State == stateRunning) {
		return a.State == stateRunning
	}
	if a.State == stateRunning && a.DeadlineAt != nil && b.DeadlineAt != nil && !a.DeadlineAt.Equal(*b.DeadlineAt) {
		return a.DeadlineAt.Before(*b.DeadlineAt)
	}
	return a.RemainingMS < b.RemainingMS
}
