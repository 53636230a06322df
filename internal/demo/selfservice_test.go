package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The demo's catalogue has the insurer's four services, each with channels and limits in the
// four languages, and cases at different stages whose tracker links open; seeding again adds
// none of it twice.
func TestSeedSelfService(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, err := app.Open(ctx, app.Options{DSN: dsn, Argon: auth.CheapArgon()})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		svc := demo.Services{DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations, Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned}
		for range 2 {
			if _, err := demo.Seed(ctx, svc); err != nil {
				t.Fatal(err)
			}
		}
		services, err := a.SelfService.Services(ctx)
		if err != nil || len(services) != 4 {
			t.Fatalf("%d services, %v; want 4", len(services), err)
		}
		byID := map[string]selfservice.Service{}
		for _, s := range services {
			byID[s.ID] = s
			for _, l := range selfservice.Langs {
				if s.Name[l] == "" || s.Description[l] == "" {
					t.Errorf("%s has no name or description in %s", s.ID, l)
				}
				for _, lim := range s.Limits {
					if lim.Message[l] == "" {
						t.Errorf("%s: limit %s has no message in %s", s.ID, lim.Rule, l)
					}
				}
			}
			if len(s.Channels) < 3 || len(s.Flow) < 3 {
				t.Errorf("%s: channels %v, %d flow steps", s.ID, s.Channels, len(s.Flow))
			}
		}
		if l := byID["funds-transfer"].Limits; len(l) != 1 || l[0].Rule != "transfer_amount > 50000 -> branch" {
			t.Errorf("transfer limits: %+v", l)
		}
		if l := byID["minor-policy"].Limits; len(l) != 1 || l[0].Rule != "age < 18 -> branch" {
			t.Errorf("minor limits: %+v", l)
		}
		cases, err := a.SelfService.Cases(ctx, "", 200)
		if err != nil || len(cases) != 6 {
			t.Fatalf("%d cases, %v; want 6", len(cases), err)
		}
		stages := map[string]bool{}
		stopped := 0
		for _, c := range cases {
			stages[c.Stage] = true
			if c.FinishOn == selfservice.Branch {
				stopped++
			}
			url, _, err := a.SelfService.TrackerURL(ctx, c, byID[c.ServiceID])
			if err != nil {
				t.Fatal(err)
			}
			if got, _, err := a.SelfService.Track(ctx, strings.TrimPrefix(url, "/s/")); err != nil || got.ID != c.ID {
				t.Errorf("tracker of %s: %v", c.ID, err)
			}
		}
		if len(stages) < 4 || stopped != 2 {
			t.Errorf("stages %v, %d cases stopped at a limit; want 4+ stages and 2", stages, stopped)
		}
		var undelivered int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status = 'queued'`).Scan(&undelivered); err != nil || undelivered != 0 {
			t.Errorf("%d demo messages left queued, %v: the demo sends nothing", undelivered, err)
		}
	})
}
