package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/metrics"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

var day1 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) // a Sunday

// history builds a known two-day history through the real services:
//
//	day 1 09:00  A writes on WhatsApp (opens)      09:10 agent replies   10:00 agent resolves
//	day 1 09:30  B writes on the API channel (opens)                     10:30 agent replies
//	day 1 11:00  agent moves B's conversation from the API channel to WhatsApp (offer)
//	day 2 08:00  C writes on voice (opens, never answered)
//	day 2 12:00  A writes on WhatsApp again (reopens A's conversation: no new opening)
func history(t *testing.T, dsn string) (*app.App, string) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(day1)
	a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: clk, Argon: auth.CheapArgon()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	u, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: "agent@x.example", Role: auth.RoleAgent, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	online := "online"
	if _, err := a.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &online}, event.System); err != nil {
		t.Fatal(err)
	}
	ch := map[string]channel.Channel{}
	for _, k := range []string{"whatsapp", "api", "voice"} {
		if ch[k], err = a.Channels.Ensure(ctx, channel.Channel{Name: k, Kind: channel.Kind(k), Secret: "s", Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	at := func(d int, hh, mm int) {
		clk.Set(day1.AddDate(0, 0, d-1).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute))
	}
	write := func(kind, phone string) string {
		n++
		res, err := a.Ingester.Ingest(ctx, ch[kind], []channel.Inbound{{ExternalID: fmt.Sprint("m", n), Text: "hi",
			From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: phone}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].ConversationID
	}
	reply := func(conv string) {
		if _, err := a.Conversations.Reply(ctx, conversation.ReplyInput{ConversationID: conv, AuthorID: u.ID, Text: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	by := event.Actor{Kind: event.ByUser, ID: u.ID}
	at(1, 9, 0)
	convA := write("whatsapp", "+972500000001")
	at(1, 9, 10)
	reply(convA)
	at(1, 9, 30)
	convB := write("api", "+972500000002")
	at(1, 10, 0)
	if _, err := a.Conversations.SetStatus(ctx, convA, conversation.Resolved, by); err != nil {
		t.Fatal(err)
	}
	at(1, 10, 30)
	reply(convB)
	at(1, 11, 0)
	if _, err := a.Mover.Move(ctx, channel.MoveRequest{ConversationID: convB, ToChannelID: ch["whatsapp"].ID, Action: channel.MoveOffer, Template: true}, by); err != nil {
		t.Fatal(err)
	}
	at(2, 8, 0)
	write("voice", "+972500000003")
	at(2, 12, 0)
	if again := write("whatsapp", "+972500000001"); again != convA {
		t.Fatalf("A's second message opened %s, want A's conversation reopened", again)
	}
	return a, u.ID
}

func TestMetricsAgainstHandComputedHistory(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		a, agent := history(t, dsn)
		m := metrics.NewService(a.DB, a.Events)
		ctx := context.Background()
		q := metrics.Query{From: day1, To: day1.AddDate(0, 0, 2)}
		get := func(name string, q metrics.Query) metrics.Result {
			t.Helper()
			r, err := m.Compute(ctx, name, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return r
		}
		values := func(r metrics.Result) map[string][]float64 {
			out := map[string][]float64{}
			for _, s := range r.Series {
				for _, p := range s.Points {
					out[s.Label] = append(out[s.Label], p.V)
				}
			}
			return out
		}
		check := func(name string, got, want any) {
			t.Helper()
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s (-want +got):\n%s", name, d)
			}
		}
		check("volume", values(get("volume", q)), map[string][]float64{"whatsapp": {1, 1}, "api": {1, 0}, "voice": {0, 1}})
		check("conversations_opened", values(get("conversations_opened", q)), map[string][]float64{"whatsapp": {1, 0}, "api": {1, 0}, "voice": {0, 1}})
		check("digital_share", values(get("digital_share", q)), map[string][]float64{"digital": {100, 50}})
		check("volume on whatsapp only", values(get("volume", metrics.Query{From: q.From, To: q.To, ChannelKind: "whatsapp"})), map[string][]float64{"whatsapp": {1, 1}})

		frt := get("first_response_time", q).Distribution
		check("first_response_time all", frt["all"], metrics.Distribution{Count: 2, Unanswered: 1, MeanSec: 2100, P50Sec: 600, P90Sec: 3600, P99Sec: 3600, WallP50Sec: 600, WallP90Sec: 3600})
		check("first_response_time whatsapp", frt["whatsapp"], metrics.Distribution{Count: 1, MeanSec: 600, P50Sec: 600, P90Sec: 600, P99Sec: 600, WallP50Sec: 600, WallP90Sec: 600})
		check("first_response_time voice", frt["voice"], metrics.Distribution{Unanswered: 1})
		res := get("resolution_time", q).Distribution
		check("resolution_time all", res["all"], metrics.Distribution{Count: 1, Unanswered: 2, MeanSec: 3600, P50Sec: 3600, P90Sec: 3600, P99Sec: 3600, WallP50Sec: 3600, WallP90Sec: 3600})

		check("deflection_flows", get("deflection_flows", q).Rows, []metrics.Row{{"from": "api", "to": "whatsapp", "action": "offer", "count": 1}})
		check("agent_activity", get("agent_activity", q).Rows, []metrics.Row{{"agent_id": agent, "replies": 2, "resolved": 1, "notes": 0, "moves": 1}})

		// Day 2 alone: only what happened then.
		q2 := metrics.Query{From: day1.AddDate(0, 0, 1), To: day1.AddDate(0, 0, 2)}
		check("volume day 2", values(get("volume", q2)), map[string][]float64{"whatsapp": {1}, "voice": {1}})
		check("first_response_time day 2", get("first_response_time", q2).Distribution["all"], metrics.Distribution{Unanswered: 1})

		if _, err := m.Compute(ctx, "no_such_metric", q); err != metrics.ErrUnknown {
			t.Errorf("unknown metric: %v", err)
		}
		if _, err := m.Compute(ctx, "volume", metrics.Query{From: q.To, To: q.From}); err == nil {
			t.Error("a reversed range was accepted")
		}
	})
}
