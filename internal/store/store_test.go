package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// wantTables is the schema the code expects after every migration. A migration that adds or
// drops a table must change this list, on both dialects alike.
var wantTables = []string{
	"api_tokens", "appointments", "article_revisions", "articles", "assist_offers", "assist_rules", "assist_signals", "assist_visitors", "assist_visits", "bot_threads", "branch_desks", "branch_profiles", "branch_services", "branches", "calendars", "canned_responses", "case_stages", "cases", "channel_policies", "channel_receipts", "channels", "chat_flows", "coaching_sessions", "conversation_labels", "conversations", "customers",
	"events", "flow_codes", "help_searches", "help_signals", "identities", "jobs", "labels", "lay_phrases", "media", "menu_calls", "menu_trees", "messages", "notes", "queue_members", "queue_tickets", "queues",
	"schema_migrations", "segment_members", "segments", "services", "sessions", "signing_keys", "sla_clocks", "survey_optouts", "surveys", "tutorials", "users",
}

func TestMigrateBuildsTheExpectedSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got, err := db.Tables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, wantTables) {
			t.Errorf("tables = %v\nwant %v", got, wantTables)
		}
		ms, _ := store.Migrations(db.Dialect())
		v, err := db.Version(ctx)
		if err != nil || v != len(ms) {
			t.Errorf("version = %d, %v; want %d", v, err, len(ms))
		}
		// Migrating again applies nothing.
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Errorf("second migrate applied %v, %v; want nothing", applied, err)
		}
	})
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, _ := store.Migrations(store.SQLite)
	pg, _ := store.Migrations(store.Postgres)
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name != pg[i].Name {
			t.Errorf("migration %d is %s on sqlite and %s on postgres", i+1, lite[i].Name, pg[i].Name)
		}
	}
}

func insertBranch(ctx context.Context, db *store.DB, name string) error {
	return db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO branches (id, name, created_at) VALUES (?, ?, ?)`, store.NewID(time.Now()), name, 1)
		return err
	})
}

func countBranches(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM branches`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInTxCommitsRollsBackAndNests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ran atomic.Int32
		err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			tx.AfterCommit(func() { ran.Add(1) })
			// A nested InTx joins the outer transaction: it sees the outer's writes and
			// rolls back with it.
			if err := insertBranch(ctx, db, "Haifa"); err != nil {
				return err
			}
			var n int
			if err := db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM branches`).Scan(&n); err != nil || n != 1 {
				return fmt.Errorf("inside the transaction saw %d branches (%v), want 1", n, err)
			}
			return errors.New("changed my mind")
		})
		if err == nil || err.Error() != "changed my mind" {
			t.Fatalf("InTx error = %v", err)
		}
		if n := countBranches(t, db); n != 0 {
			t.Errorf("after rollback %d branches, want 0", n)
		}
		if ran.Load() != 0 {
			t.Errorf("after-commit hook ran for a rolled-back transaction")
		}
		err = db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			tx.AfterCommit(func() { ran.Add(1) })
			return insertBranch(ctx, db, "Haifa")
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countBranches(t, db); n != 1 || ran.Load() != 1 {
			t.Errorf("after commit: %d branches, hook ran %d times; want 1 and 1", n, ran.Load())
		}
	})
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := insertBranch(ctx, db, "Tel Aviv"); err != nil {
			t.Fatal(err)
		}
		err := insertBranch(ctx, db, "Tel Aviv")
		if !store.IsUniqueViolation(err) {
			t.Fatalf("second insert of the same name: %v; want a unique violation", err)
		}
	})
}

// Concurrent transactions share commits on SQLite; one caller's failure must not undo the
// others, and every caller that was told "committed" must find its row.
func TestConcurrentTransactionsAreIsolated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 200
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
					if _, err := tx.Exec(ctx, `INSERT INTO branches (id, name, created_at) VALUES (?, ?, ?)`, store.NewID(time.Now()), fmt.Sprintf("b%d", i), 1); err != nil {
						return err
					}
					if i%7 == 0 {
						return errors.New("refused")
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			if i%7 == 0 {
				if err == nil {
					t.Errorf("caller %d: no error, want refused", i)
				}
				continue
			}
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
			want++
		}
		if got := countBranches(t, db); got != want {
			t.Errorf("%d branches, want %d", got, want)
		}
	})
}

func TestRebind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var s string
		if err := db.QueryRow(context.Background(), `SELECT ? || '?' || ?`, "a", "b").Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != "a?b" {
			t.Errorf("got %q, want a?b (a '?' inside a string literal is not a placeholder)", s)
		}
	})
}

func TestNewIDIsSortableAndUnique(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	for i := range 1000 {
		id := store.NewID(base.Add(time.Duration(i) * time.Millisecond))
		if len(id) != 26 {
			t.Fatalf("id %q has %d characters", id, len(id))
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		if id <= prev {
			t.Fatalf("id %q sorts before the earlier %q", id, prev)
		}
		seen[id], prev = true, id
	}
}
