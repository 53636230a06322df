package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/store"
)

// The states a job moves through: ready (waiting for its run_at), running (claimed under a
// lease), and then done or failed.
const (
	StateReady   = "ready"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// DefaultMaxAttempts is how many times a job runs before it fails, unless enqueued with
// MaxAttempts. Ten attempts with the default back-off span about an hour.
const DefaultMaxAttempts = 10

// Job is one unit of durable work.
type Job struct {
	ID          int64
	Kind        string
	Payload     json.RawMessage
	State       string
	Attempt     int // attempts started so far; inside a handler, the current attempt (from 1)
	MaxAttempts int
	RunAt       time.Time // when the job is (or was) next due
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Handler runs a job. It returns nil when the work is done, RetryAfter or Permanent to steer
// the retry, or any other error to be retried after the queue's back-off. The context expires
// when the job's lease does. A job may run more than once (a node can die between the work and
// its record), so handlers must be idempotent.
type Handler func(ctx context.Context, j Job) error

// Options tune a Queue. Zero values take the defaults.
type Options struct {
	// Workers is how many handlers run at once on this node (default 4).
	Workers int
	// PollInterval is how often the background runner looks for due jobs when nothing wakes it
	// (default 1s). Local enqueues wake it at once; jobs enqueued by other nodes, and retries
	// coming due, wait for the next poll.
	PollInterval time.Duration
	// Lease is how long a claimed job belongs to this node (default 2 min). A handler still
	// running at the end is cancelled, and another node may claim the job.
	Lease time.Duration
	// Backoff is the delay before the attempt after a failed one (default DefaultBackoff).
	Backoff func(attempt int) time.Duration
	// NodeID names this node in the locked_by column (default hostname and a random suffix).
	NodeID string
}

// DefaultBackoff doubles the delay with each attempt from 2s up to 10 minutes, less up to a
// quarter at random, so that jobs failing together (a provider outage) do not retry together.
func DefaultBackoff(attempt int) time.Duration {
	const base, ceiling = 2 * time.Second, 10 * time.Minute
	d := ceiling
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 { // beyond that the shift would overflow; the ceiling applies anyway
		d = min(base<<(attempt-1), ceiling)
	}
	return d - rand.N(d/4+1)
}

// Queue enqueues jobs and runs them.
type Queue struct {
	db  *store.DB
	clk clock.Clock
	log *slog.Logger
	opt Options

	mu       sync.Mutex
	handlers map[string]Handler
	kinds    []any // the registered kinds, as claim arguments
	cancel   context.CancelFunc
	stopped  chan struct{}

	wakeup chan struct{}
}

// New returns a queue on db. It runs nothing until Start or Work.
func New(db *store.DB, clk clock.Clock, log *slog.Logger, opt Options) *Queue {
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = time.Second
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.Backoff == nil {
		opt.Backoff = DefaultBackoff
	}
	if opt.NodeID == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "node"
		}
		opt.NodeID = host + "-" + store.NewID(clk.Now())[20:]
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Queue{
		db: db, clk: clk, log: log.With("component", "jobs", "node", opt.NodeID), opt: opt,
		handlers: map[string]Handler{},
		wakeup:   make(chan struct{}, 1),
	}
}

// NodeID is the name this queue claims jobs under.
func (q *Queue) NodeID() string { return q.opt.NodeID }

// Register sets the handler for a kind. This queue claims only jobs of registered kinds, so a
// node that does not know a kind (an older version during a rolling upgrade) leaves those jobs
// to one that does. Like http.ServeMux, it panics on an empty kind, a nil handler or a kind
// registered twice: each is a wiring mistake.
func (q *Queue) Register(kind string, h Handler) {
	if kind == "" || h == nil {
		panic("jobs: Register needs a kind and a handler")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.handlers[kind]; dup {
		panic("jobs: kind " + kind + " registered twice")
	}
	q.handlers[kind] = h
	q.kinds = append(q.kinds, kind)
}

// EnqueueOption adjusts one Enqueue.
type EnqueueOption func(*enqueueOptions)

type enqueueOptions struct {
	runAt       time.Time
	uniqueKey   string
	maxAttempts int
}

// RunAt makes the job due at t instead of now: reminders, SLA timers, scheduled sends.
func RunAt(t time.Time) EnqueueOption { return func(o *enqueueOptions) { o.runAt = t } }

// UniqueKey makes the enqueue idempotent: if a job with key k exists, in any state, Enqueue
// returns its id and adds nothing. Keys are kept until the job is pruned, so a job meant to
// recur needs the period in its key ("sla:conv123:first-reply").
func UniqueKey(k string) EnqueueOption { return func(o *enqueueOptions) { o.uniqueKey = k } }

// MaxAttempts sets how many times the job runs before it fails (at least 1).
func MaxAttempts(n int) EnqueueOption { return func(o *enqueueOptions) { o.maxAttempts = n } }

// Enqueue adds a job of kind with payload encoded as JSON and returns its id. It writes in the
// transaction carried by ctx, if any, so the job exists exactly when the caller's change
// commits; the local runner is woken only after that commit.
func (q *Queue) Enqueue(ctx context.Context, kind string, payload any, opts ...EnqueueOption) (int64, error) {
	if kind == "" {
		return 0, errors.New("jobs: enqueue: empty kind")
	}
	o := enqueueOptions{maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	if o.maxAttempts < 1 {
		return 0, fmt.Errorf("jobs: enqueue %s: max attempts %d, want at least 1", kind, o.maxAttempts)
	}
	body := []byte("{}")
	if payload != nil {
		var err error
		if body, err = json.Marshal(payload); err != nil {
			return 0, fmt.Errorf("jobs: enqueue %s: encode payload: %w", kind, err)
		}
	}
	now := q.clk.Now()
	runAt := now
	if !o.runAt.IsZero() {
		runAt = o.runAt
	}
	var key any // NULL, so jobs without a key never conflict
	if o.uniqueKey != "" {
		key = o.uniqueKey
	}
	var id int64
	err := q.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		err := tx.QueryRow(ctx, sqlInsert, kind, string(body), key, o.maxAttempts,
			runAt.UnixMilli(), now.UnixMilli(), now.UnixMilli()).Scan(&id)
		if store.IsNoRows(err) && key != nil {
			return tx.QueryRow(ctx, sqlIDByKey, key).Scan(&id)
		}
		if err != nil {
			return err
		}
		tx.AfterCommit(q.wake)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return id, nil
}

// wake nudges the background runner without blocking; one pending nudge is enough.
func (q *Queue) wake() {
	select {
	case q.wakeup <- struct{}{}:
	default:
	}
}
