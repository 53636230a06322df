package conversation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store"
)

// Snoozing sets a conversation aside until a time: it leaves the open views and comes back by
// itself, through a durable job due at that time, or as soon as the customer writes. The
// conversation keeps its status and its owner while it sleeps.
const (
	ConversationSnoozed event.Kind = "conversation.snoozed"
	ConversationWoken   event.Kind = "conversation.woken"

	// WakeJob is the job kind that wakes a snoozed conversation.
	WakeJob = "conversation.wake"
)

// Why a conversation woke, in the woken event's data.
const (
	WokeAtTime     = "time"
	WokeByCustomer = "customer"
	WokeByAgent    = "agent"
)

// maxSnooze bounds a snooze: a conversation set aside for longer should be resolved instead.
const maxSnooze = 90 * 24 * time.Hour

// ErrNoJobs is returned by Snooze when the service has no job queue to wake conversations.
var ErrNoJobs = errors.New("conversation: snoozing needs the job queue")

type wakePayload struct {
	ConversationID string `json:"conversation_id"`
	Until          int64  `json:"until"` // Unix milliseconds: a later snooze makes this job a no-op
}

// SetJobs gives the service the durable job queue and registers the job that wakes snoozed
// conversations.
func (s *Service) SetJobs(q *jobs.Queue) {
	s.jobs = q
	q.Register(WakeJob, s.wakeJob)
}

// Snooze sets an open or pending conversation aside until the given time.
func (s *Service) Snooze(ctx context.Context, id string, until time.Time, actor event.Actor) (Conversation, error) {
	if s.jobs == nil {
		return Conversation{}, ErrNoJobs
	}
	now := s.clock.Now()
	if !until.After(now) {
		return Conversation{}, &ValidationError{Field: "until", Reason: "must be in the future"}
	}
	if until.Sub(now) > maxSnooze {
		return Conversation{}, &ValidationError{Field: "until", Reason: "a conversation is snoozed for at most 90 days"}
	}
	until = until.Truncate(time.Millisecond).UTC()
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != Open && c.Status != Pending {
			return &ValidationError{Field: "status", Reason: "only an open or pending conversation can be snoozed"}
		}
		ms := until.UnixMilli()
		if _, err := tx.Exec(ctx, `UPDATE conversations SET snoozed_until = ?, updated_at = ? WHERE id = ?`, ms, now.UnixMilli(), c.ID); err != nil {
			return fmt.Errorf("conversation: snooze: %w", err)
		}
		if _, err := s.events.Append(ctx, event.Event{Kind: ConversationSnoozed, CustomerID: c.CustomerID, ConversationID: c.ID, Actor: actor},
			map[string]string{"until": until.Format(time.RFC3339Nano)}); err != nil {
			return err
		}
		// The key makes a repeated snooze to the same moment one job; a snooze to another
		// moment gets its own, and the earlier one finds the time changed and does nothing.
		_, err = s.jobs.Enqueue(ctx, WakeJob, wakePayload{ConversationID: c.ID, Until: ms},
			jobs.RunAt(until), jobs.UniqueKey(fmt.Sprintf("wake:%s:%d", c.ID, ms)))
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	return s.Get(ctx, id)
}

// Wake brings a snoozed conversation back now (an agent changed their mind). A conversation
// that is not snoozed is returned as it is.
func (s *Service) Wake(ctx context.Context, id string, actor event.Actor) (Conversation, error) {
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = s.wake(ctx, tx, c, actor, WokeByAgent, 0)
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	return s.Get(ctx, id)
}

// wakeOnMessage wakes the conversation a customer has just written in, inside the message's
// transaction: the customer's message must not sleep unseen until the snooze ends.
func (s *Service) wakeOnMessage(ctx context.Context, tx *store.Tx, c Conversation) error {
	_, err := s.wake(ctx, tx, c, event.Actor{Kind: event.ByCustomer, ID: c.CustomerID}, WokeByCustomer, 0)
	return err
}

func (s *Service) wakeJob(ctx context.Context, j jobs.Job) error {
	var p wakePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.ConversationID == "" {
		return jobs.Permanent(fmt.Errorf("conversation: wake payload %q: %v", j.Payload, err))
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.lock(ctx, tx, p.ConversationID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.wake(ctx, tx, c, event.System, WokeAtTime, p.Until)
		return err
	})
}

// wake clears the conversation's snooze and records why. With only set, it wakes only a
// snooze that ends at that moment (the job of an earlier snooze leaves a later one alone).
// It reports whether the conversation was snoozed.
func (s *Service) wake(ctx context.Context, tx *store.Tx, c Conversation, actor event.Actor, reason string, only int64) (bool, error) {
	var until sql.NullInt64
	if err := tx.QueryRow(ctx, `SELECT snoozed_until FROM conversations WHERE id = ?`, c.ID).Scan(&until); err != nil {
		return false, fmt.Errorf("conversation: wake: %w", err)
	}
	if !until.Valid || (only != 0 && until.Int64 != only) {
		return false, nil
	}
	now := s.clock.Now()
	if _, err := tx.Exec(ctx, `UPDATE conversations SET snoozed_until = NULL, updated_at = ? WHERE id = ?`, now.UnixMilli(), c.ID); err != nil {
		return false, fmt.Errorf("conversation: wake: %w", err)
	}
	_, err := s.events.Append(ctx, event.Event{Kind: ConversationWoken, CustomerID: c.CustomerID, ConversationID: c.ID, Actor: actor},
		map[string]string{"reason": reason, "until": time.UnixMilli(until.Int64).UTC().Format(time.RFC3339Nano)})
	return true, err
}
