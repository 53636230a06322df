package coaching

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// The events this package writes.
const (
	SessionStarted   event.Kind = "coaching.session-started"   // an agent sent a guided-session link
	SessionCompleted event.Kind = "coaching.session-completed" // the customer finished the flow within the session
	StageAdvanced    event.Kind = "coaching.stage-advanced"    // the customer's stage moved on, and why
	TutorialSent     event.Kind = "coaching.tutorial-sent"
	TutorialSaved    event.Kind = "coaching.tutorial-saved"
)

// Signal is what an event means for coaching.
type Signal string

// The signals the fold reads from events.
const (
	// GuidedSession: an agent started a guided session with the customer.
	GuidedSession Signal = "guided-session"
	// GuidedCompletion: the customer finished a self-service flow of the session's service
	// within the session (the agent walking them through).
	GuidedCompletion Signal = "guided-completion"
	// SelfService: the customer finished a self-service flow (on the web or WhatsApp) on
	// their own.
	SelfService Signal = "self-service"
	// SelfServiceAfterGap: SelfService, with no guided session in the IndependentAfter
	// before it.
	SelfServiceAfterGap Signal = "self-service-after-gap"
)

// selfServiceWays are the ways a customer finishes a flow on their own: the web form, and the
// same flow over WhatsApp.
var selfServiceWays = []string{"web", "whatsapp"}

// IndependentAfter is how long a supported customer must have gone without a guided session
// for their own self-service completion to make them independent.
const IndependentAfter = 30 * 24 * time.Hour

// Transition moves a customer on from From when a signal arrives.
type Transition struct {
	From, To string
	On       Signal
}

// Transitions is the whole coaching programme, in order of precedence. Stages only move
// forward; anything not listed leaves the stage as it is. docs/segments.md has the same table.
var Transitions = []Transition{
	{From: customer.NotDigital, On: GuidedSession, To: customer.Guided},
	{From: customer.NotDigital, On: SelfService, To: customer.Supported},
	{From: customer.Guided, On: SelfService, To: customer.Supported},
	{From: customer.Supported, On: SelfServiceAfterGap, To: customer.Independent},
}

var order = []string{customer.NotDigital, customer.Guided, customer.Supported, customer.Independent}

func rank(stage string) int {
	if stage == "" {
		return 0
	}
	return slices.Index(order, stage)
}

// step applies the first transition that takes the signals from stage.
func step(stage string, signals []Signal) (string, bool) {
	for _, t := range Transitions {
		if t.From == stage && slices.Contains(signals, t.On) {
			return t.To, true
		}
	}
	return stage, false
}

// Advance is one move of the fold: the stage reached, the event that caused it, and the agent
// credited (the one whose guided session came last before it).
type Advance struct {
	From, To   string
	Cause      event.Event
	CreditedTo string
}

// sessionEvent is the data of SessionStarted.
type sessionEvent struct {
	SessionID string `json:"session_id"`
	ServiceID string `json:"service_id"`
	ExpiresAt int64  `json:"expires_at"`
}

type caseEvent struct {
	CaseID    string `json:"case_id"`
	ServiceID string `json:"service_id"`
	Via       string `json:"via"`
}

// Completion ties a case to the guided session it finished.
type Completion struct {
	SessionID, CaseID string
	At                time.Time
	Event             event.Event
}

