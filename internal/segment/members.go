package segment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store"
)

// SweepJob re-evaluates every customer. It runs when a segment is saved and every SweepEvery
// (each run enqueues the next), so membership converges whatever events a node missed.
const SweepJob = "segment.sweep"

// Membership is one customer's place in one segment.
type Membership struct {
	SegmentID string    `json:"segment_id"`
	Name      string    `json:"name"`
	Since     time.Time `json:"since"`
	Matrix    Matrix    `json:"matrix,omitempty"`
	// Phase is "hybrid" while the segment's digital share is below its target, "digital"
	// once it reaches it, and empty without a target.
	Phase string `json:"phase,omitempty"`
}

// Member is one customer in a segment's list.
type Member struct {
	CustomerID string    `json:"customer_id"`
	Name       string    `json:"name"`
	Since      time.Time `json:"since"`
}

// Change is a customer entering or leaving a segment.
type Change struct {
	SegmentID string `json:"segment_id"`
	Name      string `json:"name"`
	Joined    bool   `json:"joined"`
}

// Refresh evaluates every segment for the customer and records what changed, each change with
// its event, in one transaction. It is idempotent: run twice, or on two nodes at once, it
// records each change once. A customer merged into another leaves every segment (their
// history counts for the customer they were merged into, which is refreshed instead).
func (s *Service) Refresh(ctx context.Context, customerID string) ([]Change, error) {
	// Most events change no membership: find that out on a reader first, so following the
	// bus does not queue a write transaction behind every message. Outside a transaction
	// only; inside one, the caller's transaction is where to look.
	if _, inTx := s.db.TxFrom(ctx); !inTx {
		if same, err := s.unchanged(ctx, customerID); err != nil || same {
			return nil, err
		}
	}
	var changes []Change
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		changes = nil
		// Two nodes refreshing one customer take turns, so the later sees the earlier's rows
		// (SQLite has one writer already).
		if tx.Dialect() == store.Postgres {
			if _, err := tx.Exec(ctx, sqlLockCustomer, customerID); err != nil {
				return fmt.Errorf("segment: lock customer: %w", err)
			}
		}
		c, err := s.customers.Get(ctx, customerID)
		if errors.Is(err, customer.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		segs, err := s.List(ctx)
		if err != nil {
			return err
		}
		have, err := s.memberOf(ctx, c.ID)
		if err != nil {
			return err
		}
		// A merged customer wants nothing: their events already count for the customer they
		// were merged into, whose family includes them.
		want := map[string]bool{}
		if c.MergedInto == "" {
			facts, err := s.facts(ctx, c, segs)
			if err != nil {
				return err
			}
			for _, sg := range segs {
				want[sg.ID] = sg.Rule.Match(facts)
			}
		}
		now := s.clock.Now()
		for _, sg := range segs {
			_, in := have[sg.ID]
			switch {
			case want[sg.ID] && !in:
				res, err := tx.Exec(ctx, sqlJoin, sg.ID, c.ID, now.UnixMilli())
				if err != nil {
					return fmt.Errorf("segment: join %s: %w", sg.Name, err)
				}
				if n, _ := res.RowsAffected(); n == 1 {
					changes = append(changes, Change{SegmentID: sg.ID, Name: sg.Name, Joined: true})
				}
			case !want[sg.ID] && in:
				res, err := tx.Exec(ctx, sqlLeave, sg.ID, c.ID)
				if err != nil {
					return fmt.Errorf("segment: leave %s: %w", sg.Name, err)
				}
				if n, _ := res.RowsAffected(); n == 1 {
					changes = append(changes, Change{SegmentID: sg.ID, Name: sg.Name})
				}
			}
		}
		// The events are written after every row, in the same transaction: a reader of the
		// log never sees a join whose row is not there.
		for _, ch := range changes {
			kind := Left
			if ch.Joined {
				kind = Joined
			}
			if _, err := s.events.Append(ctx, event.Event{Kind: kind, CustomerID: c.ID, Actor: event.System},
				map[string]string{"segment_id": ch.SegmentID, "segment": ch.Name}); err != nil {
				return err
			}
		}
		return nil
	})
	return changes, err
}

