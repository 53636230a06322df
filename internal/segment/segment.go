package segment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store"
)

// The events this package writes.
const (
	Saved   event.Kind = "segment.saved"
	Deleted event.Kind = "segment.deleted"
	Joined  event.Kind = "segment.joined" // a customer entered a segment
	Left    event.Kind = "segment.left"   // a customer no longer fits it
)

// Errors.
var (
	ErrNotFound = errors.New("segment not found")
	ErrBuiltin  = errors.New("a built-in segment cannot be deleted or renamed")
)

// ValidationError names a field of a segment that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return "segment: " + e.Field + ": " + e.Reason }

// Fit is what a segment's matrix says of one channel kind.
type Fit string

// The three answers of a channel-fit matrix.
const (
	Fits       Fit = "fits"        // may be used (the default for a kind the matrix leaves out)
	OfferFirst Fit = "offer-first" // listed before the others in pickers and notifications
	Never      Fit = "never"       // never offered, never sent on
)

// WebLink is the matrix key for messages that carry a link to a web page, whatever the
// channel: a kosher phone can receive an SMS but cannot open what it links to.
const WebLink = "weblink"

// matrixKeys are the kinds a matrix may name: every channel kind, and web links.
var matrixKeys = []string{"whatsapp", "sms", "voice", "email", "telegram", "webchat", "api", "branch", WebLink}

// Matrix is a segment's channel-fit matrix, by channel kind (and WebLink).
type Matrix map[string]Fit

// Journey is a persona's path: ordered stages, each reached by an event of one of its kinds.
type Journey struct {
	Persona string  `json:"persona"` // the persona's name ("Miriam, 78, books an appointment")
	Story   string  `json:"story,omitempty"`
	Stages  []Stage `json:"stages"`
}

// Stage is one step of a journey. It is reached by the customer's first event of one of
// Kinds (on one of ChannelKinds and with every Data field equal, when given) after the event
// that reached the previous stage.
// A moment of truth carries the satisfaction question asked there; answers are read from
// survey events (see journey.SurveyAnswered).
type Stage struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Kinds         []string          `json:"kinds"`
	ChannelKinds  []string          `json:"channel_kinds,omitempty"`
	Data          map[string]string `json:"data,omitempty"`
	MomentOfTruth bool              `json:"moment_of_truth,omitempty"`
	Question      string            `json:"question,omitempty"`
}

