package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The demo's three personas have members and journeys computed from the seeded history.
func TestSeedShipsThreePersonasWithJourneys(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, err := app.Open(ctx, app.Options{DSN: dsn, Argon: auth.CheapArgon()})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if _, err := demo.Seed(ctx, demo.Services{DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations,
			Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned}); err != nil {
			t.Fatal(err)
		}
		now := a.Clock.Now()
		want := map[string][]int{ // reached, stage by stage
			"elderly-appointment":   {3, 3, 2, 1},
			"new-immigrant-branch":  {2, 2, 1, 1},
			"business-self-service": {2, 2, 1, 1},
		}
		for name, reached := range want {
			sg, err := a.Segments.GetByName(ctx, name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rep, err := a.Journeys.Report(ctx, sg.ID, now.Add(-90*24*time.Hour), now.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Members < reached[0] {
				t.Errorf("%s: %d members", name, rep.Members)
			}
			for i, n := range reached {
				if rep.Stages[i].Reached != n {
					t.Errorf("%s: stage %s reached by %d, want %d", name, rep.Stages[i].ID, rep.Stages[i].Reached, n)
				}
			}
		}
	})
}