// unchanged reports whether evaluating the customer now would change no membership.
func (s *Service) unchanged(ctx context.Context, customerID string) (bool, error) {
	c, err := s.customers.Get(ctx, customerID)
	if errors.Is(err, customer.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	segs, err := s.List(ctx)
	if err != nil {
		return false, err
	}
	have, err := s.memberOf(ctx, c.ID)
	if err != nil {
		return false, err
	}
	if c.MergedInto != "" {
		return len(have) == 0, nil
	}
	facts, err := s.facts(ctx, c, segs)
	if err != nil {
		return false, err
	}
	for _, sg := range segs {
		if _, in := have[sg.ID]; in != sg.Rule.Match(facts) {
			return false, nil
		}
	}
	return true, nil
}

func (s *Service) memberOf(ctx context.Context, customerID string) (map[string]int64, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlMembersOf, customerID)
	if err != nil {
		return nil, fmt.Errorf("segment: memberships: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var since int64
		if err := rows.Scan(&id, &since); err != nil {
			return nil, err
		}
		out[id] = since
	}
	return out, rows.Err()
}

// facts reads what the segments' rules need about c: their events (and those of customers
// merged into them) as far back as the longest window, and the kind of every channel.
func (s *Service) facts(ctx context.Context, c customer.Customer, segs []Segment) (Facts, error) {
	// Only as far back as the longest window: a profile-only set of rules reads no events
	// at all, which is what keeps following the bus cheap.
	f := Facts{Customer: c, Now: s.clock.Now(), ChannelKinds: map[string]string{}}
	days := 0
	for _, sg := range segs {
		days = max(days, sg.Rule.window())
	}
	if days == 0 {
		return f, nil
	}
	family, err := s.customers.Family(ctx, c.ID)
	if err != nil {
		return f, err
	}
	var after int64
	for {
		evs, err := s.events.List(ctx, event.Filter{CustomerIDs: family, Since: f.Now.Add(-time.Duration(days) * 24 * time.Hour), AfterSeq: after, Limit: 1000})
		if err != nil {
			return f, err
		}
		f.Events = append(f.Events, evs...)
		if len(evs) < 1000 {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	rows, err := s.db.Q(ctx).Query(ctx, sqlChannelKinds)
	if err != nil {
		return f, fmt.Errorf("segment: channel kinds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return f, err
		}
		f.ChannelKinds[id] = kind
	}
	return f, rows.Err()
}

// Sweep refreshes every customer, in pages, and returns how many it looked at.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n, after := 0, ""
	for {
		var ids []string
		rows, err := s.db.Q(ctx).Query(ctx, sqlCustomerPage, after, 200)
		if err != nil {
			return n, fmt.Errorf("segment: sweep: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return n, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		// One transaction per customer, so a sweep never holds the writer for long and a
		// failure part-way keeps what was done; the next sweep finishes the rest.
		for _, id := range ids {
			if _, err := s.Refresh(ctx, id); err != nil {
				return n, err
			}
			n++
		}
		if len(ids) < 200 {
			return n, nil
		}
		after = ids[len(ids)-1]
	}
}

func (s *Service) sweepJob(ctx context.Context, _ jobs.Job) error {
	if _, err := s.Sweep(ctx); err != nil {
		return err
	}
	return s.scheduleSweep(ctx, s.clock.Now().Add(s.every))
}

// scheduleSweep enqueues the periodic sweep for the slot that holds at; the slot's unique key
// makes every node's enqueue the same job.
func (s *Service) scheduleSweep(ctx context.Context, at time.Time) error {
	slot := at.Truncate(s.every)
	if slot.Before(at) {
		slot = slot.Add(s.every)
	}
	_, err := s.jobs.Enqueue(ctx, SweepJob, nil, jobs.RunAt(slot), jobs.UniqueKey(fmt.Sprintf("segment.sweep:%d", slot.UnixMilli())), jobs.MaxAttempts(3))
	return err
}

// Start creates the built-in segments and makes sure a periodic sweep is due. Every node
// calls it when it starts.
func (s *Service) Start(ctx context.Context) error {
	if err := s.EnsureBuiltins(ctx); err != nil {
		return err
	}
	return s.scheduleSweep(ctx, s.clock.Now())
}

// Follow refreshes the customer of every committed event that could change a membership, on
// this node, until the bus closes. Membership events themselves are skipped, so a refresh
// never triggers another. A subscription that overflowed missed events: a sweep is enqueued
// to catch up, and the subscription starts again.
func (s *Service) Follow(ctx context.Context, b *bus.Bus) {
	filter := func(e event.Event) bool {
		return e.CustomerID != "" && !strings.HasPrefix(string(e.Kind), "segment.")
	}
	go func() {
		for {
			sub := b.Subscribe(filter, 1024)
			for d := range sub.C() {
				if d.Resync {
					s.enqueueCatchUp(ctx)
					continue
				}
				if _, err := s.Refresh(ctx, d.Event.CustomerID); err != nil {
					s.log.Error("segment: refresh after event", "customer", d.Event.CustomerID, "event", d.Event.ID, "err", err)
				}
			}
			if !sub.Overflowed() || ctx.Err() != nil {
				return
			}
			s.enqueueCatchUp(ctx)
		}
	}()
}

func (s *Service) enqueueCatchUp(ctx context.Context) {
	now := s.clock.Now()
	if _, err := s.jobs.Enqueue(ctx, SweepJob, nil, jobs.UniqueKey(fmt.Sprintf("segment.sweep:catch-up:%d", now.Truncate(time.Minute).UnixMilli()))); err != nil {
		s.log.Error("segment: enqueue catch-up sweep", "err", err)
	}
}

// Of returns the segments the customer is in now, by name, each with its phase.
func (s *Service) Of(ctx context.Context, customerID string) ([]Membership, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSegmentsOf, customerID)
	if err != nil {
		return nil, fmt.Errorf("segment: segments of %s: %w", customerID, err)
	}
	out := []Membership{}
	var targets []*float64
	for rows.Next() {
		var m Membership
		var matrix string
		var target *float64
		var since int64
		if err := rows.Scan(&m.SegmentID, &m.Name, &matrix, &target, &since); err != nil {
			rows.Close()
			return nil, err
		}
		m.Matrix = Matrix{}
		_ = json.Unmarshal([]byte(matrix), &m.Matrix)
		m.Since = time.UnixMilli(since).UTC()
		out = append(out, m)
		targets = append(targets, target)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if targets[i] == nil {
			continue
		}
		now := s.clock.Now()
		a, ok := s.cache.get(out[i].SegmentID, *targets[i], now)
		if !ok {
			if a, err = s.adoption(ctx, out[i].SegmentID, *targets[i]); err != nil {
				return nil, err
			}
			s.cache.put(out[i].SegmentID, a, now)
		}
		out[i].Phase = a.Phase
	}
	return out, nil
}

// Members lists a segment's members in pages of at most limit, after the customer id after.
func (s *Service) Members(ctx context.Context, segmentID, after string, limit int) ([]Member, error) {
	if _, err := s.Get(ctx, segmentID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.Q(ctx).Query(ctx, sqlMembers, segmentID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("segment: members: %w", err)
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var since int64
		if err := rows.Scan(&m.CustomerID, &m.Name, &since); err != nil {
			return nil, err
		}
		m.Since = time.UnixMilli(since).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// MemberIDs returns every member's customer id: what journeys and adoption count over.
func (s *Service) MemberIDs(ctx context.Context, segmentID string) ([]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlMemberIDs, segmentID)
	if err != nil {
		return nil, fmt.Errorf("segment: member ids: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Names returns the names of the segments the customer is in now: what routing matches queues
// on.
//
// It reads the names alone, not the phases Of computes: routing asks inside the ingest
// transaction, where a phase's share (members and their events) must not be counted.
func (s *Service) Names(ctx context.Context, customerID string) ([]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSegmentsOf, customerID)
	if err != nil {
		return nil, fmt.Errorf("segment: segments of %s: %w", customerID, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id, name, matrix string
		var target *float64
		var since int64
		if err := rows.Scan(&id, &name, &matrix, &target, &since); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}
