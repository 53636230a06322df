package coaching_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clock *clock.Manual
	sms   channel.Channel
	agent event.Actor
	svc   selfservice.Service
	seq   int
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))}
	a, err := app.Open(f.ctx, app.Options{DSN: dsn, Clock: f.clock, Argon: auth.CheapArgon(), NodeID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	f.a = a
	a.SelfService.SetPublicURL("https://help.example.com")
	a.Coaching.SetPublicURL("https://help.example.com")
	if f.sms, err = a.Channels.Ensure(f.ctx, channel.Channel{Name: "sms", Kind: "sms", Secret: "s", Enabled: true, Settings: map[string]string{"api_base": "http://127.0.0.1:9"}}); err != nil {
		t.Fatal(err)
	}
	u, err := a.Auth.CreateUser(f.ctx, auth.NewUser{Email: "dana@example.com", Name: "Dana", Role: auth.RoleAgent, Password: "a long enough password", Languages: []string{"he"}})
	if err != nil {
		t.Fatal(err)
	}
	f.agent = event.Actor{Kind: event.ByUser, ID: u.ID}
	if f.svc, err = a.SelfService.PutService(f.ctx, "transfer", selfservice.Input{
		Category: "savings", Name: map[string]string{"he": "העברת כספים", "en": "Transfer of funds"},
		Channels: []selfservice.Way{selfservice.Web, selfservice.Phone},
	}, event.Actor{Kind: event.ByUser, ID: u.ID}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) customer(phone, device string, langs ...string) customer.Customer {
	f.t.Helper()
	f.seq++
	res, err := f.a.Ingester.Ingest(f.ctx, f.sms, []channel.Inbound{{ExternalID: fmt.Sprintf("in-%d", f.seq), Text: "שלום",
		From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: phone}}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	prof := customer.Profile{Device: device}
	c, err := f.a.Customers.Update(f.ctx, res[0].CustomerID, customer.Patch{Profile: &prof, Languages: &langs}, event.System)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// finish has the customer complete the transfer flow on the web, as the form at /f/transfer
// does.
func (f *fixture) finish(phone string) selfservice.Case {
	f.t.Helper()
	dr := f.a.SelfService.NewDraft("transfer")
	dr.Contact = phone
	c, err := f.a.SelfService.FinishFlow(f.ctx, f.svc, dr, "")
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) stage(id string) string {
	f.t.Helper()
	// Refresh as the bus would (it may have already: both are idempotent).
	st, err := f.a.Coaching.Refresh(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.a.Customers.Get(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	if stored := c.Profile.CoachingStage; stored != st && (stored != "" || st != customer.NotDigital) {
		f.t.Fatalf("Refresh says %s, the profile %s", st, c.Profile.CoachingStage)
	}
	return st
}

// Acceptance 4: an agent's guided session on a call, then the customer's own self-service
// completion days later: the stage advances from events alone (not digital → guided →
// supported), the session is tied to the case finished during it, and the agent's ledger shows
// the session and the advance the later completion caused.
func TestGuidedSessionThenSelfServiceAdvancesAndCredits(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		const phone = "+972501112223"
		c := f.customer(phone, customer.Smartphone, "he")
		if st := f.stage(c.ID); st != customer.NotDigital {
			t.Fatalf("a new customer is %s", st)
		}
		ss, err := f.a.Coaching.StartSession(f.ctx, c.ID, "transfer", f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ss.Link, "https://help.example.com/f/transfer?guided=") || ss.ChannelID != f.sms.ID {
			t.Errorf("session %+v", ss)
		}
		var text string
		if err := f.a.DB.QueryRow(f.ctx, `SELECT text FROM messages WHERE customer_id = ? AND direction = 'out'`, c.ID).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, ss.Link) || !strings.Contains(text, "העברת כספים") {
			t.Errorf("the SMS says %q", text)
		}
		if opened, err := f.a.Coaching.OpenSessionLink(f.ctx, strings.TrimPrefix(ss.Link, "https://help.example.com/f/transfer?guided=")); err != nil || opened.ID != ss.ID {
			t.Errorf("the link opens %+v, %v", opened, err)
		}
		if st := f.stage(c.ID); st != customer.Guided {
			t.Fatalf("after the session started: %s", st)
		}

		// Walked through it on the call: the case belongs to the session, the stage stays.
		f.clock.Advance(10 * time.Minute)
		during := f.finish(phone)
		if st := f.stage(c.ID); st != customer.Guided {
			t.Errorf("after the guided completion: %s", st)
		}
		sessions, err := f.a.Coaching.Sessions(f.ctx, c.ID)
		if err != nil || len(sessions) != 1 || sessions[0].CaseID != during.ID || sessions[0].CompletedAt == nil {
			t.Fatalf("sessions %+v, %v; want the one, completed by case %s", sessions, err, during.ID)
		}

		// Three days later, on their own.
		f.clock.Advance(72 * time.Hour)
		alone := f.finish(phone)
		if st := f.stage(c.ID); st != customer.Supported {
			t.Fatalf("after their own completion: %s", st)
		}
		if st := f.stage(c.ID); st != customer.Supported {
			t.Errorf("a second refresh: %s", st)
		}

		l, err := f.a.Coaching.Credits(f.ctx, f.agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if l.ByKind[coaching.CreditSession] != 1 || l.ByKind[coaching.CreditAdvance] != 2 || l.Total != 3 {
			t.Fatalf("ledger %+v; want one session and two advances", l)
		}
		// Newest first: the advance the customer's own completion caused, naming its case.
		last := l.Entries[0]
		if last.Kind != coaching.CreditAdvance || last.Detail["to"] != customer.Supported || last.Detail["cause_kind"] != "case.opened" {
			t.Errorf("latest credit %+v", last)
		}
		cause, err := f.a.Events.Get(f.ctx, last.Detail["cause"])
		if err != nil || !strings.Contains(string(cause.Data), alone.ID) {
			t.Errorf("the advance's cause %s: %v", cause.Data, err)
		}
		if l.Entries[2].Kind != coaching.CreditSession || l.Entries[2].Detail["session_id"] != ss.ID {
			t.Errorf("oldest credit %+v", l.Entries[2])
		}
		// Each advance and completion is recorded once, however often the stage is refreshed.
		evs, _ := f.a.Events.List(f.ctx, event.Filter{CustomerIDs: []string{c.ID}, Kinds: []event.Kind{coaching.StageAdvanced, coaching.SessionCompleted}})
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, string(e.Kind))
		}
		if want := []string{"coaching.stage-advanced", "coaching.session-completed", "coaching.stage-advanced"}; !slices.Equal(kinds, want) {
			t.Errorf("events %v, want %v", kinds, want)
		}
	})
}

// The fold's whole table: a customer who does it alone is supported at once, and independent
// after a completion with no guided session in the month before it.
func TestFoldFollowsTheTransitionTable(t *testing.T) {
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	ev := func(kind event.Kind, days int, actor event.Actor, data string) event.Event {
		return event.Event{ID: fmt.Sprintf("e%d", days), Kind: kind, Actor: actor, At: at.Add(time.Duration(days) * 24 * time.Hour), Data: []byte(data)}
	}
	cust := event.Actor{Kind: event.ByCustomer, ID: "c"}
	agent := event.Actor{Kind: event.ByUser, ID: "agent"}
	for _, tc := range []struct {
		name   string
		events []event.Event
		want   string
	}{
		{"nothing", nil, customer.NotDigital},
		{"alone", []event.Event{ev("case.opened", 0, cust, `{"via":"web","service_id":"s"}`)}, customer.Supported},
		{"an agent's case is not self-service", []event.Event{ev("case.opened", 0, agent, `{"via":"phone","service_id":"s"}`)}, customer.NotDigital},
		{"alone twice, a day apart", []event.Event{ev("case.opened", 0, cust, `{"via":"web"}`), ev("case.opened", 1, cust, `{"via":"whatsapp"}`)}, customer.Independent},
		{"guided, then alone within the month", []event.Event{
			ev(coaching.SessionStarted, 0, agent, `{"session_id":"s1","service_id":"s","expires_at":0}`),
			ev("case.opened", 3, cust, `{"via":"web","service_id":"s"}`),
			ev("case.opened", 10, cust, `{"via":"web","service_id":"s"}`),
		}, customer.Supported},
		{"guided, then alone a month later", []event.Event{
			ev(coaching.SessionStarted, 0, agent, `{"session_id":"s1","service_id":"s","expires_at":0}`),
			ev("case.opened", 3, cust, `{"via":"web","service_id":"s"}`),
			ev("case.opened", 31, cust, `{"via":"web","service_id":"s"}`),
		}, customer.Independent},
	} {
		got, _, _ := coaching.Fold(tc.events)
		if got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A kosher phone cannot open the guided link: the session is refused with the reason, and
// nothing is sent or recorded. A tutorial reaches them by SMS without its video link.
func TestKosherPhoneGetsNoGuidedLinkAndTutorialsWithoutVideo(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		c := f.customer("+972502223334", customer.Kosher, "ru", "he")
		_, err := f.a.Coaching.StartSession(f.ctx, c.ID, "transfer", f.agent)
		var nf *channel.NotFitError
		if !errors.As(err, &nf) || nf.Reason != channel.UnfitKosherPhone {
			t.Fatalf("session for a kosher phone: %v", err)
		}
		if ss, _ := f.a.Coaching.Sessions(f.ctx, c.ID); len(ss) != 0 {
			t.Errorf("sessions %+v", ss)
		}
		for _, tu := range []coaching.Tutorial{
			{Task: "transfer", Lang: "he", Title: "איך מעבירים כסף", Body: "נכנסים לאתר, בוחרים העברה.", VideoURL: "https://video.example.com/transfer-he"},
			{Task: "transfer", Lang: "en", Title: "How to transfer", Body: "Open the site, choose transfer.", VideoURL: "https://video.example.com/transfer-en"},
		} {
			if _, err := f.a.Coaching.PutTutorial(f.ctx, tu, f.agent); err != nil {
				t.Fatal(err)
			}
		}
		sent, err := f.a.Coaching.SendTutorial(f.ctx, c.ID, "transfer", f.agent)
		if err != nil {
			t.Fatal(err)
		}
		// No Russian tutorial: their second language, Hebrew; by SMS, and no link.
		if sent.Tutorial.Lang != "he" || sent.ChannelID != f.sms.ID || sent.WithVideo {
			t.Errorf("sent %+v", sent)
		}
		var text string
		if err := f.a.DB.QueryRow(f.ctx, `SELECT text FROM messages WHERE id = ?`, sent.MessageID).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "https://") || !strings.Contains(text, "איך מעבירים כסף") {
			t.Errorf("the tutorial SMS says %q", text)
		}
		if _, err := f.a.Coaching.SendTutorial(f.ctx, c.ID, "no-such-task", f.agent); !errors.Is(err, coaching.ErrNotFound) {
			t.Errorf("an unknown task: %v", err)
		}
	})
}
