package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/store"
)

// slaSample is how many of the clocks fall due during the run, spread over slaSpread; the
// lag is measured on them.
const (
	slaSample = 1000
	slaSpread = 10 * time.Second
)

// sla measures the SLA scheduler with a million running clocks: it writes that many open
// conversations, each with a running first-response clock, into a fresh SQLite database, of
// which slaSample fall due during the run and the rest weeks later; then it starts gesher serve
// on the file and waits for the server's scan jobs to record the sample's breaches. The lag of
// a clock is the time its breach was written (its updated_at, by the server's clock) minus its
// deadline; rss_mb is the server process's resident memory once the sample has been handled.
func (b *bench) sla(ctx context.Context) {
	n, note := 1_000_000, ""
	if b.p.Mode == "quick" {
		n, note = 100_000, "quick run: 100,000 clocks, not the full run's 1,000,000; "
	}
	dir := filepath.Join(b.work, "sla")
	path := filepath.Join(dir, "gesher.db")
	b.logf("sla: writing %d open conversations with running clocks", n)
	started := time.Now()
	ids, err := seedClocks(ctx, path, n)
	if err != nil {
		b.fail("sla", err)
		return
	}
	b.logf("  written in %s", time.Since(started).Round(time.Second))

	// The sample falls due from a little after the server is expected to be up.
	base := time.Now().Add(20 * time.Second)
	if err := dueSoon(ctx, path, ids, base); err != nil {
		b.fail("sla", err)
		return
	}
	g, _, err := startGesher(ctx, b.bin, "serve", path, dir)
	if err != nil {
		b.fail("sla", err)
		return
	}
	defer g.stop()
	db, err := store.Open(ctx, path, store.Options{ReadConns: 2})
	if err != nil {
		b.fail("sla", err)
		return
	}
	defer db.Close()
	deadline := base.Add(slaSpread + 60*time.Second)
	var lat []time.Duration
	for {
		lat, err = breachLags(ctx, db, ids)
		if err != nil {
			b.fail("sla", err)
			return
		}
		if len(lat) == len(ids) || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	var running int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM sla_clocks WHERE state = 'running'`).Scan(&running); err != nil {
		b.fail("sla", err)
		return
	}
	rss, err := g.rssMB()
	if err != nil {
		b.fail("sla", err)
		return
	}
	b.rep.SLA.Timers = ptr(running)
	b.rep.SLA.RSSMB = ptr(round(rss, 1))
	if len(lat) > 0 {
		b.rep.SLA.LagMS = ptr(percentile(lat, 99))
	}
	b.rep.SLA.Note = fmt.Sprintf("%s%d running clocks in SQLite, one open conversation each; the gesher serve process runs them as scan jobs "+
		"(claimed from the database by due time, no timer per clock); rss_mb is that process after the sample; lag_ms is p99 over %d clocks due across %s "+
		"(breach written minus deadline): %d of %d seen, p50 %.0f ms, max %.0f ms",
		note, n, len(ids), slaSpread, len(lat), len(ids), percentile(lat, 50), percentile(lat, 100))
	b.logf("  %d timers, %.1f MB, lag p99 %.0f ms (%d/%d breaches seen)", running, rss, percentile(lat, 99), len(lat), len(ids))
}

// seedClocks writes n customers, each with an open conversation and a running first-response
// clock due in four weeks, and returns the ids of slaSample of the clocks.
func seedClocks(ctx context.Context, path string, n int) ([]string, error) {
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	now := time.Now()
	nowMS := now.UnixMilli()
	far := now.Add(28 * 24 * time.Hour).UnixMilli()
	const rows = 200 // per statement: 200 × 14 placeholders stays far below SQLite's limit
	every := n / slaSample
	var sample []string
	w := db.Writer()
	for done := 0; done < n; {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		for batch := 0; batch < 250 && done < n; batch++ {
			k := min(rows, n-done)
			var cust, conv, clk strings.Builder
			var ca, va, ka []any
			for i := 0; i < k; i++ {
				c, v, ck := store.NewID(now), store.NewID(now), store.NewID(now)
				if (done+i)%every == 0 && len(sample) < slaSample {
					sample = append(sample, ck)
				}
				sep := func(b *strings.Builder) {
					if i > 0 {
						b.WriteString(",")
					}
				}
				sep(&cust)
				cust.WriteString("(?, ?, ?, ?)")
				ca = append(ca, c, fmt.Sprintf("Bench customer %d", done+i), nowMS, nowMS)
				sep(&conv)
				conv.WriteString("(?, ?, ?, 'open', ?, ?, ?)")
				va = append(va, v, c, c, nowMS, nowMS, nowMS)
				sep(&clk)
				clk.WriteString("(?, ?, 'response', 'first-response', 'running', 'default', 3600000, 0, ?, ?, 1, ?, ?, ?)")
				ka = append(ka, ck, v, nowMS, far, far, nowMS, nowMS)
			}
			for _, st := range []struct {
				q    string
				args []any
			}{
				{`INSERT INTO customers (id, name, created_at, updated_at) VALUES ` + cust.String(), ca},
				{`INSERT INTO conversations (id, customer_id, original_customer_id, status, created_at, updated_at, last_message_at) VALUES ` + conv.String(), va},
				{`INSERT INTO sla_clocks (id, conversation_id, slot, kind, state, calendar_id, target_ms, used_ms, running_since, deadline_at, warned, due_at, started_at, updated_at) VALUES ` + clk.String(), ka},
			} {
				if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
					_ = tx.Rollback()
					return nil, fmt.Errorf("bulk insert: %w", err)
				}
			}
			done += k
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
	}
	return sample, nil
}

// dueSoon moves the sample's deadlines to base … base+slaSpread and enqueues the first scan;
// every scan enqueues the next, for the earliest clock still ahead.
func dueSoon(ctx context.Context, path string, ids []string, base time.Time) error {
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	step := slaSpread / time.Duration(len(ids))
	err = db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		for i, id := range ids {
			at := base.Add(time.Duration(i) * step).UnixMilli()
			if _, err := tx.Exec(ctx, `UPDATE sla_clocks SET deadline_at = ?, due_at = ? WHERE id = ?`, at, at, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	q := jobs.New(db, clock.System{}, nil, jobs.Options{NodeID: "bench"})
	_, err = q.Enqueue(ctx, policy.ScanJob, nil, jobs.RunAt(base), jobs.UniqueKey(fmt.Sprintf("sla.scan:%d", base.UnixMilli())))
	return err
}

// breachLags returns, for the sample's clocks already breached, how late each breach was written.
func breachLags(ctx context.Context, db *store.DB, ids []string) ([]time.Duration, error) {
	var out []time.Duration
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := db.Query(ctx, `SELECT deadline_at, updated_at FROM sla_clocks WHERE breached = 1 AND id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var due, at int64
			if err := rows.Scan(&due, &at); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, time.Duration(at-due)*time.Millisecond)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
