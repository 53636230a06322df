package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The demo's branches have hours, services and desks, yesterday's served visitors (so the
// figures and the estimate have history) and appointments ahead; seeding again adds nothing.
func TestSeedSetsUpBranchVisits(t *testing.T) {
	ctx := context.Background()
	// A Wednesday morning in Jerusalem: the day before was an open weekday.
	clk := clock.NewManual(time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC))
	a, err := app.Open(ctx, app.Options{DSN: storetest.SQLitePath(t), Argon: auth.CheapArgon(), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	svc := demo.Services{DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations, Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned}
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := a.DB.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := [3]int{count(`SELECT COUNT(*) FROM queue_tickets`), count(`SELECT COUNT(*) FROM appointments`), count(`SELECT COUNT(*) FROM branch_desks`)}
	for slug, desks := range map[string]int{"tel-aviv": 4, "haifa": 3, "beersheba": 2} {
		b, err := a.Branches.Branch(ctx, slug)
		if err != nil {
			t.Fatalf("%s: %v", slug, err)
		}
		if len(b.Desks) != desks || len(b.Services) < 2 {
			t.Errorf("%s: %d desks, %d services", slug, len(b.Desks), len(b.Services))
		}
		figs, err := a.Branches.Figures(ctx, b.ID, clk.Now().AddDate(0, 0, -10), clk.Now())
		if err != nil || len(figs) == 0 || figs[0].Served == 0 || figs[0].ServiceMedianSeconds == 0 {
			t.Errorf("%s: figures %+v %v; want served history", slug, figs, err)
		}
	}
	if before[1] < 6 {
		t.Errorf("%d demo appointments, want a few per branch", before[1])
	}
	// Tel Aviv opens at 08:00 Jerusalem time (06:00 UTC): people are waiting now.
	if n := count(`SELECT COUNT(*) FROM queue_tickets WHERE status = 'waiting'`); n != 3 {
		t.Errorf("%d waiting in Tel Aviv, want 3", n)
	}
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	after := [3]int{count(`SELECT COUNT(*) FROM queue_tickets`), count(`SELECT COUNT(*) FROM appointments`), count(`SELECT COUNT(*) FROM branch_desks`)}
	if after != before {
		t.Errorf("seeding again changed tickets, appointments, desks: %v → %v", before, after)
	}
}
