package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
)

// maxErrorLen bounds last_error: a provider may answer a failure with a whole HTML page.
const maxErrorLen = 2000

// Work claims and runs every job that is due now by the queue's clock, waits for them, and
// returns how many ran. A job retried during the call is due later, so it does not run twice.
// Tests and the CLI use it; servers use Start.
func (q *Queue) Work(ctx context.Context) (int, error) {
	if _, ok := q.db.TxFrom(ctx); ok {
		return 0, ErrInTx
	}
	now := q.clk.Now()
	ran := 0
	for {
		jobs, err := q.claim(ctx, now, q.opt.Workers)
		if err != nil {
			return ran, err
		}
		if len(jobs) == 0 {
			return ran, nil
		}
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Go(func() { q.run(ctx, j) })
		}
		wg.Wait()
		ran += len(jobs)
	}
}

// Start runs jobs in the background until Stop or until ctx ends. Handlers already running
// then finish (their contexts are not cancelled with ctx), and Stop waits for them.
// Starting a started queue does nothing.
func (q *Queue) Start(ctx context.Context) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cancel != nil {
		return
	}
	ctx, q.cancel = context.WithCancel(ctx)
	q.stopped = make(chan struct{})
	go q.loop(ctx, q.stopped)
}

// Stop stops claiming jobs and waits for running handlers to finish and record their outcome.
func (q *Queue) Stop() {
	q.mu.Lock()
	cancel, stopped := q.cancel, q.stopped
	q.cancel, q.stopped = nil, nil
	q.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-stopped
}

// loop is the background runner: it claims as many due jobs as it has free workers, then
// sleeps until a local enqueue, a finished handler or the poll interval wakes it.
func (q *Queue) loop(ctx context.Context, stopped chan struct{}) {
	defer close(stopped)
	var wg sync.WaitGroup
	defer wg.Wait()
	var active atomic.Int64
	freed := make(chan struct{}, 1)
	handlerCtx := context.WithoutCancel(ctx)
	tick := time.NewTicker(q.opt.PollInterval)
	defer tick.Stop()
	for {
		if free := q.opt.Workers - int(active.Load()); free > 0 {
			jobs, err := q.claim(ctx, q.clk.Now(), free)
			if err != nil && ctx.Err() == nil {
				q.log.Error("claiming jobs", "err", err)
			}
			for _, j := range jobs {
				active.Add(1)
				wg.Go(func() {
					q.run(handlerCtx, j)
					active.Add(-1)
					select {
					case freed <- struct{}{}:
					default:
					}
				})
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wakeup:
		case <-freed:
		case <-tick.C:
		}
	}
}

// claim takes up to n due jobs of the registered kinds for this node.
func (q *Queue) claim(ctx context.Context, now time.Time, n int) ([]Job, error) {
	q.mu.Lock()
	kinds := append([]any(nil), q.kinds...)
	q.mu.Unlock()
	if len(kinds) == 0 || n <= 0 {
		return nil, nil
	}
	d := q.db.Dialect()
	nowMS := now.UnixMilli()
	args := append([]any{q.opt.NodeID, now.Add(q.opt.Lease).UnixMilli(), nowMS, nowMS, nowMS}, kinds...)
	args = append(args, n)
	var jobs []Job
	err := q.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		jobs = jobs[:0] // PostgreSQL may run this function again after a conflict
		if _, err := tx.Exec(ctx, failAbandonedSQL(d), "lease expired during the last attempt: its node stopped", nowMS, nowMS); err != nil {
			return fmt.Errorf("fail abandoned: %w", err)
		}
		rows, err := tx.Query(ctx, claimSQL(d, len(kinds)), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	return jobs, nil
}

// run runs one claimed job and records its outcome.
func (q *Queue) run(ctx context.Context, j Job) {
	q.mu.Lock()
	h := q.handlers[j.Kind]
	q.mu.Unlock()
	hctx, cancel := context.WithTimeout(ctx, q.opt.Lease)
	err := q.call(hctx, h, j)
	cancel()
	// The outcome must be recorded even if the caller's context has ended meanwhile.
	q.record(context.WithoutCancel(ctx), j, err)
}

// call runs the handler, turning a panic into the job's error so that one bad job cannot take
// the node down.
func (q *Queue) call(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			q.log.Error("job handler panicked", "job", j.ID, "kind", j.Kind, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}

// record writes the outcome of attempt j.Attempt, if this node still holds it.
func (q *Queue) record(ctx context.Context, j Job, herr error) {
	now := q.clk.Now()
	nowMS := now.UnixMilli()
	who := []any{j.ID, q.opt.NodeID, j.Attempt}
	var (
		query string
		args  []any
		log   = q.log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempt)
	)
	var retry *retryAfterError
	var perm *permanentError
	switch {
	case herr == nil:
		query, args = sqlDone, []any{nowMS}
	case errors.As(herr, &perm) || j.Attempt >= j.MaxAttempts:
		log.Error("job failed", "err", herr, "max_attempts", j.MaxAttempts)
		query, args = sqlFail, []any{errorText(herr), nowMS}
	default:
		delay := q.opt.Backoff(j.Attempt)
		if errors.As(herr, &retry) {
			delay = retry.after
		}
		// At least a millisecond, so that Work, which takes every job due at its start, does
		// not run the same job again in the same call.
		delay = max(delay, time.Millisecond)
		log.Warn("job will be retried", "err", herr, "in", delay)
		query, args = sqlRetryLater, []any{now.Add(delay).UnixMilli(), errorText(herr), nowMS}
	}
	err := q.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, query, append(args, who...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			log.Warn("job outcome discarded: its lease expired and another attempt took it over", "err", herr)
		}
		return nil
	})
	if err != nil {
		// The lease will expire and the job run again: at least once, as promised.
		log.Error("recording job outcome", "err", err, "job_err", herr)
	}
}

// errorText is err as stored in last_error: never empty, at most maxErrorLen bytes, valid UTF-8.
func errorText(err error) string {
	s := err.Error()
	if s == "" {
		s = fmt.Sprintf("%T", err)
	}
	if len(s) > maxErrorLen {
		s = s[:maxErrorLen]
	}
	// PostgreSQL refuses invalid UTF-8 in TEXT, and the cut above may split a character.
	return strings.ToValidUTF8(s, "")
}
