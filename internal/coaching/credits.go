package coaching

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
)

// What an agent is credited for (SPEC C13: no agent loses by sending a customer to the app).
const (
	CreditSession    = "coaching-session" // a guided session started
	CreditAdvance    = "stage-advance"    // a customer moved on after the agent's guided session
	CreditDeflection = "deflection"       // an accepted move to a channel that fits
)

// Credit is one line of an agent's ledger.
type Credit struct {
	Kind       string    `json:"kind"`
	EventID    string    `json:"event_id"`
	CustomerID string    `json:"customer_id,omitempty"`
	At         time.Time `json:"at"`
	// Detail says what happened: the session's service, the stages of an advance and the
	// kind of event that caused it, the action of a move.
	Detail map[string]string `json:"detail,omitempty"`
	seq    int64
}

// Ledger is an agent's credits, newest first, and their count by kind.
type Ledger struct {
	UserID  string         `json:"user_id"`
	Entries []Credit       `json:"entries"`
	ByKind  map[string]int `json:"by_kind"`
	Total   int            `json:"total"`
}

// Credits returns the agent's ledger, computed from the event log so it agrees with every
// other figure: their guided sessions, the stage advances credited to them, and their accepted
// channel moves (the same events channel.Mover.Credits counts by action).
func (s *Service) Credits(ctx context.Context, userID string) (Ledger, error) {
	l := Ledger{UserID: userID, Entries: []Credit{}, ByKind: map[string]int{CreditSession: 0, CreditAdvance: 0, CreditDeflection: 0}}
	add := func(kind string, e event.Event, detail map[string]string) {
		l.Entries = append(l.Entries, Credit{Kind: kind, EventID: e.ID, CustomerID: e.CustomerID, At: e.At, Detail: detail, seq: e.Seq})
		l.ByKind[kind]++
		l.Total++
	}
	err := s.each(ctx, event.Filter{Kinds: []event.Kind{SessionStarted, event.ConversationMoved}, ActorID: userID}, func(e event.Event) {
		var d map[string]any
		_ = json.Unmarshal(e.Data, &d)
		str := func(k string) string { v, _ := d[k].(string); return v }
		if e.Kind == SessionStarted {
			add(CreditSession, e, map[string]string{"service_id": str("service_id"), "session_id": str("session_id")})
		} else {
			add(CreditDeflection, e, map[string]string{"action": str("action"), "to_kind": str("to_kind")})
		}
	})
	if err != nil {
		return l, err
	}
	// An advance is written by the system and names the agent in its data.
	err = s.each(ctx, event.Filter{Kinds: []event.Kind{StageAdvanced}}, func(e event.Event) {
		var d map[string]string
		if json.Unmarshal(e.Data, &d) != nil || d["credited_user"] != userID {
			return
		}
		add(CreditAdvance, e, map[string]string{"from": d["from"], "to": d["to"], "cause_kind": d["cause_kind"], "cause": d["cause"]})
	})
	slices.SortFunc(l.Entries, func(a, b Credit) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
	return l, err
}

func (s *Service) each(ctx context.Context, f event.Filter, fn func(event.Event)) error {
	f.Limit = 1000
	for {
		evs, err := s.events.List(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range evs {
			fn(e)
		}
		if len(evs) < 1000 {
			return nil
		}
		f.AfterSeq = evs[len(evs)-1].Seq
	}
}

// Stages counts customers by coaching stage, from their profiles: what a dashboard shows.
func (s *Service) Stages(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlCustomerProfiles)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for _, st := range order {
		out[st] = 0
	}
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var p struct {
			Stage string `json:"coaching_stage"`
		}
		_ = json.Unmarshal([]byte(raw), &p)
		if p.Stage == "" {
			p.Stage = order[0]
		}
		out[p.Stage]++
	}
	return out, rows.Err()
}
