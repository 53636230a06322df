package demo_test

import (
	"context"
	"testing"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// The demo seeds its proactive-help rules once, and a supervisor's change survives a reseed.
func TestSeedWritesTheProactiveRules(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Options{DSN: storetest.SQLitePath(t), Argon: auth.CheapArgon()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	svc := demo.Services{DB: a.DB, Clock: a.Clock, Auth: a.Auth, Customers: a.Customers, Conversations: a.Conversations, Channels: a.Channels, Ingester: a.Ingester, Canned: a.Canned}
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	rules, err := a.Assist.Rules(ctx)
	if err != nil || len(rules) != 4 || rules[0].ID != "stuck-searching" || rules[0].When != "searches_without_click >= 2" || !rules[0].Enabled {
		t.Fatalf("rules %+v, %v", rules, err)
	}
	r := rules[0]
	off := false
	if _, err := a.Assist.PutRule(ctx, r.ID, assistInput(r.Name, r.When, &off), supervisor()); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	if again, err := a.Assist.Rule(ctx, r.ID); err != nil || again.Enabled {
		t.Errorf("after a reseed: %+v, %v; want the supervisor's change kept", again, err)
	}
}

func assistInput(name, when string, enabled *bool) assist.RuleInput {
	return assist.RuleInput{Name: name, When: when, Offer: assist.OfferChat, Enabled: enabled}
}

func supervisor() event.Actor { return event.Actor{Kind: event.ByUser, ID: "supervisor-1"} }