// Segment is a saved rule with what follows from it.
type Segment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Rule        Rule   `json:"rule"`
	Matrix      Matrix `json:"matrix"`
	// TargetShare is the share of the segment's interactions meant to be on digital channels
	// (0–1); nil is no target, and no phase.
	TargetShare *float64 `json:"target_share,omitempty"`
	Journey     *Journey `json:"journey,omitempty"`
	Builtin     bool     `json:"builtin"`
	// Members is how many customers are in the segment now, as List and Get read it.
	Members   int       `json:"members"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input is what a supervisor writes.
type Input struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Rule        json.RawMessage `json:"rule"`
	Matrix      Matrix          `json:"matrix"`
	TargetShare *float64        `json:"target_share"`
	Journey     *Journey        `json:"journey"`
}

// Options tune a Service.
type Options struct {
	Log *slog.Logger
	// SweepEvery is how often every customer is re-evaluated; an hour when zero.
	SweepEvery time.Duration
}

// Service keeps segments and their members.
type Service struct {
	db        *store.DB
	clock     clock.Clock
	events    *event.Log
	customers *customer.Service
	jobs      *jobs.Queue
	log       *slog.Logger
	every     time.Duration
	cache     adoptionCache
	hybrid    hybridCache
}

// NewService returns the segment service and registers its sweep job with q.
func NewService(db *store.DB, clk clock.Clock, events *event.Log, customers *customer.Service, q *jobs.Queue, opt Options) *Service {
	s := &Service{db: db, clock: clk, events: events, customers: customers, jobs: q, log: opt.Log, every: opt.SweepEvery}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.every <= 0 {
		s.every = time.Hour
	}
	q.Register(SweepJob, s.sweepJob)
	return s
}

// KosherPhone is the built-in segment of customers whose phone takes calls and SMS only.
const KosherPhone = "kosher-phone"

// builtins are the segments every installation has. Their rules and matrices can be edited
// (a supervisor may decide SMS comes first); they cannot be deleted or renamed, because
// channel fit relies on them by name.
func builtins() []Segment {
	return []Segment{{
		Name:        KosherPhone,
		Description: "Customers whose phone is kosher: calls and SMS, no WhatsApp, no apps, no web links.",
		Rule:        Rule{Any: []Rule{{Field: "device", Op: "in", Values: []string{customer.Kosher}}, {Field: "tag", Op: "has", Values: []string{KosherPhone}}}},
		Matrix:      Matrix{"whatsapp": Never, "telegram": Never, "webchat": Never, WebLink: Never, "sms": OfferFirst, "voice": Fits},
		Builtin:     true,
	}}
}

// EnsureBuiltins creates the built-in segments that do not exist yet. Every node calls it at
// start; the unique name makes the second one a no-op.
func (s *Service) EnsureBuiltins(ctx context.Context) error {
	for _, b := range builtins() {
		err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			now := s.clock.Now()
			b.ID, b.CreatedAt, b.UpdatedAt = store.NewID(now), now, now
			args, err := b.row()
			if err != nil {
				return err
			}
			res, err := tx.Exec(ctx, sqlInsertBuiltin, args...)
			if err != nil {
				return fmt.Errorf("segment: built-in %s: %w", b.Name, err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				_, err = s.events.Append(ctx, event.Event{Kind: Saved, Actor: event.System}, map[string]any{"segment_id": b.ID, "name": b.Name, "builtin": true})
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// row is the segment as the columns of sqlSegmentColumns, in order. The rule, matrix and
// journey are JSON beside the id: they are read whole with the segment, never queried into,
// and their shape can grow without a migration.
func (sg Segment) row() ([]any, error) {
	rule, err := json.Marshal(sg.Rule)
	if err != nil {
		return nil, err
	}
	matrix, err := json.Marshal(sg.Matrix)
	if err != nil {
		return nil, err
	}
	journey := ""
	if sg.Journey != nil {
		b, err := json.Marshal(sg.Journey)
		if err != nil {
			return nil, err
		}
		journey = string(b)
	}
	// No target is NULL, not zero: a target of 0 % is a segment that is always digital.
	var target any
	if sg.TargetShare != nil {
		target = *sg.TargetShare
	}
	// An integer on both databases, so one scan reads it on either.
	builtin := 0
	if sg.Builtin {
		builtin = 1
	}
	return []any{sg.ID, sg.Name, sg.Description, string(rule), string(matrix), target, journey, builtin, sg.UpdatedBy,
		sg.CreatedAt.UnixMilli(), sg.UpdatedAt.UnixMilli()}, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSegment(r scanner) (Segment, error) {
	var sg Segment
	var rule, matrix, journey string
	var target sql.NullFloat64
	var builtin int
	var created, updated int64
	if err := r.Scan(&sg.ID, &sg.Name, &sg.Description, &rule, &matrix, &target, &journey, &builtin, &sg.UpdatedBy, &created, &updated); err != nil {
		if store.IsNoRows(err) {
			return sg, ErrNotFound
		}
		return sg, fmt.Errorf("segment: scan: %w", err)
	}
	if err := json.Unmarshal([]byte(rule), &sg.Rule); err != nil {
		return sg, fmt.Errorf("segment: %s: stored rule: %w", sg.ID, err)
	}
	sg.Matrix = Matrix{}
	if err := json.Unmarshal([]byte(matrix), &sg.Matrix); err != nil {
		return sg, fmt.Errorf("segment: %s: stored matrix: %w", sg.ID, err)
	}
	if journey != "" {
		sg.Journey = &Journey{}
		if err := json.Unmarshal([]byte(journey), sg.Journey); err != nil {
			return sg, fmt.Errorf("segment: %s: stored journey: %w", sg.ID, err)
		}
	}
	if target.Valid {
		v := target.Float64
		sg.TargetShare = &v
	}
	sg.Builtin = builtin != 0
	sg.CreatedAt, sg.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return sg, nil
}

// List returns every segment, by name.
func (s *Service) List(ctx context.Context) ([]Segment, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectSegments)
	if err != nil {
		return nil, fmt.Errorf("segment: list: %w", err)
	}
	defer rows.Close()
	out := []Segment{}
	for rows.Next() {
		sg, err := scanSegment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	counts, err := s.memberCounts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Members = counts[out[i].ID]
	}
	return out, nil
}

func (s *Service) memberCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlMemberCounts)
	if err != nil {
		return nil, fmt.Errorf("segment: member counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Get returns one segment, with its member count.
func (s *Service) Get(ctx context.Context, id string) (Segment, error) {
	sg, err := scanSegment(s.db.Q(ctx).QueryRow(ctx, sqlSelectSegment, id))
	if err != nil {
		return sg, err
	}
	if err := s.db.Q(ctx).QueryRow(ctx, sqlMemberCount, id).Scan(&sg.Members); err != nil {
		return sg, fmt.Errorf("segment: member count: %w", err)
	}
	return sg, nil
}

// GetByName returns the segment called name.
func (s *Service) GetByName(ctx context.Context, name string) (Segment, error) {
	return scanSegment(s.db.Q(ctx).QueryRow(ctx, sqlSegmentByName, name))
}

// check validates an input into a segment's fields. Names are what routing's queues and the
// console's filters name segments by, so they hold no commas (queues keep lists comma-joined).
func check(in Input) (Segment, error) {
	var sg Segment
	invalid := func(field, reason string) (Segment, error) { return sg, &ValidationError{Field: field, Reason: reason} }
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 80 || strings.ContainsAny(name, ",\n\t") {
		return invalid("name", "1 to 80 characters, no commas")
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		return invalid("description", "at most 2000 characters")
	}
	if len(in.Rule) == 0 {
		return invalid("rule", "required")
	}
	rule, err := ParseRule(in.Rule)
	if err != nil {
		return sg, err
	}
	// A kind the matrix leaves out fits: a matrix says only what is special about a segment.
	m := Matrix{}
	for k, v := range in.Matrix {
		if !slices.Contains(matrixKeys, k) {
			return invalid("matrix", "keys are channel kinds ("+strings.Join(matrixKeys, ", ")+")")
		}
		switch v {
		case Fits, OfferFirst, Never:
			m[k] = v
		default:
			return invalid("matrix", "each kind fits, offer-first or never")
		}
	}
	if in.TargetShare != nil && (*in.TargetShare < 0 || *in.TargetShare > 1) {
		return invalid("target_share", "a share between 0 and 1")
	}
	if j := in.Journey; j != nil {
		if strings.TrimSpace(j.Persona) == "" || len(j.Stages) == 0 || len(j.Stages) > 20 {
			return invalid("journey", "a persona with 1 to 20 stages")
		}
		seen := map[string]bool{}
		for _, st := range j.Stages {
			if st.ID == "" || seen[st.ID] || len(st.ID) > 40 || st.Name == "" || len(st.Kinds) == 0 {
				return invalid("journey", "every stage has a unique id, a name and at least one event kind")
			}
			if st.MomentOfTruth && strings.TrimSpace(st.Question) == "" {
				return invalid("journey", "a moment of truth carries its satisfaction question")
			}
			seen[st.ID] = true
		}
	}
	return Segment{Name: name, Description: in.Description, Rule: rule, Matrix: m, TargetShare: in.TargetShare, Journey: in.Journey}, nil
}

// Create saves a new segment and enqueues a sweep, so its members are found at once.
func (s *Service) Create(ctx context.Context, in Input, actor event.Actor) (Segment, error) {
	sg, err := check(in)
	if err != nil {
		return sg, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		sg.ID, sg.UpdatedBy, sg.CreatedAt, sg.UpdatedAt = store.NewID(now), actor.ID, time.UnixMilli(now.UnixMilli()).UTC(), time.UnixMilli(now.UnixMilli()).UTC()
		args, err := sg.row()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlInsertSegment, args...); err != nil {
			if store.IsUniqueViolation(err) {
				return &ValidationError{Field: "name", Reason: "another segment has this name"}
			}
			return fmt.Errorf("segment: create: %w", err)
		}
		return s.saved(ctx, sg, actor)
	})
	return sg, err
}

// Update replaces a segment's definition. A built-in segment keeps its name.
func (s *Service) Update(ctx context.Context, id string, in Input, actor event.Actor) (Segment, error) {
	next, err := check(in)
	if err != nil {
		return next, err
	}
	var sg Segment
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		old, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if old.Builtin && next.Name != old.Name {
			return ErrBuiltin
		}
		sg = next
		sg.ID, sg.Builtin, sg.CreatedAt, sg.UpdatedBy = old.ID, old.Builtin, old.CreatedAt, actor.ID
		sg.UpdatedAt = time.UnixMilli(s.clock.Now().UnixMilli()).UTC()
		args, err := sg.row()
		if err != nil {
			return err
		}
		// row() lists the columns in table order; the update takes them without id, builtin
		// and created_at, and with the id last.
		if _, err := tx.Exec(ctx, sqlUpdateSegment, args[1], args[2], args[3], args[4], args[5], args[6], args[8], args[10], sg.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return &ValidationError{Field: "name", Reason: "another segment has this name"}
			}
			return fmt.Errorf("segment: update: %w", err)
		}
		return s.saved(ctx, sg, actor)
	})
	return sg, err
}

func (s *Service) saved(ctx context.Context, sg Segment, actor event.Actor) error {
	s.dropHybridAfterCommit(ctx) // the target may have changed
	if _, err := s.events.Append(ctx, event.Event{Kind: Saved, Actor: actor}, map[string]any{"segment_id": sg.ID, "name": sg.Name, "rule": sg.Rule, "matrix": sg.Matrix}); err != nil {
		return err
	}
	// The new rule is applied to everyone by a sweep job enqueued with the change: it runs
	// once the change commits, on whichever node claims it.
	_, err := s.jobs.Enqueue(ctx, SweepJob, nil, jobs.UniqueKey("segment.sweep:saved:"+sg.ID+":"+fmt.Sprint(sg.UpdatedAt.UnixMilli())))
	return err
}

// Delete removes a segment and its memberships. Built-in segments stay.
func (s *Service) Delete(ctx context.Context, id string, actor event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		sg, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if sg.Builtin {
			return ErrBuiltin
		}
		// The members go first and explicitly, though the foreign key cascades: the delete
		// then does not depend on SQLite's foreign-key pragma being on for this connection.
		if _, err := tx.Exec(ctx, sqlDeleteMembers, id); err != nil {
			return fmt.Errorf("segment: delete members: %w", err)
		}
		if _, err := tx.Exec(ctx, sqlDeleteSegment, id); err != nil {
			return fmt.Errorf("segment: delete: %w", err)
		}
		tx.AfterCommit(s.hybrid.drop)
		_, err = s.events.Append(ctx, event.Event{Kind: Deleted, Actor: actor}, map[string]any{"segment_id": id, "name": sg.Name})
		return err
	})
}
