package event

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/store"
)

// Kind names what happened, as "noun.verb-past" ("message.received").
type Kind string

// The kinds the spine writes. Other packages add their own.
const (
	CustomerCreated      Kind = "customer.created"
	CustomerUpdated      Kind = "customer.updated"
	IdentityAdded        Kind = "customer.identity-added"
	CustomerMerged       Kind = "customer.merged"
	CustomerUnmerged     Kind = "customer.unmerged"
	ConversationOpened   Kind = "conversation.opened"
	ConversationAssigned Kind = "conversation.assigned"
	ConversationStatus   Kind = "conversation.status-changed"
	ConversationMerged   Kind = "conversation.merged"
	ConversationMoved    Kind = "conversation.moved"
	MessageReceived      Kind = "message.received"
	MessageQueued        Kind = "message.queued"
	MessageStatus        Kind = "message.status-changed"
	NoteAdded            Kind = "note.added"
	UserCreated          Kind = "user.created"
	TokenCreated         Kind = "user.token-created"
)

// ActorKind says who caused an event.
type ActorKind string

// Actor kinds.
const (
	ByCustomer ActorKind = "customer"
	ByUser     ActorKind = "user"
	BySystem   ActorKind = "system"
)

// Actor is who caused an event: a customer, a user (agent, supervisor, admin) or the system.
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id,omitempty"`
}

// System is the actor for what Gesher does on its own.
var System = Actor{Kind: BySystem}

// Event is one entry of the log.
type Event struct {
	Seq            int64           `json:"seq"`
	ID             string          `json:"id"`
	Kind           Kind            `json:"kind"`
	CustomerID     string          `json:"customer_id,omitempty"`
	ConversationID string          `json:"conversation_id,omitempty"`
	ChannelID      string          `json:"channel_id,omitempty"`
	Actor          Actor           `json:"actor"`
	Data           json.RawMessage `json:"data,omitempty"`
	At             time.Time       `json:"at"`
}

// Publisher receives events once their transaction has committed. The live bus is one.
type Publisher interface {
	Publish(e Event)
}

// Log appends to and reads the event log.
type Log struct {
	db    *store.DB
	clock clock.Clock
	pub   Publisher
}

// NewLog returns the log over db. pub may be nil.
func NewLog(db *store.DB, clk clock.Clock, pub Publisher) *Log {
	return &Log{db: db, clock: clk, pub: pub}
}

// Append writes e in the transaction carried by ctx (or a new one), filling in its ID and time,
// and publishes it after the commit. data is marshalled to JSON when it is not already raw.
func (l *Log) Append(ctx context.Context, e Event, data any) (Event, error) {
	if e.Kind == "" || e.Actor.Kind == "" {
		return e, fmt.Errorf("event: kind and actor are required")
	}
	if e.At.IsZero() {
		e.At = l.clock.Now()
	}
	if e.ID == "" {
		e.ID = store.NewID(e.At)
	}
	switch d := data.(type) {
	case nil:
		if e.Data == nil {
			e.Data = json.RawMessage(`{}`)
		}
	case json.RawMessage:
		e.Data = d
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return e, fmt.Errorf("event: encode %s data: %w", e.Kind, err)
		}
		e.Data = b
	}
	err := l.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.QueryRow(ctx, sqlAppend, e.ID, e.Kind, null(e.CustomerID), null(e.ConversationID), null(e.ChannelID),
			e.Actor.Kind, e.Actor.ID, string(e.Data), e.At.UnixMilli()).Scan(&e.Seq); err != nil {
			return fmt.Errorf("event: append %s: %w", e.Kind, err)
		}
		if l.pub != nil {
			published := e
			tx.AfterCommit(func() { l.pub.Publish(published) })
		}
		return nil
	})
	return e, err
}

// Filter selects events. Empty fields do not filter.
type Filter struct {
	CustomerIDs    []string
	ConversationID string
	Kinds          []Kind
	ActorID        string
	Since, Until   time.Time // [Since, Until)
	AfterSeq       int64
	BeforeSeq      int64 // for paging backwards through a timeline
	Newest         bool  // newest first (a timeline); oldest first otherwise
	Limit          int
}

// List returns events matching f.
func (l *Log) List(ctx context.Context, f Filter) ([]Event, error) {
	var where []string
	var args []any
	if len(f.CustomerIDs) > 0 {
		where = append(where, "customer_id IN ("+placeholders(len(f.CustomerIDs))+")")
		for _, id := range f.CustomerIDs {
			args = append(args, id)
		}
	}
	if f.ConversationID != "" {
		where = append(where, "conversation_id = ?")
		args = append(args, f.ConversationID)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind IN ("+placeholders(len(f.Kinds))+")")
		for _, k := range f.Kinds {
			args = append(args, string(k))
		}
	}
	if f.ActorID != "" {
		where = append(where, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	if !f.Since.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, f.Until.UnixMilli())
	}
	if f.AfterSeq > 0 {
		where = append(where, "seq > ?")
		args = append(args, f.AfterSeq)
	}
	if f.BeforeSeq > 0 {
		where = append(where, "seq < ?")
		args = append(args, f.BeforeSeq)
	}
	q := sqlSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Newest {
		q += " ORDER BY seq DESC"
	} else {
		q += " ORDER BY seq"
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	q += fmt.Sprintf(" LIMIT %d", f.Limit)
	return l.list(ctx, q, args...)
}

func (l *Log) list(ctx context.Context, q string, args ...any) ([]Event, error) {
	rows, err := l.db.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("event: list: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var cust, conv, ch sql.NullString
		var data string
		var at int64
		if err := rows.Scan(&e.Seq, &e.ID, &e.Kind, &cust, &conv, &ch, &e.Actor.Kind, &e.Actor.ID, &data, &at); err != nil {
			return nil, fmt.Errorf("event: scan: %w", err)
		}
		e.CustomerID, e.ConversationID, e.ChannelID = cust.String, conv.String, ch.String
		e.Data = json.RawMessage(data)
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ErrNotFound is returned by Get for an unknown id.
var ErrNotFound = errors.New("event not found")

// Get returns one event by id.
func (l *Log) Get(ctx context.Context, id string) (Event, error) {
	evs, err := l.list(ctx, sqlSelect+" WHERE id = ?", id)
	if err != nil {
		return Event{}, err
	}
	if len(evs) == 0 {
		return Event{}, ErrNotFound
	}
	return evs[0], nil
}

// Count returns how many events of kind exist (all kinds when kind is empty).
func (l *Log) Count(ctx context.Context, kind Kind) (int64, error) {
	var n int64
	var err error
	if kind == "" {
		err = l.db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	} else {
		err = l.db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE kind = ?`, string(kind)).Scan(&n)
	}
	return n, err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// null stores an empty string as SQL NULL, so optional references stay NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}
