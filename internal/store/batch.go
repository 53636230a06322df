package store

import (
	"context"
	"fmt"
	"sync"
)

// maxBatch bounds how many transactions share one commit, so that one slow caller cannot hold a
// crowd of others for long.
const maxBatch = 64

// batcher is SQLite's group commit. SQLite has one writer; giving every webhook its own commit
// (and fsync) would cap ingest at the disk's fsync rate. The batcher takes whatever transactions
// are waiting when the writer comes free, runs each under its own savepoint in one database
// transaction, commits once, and only then answers each caller.
type batcher struct {
	db   *DB
	reqs chan *batchReq
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

type batchReq struct {
	ctx context.Context
	fn  func(ctx context.Context, tx *Tx) error
	res chan error
}

func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, reqs: make(chan *batchReq), quit: make(chan struct{})}
	b.wg.Add(1)
	go b.loop()
	return b
}

func (b *batcher) stop() {
	b.once.Do(func() { close(b.quit) })
	b.wg.Wait()
}

func (b *batcher) run(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	r := &batchReq{ctx: ctx, fn: fn, res: make(chan error, 1)}
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.quit:
		return fmt.Errorf("store: database closed")
	}
	// Once handed over, the work may already be committed: wait for the verdict even if the
	// caller gives up, so that nothing is reported lost that was in fact stored.
	return <-r.res
}

func (b *batcher) loop() {
	defer b.wg.Done()
	for {
		var first *batchReq
		select {
		case first = <-b.reqs:
		case <-b.quit:
			return
		}
		group := []*batchReq{first}
	collect:
		for len(group) < maxBatch {
			select {
			case r := <-b.reqs:
				group = append(group, r)
			default:
				break collect
			}
		}
		b.commit(group)
	}
}

func (b *batcher) commit(group []*batchReq) {
	errs := make([]error, len(group))
	var after []func()
	sqlTx, err := b.db.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range group {
			r.res <- fmt.Errorf("store: begin: %w", err)
		}
		return
	}
	for i, r := range group {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		sp := fmt.Sprintf("g%d", i)
		if _, err := sqlTx.Exec("SAVEPOINT " + sp); err != nil {
			errs[i] = fmt.Errorf("store: savepoint: %w", err)
			continue
		}
		tx := &Tx{db: b.db, tx: sqlTx, sp: sp, detach: true}
		errs[i] = safeRun(r.ctx, tx, r.fn)
		if errs[i] != nil {
			_, _ = sqlTx.Exec("ROLLBACK TO " + sp)
		}
		if _, err := sqlTx.Exec("RELEASE " + sp); err != nil && errs[i] == nil {
			errs[i] = fmt.Errorf("store: release savepoint: %w", err)
		}
		if errs[i] == nil {
			after = append(after, tx.after...)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("store: commit: %w", err)
			}
		}
		after = nil
	}
	for _, f := range after {
		f()
	}
	for i, r := range group {
		r.res <- errs[i]
	}
}

// safeRun turns a panic in one caller's work into that caller's error, so it cannot take down
// the shared transaction or the committer goroutine.
func safeRun(ctx context.Context, tx *Tx, fn func(ctx context.Context, tx *Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: panic in transaction: %v", p)
		}
	}()
	return fn(context.WithValue(ctx, txKey{tx.db}, tx), tx)
}
