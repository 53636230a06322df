package survey_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A customer is asked CSAT after their first resolution; not again within the cool-down (the
// same day); NPS at a resolution two days later; and a text that is no answer goes on as a
// message that reopens the conversation. On SQLite and PostgreSQL.
func TestCSATThenCooldownThenNPS(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 11, 8, 8, 0, 0, 0, time.UTC))
		a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: clk, Argon: auth.CheapArgon()})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: "agent@x.example", Role: auth.RoleAgent, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := a.Channels.Ensure(ctx, channel.Channel{Name: "api", Kind: "api", Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		write := func(text string) channel.Result {
			t.Helper()
			n++
			res, err := a.Ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: fmt.Sprint("m", n), Text: text,
				From: channel.Contact{Identities: []channel.Identity{{Kind: customer.External, Value: "crm-1"}}}}})
			if err != nil {
				t.Fatal(err)
			}
			return res[0]
		}
		resolveAndWait := func(conv string) {
			t.Helper()
			if _, err := a.Conversations.SetStatus(ctx, conv, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: u.ID}); err != nil {
				t.Fatal(err)
			}
			clk.Advance(6 * time.Minute)
			for {
				done, err := a.Jobs.Work(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if done == 0 {
					return
				}
			}
		}
		kinds := func(cust string) []string {
			svs, err := a.Surveys.Surveys(ctx, cust)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range svs {
				out = append(out, string(s.Kind)+":"+s.State)
			}
			return out
		}

		first := write("hello")
		resolveAndWait(first.ConversationID)
		if got := kinds(first.CustomerID); fmt.Sprint(got) != "[csat:pending]" {
			t.Fatalf("after the first resolution: %v; want one pending CSAT", got)
		}
		// "my claim?" is no answer: it reopens the conversation as any message does.
		if r := write("my claim is still open"); r.ConversationID != first.ConversationID || r.MessageID == "" {
			t.Fatalf("a text that is no answer: %+v; want a message in the conversation", r)
		}
		if r := write("4 - thanks"); r.MessageID != "" || r.ConversationID != "" {
			t.Fatalf("the answer became a message: %+v", r)
		}
		resolveAndWait(first.ConversationID)
		if got := kinds(first.CustomerID); fmt.Sprint(got) != "[csat:answered]" {
			t.Errorf("a second resolution the same day: %v; want no new survey (cool-down)", got)
		}
		clk.Advance(48 * time.Hour)
		again := write("one more question")
		resolveAndWait(again.ConversationID)
		got := kinds(first.CustomerID)
		if len(got) != 2 || got[0] != "nps:pending" {
			t.Errorf("two days later: %v; want an NPS", got)
		}
	})
}
