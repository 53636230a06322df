package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// minuteBackoff waits attempt minutes, so tests know exactly when a retry is due.
func minuteBackoff(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }

func newQueue(db *store.DB, clk clock.Clock, node string) *jobs.Queue {
	return jobs.New(db, clk, nil, jobs.Options{Workers: 4, NodeID: node, Lease: time.Minute, Backoff: minuteBackoff})
}

// recorder is a handler that counts its calls per job and answers with the error its
// function returns for that attempt.
type recorder struct {
	mu    sync.Mutex
	calls map[int64]int
	jobs  []jobs.Job
	fail  func(j jobs.Job) error
}

func newRecorder(fail func(j jobs.Job) error) *recorder {
	return &recorder{calls: map[int64]int{}, fail: fail}
}

func (r *recorder) handle(_ context.Context, j jobs.Job) error {
	r.mu.Lock()
	r.calls[j.ID]++
	r.jobs = append(r.jobs, j)
	r.mu.Unlock()
	if r.fail != nil {
		return r.fail(j)
	}
	return nil
}

func (r *recorder) count(id int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

func work(t *testing.T, q *jobs.Queue, want int) {
	t.Helper()
	got, err := q.Work(context.Background())
	if err != nil {
		t.Fatalf("Work: %v", err)
	}
	if got != want {
		t.Fatalf("Work ran %d jobs, want %d", got, want)
	}
}

func get(t *testing.T, q *jobs.Queue, id int64) jobs.Job {
	t.Helper()
	j, err := q.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return j
}

func enqueue(t *testing.T, q *jobs.Queue, kind string, payload any, opts ...jobs.EnqueueOption) int64 {
	t.Helper()
	id, err := q.Enqueue(context.Background(), kind, payload, opts...)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return id
}

func TestEnqueueInRolledBackTransactionLeavesNoJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(nil)
		q.Register("send", rec.handle)
		var id int64
		err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			var err error
			if id, err = q.Enqueue(ctx, "send", map[string]string{"to": "+972501234567"}); err != nil {
				return err
			}
			return errors.New("the message was not stored")
		})
		if err == nil {
			t.Fatal("InTx succeeded, want the handler's error")
		}
		if _, err := q.Get(ctx, id); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("Get after rollback: %v, want ErrNotFound", err)
		}
		work(t, q, 0)
		if n := len(rec.jobs); n != 0 {
			t.Errorf("handler ran %d times, want 0", n)
		}
	})
}

