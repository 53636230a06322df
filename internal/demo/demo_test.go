package demo_test

import (
	"context"
	"testing"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

func TestSeedIsCompleteAndIdempotent(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, err := app.Open(ctx, app.Options{DSN: dsn, Argon: auth.CheapArgon()})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		svc := demo.Services{DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations, Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned}
		first, err := demo.Seed(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		if first.AlreadySeeded || first.Users < 8 || first.Customers < 15 || first.Conversations < 15 {
			t.Errorf("first seed: %+v; want 8+ users and 15+ customers and conversations", first)
		}
		counts := func() map[string]int {
			out := map[string]int{}
			for _, table := range []string{"users", "customers", "identities", "conversations", "messages", "events", "branches", "channels", "notes", "canned_responses"} {
				var n int
				if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				out[table] = n
			}
			return out
		}
		before := counts()
		second, err := demo.Seed(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		if !second.AlreadySeeded {
			t.Error("second seed did not notice the first")
		}
		after := counts()
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s: %d rows after the first seed, %d after the second", k, v, after[k])
			}
		}
		if before["canned_responses"] < 8 {
			t.Errorf("%d canned responses, want the demo's 8 or more", before["canned_responses"])
		}
		if before["branches"] != 3 {
			t.Errorf("%d branches, want 3", before["branches"])
		}
		// The fixed credentials work.
		for _, email := range []string{demo.AdminEmail, demo.AgentEmail} {
			if _, err := a.Auth.Authenticate(ctx, email, demo.Password); err != nil {
				t.Errorf("sign in as %s: %v", email, err)
			}
		}
		// Agents between them speak the six languages.
		users, _ := a.Auth.ListUsers(ctx)
		speaks := map[string]bool{}
		for _, u := range users {
			for _, l := range u.Languages {
				speaks[l] = true
			}
		}
		for _, l := range []string{"he", "ar", "ru", "en", "am", "fr"} {
			if !speaks[l] {
				t.Errorf("no demo agent speaks %s", l)
			}
		}
	})
}
