package auth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// start is the manual clock's starting time in every test.
var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	svc    *Service
	db     *store.DB
	clock  *clock.Manual
	events *event.Log
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	clk := clock.NewManual(start)
	log := event.NewLog(db, clk, nil)
	return fixture{svc: NewService(db, clk, log, Options{Argon: CheapArgon()}), db: db, clock: clk, events: log}
}

// user creates a user with the password "password-" + role.
func (f fixture) user(t *testing.T, email string, role Role) User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), NewUser{Email: email, Name: email, Role: role, Password: "password-" + string(role)})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func (f fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f fixture) eventsOf(t *testing.T, kind event.Kind) []event.Event {
	t.Helper()
	es, err := f.events.List(context.Background(), event.Filter{Kinds: []event.Kind{kind}})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// dumpTables returns every value of every row of the tables, as text, so a test can look for a
// secret anywhere in them.
func (f fixture) dumpTables(t *testing.T, tables ...string) []string {
	t.Helper()
	var out []string
	for _, table := range tables {
		rows, err := f.db.Query(context.Background(), "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				out = append(out, fmt.Sprintf("%s.%s=%v", table, cols[i], v))
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}