func TestCommittedJobRunsOnce(t *testing.T) {
	type send struct{ To, Text string }
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(nil)
		q.Register("send", rec.handle)
		var id int64
		err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO branches (id, name, created_at) VALUES (?, ?, ?)`, store.NewID(clk.Now()), "Haifa", 1); err != nil {
				return err
			}
			var err error
			id, err = q.Enqueue(ctx, "send", send{To: "+972501234567", Text: "שלום"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if j := get(t, q, id); j.State != jobs.StateReady || j.Attempt != 0 || !j.RunAt.Equal(t0) {
			t.Errorf("before Work: state %s attempt %d run_at %v; want ready, 0, %v", j.State, j.Attempt, j.RunAt, t0)
		}
		work(t, q, 1)
		work(t, q, 0)
		if got := rec.count(id); got != 1 {
			t.Fatalf("handler ran %d times, want 1", got)
		}
		var p send
		if err := json.Unmarshal(rec.jobs[0].Payload, &p); err != nil || p.Text != "שלום" || p.To != "+972501234567" {
			t.Errorf("handler got payload %s (%v), want the enqueued one", rec.jobs[0].Payload, err)
		}
		if a := rec.jobs[0].Attempt; a != 1 {
			t.Errorf("handler saw attempt %d, want 1", a)
		}
		if j := get(t, q, id); j.State != jobs.StateDone || j.Attempt != 1 {
			t.Errorf("after Work: state %s attempt %d; want done, 1", j.State, j.Attempt)
		}
	})
}

func TestScheduledJobWaitsForItsTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(nil)
		q.Register("remind", rec.handle)
		id := enqueue(t, q, "remind", nil, jobs.RunAt(t0.Add(time.Hour)))
		work(t, q, 0)
		clk.Advance(time.Hour - time.Millisecond)
		work(t, q, 0)
		clk.Advance(time.Millisecond)
		work(t, q, 1)
		if got := rec.count(id); got != 1 {
			t.Errorf("handler ran %d times, want 1", got)
		}
		if p := string(rec.jobs[0].Payload); p != "{}" {
			t.Errorf("nil payload arrived as %s, want {}", p)
		}
	})
}

func TestFailedJobIsRetriedAfterBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(func(j jobs.Job) error {
			if j.Attempt == 1 {
				return errors.New("provider answered 503")
			}
			return nil
		})
		q.Register("send", rec.handle)
		id := enqueue(t, q, "send", nil)
		work(t, q, 1)
		j := get(t, q, id)
		if j.State != jobs.StateReady || j.Attempt != 1 || j.LastError != "provider answered 503" {
			t.Errorf("after a failure: state %s attempt %d last_error %q; want ready, 1, the error", j.State, j.Attempt, j.LastError)
		}
		if want := t0.Add(time.Minute); !j.RunAt.Equal(want) {
			t.Errorf("retry due at %v, want %v (back-off of attempt 1)", j.RunAt, want)
		}
		clk.Advance(time.Minute - time.Second)
		work(t, q, 0)
		clk.Advance(time.Second)
		work(t, q, 1)
		if j := get(t, q, id); j.State != jobs.StateDone || j.Attempt != 2 {
			t.Errorf("after the retry: state %s attempt %d; want done, 2", j.State, j.Attempt)
		}
		if got := rec.count(id); got != 2 {
			t.Errorf("handler ran %d times, want 2", got)
		}
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(func(j jobs.Job) error {
			if j.Attempt == 1 {
				return jobs.RetryAfter(90*time.Second, errors.New("429 too many requests"))
			}
			return nil
		})
		q.Register("send", rec.handle)
		id := enqueue(t, q, "send", nil)
		work(t, q, 1)
		j := get(t, q, id)
		if !strings.Contains(j.LastError, "429 too many requests") {
			t.Errorf("last_error %q, want the provider's error", j.LastError)
		}
		// The back-off would make it due after a minute; the provider asked for 90 seconds.
		clk.Advance(time.Minute)
		work(t, q, 0)
		clk.Advance(30 * time.Second)
		work(t, q, 1)
		if j := get(t, q, id); j.State != jobs.StateDone {
			t.Errorf("state %s, want done", j.State)
		}
	})
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(func(jobs.Job) error {
			return fmt.Errorf("decode: %w", jobs.Permanent(errors.New("recipient does not exist")))
		})
		q.Register("send", rec.handle)
		id := enqueue(t, q, "send", nil, jobs.MaxAttempts(5))
		work(t, q, 1)
		j := get(t, q, id)
		if j.State != jobs.StateFailed || j.Attempt != 1 || !strings.Contains(j.LastError, "recipient does not exist") {
			t.Errorf("state %s attempt %d last_error %q; want failed, 1, the error", j.State, j.Attempt, j.LastError)
		}
		clk.Advance(time.Hour)
		work(t, q, 0)
	})
}

func TestMaxAttemptsFailsWithLastError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(func(j jobs.Job) error { return fmt.Errorf("timeout on attempt %d", j.Attempt) })
		q.Register("send", rec.handle)
		id := enqueue(t, q, "send", nil, jobs.MaxAttempts(3))
		for range 3 {
			work(t, q, 1)
			clk.Advance(time.Hour)
		}
		work(t, q, 0)
		j := get(t, q, id)
		if j.State != jobs.StateFailed || j.Attempt != 3 || j.LastError != "timeout on attempt 3" {
			t.Errorf("state %s attempt %d last_error %q; want failed, 3, timeout on attempt 3", j.State, j.Attempt, j.LastError)
		}
		if got := rec.count(id); got != 3 {
			t.Errorf("handler ran %d times, want 3", got)
		}
	})
}

func TestPanicIsAnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		q.Register("send", func(context.Context, jobs.Job) error { panic("nil map") })
		id := enqueue(t, q, "send", nil)
		work(t, q, 1)
		j := get(t, q, id)
		if j.State != jobs.StateReady || !strings.Contains(j.LastError, "nil map") {
			t.Errorf("state %s last_error %q; want ready for a retry, with the panic", j.State, j.LastError)
		}
	})
}

func TestUniqueKeyDeduplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(nil)
		q.Register("sla", rec.handle)

		first := enqueue(t, q, "sla", nil, jobs.UniqueKey("sla:c1:first-reply"))
		again := enqueue(t, q, "sla", map[string]int{"other": 1}, jobs.UniqueKey("sla:c1:first-reply"))
		if again != first {
			t.Errorf("second enqueue returned %d, want the first job %d", again, first)
		}

		// Inside one transaction: the duplicate must not abort it (PostgreSQL would, on a
		// unique violation), so the statement after it still runs and the whole commits.
		var a, b int64
		err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			var err error
			if a, err = q.Enqueue(ctx, "sla", nil, jobs.UniqueKey("sla:c2:first-reply")); err != nil {
				return err
			}
			if b, err = q.Enqueue(ctx, "sla", nil, jobs.UniqueKey("sla:c2:first-reply")); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO branches (id, name, created_at) VALUES (?, ?, ?)`, store.NewID(clk.Now()), "Eilat", 1)
			return err
		})
		if err != nil {
			t.Fatalf("transaction with a duplicate enqueue: %v", err)
		}
		if a != b {
			t.Errorf("in a transaction, enqueues returned %d and %d, want the same job", a, b)
		}
		// A key from a rolled-back transaction is free again.
		_ = db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := q.Enqueue(ctx, "sla", nil, jobs.UniqueKey("sla:c3:first-reply")); err != nil {
				return err
			}
			return errors.New("rolled back")
		})
		enqueue(t, q, "sla", nil, jobs.UniqueKey("sla:c3:first-reply"))

		counts, err := q.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[jobs.StateReady] != 3 {
			t.Errorf("%d ready jobs, want 3 (one per key)", counts[jobs.StateReady])
		}
		work(t, q, 3)
		// A done job still holds its key.
		if again := enqueue(t, q, "sla", nil, jobs.UniqueKey("sla:c1:first-reply")); again != first {
			t.Errorf("enqueue after the job ran returned %d, want %d", again, first)
		}
		work(t, q, 0)
		var branches int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM branches`).Scan(&branches); err != nil || branches != 1 {
			t.Errorf("%d branches (%v), want 1 from the committed transaction", branches, err)
		}
	})
}

// blocker is a handler that signals when it starts and returns only when released.
type blocker struct {
	started chan int64
	release chan struct{}
	result  error
}

func newBlocker(result error) *blocker {
	return &blocker{started: make(chan int64, 16), release: make(chan struct{}), result: result}
}

func (b *blocker) handle(_ context.Context, j jobs.Job) error {
	b.started <- j.ID
	<-b.release
	return b.result
}

func TestExpiredLeaseIsReclaimedAndLateOutcomeDiscarded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		qa, qb := newQueue(db, clk, "node-a"), newQueue(db, clk, "node-b")
		slow := newBlocker(errors.New("late failure from node a"))
		qa.Register("send", slow.handle)
		rec := newRecorder(nil)
		qb.Register("send", rec.handle)
		id := enqueue(t, qa, "send", nil)

		done := make(chan error, 1)
		go func() { _, err := qa.Work(ctx); done <- err }()
		<-slow.started
		if j := get(t, qa, id); j.State != jobs.StateRunning || j.Attempt != 1 {
			t.Errorf("while node a runs it: state %s attempt %d; want running, 1", j.State, j.Attempt)
		}
		work(t, qb, 0) // node a holds the lease
		clk.Advance(time.Minute)
		work(t, qb, 1) // the lease has expired: node a is presumed dead
		close(slow.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		j := get(t, qa, id)
		if j.State != jobs.StateDone || j.Attempt != 2 || j.LastError != "" {
			t.Errorf("state %s attempt %d last_error %q; want done by node b, 2, no error from node a", j.State, j.Attempt, j.LastError)
		}
		clk.Advance(time.Hour)
		work(t, qa, 0)
		work(t, qb, 0)
	})
}

func TestJobAbandonedOnLastAttemptFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		qa, qb := newQueue(db, clk, "node-a"), newQueue(db, clk, "node-b")
		slow := newBlocker(nil)
		qa.Register("send", slow.handle)
		rec := newRecorder(nil)
		qb.Register("send", rec.handle)
		id := enqueue(t, qa, "send", nil, jobs.MaxAttempts(1))
		done := make(chan error, 1)
		go func() { _, err := qa.Work(ctx); done <- err }()
		<-slow.started
		clk.Advance(time.Minute)
		work(t, qb, 0)
		close(slow.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		j := get(t, qa, id)
		if j.State != jobs.StateFailed || !strings.Contains(j.LastError, "lease expired") {
			t.Errorf("state %s last_error %q; want failed because its lease expired", j.State, j.LastError)
		}
	})
}

func TestUnregisteredKindIsLeftForAnotherNode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewManual(t0)
		old, current := newQueue(db, clk, "old"), newQueue(db, clk, "new")
		old.Register("send", newRecorder(nil).handle)
		rec := newRecorder(nil)
		current.Register("send", newRecorder(nil).handle)
		current.Register("webhook", rec.handle)
		id := enqueue(t, current, "webhook", nil)
		work(t, old, 0)
		if j := get(t, old, id); j.State != jobs.StateReady || j.Attempt != 0 {
			t.Errorf("after a node without the kind worked: state %s attempt %d; want ready, 0", j.State, j.Attempt)
		}
		work(t, current, 1)
		if got := rec.count(id); got != 1 {
			t.Errorf("handler ran %d times, want 1", got)
		}
	})
}

func TestJobsRunExactlyOnceAcrossNodes(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const n = 400
		var (
			mu    sync.Mutex
			calls = map[int64]int{}
			total int
			all   = make(chan struct{})
		)
		// Two nodes: two connection pools on one database, each with its own runner.
		var (
			dbs    []*store.DB
			queues []*jobs.Queue
		)
		for _, node := range []string{"node-a", "node-b"} {
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			q := jobs.New(db, clock.System{}, nil, jobs.Options{Workers: 8, NodeID: node, PollInterval: 5 * time.Millisecond})
			q.Register("send", func(_ context.Context, j jobs.Job) error {
				mu.Lock()
				defer mu.Unlock()
				calls[j.ID]++
				if total++; total == n {
					close(all)
				}
				return nil
			})
			dbs, queues = append(dbs, db), append(queues, q)
		}
		for _, q := range queues {
			q.Start(ctx)
		}
		var ids []int64
		for batch := range n / 50 {
			node := batch % 2 // each node's enqueues wake its own runner
			err := dbs[node].InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				for i := range 50 {
					id, err := queues[node].Enqueue(ctx, "send", map[string]int{"n": batch*50 + i})
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-all:
		case <-time.After(2 * time.Minute): // a hang guard, not a timing assertion
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("only %d of %d jobs ran", total, n)
		}
		for _, q := range queues {
			q.Stop()
		}
		mu.Lock()
		defer mu.Unlock()
		if len(ids) != n || total != n {
			t.Fatalf("enqueued %d, handled %d; want %d each", len(ids), total, n)
		}
		for _, id := range ids {
			if calls[id] != 1 {
				t.Errorf("job %d ran %d times, want 1", id, calls[id])
			}
		}
		counts, err := queues[0].Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[jobs.StateDone] != n {
			t.Errorf("counts %v, want %d done", counts, n)
		}
	})
}

func TestJobSurvivesRestart(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id, err := newQueue(db, clk, "before").Enqueue(ctx, "send", map[string]string{"text": "still here"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}

		db, err = store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		q := newQueue(db, clk, "after")
		rec := newRecorder(nil)
		q.Register("send", rec.handle)
		work(t, q, 1)
		if got := rec.count(id); got != 1 {
			t.Fatalf("job %d ran %d times after the restart, want 1", id, got)
		}
		if p := string(rec.jobs[0].Payload); p != `{"text":"still here"}` {
			t.Errorf("payload %s, want the one enqueued before the restart", p)
		}
	})
}

func TestStartRunsEnqueuedJobAndStopWaitsForIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		// Polling once an hour: only the enqueue's wake-up can make the job run now.
		q := jobs.New(db, clk, nil, jobs.Options{NodeID: "a", PollInterval: time.Hour})
		b := newBlocker(nil)
		q.Register("send", b.handle)
		q.Start(ctx)
		id := enqueue(t, q, "send", nil)
		select {
		case got := <-b.started:
			if got != id {
				t.Fatalf("started job %d, want %d", got, id)
			}
		case <-time.After(time.Minute): // a hang guard, not a timing assertion
			t.Fatal("the enqueued job did not start")
		}
		stopped := make(chan struct{})
		go func() { q.Stop(); close(stopped) }()
		close(b.release)
		<-stopped
		if j := get(t, q, id); j.State != jobs.StateDone {
			t.Errorf("after Stop: state %s, want done (Stop waits for the handler and its outcome)", j.State)
		}
		q.Stop() // a second Stop is harmless
	})
}

func TestRetryFailedJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		rec := newRecorder(func(j jobs.Job) error {
			if j.Attempt == 2 { // the second attempt ever, after the admin's retry
				return nil
			}
			return errors.New("bad credentials")
		})
		q.Register("send", rec.handle)
		id := enqueue(t, q, "send", nil, jobs.MaxAttempts(1))
		if err := q.Retry(ctx, id); !errors.Is(err, jobs.ErrNotFailed) {
			t.Errorf("Retry of a ready job: %v, want ErrNotFailed", err)
		}
		if err := q.Retry(ctx, id+1000); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("Retry of a missing job: %v, want ErrNotFound", err)
		}
		work(t, q, 1)
		if j := get(t, q, id); j.State != jobs.StateFailed {
			t.Fatalf("state %s, want failed", j.State)
		}
		clk.Advance(time.Hour)
		if err := q.Retry(ctx, id); err != nil {
			t.Fatal(err)
		}
		j := get(t, q, id)
		if j.State != jobs.StateReady || j.Attempt != 0 || !j.RunAt.Equal(clk.Now()) {
			t.Errorf("after Retry: state %s attempt %d run_at %v; want ready, 0, now", j.State, j.Attempt, j.RunAt)
		}
		rec.mu.Lock()
		rec.fail = func(jobs.Job) error { return nil }
		rec.mu.Unlock()
		work(t, q, 1)
		if j := get(t, q, id); j.State != jobs.StateDone || j.Attempt != 1 {
			t.Errorf("state %s attempt %d, want done, 1", j.State, j.Attempt)
		}
	})
}

func TestListCountsAndPrune(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(t0)
		q := newQueue(db, clk, "a")
		q.Register("ok", newRecorder(nil).handle)
		q.Register("bad", newRecorder(func(jobs.Job) error { return jobs.Permanent(errors.New("no")) }).handle)
		okID := enqueue(t, q, "ok", nil)
		badID := enqueue(t, q, "bad", nil)
		laterID := enqueue(t, q, "ok", nil, jobs.RunAt(t0.Add(time.Hour)))
		work(t, q, 2)

		counts, err := q.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{jobs.StateReady: 1, jobs.StateRunning: 0, jobs.StateDone: 1, jobs.StateFailed: 1}
		for state, n := range want {
			if counts[state] != n {
				t.Errorf("counts[%s] = %d, want %d", state, counts[state], n)
			}
		}
		failed, err := q.List(ctx, jobs.StateFailed, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) != 1 || failed[0].ID != badID || failed[0].LastError != "no" {
			t.Errorf("failed jobs %+v, want only job %d with its error", failed, badID)
		}
		all, err := q.List(ctx, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || all[0].ID != laterID || all[2].ID != okID {
			t.Errorf("List of all: %d jobs, want 3 newest first", len(all))
		}

		clk.Advance(24 * time.Hour)
		pruned, err := q.Prune(ctx, clk.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if pruned != 1 {
			t.Errorf("pruned %d jobs, want 1 (only the done one)", pruned)
		}
		if _, err := q.Get(ctx, okID); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("Get of the pruned job: %v, want ErrNotFound", err)
		}
		get(t, q, badID)
		get(t, q, laterID)
	})
}

func TestWorkRefusesToRunInsideATransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		q := newQueue(db, clock.NewManual(t0), "a")
		q.Register("send", newRecorder(nil).handle)
		err := db.InTx(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			_, err := q.Work(ctx)
			return err
		})
		if !errors.Is(err, jobs.ErrInTx) {
			t.Errorf("Work inside a transaction: %v, want ErrInTx", err)
		}
	})
}

func TestEnqueueRejectsBadInput(t *testing.T) {
	db := storetest.SQLite(t)
	q := newQueue(db, clock.NewManual(t0), "a")
	ctx := context.Background()
	if _, err := q.Enqueue(ctx, "", nil); err == nil {
		t.Error("Enqueue with no kind succeeded")
	}
	if _, err := q.Enqueue(ctx, "send", nil, jobs.MaxAttempts(0)); err == nil {
		t.Error("Enqueue with 0 max attempts succeeded")
	}
	if _, err := q.Enqueue(ctx, "send", func() {}); err == nil {
		t.Error("Enqueue of a payload JSON cannot encode succeeded")
	}
	counts, err := q.Counts(ctx)
	if err != nil || counts[jobs.StateReady] != 0 {
		t.Errorf("counts %v (%v), want no jobs", counts, err)
	}
}

func TestDefaultBackoffGrowsAndIsCapped(t *testing.T) {
	for _, c := range []struct {
		attempt int
		nominal time.Duration
	}{{1, 2 * time.Second}, {2, 4 * time.Second}, {5, 32 * time.Second}, {9, 512 * time.Second}, {10, 10 * time.Minute}, {1000, 10 * time.Minute}} {
		for range 50 {
			got := jobs.DefaultBackoff(c.attempt)
			if got > c.nominal || got < c.nominal*3/4 {
				t.Fatalf("DefaultBackoff(%d) = %v, want between %v and %v", c.attempt, got, c.nominal*3/4, c.nominal)
			}
		}
	}
}

func BenchmarkEnqueue(b *testing.B) {
	db := storetest.SQLite(b)
	q := newQueue(db, clock.System{}, "bench")
	ctx := context.Background()
	payload := map[string]string{"message_id": store.NewID(time.Now()), "to": "+972501234567"}
	for b.Loop() {
		if _, err := q.Enqueue(ctx, "send", payload); err != nil {
			b.Fatal(err)
		}
	}
}