// Fold computes the stage a customer has earned from their events, oldest first, starting
// from not digital, with every advance and every session completion on the way. It reads
// only SessionStarted and the case.opened events of flows the customer finished themself.
func Fold(events []event.Event) (string, []Advance, []Completion) {
	stage := customer.NotDigital
	var advances []Advance
	var completions []Completion
	type session struct {
		ev   sessionEvent
		user string
		at   time.Time
		done bool
	}
	var sessions []*session
	for _, e := range events {
		var signals []Signal
		switch e.Kind {
		case SessionStarted:
			var d sessionEvent
			if json.Unmarshal(e.Data, &d) != nil {
				continue
			}
			sessions = append(sessions, &session{ev: d, user: e.Actor.ID, at: e.At})
			signals = []Signal{GuidedSession}
		case "case.opened":
			var d caseEvent
			if json.Unmarshal(e.Data, &d) != nil || !slices.Contains(selfServiceWays, d.Via) || e.Actor.Kind != event.ByCustomer {
				continue
			}
			guided := false
			for _, s := range sessions {
				if !s.done && s.ev.ServiceID == d.ServiceID && !e.At.Before(s.at) && e.At.UnixMilli() < s.ev.ExpiresAt {
					s.done, guided = true, true
					completions = append(completions, Completion{SessionID: s.ev.SessionID, CaseID: d.CaseID, At: e.At, Event: e})
					break
				}
			}
			if guided {
				signals = []Signal{GuidedCompletion}
				break
			}
			signals = []Signal{SelfService}
			gap := true
			for _, s := range sessions {
				if e.At.Sub(s.at) < IndependentAfter {
					gap = false
				}
			}
			if gap {
				signals = append(signals, SelfServiceAfterGap)
			}
		default:
			continue
		}
		if next, ok := step(stage, signals); ok {
			a := Advance{From: stage, To: next, Cause: e}
			for _, s := range sessions {
				if !s.at.After(e.At) {
					a.CreditedTo = s.user
				}
			}
			advances = append(advances, a)
			stage = next
		}
	}
	return stage, advances, completions
}

// Refresh recomputes the customer's stage from their events and records what is new: each
// session completion, and the advance to the earned stage when it is beyond the stored one.
// Run twice, or on two nodes at once, it records each once.
func (s *Service) Refresh(ctx context.Context, customerID string) (string, error) {
	var stage string
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if tx.Dialect() == store.Postgres {
			if _, err := tx.Exec(ctx, sqlLockCustomer, customerID); err != nil {
				return fmt.Errorf("coaching: lock customer: %w", err)
			}
		}
		c, err := s.customers.Get(ctx, customerID)
		if errors.Is(err, customer.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.MergedInto != "" {
			customerID = c.MergedInto
			if c, err = s.customers.Get(ctx, customerID); err != nil {
				return err
			}
		}
		evs, err := s.history(ctx, c.ID)
		if err != nil {
			return err
		}
		earned, advances, completions := Fold(evs)
		for _, done := range completions {
			res, err := tx.Exec(ctx, sqlCompleteSession, done.At.UnixMilli(), done.CaseID, done.SessionID)
			if err != nil {
				return fmt.Errorf("coaching: complete session: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if _, err := s.events.Append(ctx, event.Event{Kind: SessionCompleted, CustomerID: c.ID, Actor: event.System},
					map[string]string{"session_id": done.SessionID, "case_id": done.CaseID, "cause": done.Event.ID}); err != nil {
					return err
				}
			}
		}
		stage = c.Profile.CoachingStage
		if stage == "" {
			stage = customer.NotDigital
		}
		if rank(earned) <= rank(stage) {
			return nil
		}
		from := stage
		p := c.Profile
		p.CoachingStage = earned
		if _, err := s.customers.Update(ctx, c.ID, customer.Patch{Profile: &p}, event.System); err != nil {
			return err
		}
		stage = earned
		// One event per advance beyond the stored stage, each with its cause and credited
		// agent, even when a refresh catches up on several at once; advances the stored stage
		// had already passed (an agent set it by hand) are not credited again.
		for _, a := range advances {
			if rank(a.To) <= rank(from) {
				continue
			}
			if _, err := s.events.Append(ctx, event.Event{Kind: StageAdvanced, CustomerID: c.ID, Actor: event.System}, map[string]string{
				"from": a.From, "to": a.To, "cause": a.Cause.ID, "cause_kind": string(a.Cause.Kind), "credited_user": a.CreditedTo,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return stage, err
}

// history is every event the fold reads for the customer and those merged into them.
func (s *Service) history(ctx context.Context, customerID string) ([]event.Event, error) {
	family, err := s.customers.Family(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []event.Event
	var after int64
	for {
		evs, err := s.events.List(ctx, event.Filter{CustomerIDs: family, Kinds: []event.Kind{SessionStarted, "case.opened"}, AfterSeq: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
		if len(evs) < 1000 {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	// Sequence order is commit order on one node, nearly so across nodes; the fold wants
	// the order things happened in.
	slices.SortStableFunc(out, func(a, b event.Event) int { return a.At.Compare(b.At) })
	return out, nil
}
