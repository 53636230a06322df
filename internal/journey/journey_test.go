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
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/journey"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// elderly is the persona of acceptance 3: an elderly customer making an appointment.
var elderly = segment.Journey{
	Persona: "Miriam, 78, books an appointment",
	Stages: []segment.Stage{
		{ID: "searched", Name: "Searched the help centre", Kinds: []string{"search.performed"}},
		{ID: "called", Name: "Called the centre", Kinds: []string{"message.received"}, ChannelKinds: []string{"voice"}},
		{ID: "booked", Name: "Booked an appointment", Kinds: []string{"appointment.booked"}, MomentOfTruth: true, Question: "How easy was it to book?"},
		{ID: "attended", Name: "Was served at the branch", Kinds: []string{"ticket.served"}},
	},
}

// Acceptance 3: journey figures computed from events match the hand-computed fixture, on
// both databases.
//
// The history, T = 2026-11-01 09:00 UTC, window [T−1d, T+10d):
//
//	A  search T · call T+1h · (answer "booked" 1 at T+2h: before booking, ignored) · booked by phone T+3h
//	   · answer "booked" 4 at T+4h · served at the branch T+2d · search again T+20d (outside the window)
//	B  search T · call T+2h · booked on the web T+1d · answers "booked" 3 then 2 (the latest, 2, counts)
//	C  call T−1h (before searching: not the "called" stage) · search T+1d · call T+1d+30m
//	   · answer "booked" 5 (never booked: ignored)
//	D  booked T (never searched, so reaches no stage; still a member)
//	E  not a member: search, call, book — counted nowhere
//
// By hand:
//
//	stage     reached  by channel           drop-off      median to next
//	searched  3 A B C  none 3               3−3 = 0 (0)   gaps 1h, 2h, 30m → 1h = 3600 s
//	called    3 A B C  voice 3              3−2 = 1 (1/3) gaps A 2h, B 22h → 12h = 43200 s
//	booked    2 A B    phone 1, web 1       2−1 = 1 (1/2) gap A 45h = 162000 s
//	attended  1 A      branch 1             0             —
//
//	booked satisfaction: A 4, B 2 → 2 answers, mean 3; phone (A) 4, web (B) 2.
func TestPersonaJourneyMatchesTheHandComputedFixture(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		T := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		clk := clock.NewManual(T.Add(30 * 24 * time.Hour))
		a, err := app.Open(ctx, app.Options{DSN: dsn, Clock: clk, Argon: auth.CheapArgon(), NodeID: "test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		voice, err := a.Channels.Ensure(ctx, channel.Channel{Name: "phone", Kind: "voice", Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		sg, err := a.Segments.Create(ctx, segment.Input{Name: "elderly-appointment", Rule: json.RawMessage(`{"field": "tag", "op": "has", "values": ["elderly"]}`), Journey: &elderly},
			event.Actor{Kind: event.ByUser, ID: "supervisor"})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for i, name := range []string{"A", "B", "C", "D", "E"} {
			c, _, err := a.Customers.Resolve(ctx, customer.Phone, "+97250100000"+string(rune('1'+i)), name, event.System)
			if err != nil {
				t.Fatal(err)
			}
			ids[name] = c.ID
			if name == "E" {
				continue
			}
			prof := customer.Profile{Segments: []string{"elderly"}, BirthYear: 1948}
			if _, err := a.Customers.Update(ctx, c.ID, customer.Patch{Profile: &prof}, event.System); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Segments.Refresh(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		h := time.Hour
		d := 24 * h
		write := func(who, kind string, at time.Duration, onVoice bool, data string) {
			t.Helper()
			e := event.Event{Kind: event.Kind(kind), CustomerID: ids[who], Actor: event.Actor{Kind: event.ByCustomer, ID: ids[who]}, At: T.Add(at)}
			if onVoice {
				e.ChannelID = voice.ID
			}
			if data == "" {
				data = "{}"
			}
			if _, err := a.Events.Append(ctx, e, json.RawMessage(data)); err != nil {
				t.Fatal(err)
			}
		}
		answer := func(score int) string { return `{"stage":"booked","score":` + string(rune('0'+score)) + `}` }
		write("A", "search.performed", 0, false, "")
		write("A", "message.received", h, true, "")
		write("A", string(journey.SurveyAnswered), 2*h, false, answer(1))
		write("A", "appointment.booked", 3*h, false, `{"via":"phone"}`)
		write("A", string(journey.SurveyAnswered), 4*h, false, answer(4))
		write("A", "ticket.served", 2*d, false, `{"via":"branch"}`)
		write("A", "search.performed", 20*d, false, "")
		write("B", "search.performed", 0, false, "")
		write("B", "message.received", 2*h, true, "")
		write("B", "appointment.booked", d, false, `{"via":"web"}`)
		write("B", string(journey.SurveyAnswered), d+h, false, answer(3))
		write("B", string(journey.SurveyAnswered), d+2*h, false, answer(2))
		write("C", "message.received", -h, true, "")
		write("C", "search.performed", d, false, "")
		write("C", "message.received", d+30*time.Minute, true, "")
		write("C", string(journey.SurveyAnswered), d+h, false, answer(5))
		write("D", "appointment.booked", 0, false, `{"via":"web"}`)
		write("E", "search.performed", 0, false, "")
		write("E", "message.received", h, true, "")
		write("E", "appointment.booked", 2*h, false, `{"via":"web"}`)

		rep, err := a.Journeys.Report(ctx, sg.ID, T.Add(-d), T.Add(10*d))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Members != 4 || rep.Persona != elderly.Persona || len(rep.Stages) != 4 {
			t.Fatalf("report %+v", rep)
		}
		secs := func(f float64) *float64 { return &f }
		want := []struct {
			reached, dropOff int
			rate             float64
			median           *float64
			byChannel        map[string]int
		}{
			{3, 0, 0, secs(3600), map[string]int{"none": 3}},
			{3, 1, 1.0 / 3, secs(43200), map[string]int{"voice": 3}},
			{2, 1, 0.5, secs(162000), map[string]int{"phone": 1, "web": 1}},
			{1, 0, 0, nil, map[string]int{"branch": 1}},
		}
		for i, w := range want {
			got := rep.Stages[i]
			if got.Reached != w.reached || got.DropOff != w.dropOff || got.DropOffRate != w.rate {
				t.Errorf("%s: reached %d, drop-off %d (%v); want %d, %d (%v)", got.ID, got.Reached, got.DropOff, got.DropOffRate, w.reached, w.dropOff, w.rate)
			}
			if (got.MedianToNext == nil) != (w.median == nil) || (w.median != nil && *got.MedianToNext != *w.median) {
				t.Errorf("%s: median %v, want %v", got.ID, deref(got.MedianToNext), deref(w.median))
			}
			if len(got.ByChannel) != len(w.byChannel) {
				t.Errorf("%s: by channel %v, want %v", got.ID, got.ByChannel, w.byChannel)
			}
			for k, n := range w.byChannel {
				if got.ByChannel[k] != n {
					t.Errorf("%s: by channel %v, want %v", got.ID, got.ByChannel, w.byChannel)
				}
			}
		}
		b := rep.Stages[2]
		if b.Satisfaction == nil || b.Satisfaction.Answers != 2 || b.Satisfaction.Mean != 3 {
			t.Errorf("booked satisfaction %+v, want 2 answers, mean 3", b.Satisfaction)
		}
		if b.SatisfactionByChannel["phone"] != (journey.Satisfaction{Answers: 1, Mean: 4}) || b.SatisfactionByChannel["web"] != (journey.Satisfaction{Answers: 1, Mean: 2}) {
			t.Errorf("booked satisfaction by channel %+v", b.SatisfactionByChannel)
		}
		if rep.Stages[0].Satisfaction != nil {
			t.Errorf("a stage that is no moment of truth has satisfaction %+v", rep.Stages[0].Satisfaction)
		}
	})
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
