package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Tx is a transaction. Work that must happen only once the transaction is durable — answering a
// provider, publishing a live update, waking the job runner — is registered with AfterCommit.
type Tx struct {
	db *DB
	tx *sql.Tx
	sp string // the savepoint this work runs under inside a group commit, if any
	// detach makes statements ignore cancellation of the caller's context. Inside a group
	// commit, an interrupted statement would make SQLite roll back the whole shared
	// transaction, taking other callers' work with it.
	detach bool
	after  []func()
}

type txKey struct{ db *DB }

// TxFrom returns the transaction of db carried by ctx, if there is one.
func (db *DB) TxFrom(ctx context.Context) (*Tx, bool) {
	tx, ok := ctx.Value(txKey{db}).(*Tx)
	return tx, ok
}

// InTx runs fn in a transaction and commits it if fn returns nil. The context passed to fn
// carries the transaction: an InTx called with it joins the outer transaction instead of
// starting another, so domain services can open transactions freely and still compose.
//
// On SQLite, concurrent InTx calls are grouped into one commit (each under its own savepoint,
// so one caller's failure does not undo another's). On PostgreSQL, a transaction that loses a
// race on a unique index or a serialization check is retried from the start, so fn must not
// have effects outside the database except through AfterCommit.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if tx, ok := db.TxFrom(ctx); ok {
		return fn(ctx, tx)
	}
	const attempts = 6
	var err error
	for i := 0; i < attempts; i++ {
		if db.batch != nil {
			err = db.batch.run(ctx, fn)
		} else {
			err = db.runTx(ctx, fn)
		}
		if err == nil || !(IsUniqueViolation(err) || IsSerializationFailure(err)) {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		// Another transaction created the row we were about to create; the next attempt
		// finds it. The pause spreads out a crowd of retries.
		time.Sleep(time.Duration(1+rand.IntN(5*(i+1))) * time.Millisecond)
	}
	return err
}

func (db *DB) runTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{db: db, tx: sqlTx}
	if err := fn(context.WithValue(ctx, txKey{db}, tx), tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// AfterCommit registers f to run once the transaction has committed. If the transaction rolls
// back, f never runs.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// Dialect reports the database's dialect, for the few queries that differ.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

func (tx *Tx) ctx(ctx context.Context) context.Context {
	if tx.detach {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = tx.ctx(ctx)
	if st := tx.db.writeStmts.get(q); st != nil {
		return tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.db.Rebind(q), args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = tx.ctx(ctx)
	if st := tx.db.writeStmts.get(q); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, tx.db.Rebind(q), args...)
}

// QueryRow runs a single-row query in the transaction.
func (tx *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = tx.ctx(ctx)
	if st := tx.db.writeStmts.get(q); st != nil {
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.db.Rebind(q), args...)
}

// ErrNoRows is returned by QueryRow(...).Scan when nothing matched; re-exported so domain
// packages need not import database/sql only for it.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means that nothing matched.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Querier is what both a DB (reading) and a Tx (reading its own writes) can do.
type Querier interface {
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
}

// Q returns the transaction carried by ctx if there is one, or the reader pool otherwise, so a
// read inside a transaction sees that transaction's own writes.
func (db *DB) Q(ctx context.Context) Querier {
	if tx, ok := db.TxFrom(ctx); ok {
		return tx
	}
	return db
}
