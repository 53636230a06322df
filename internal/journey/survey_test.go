package journey_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/journey"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A customer's answer to the survey the survey service sends after a resolution, typed on
// their channel and taken by the ingest path, lands in the satisfaction of the journey's
// moment of truth they had reached: the resolution.
func TestARealSurveyAnswerLandsInTheJourneysSatisfaction(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		T := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
		clk := clock.NewManual(T)
		a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: clk, Argon: auth.CheapArgon(), NodeID: "test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		agent, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: "agent@x.example", Role: auth.RoleAgent, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := a.Channels.Ensure(ctx, channel.Channel{Name: "api", Kind: "api", Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		j := segment.Journey{Persona: "A customer with a question", Stages: []segment.Stage{
			{ID: "asked", Name: "Asked", Kinds: []string{"message.received"}},
			{ID: "resolved", Name: "Had it resolved", Kinds: []string{string(event.ConversationStatus)}, Data: map[string]string{"to": "resolved"},
				MomentOfTruth: true, Question: "How did we do?"},
		}}
		sg, err := a.Segments.Create(ctx, segment.Input{Name: "askers", Rule: json.RawMessage(`{"field": "tag", "op": "has", "values": ["asker"]}`), Journey: &j},
			event.Actor{Kind: event.ByUser, ID: "supervisor"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		write := func(text string) channel.Result {
			t.Helper()
			n++
			res, err := a.Ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: string(rune('a' + n)), Text: text,
				From: channel.Contact{Identities: []channel.Identity{{Kind: customer.External, Value: "crm-7"}}}}})
			if err != nil {
				t.Fatal(err)
			}
			return res[0]
		}
		first := write("how do I renew?")
		prof := customer.Profile{Segments: []string{"asker"}}
		if _, err := a.Customers.Update(ctx, first.CustomerID, customer.Patch{Profile: &prof}, event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Segments.Refresh(ctx, first.CustomerID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Conversations.Assign(ctx, first.ConversationID, agent.ID, event.System); err != nil {
			t.Fatal(err)
		}
		clk.Advance(10 * time.Minute)
		if _, err := a.Conversations.SetStatus(ctx, first.ConversationID, conversation.Resolved, event.Actor{Kind: event.ByUser, ID: agent.ID}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(6 * time.Minute)
		for {
			done, err := a.Jobs.Work(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if done == 0 {
				break
			}
		}
		clk.Advance(20 * time.Minute)
		if r := write("4 quick, thanks"); r.MessageID != "" {
			t.Fatalf("the answer became a message: %+v", r)
		}
		rep, err := a.Journeys.Report(ctx, sg.ID, T.Add(-time.Hour), T.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := rep.Stages[1]
		if got.Reached != 1 || got.Satisfaction == nil || *got.Satisfaction != (journey.Satisfaction{Answers: 1, Mean: 4}) {
			t.Fatalf("resolved stage %+v (satisfaction %+v); want the answer 4 counted", got, got.Satisfaction)
		}
		// A resolution happens on no channel: the stage, and its answers, count under "none".
		if got.SatisfactionByChannel[journey.NoChannel].Answers != 1 {
			t.Errorf("satisfaction by channel %v; want the answer under %q", got.SatisfactionByChannel, journey.NoChannel)
		}
	})
}
