package selfservice_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// fixture is the whole app over a real database, with a manual clock, an SMS and a WhatsApp
// channel, and the catalogue's transfer service.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clock *clock.Manual
	desk  *selfservice.Desk
	sms   channel.Channel
	wa    channel.Channel
	seq   int
	agent event.Actor
	dsn   string
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)), dsn: dsn,
		agent: event.Actor{Kind: event.ByUser, ID: "agent-1"}}
	a, err := app.Open(f.ctx, app.Options{DSN: dsn, Clock: f.clock, Argon: auth.CheapArgon(), NodeID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	f.a, f.desk = a, a.SelfService
	if f.sms, err = a.Channels.Ensure(f.ctx, channel.Channel{Name: "sms", Kind: "sms", Secret: "s", Enabled: true, Settings: map[string]string{"api_base": "http://127.0.0.1:9"}}); err != nil {
		t.Fatal(err)
	}
	if f.wa, err = a.Channels.Ensure(f.ctx, channel.Channel{Name: "wa", Kind: "whatsapp", Secret: "s", Enabled: true, Settings: map[string]string{"api_base": "http://127.0.0.1:9"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.PutService(f.ctx, "transfer", transferInput(), event.Actor{Kind: event.ByUser, ID: "supervisor-1"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func transferInput() selfservice.Input {
	return selfservice.Input{
		Category: "savings",
		Name:     map[string]string{"he": "העברת כספים", "en": "Transfer of funds", "ar": "تحويل أموال", "ru": "Перевод средств"},
		Channels: []selfservice.Way{selfservice.Web, selfservice.Phone, selfservice.Branch},
		Limits: []selfservice.LimitInput{{Rule: "transfer_amount > 50000 -> branch",
			Message: map[string]string{"he": "העברה של יותר מ־50,000 ₪ נעשית בסניף, עם תעודה מזהה.", "en": "A transfer above ₪50,000 is done at a branch, with an ID card."}}},
	}
}

// customer writes on ch as a new customer with phone and returns them, with the device set.
func (f *fixture) customer(ch channel.Channel, phone, device string, langs ...string) customer.Customer {
	f.t.Helper()
	f.seq++
	res, err := f.a.Ingester.Ingest(f.ctx, ch, []channel.Inbound{{ExternalID: "in-" + phone + "-" + string(rune('a'+f.seq)), Text: "שלום",
		From: channel.Contact{Name: "Customer " + phone, Identities: []channel.Identity{{Kind: customer.Phone, Value: phone}}}}})
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

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.a.DB.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// outbound returns the customer's outbound messages, oldest first, as channel id and text.
func (f *fixture) outbound(customerID string) [][2]string {
	f.t.Helper()
	rows, err := f.a.DB.Query(f.ctx, `SELECT channel_id, text FROM messages WHERE customer_id = ? AND direction = 'out' ORDER BY id`, customerID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var m [2]string
		if err := rows.Scan(&m[0], &m[1]); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func (f *fixture) sendJobs() int {
	return f.count(`SELECT COUNT(*) FROM jobs WHERE kind = ?`, channel.SendJob)
}

func TestCatalogueStoresChannelsAndLimits(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		s, err := f.desk.GetService(f.ctx, "transfer")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Channels) != 3 || s.Channels[2] != selfservice.Branch {
			t.Errorf("channels %v", s.Channels)
		}
		if len(s.Limits) != 1 || s.Limits[0].Field != "transfer_amount" || s.Limits[0].Op != selfservice.Greater || s.Limits[0].Value != 50000.0 || s.Limits[0].Then != selfservice.Branch {
			t.Errorf("limits %+v", s.Limits)
		}
		// No stages given: the default five, each named in every language.
		if len(s.Stages) != 5 || s.Stages[0].ID != "received" || s.Stages[4].ID != "done" || s.Stages[1].Name["he"] != "בבדיקה" || s.Stages[3].Name["en"] != "Approved" {
			t.Errorf("stages %+v", s.Stages)
		}
		created := s.CreatedAt
		f.clock.Advance(time.Hour)
		in := transferInput()
		in.Name["en"] = "Move money"
		in.Stages = []selfservice.Stage{{ID: "received", Who: "us"}, {ID: "signed", Who: "customer", Name: map[string]string{"en": "Sign the form"}}, {ID: "done", Who: "us"}}
		s, err = f.desk.PutService(f.ctx, "transfer", in, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if !s.CreatedAt.Equal(created) || !s.UpdatedAt.After(created) || s.Name["en"] != "Move money" || len(s.Stages) != 3 {
			t.Errorf("after update: %+v", s)
		}
		list, err := f.desk.Services(f.ctx)
		if err != nil || len(list) != 1 || list[0].Name["en"] != "Move money" {
			t.Errorf("list: %+v, %v", list, err)
		}
		if n := f.count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(selfservice.ServiceSaved)); n != 2 {
			t.Errorf("%d service.saved events, want 2", n)
		}
		if _, err := f.desk.GetService(f.ctx, "nope"); !errors.Is(err, selfservice.ErrNotFound) {
			t.Errorf("unknown service: %v", err)
		}
	})
}

func TestCatalogueRefusesWhatIsWrong(t *testing.T) {
	f := newFixture(t, storetest.SQLitePath(t))
	for name, c := range map[string]struct {
		id    string
		edit  func(*selfservice.Input)
		field string
	}{
		"bad id":           {"Transfer!", func(*selfservice.Input) {}, "id"},
		"no name":          {"x", func(in *selfservice.Input) { in.Name = nil }, "name"},
		"unknown language": {"x", func(in *selfservice.Input) { in.Name["de"] = "Überweisung" }, "name.de"},
		"no channels":      {"x", func(in *selfservice.Input) { in.Channels = nil }, "channels"},
		"unknown channel":  {"x", func(in *selfservice.Input) { in.Channels = append(in.Channels, "fax") }, "channels[3]"},
		"channel twice":    {"x", func(in *selfservice.Input) { in.Channels = append(in.Channels, "web") }, "channels[3]"},
		"limit elsewhere":  {"x", func(in *selfservice.Input) { in.Limits[0].Rule = "transfer_amount > 1 -> email" }, "limits[0].rule"},
		"limit no message": {"x", func(in *selfservice.Input) { in.Limits[0].Message = nil }, "limits[0].message"},
		"one stage":        {"x", func(in *selfservice.Input) { in.Stages = []selfservice.Stage{{ID: "done", Who: "us"}} }, "stages"},
		"unnamed own stage": {"x", func(in *selfservice.Input) {
			in.Stages = []selfservice.Stage{{ID: "signed", Who: "us"}, {ID: "done", Who: "us"}}
		}, "stages[0].name"},
		"who": {"x", func(in *selfservice.Input) {
			in.Stages = []selfservice.Stage{{ID: "received", Who: "them"}, {ID: "done", Who: "us"}}
		}, "stages[0].who"},
	} {
		in := transferInput()
		c.edit(&in)
		_, err := f.desk.PutService(f.ctx, c.id, in, f.agent)
		var ve *selfservice.ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%s: %v, want a validation error on %s", name, err, c.field)
		}
	}
	in := transferInput()
	in.Limits[0].Rule = "transfer_amount >> 5 -> branch"
	var re *selfservice.RuleError
	if _, err := f.desk.PutService(f.ctx, "x", in, f.agent); !errors.As(err, &re) {
		t.Errorf("a rule that does not parse: %v", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM services`); n != 1 {
		t.Errorf("%d services stored, want only the fixture's", n)
	}
}

// A stage change is an event and one notification on the customer's fitting channel: the
// WhatsApp they wrote on, with the tracker link. Sent again, it changes and sends nothing.
func TestStageChangesNotifyOnceOnTheFittingChannel(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		cust := f.customer(f.wa, "+972501110001", customer.Smartphone, "en")
		c, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer", Answers: map[string]any{"transfer_amount": 1200.0}}, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != "received" || c.StageSeq != 1 || c.FinishOn != "" || len(c.History) != 1 || c.History[0].Notice.ChannelID != f.wa.ID || !c.History[0].Notice.Link {
			t.Fatalf("opened: %+v", c)
		}
		out := f.outbound(cust.ID)
		if len(out) != 1 || out[0][0] != f.wa.ID || !strings.Contains(out[0][1], "We have received your request: Transfer of funds (reference "+c.Ref+")") || !strings.Contains(out[0][1], "/s/"+c.ID+".") {
			t.Fatalf("notification on opening: %v", out)
		}
		jobs := f.sendJobs()
		events := f.count(`SELECT COUNT(*) FROM events WHERE kind = ?`, string(selfservice.CaseStageChanged))

		f.clock.Advance(time.Hour)
		moved, changed, err := f.desk.SetStage(f.ctx, c.ID, "approved", f.agent)
		if err != nil || !changed {
			t.Fatalf("set stage: %v, changed %v", err, changed)
		}
		if moved.Stage != "approved" || moved.StageSeq != 2 || len(moved.History) != 2 || moved.History[1].Actor != f.agent {
			t.Errorf("moved: %+v", moved)
		}
		if got := f.count(`SELECT COUNT(*) FROM events WHERE kind = ? AND customer_id = ?`, string(selfservice.CaseStageChanged), cust.ID); got != events+1 {
			t.Errorf("%d stage-changed events, want %d", got, events+1)
		}
		out = f.outbound(cust.ID)
		if len(out) != 2 || out[1][0] != f.wa.ID || !strings.HasPrefix(out[1][1], "Good news: your request (Transfer of funds, reference "+c.Ref+") is approved.") {
			t.Errorf("notification of approval: %v", out)
		}
		if got := f.sendJobs(); got != jobs+1 {
			t.Errorf("%d send jobs, want %d: exactly one more", got, jobs+1)
		}
		// The same change again: nothing happens.
		again, changed, err := f.desk.SetStage(f.ctx, c.ID, "approved", f.agent)
		if err != nil || changed || again.StageSeq != 2 {
			t.Errorf("replay: %+v, changed %v, %v", again, changed, err)
		}
		if len(f.outbound(cust.ID)) != 2 || f.sendJobs() != jobs+1 {
			t.Error("a replayed stage change notified again")
		}
		if _, _, err := f.desk.SetStage(f.ctx, c.ID, "lost", f.agent); err == nil {
			t.Error("an unknown stage was accepted")
		}
		// The last stage closes the case.
		done, _, err := f.desk.SetStage(f.ctx, c.ID, "done", f.agent)
		if err != nil || done.ClosedAt == nil {
			t.Errorf("done: %+v, %v", done, err)
		}
	})
}

// A kosher phone cannot use WhatsApp or open a link: the customer who wrote on WhatsApp from
// a kosher phone gets the words by SMS, without the link.
func TestKosherPhoneGetsSMSWithoutALink(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		cust := f.customer(f.wa, "+972501110002", customer.Kosher, "he")
		c, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer", Answers: map[string]any{"transfer_amount": "800"}}, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.desk.SetStage(f.ctx, c.ID, "in-review", f.agent); err != nil {
			t.Fatal(err)
		}
		out := f.outbound(cust.ID)
		if len(out) != 2 {
			t.Fatalf("%d notifications, want 2: %v", len(out), out)
		}
		for _, m := range out {
			if m[0] != f.sms.ID {
				t.Errorf("notification on channel %s, want SMS %s: %q", m[0], f.sms.ID, m[1])
			}
			if strings.Contains(m[1], "/s/") || strings.Contains(m[1], "http") {
				t.Errorf("a kosher phone got a link: %q", m[1])
			}
		}
		if !strings.HasPrefix(out[1][1], "הבקשה שלכם (העברת כספים, מספר "+c.Ref+") בבדיקה.") {
			t.Errorf("not in Hebrew: %q", out[1][1])
		}
	})
}

// A landline takes no text at all: the stage still changes, and the log says why nobody was
// told.
func TestNoFittingChannelIsRecorded(t *testing.T) {
	f := newFixture(t, storetest.SQLitePath(t))
	cust := f.customer(f.sms, "+97235550111", customer.Landline)
	c, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer"}, f.agent)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.outbound(cust.ID)) != 0 || c.History[0].Notice.Skipped == "" {
		t.Errorf("a landline was sent a text: %+v", c.History)
	}
	if n := f.count(`SELECT COUNT(*) FROM events WHERE kind = ? AND customer_id = ?`, string(selfservice.CaseNotifySkipped), cust.ID); n != 1 {
		t.Errorf("%d notification-skipped events, want 1", n)
	}
}

// Over the limit, the request is not refused: the case keeps the answers, says that only a
// branch can finish it, and the customer is told so.
func TestLimitKeepsTheAnswersAndNamesTheWay(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		cust := f.customer(f.sms, "+972501110003", customer.Smartphone, "en")
		c, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer", Answers: map[string]any{"transfer_amount": "60,000", "iban": "IL620108000000099999999"}}, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		if c.FinishOn != selfservice.Branch || c.Limit == nil || c.Limit.Rule != "transfer_amount > 50000 -> branch" || c.Answers["iban"] != "IL620108000000099999999" {
			t.Errorf("case over the limit: %+v", c)
		}
		got, err := f.desk.Case(f.ctx, c.ID)
		if err != nil || got.FinishOn != selfservice.Branch || got.Answers["transfer_amount"] != "60,000" {
			t.Errorf("stored: %+v, %v", got, err)
		}
		out := f.outbound(cust.ID)
		if len(out) != 1 || !strings.Contains(out[0][1], "It can be finished only at a branch. A transfer above ₪50,000 is done at a branch, with an ID card.") {
			t.Errorf("notification: %v", out)
		}
		// Made at the branch itself, the same request is not stopped.
		c, err = f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer", Via: selfservice.Branch, Answers: map[string]any{"transfer_amount": 60000.0}}, f.agent)
		if err != nil || c.FinishOn != "" {
			t.Errorf("at the branch: %+v, %v", c, err)
		}
		_, err = f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer", Answers: map[string]any{"transfer_amount": "a lot"}}, f.agent)
		var ve *selfservice.ValidationError
		if !errors.As(err, &ve) || ve.Field != "answers.transfer_amount" {
			t.Errorf("words for an amount: %v", err)
		}
	})
}

// Two agents pressing "approve" at once: one stage change, one notification.
func TestConcurrentSameStageChangeNotifiesOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		cust := f.customer(f.sms, "+972501110004", customer.Smartphone)
		c, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer"}, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		changes := make(chan bool, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, changed, err := f.desk.SetStage(f.ctx, c.ID, "approved", f.agent)
				if err != nil {
					t.Error(err)
				}
				changes <- changed
			}()
		}
		wg.Wait()
		close(changes)
		n := 0
		for ch := range changes {
			if ch {
				n++
			}
		}
		if n != 1 || len(f.outbound(cust.ID)) != 2 || f.count(`SELECT COUNT(*) FROM case_stages WHERE case_id = ?`, c.ID) != 2 {
			t.Errorf("%d changes, %d notifications; want 1 change and 2 notifications in all", n, len(f.outbound(cust.ID)))
		}
	})
}

// A tracker token opens its case until it expires; any change to it, and any token after its
// expiry, opens nothing and says nothing more than an unknown one. A second node over the same
// database verifies the first one's links.
func TestTrackerTokens(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		cust := f.customer(f.sms, "+972501110005", customer.Smartphone)
		c, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer"}, f.agent)
		if err != nil {
			t.Fatal(err)
		}
		svc, _ := f.desk.GetService(f.ctx, "transfer")
		url, exp, err := f.desk.TrackerURL(f.ctx, c, svc)
		if err != nil {
			t.Fatal(err)
		}
		// received 24 h + in review 72 h + approved 48 h, then 90 days.
		if want := f.clock.Now().Add(144*time.Hour + 90*24*time.Hour); !exp.Equal(want) {
			t.Errorf("expiry %v, want %v", exp, want)
		}
		tok := strings.TrimPrefix(url, "/s/")
		got, _, err := f.desk.Track(f.ctx, tok)
		if err != nil || got.ID != c.ID {
			t.Fatalf("track: %+v, %v", got, err)
		}
		other, err := app.Open(f.ctx, app.Options{DSN: dsn, Clock: f.clock, Argon: auth.CheapArgon(), NodeID: "node-2"})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if got, _, err := other.SelfService.Track(f.ctx, tok); err != nil || got.ID != c.ID {
			t.Errorf("a second node: %+v, %v", got, err)
		}
		parts := strings.Split(tok, ".")
		flip := func(s string, i int) string {
			b := []byte(s)
			if b[i] == 'a' {
				b[i] = 'b'
			} else {
				b[i] = 'a'
			}
			return string(b)
		}
		later, _ := f.desk.Token(f.ctx, c.ID, exp.Add(365*24*time.Hour))
		for name, bad := range map[string]string{
			"mac changed":       parts[0] + "." + parts[1] + "." + flip(parts[2], 3),
			"id changed":        flip(parts[0], 20) + "." + parts[1] + "." + parts[2],
			"expiry changed":    parts[0] + "." + flip(parts[1], len(parts[1])-1) + "." + parts[2],
			"expiry of another": parts[0] + "." + strings.Split(later, ".")[1] + "." + parts[2],
			"truncated":         tok[:len(tok)-2],
			"empty":             "",
			"unknown":           "0123456789abcdefghjkmnpqrs." + parts[1] + "." + parts[2],
		} {
			if _, _, err := f.desk.Track(f.ctx, bad); !errors.Is(err, selfservice.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", name, err)
			}
		}
		f.clock.Set(exp)
		if _, _, err := f.desk.Track(f.ctx, tok); !errors.Is(err, selfservice.ErrNotFound) {
			t.Errorf("at its expiry: %v, want ErrNotFound", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM signing_keys`); n != 1 {
			t.Errorf("%d signing keys, want the one every node shares", n)
		}
	})
}

// Whatever arrives as a token, ParseToken answers without panicking, and only the shape of a
// token is accepted.
func FuzzParseToken(f *testing.F) {
	f.Add("0123456789abcdefghjkmnpqrs.t5c6nk.AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("")
	f.Add("..")
	f.Add("0123456789abcdefghjkmnpqrs.-1.AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		id, exp, sig, ok := selfservice.ParseToken(s)
		if !ok {
			return
		}
		if len(id) != 26 || len(sig) != 16 || exp.Unix() <= 0 || !strings.HasPrefix(s, id+".") {
			t.Fatalf("ParseToken(%q) = %q %v %x", s, id, exp, sig)
		}
	})
}

// A customer who never wrote (a web flow made them) is told on a conversation opened for it:
// pending, since the next move is theirs, opened by the system, and given an owner.
func TestNotificationOpensAPendingConversation(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		cust, _, err := f.a.Customers.Resolve(f.ctx, customer.Phone, "052-000-1234", "", event.System)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer"}, f.agent); err != nil {
			t.Fatal(err)
		}
		out := f.outbound(cust.ID)
		if len(out) != 1 || out[0][0] != f.sms.ID {
			t.Fatalf("notifications %v, want one by SMS", out)
		}
		var status, actor string
		if err := f.a.DB.QueryRow(f.ctx, `SELECT c.status, e.actor_kind FROM conversations c JOIN events e ON e.conversation_id = c.id AND e.kind = 'conversation.opened' WHERE c.customer_id = ?`, cust.ID).Scan(&status, &actor); err != nil {
			t.Fatal(err)
		}
		if status != "pending" || actor != "system" {
			t.Errorf("conversation %s opened by %s; want pending, by the system", status, actor)
		}
		// A second case goes on the same conversation.
		if _, err := f.desk.OpenCase(f.ctx, selfservice.CaseInput{CustomerID: cust.ID, ServiceID: "transfer"}, f.agent); err != nil {
			t.Fatal(err)
		}
		if n := f.count(`SELECT COUNT(*) FROM conversations WHERE customer_id = ?`, cust.ID); n != 1 {
			t.Errorf("%d conversations, want 1", n)
		}
	})
}
