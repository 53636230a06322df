package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanJob(s scanner) (Job, error) {
	var (
		j                           Job
		payload                     string
		runAt, createdAt, updatedAt int64
	)
	err := s.Scan(&j.ID, &j.Kind, &payload, &j.State, &j.Attempt, &j.MaxAttempts, &runAt, &j.LastError, &createdAt, &updatedAt)
	if err != nil {
		return Job{}, err
	}
	j.Payload = []byte(payload)
	j.RunAt = time.UnixMilli(runAt).UTC()
	j.CreatedAt = time.UnixMilli(createdAt).UTC()
	j.UpdatedAt = time.UnixMilli(updatedAt).UTC()
	return j, nil
}

// Get returns the job with id, reading inside the transaction carried by ctx if any.
func (q *Queue) Get(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(q.db.Q(ctx).QueryRow(ctx, sqlGet, id))
	if store.IsNoRows(err) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("jobs: get %d: %w", id, err)
	}
	return j, nil
}

// List returns up to limit jobs in state (any state if empty), newest first. limit is 100 when
// not positive and at most 1000.
func (q *Queue) List(ctx context.Context, state string, limit int) ([]Job, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	query, args := sqlList, []any{limit}
	if state != "" {
		query, args = sqlListState, []any{state, limit}
	}
	rows, err := q.db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("jobs: list: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	return out, nil
}

// Retry puts a failed job back to ready, due now, with its attempts reset; an admin does this
// once the cause is fixed. It returns ErrNotFound or ErrNotFailed when there is nothing to retry.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	now := q.clk.Now().UnixMilli()
	var n int64
	err := q.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlRetryFailed, now, now, id)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if n > 0 {
			tx.AfterCommit(q.wake)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("jobs: retry %d: %w", id, err)
	}
	if n == 0 {
		if _, err := q.Get(ctx, id); err != nil {
			return err
		}
		return ErrNotFailed
	}
	return nil
}

// Counts returns how many jobs are in each state, every state present, for /metrics.
func (q *Queue) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{StateReady: 0, StateRunning: 0, StateDone: 0, StateFailed: 0}
	rows, err := q.db.Q(ctx).Query(ctx, sqlCounts)
	if err != nil {
		return nil, fmt.Errorf("jobs: counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("jobs: counts: %w", err)
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: counts: %w", err)
	}
	return out, nil
}

// Prune deletes done jobs last updated before t and returns how many it deleted; without it the
// table grows with every message sent. Failed jobs stay for an admin to see. A pruned job's
// unique key is free again.
func (q *Queue) Prune(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := q.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlPrune, before.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: prune: %w", err)
	}
	return n, nil
}
