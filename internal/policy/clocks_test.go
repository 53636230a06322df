package policy_test

import (
	"context"
	"encoding/json"
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
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// fx is a whole Gesher over a real database, wired as the binary wires it, on a manual clock,
// with one online agent and a channel of each kind the tests write on.
type fx struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clk   *clock.Manual
	agent auth.User
	ch    map[string]channel.Channel // by kind
	n     int
}

func newFx(t *testing.T, dsn string, start time.Time) *fx {
	t.Helper()
	f := &fx{t: t, ctx: context.Background(), clk: clock.NewManual(start), ch: map[string]channel.Channel{}}
	a, err := app.Open(f.ctx, app.Options{DSN: dsn, Clock: f.clk, Argon: auth.CheapArgon(), NodeID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	f.a = a
	f.agent = f.user("dana@test.example", auth.RoleAgent, true)
	for _, kind := range []string{"webchat", "whatsapp", "api"} {
		ch, err := a.Channels.Ensure(f.ctx, channel.Channel{Name: "test-" + kind, Kind: channel.Kind(kind), Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		f.ch[kind] = ch
	}
	return f
}

func (f *fx) user(email string, role auth.Role, online bool) auth.User {
	f.t.Helper()
	u, err := f.a.Auth.CreateUser(f.ctx, auth.NewUser{Email: email, Name: email, Role: role, Password: "correct horse battery"})
	if err != nil {
		f.t.Fatal(err)
	}
	if online {
		f.online(u.ID, "online")
	}
	return u
}

func (f *fx) online(id, availability string) {
	f.t.Helper()
	if _, err := f.a.Auth.UpdateUser(f.ctx, id, auth.UserPatch{Availability: &availability}, event.System); err != nil {
		f.t.Fatal(err)
	}
}

// write is a customer's message on the channel of kind, from the customer known by from.
func (f *fx) write(kind, from, text string) string {
	f.t.Helper()
	f.n++
	id := channel.Identity{Kind: customer.Phone, Value: from}
	switch kind {
	case "webchat":
		id = channel.Identity{Kind: customer.Visitor, Value: from}
	case "whatsapp":
		id = channel.Identity{Kind: customer.WhatsApp, Value: strings.TrimPrefix(from, "+")}
	}
	res, err := f.a.Ingester.Ingest(f.ctx, f.ch[kind], []channel.Inbound{{ExternalID: fmt.Sprintf("m-%d", f.n), Text: text,
		From: channel.Contact{Name: "Rivka " + from, Identities: []channel.Identity{id}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return res[0].ConversationID
}

func (f *fx) reply(conv, text string) {
	f.t.Helper()
	if _, err := f.a.Conversations.Reply(f.ctx, conversation.ReplyInput{ConversationID: conv, AuthorID: f.agent.ID, Text: text}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fx) status(conv string, st conversation.Status) {
	f.t.Helper()
	if _, err := f.a.Conversations.SetStatus(f.ctx, conv, st, event.Actor{Kind: event.ByUser, ID: f.agent.ID}); err != nil {
		f.t.Fatal(err)
	}
}

// at moves the clock to t and runs the clocks due then.
func (f *fx) at(t time.Time) {
	f.t.Helper()
	f.clk.Set(t)
	if _, err := f.a.Policy.RunDue(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fx) setPolicy(kind string, edit func(p *policy.Policy)) {
	f.t.Helper()
	p, err := f.a.Policy.Policy(f.ctx, f.ch[kind].ID)
	if err != nil {
		f.t.Fatal(err)
	}
	edit(&p)
	if _, err := f.a.Policy.SetPolicy(f.ctx, f.ch[kind].ID, p, f.agent.ID); err != nil {
		f.t.Fatal(err)
	}
}

// sla returns the kinds of the conversation's sla.* events, each with the clock it names.
func (f *fx) sla(conv string) []string {
	f.t.Helper()
	evs, err := f.a.Events.List(f.ctx, event.Filter{ConversationID: conv})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if !strings.HasPrefix(string(e.Kind), "sla.") {
			continue
		}
		var d struct {
			Clock string `json:"clock"`
		}
		_ = json.Unmarshal(e.Data, &d)
		out = append(out, string(e.Kind)+" "+d.Clock)
	}
	return out
}

func (f *fx) clock(conv, kind string) policy.Clock {
	f.t.Helper()
	cks, err := f.a.Policy.Clocks(f.ctx, conv)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, c := range cks {
		if c.Kind == kind {
			return c
		}
	}
	f.t.Fatalf("conversation %s has no %s clock: %+v", conv, kind, cks)
	return policy.Clock{}
}

func (f *fx) conversation(id string) conversation.Conversation {
	f.t.Helper()
	c, err := f.a.Conversations.Get(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// reminders are the system's messages to the customer: outbound without an author.
func (f *fx) reminders(conv string) []conversation.Message {
	var out []conversation.Message
	for _, m := range f.conversation(conv).Messages {
		if m.Direction == conversation.Outbound && m.AuthorID == "" {
			out = append(out, m)
		}
	}
	return out
}

func has(list []string, want string) bool { return slices.Contains(list, want) }

// A target counts business time only: a first response due three business hours after a
// Friday-noon message falls due on Sunday at ten, not on Friday at three; one due twelve
// business hours after a message on the Thursday before Yom Kippur counts one hour that
// Thursday, five on Friday, five on the eve, none on Yom Kippur, and falls due on Tuesday at
// nine. The warning comes at 80 % of the business time, the breach at the deadline, and
// nothing happens in the closed hours between.
func TestTargetsCountAcrossWeekendsHolidaysAndEves(t *testing.T) {
	type check struct {
		at               time.Time
		warned, breached bool
	}
	sec := func(t time.Time) time.Time { return t.Add(-time.Second) }
	for _, tc := range []struct {
		name      string
		start     time.Time
		targetMin int
		deadline  time.Time
		checks    []check // in time order
	}{
		{"a weekend", il(2026, 11, 20, 12, 0), 180, il(2026, 11, 22, 10, 0), []check{
			{il(2026, 11, 20, 15, 0), false, false}, // three wall-clock hours later: Friday closed at 13:00
			{il(2026, 11, 21, 20, 0), false, false}, // Saturday
			{sec(il(2026, 11, 22, 9, 24)), false, false},
			{il(2026, 11, 22, 9, 24), true, false}, // 1 h on Friday + 1 h 24 on Sunday = 80 % of 3 h
			{sec(il(2026, 11, 22, 10, 0)), true, false},
			{il(2026, 11, 22, 10, 0), true, true},
		}},
		{"Erev Yom Kippur and Yom Kippur", il(2026, 9, 17, 16, 0), 720, il(2026, 9, 22, 9, 0), []check{
			{il(2026, 9, 18, 12, 59), false, false},
			{il(2026, 9, 19, 16, 0), false, false},       // Saturday
			{sec(il(2026, 9, 20, 11, 36)), false, false}, // the eve: 08:00–13:00
			{il(2026, 9, 20, 11, 36), true, false},       // 1 + 5 + 3 h 36 = 80 % of 12 h
			{il(2026, 9, 21, 16, 0), true, false},        // Yom Kippur counts nothing
			{sec(il(2026, 9, 22, 9, 0)), true, false},
			{il(2026, 9, 22, 9, 0), true, true}, // 1 + 5 + 5 + 1
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.EachURL(t, func(t *testing.T, dsn string) {
				f := newFx(t, dsn, tc.start)
				f.setPolicy("api", func(p *policy.Policy) { p.FirstResponseMinutes = tc.targetMin })
				conv := f.write("api", "+972501110000", "my claim")
				ck := f.clock(conv, policy.FirstResponse)
				if ck.DeadlineAt == nil || !ck.DeadlineAt.Equal(tc.deadline) || ck.TargetMS != int64(tc.targetMin)*60_000 {
					t.Fatalf("first response due %v (target %d ms), want %s", ck.DeadlineAt, ck.TargetMS, tc.deadline.In(jerusalem))
				}
				for _, c := range tc.checks {
					f.at(c.at)
					got := f.sla(conv)
					if has(got, "sla.warning first-response") != c.warned || has(got, "sla.breached first-response") != c.breached {
						t.Fatalf("at %s: %v; want warned %v, breached %v", c.at.In(jerusalem), got, c.warned, c.breached)
					}
				}
				if ck := f.clock(conv, policy.FirstResponse); !ck.Breached || ck.RemainingMS != 0 || ck.State != "running" {
					t.Errorf("clock at the deadline: %+v, want breached with nothing left, still running until answered", ck)
				}
			})
		})
	}
}

// Pending pauses a conversation's clocks and the customer's next message resumes them with the
// business time they had left; an answer within the target is met, one after it is not.
func TestPendingPausesAndTheCustomerResumes(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 22, 10, 0)) // a Sunday
		f.setPolicy("api", func(p *policy.Policy) {
			p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = 60, 60, 240
		})
		conv := f.write("api", "+972501110001", "where is my refund?")
		f.clk.Set(il(2026, 11, 22, 10, 30))
		f.status(conv, conversation.Pending)
		if ck := f.clock(conv, policy.FirstResponse); ck.State != "paused" || ck.UsedMS != 30*60_000 || ck.RemainingMS != 30*60_000 || ck.DeadlineAt != nil {
			t.Fatalf("paused clock %+v, want 30 minutes used and left, no deadline", ck)
		}
		f.at(il(2026, 11, 22, 15, 0)) // long past the original deadline
		if got := f.sla(conv); has(got, "sla.breached first-response") || has(got, "sla.warning first-response") {
			t.Fatalf("a paused clock ran out: %v", got)
		}
		f.clk.Set(il(2026, 11, 22, 15, 0))
		f.write("api", "+972501110001", "any news?")
		if c := f.conversation(conv); c.Status != conversation.Open {
			t.Fatalf("status %s after the customer wrote, want open", c.Status)
		}
		ck := f.clock(conv, policy.FirstResponse)
		if ck.State != "running" || ck.DeadlineAt == nil || !ck.DeadlineAt.Equal(il(2026, 11, 22, 15, 30)) {
			t.Fatalf("resumed clock %+v, want running, due at 15:30 (30 minutes left)", ck)
		}
		f.at(il(2026, 11, 22, 15, 18)) // 48 minutes used: 80 %
		f.at(il(2026, 11, 22, 15, 30))
		f.clk.Set(il(2026, 11, 22, 15, 40))
		f.reply(conv, "Your refund left today.")
		want := []string{
			"sla.started resolution", "sla.started first-response",
			"sla.paused resolution", "sla.paused first-response",
			// Pending, the customer owes the next step: they are reminded after the channel's four hours.
			"sla.reminder-sent awaiting-customer",
			"sla.resumed resolution", "sla.resumed first-response",
			"sla.warning first-response", "sla.nudged first-response", "sla.breached first-response", "sla.escalated first-response",
		}
		if got := f.sla(conv); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("events\n got %v\nwant %v", got, want)
		}
		if ck := f.clock(conv, policy.FirstResponse); ck.State != "done" || ck.Outcome != "missed" {
			t.Errorf("late answer: %+v, want done and missed", ck)
		}
		// The customer writes again: the next response is answered in time and is met.
		f.clk.Set(il(2026, 11, 22, 16, 0))
		f.write("api", "+972501110001", "thanks! one more question")
		f.clk.Set(il(2026, 11, 22, 16, 20))
		f.reply(conv, "Sure, go ahead.")
		if got := f.sla(conv); !has(got, "sla.met next-response") {
			t.Errorf("an answer within the next-response target: %v, want sla.met", got)
		}
		f.clk.Set(il(2026, 11, 22, 16, 30))
		f.status(conv, conversation.Resolved)
		res := f.clock(conv, policy.Resolution)
		// Open 10:00–10:30 and 15:00–16:30: two hours of the four.
		if res.State != "done" || res.Outcome != "met" || res.UsedMS != 120*60_000 {
			t.Errorf("resolution %+v, want met after two hours (pending time does not count)", res)
		}
	})
}

// A breach escalates as the channel's policy says: supervisors are told, the conversation's
// priority goes up, and it moves to the escalation queue and to a member of it with room.
func TestBreachEscalates(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 23, 9, 0))
		senior := f.user("senior@test.example", auth.RoleAgent, false)
		// A queue no conversation is routed to on arrival: only escalations bring them here.
		q, err := f.a.Router.EnsureQueue(f.ctx, routing.Queue{Name: "escalations", ChannelKinds: []string{"voice"}, Members: []string{senior.ID}})
		if err != nil {
			t.Fatal(err)
		}
		f.setPolicy("api", func(p *policy.Policy) {
			p.FirstResponseMinutes = 30
			p.Escalation = policy.Escalation{NotifySupervisor: true, RaisePriority: 2, MoveToQueue: "escalations"}
		})
		conv := f.write("api", "+972501110002", "my car was stolen")
		if c := f.conversation(conv); c.AssigneeID != f.agent.ID || c.Priority != 0 {
			t.Fatalf("routed to %s with priority %d, want the online agent, priority 0", c.AssigneeID, c.Priority)
		}
		f.online(senior.ID, "online")
		f.at(il(2026, 11, 23, 9, 30))
		c := f.conversation(conv)
		if c.Priority != 2 || c.AssigneeID != senior.ID {
			t.Errorf("after the breach: priority %d, owner %s; want 2 and the escalation queue's member %s", c.Priority, c.AssigneeID, senior.ID)
		}
		var queue string
		if err := f.a.DB.QueryRow(f.ctx, `SELECT COALESCE(queue_id, '') FROM conversations WHERE id = ?`, conv).Scan(&queue); err != nil || queue != q.ID {
			t.Errorf("queue %q (%v), want %s", queue, err, q.ID)
		}
		evs, err := f.a.Events.List(f.ctx, event.Filter{ConversationID: conv, Kinds: []event.Kind{policy.SLAEscalated}})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%d sla.escalated events (%v), want 1", len(evs), err)
		}
		var d struct {
			Actions    []string `json:"actions"`
			AssignedTo string   `json:"assigned_to"`
		}
		_ = json.Unmarshal(evs[0].Data, &d)
		if strings.Join(d.Actions, ",") != "raise-priority,move-to-queue,notify-supervisor" || d.AssignedTo != senior.ID {
			t.Errorf("escalation %s, want all three actions and the hand-over", evs[0].Data)
		}
		// Running the clocks again escalates nothing twice.
		f.at(il(2026, 11, 23, 12, 0))
		if n, _ := f.a.Events.Count(f.ctx, policy.SLAEscalated); n != 1 {
			t.Errorf("%d escalations after another run, want 1", n)
		}
	})
}

// The acceptance rule: a web chat customer who leaves the agent's answer unanswered is reminded
// after five minutes, on the chat, in their language; a WhatsApp customer is not — their
// reminder comes after four hours. Each conversation gets at most its policy's reminders, and a
// chat left silent is closed after half an hour.
func TestChatCustomerIsRemindedAfterFiveMinutesWhatsAppIsNot(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 22, 10, 0))
		chat := f.write("webchat", "visitor-1", "do you cover dental?")
		wa := f.write("whatsapp", "+972501110003", "do you cover dental?")
		langs := []string{"ru"}
		if _, err := f.a.Customers.Update(f.ctx, f.conversation(chat).CustomerID, customer.Patch{Languages: &langs}, event.System); err != nil {
			t.Fatal(err)
		}
		f.clk.Set(il(2026, 11, 22, 10, 1))
		f.reply(chat, "Yes, up to 2,000 ₪ a year.")
		f.reply(wa, "Yes, up to 2,000 ₪ a year.")

		f.at(il(2026, 11, 22, 10, 5).Add(59 * time.Second))
		if n := len(f.reminders(chat)); n != 0 {
			t.Fatalf("%d chat reminders before five minutes", n)
		}
		f.at(il(2026, 11, 22, 10, 6))
		got := f.reminders(chat)
		bundle, _ := i18n.Load()
		ru, _ := bundle.Catalog("ru")
		if len(got) != 1 || got[0].Text != ru.T("sla.reminder.customer") || got[0].ChannelID != f.ch["webchat"].ID || got[0].Status != conversation.StatusQueued {
			t.Fatalf("chat reminders %+v, want one in Russian, queued on the chat channel", got)
		}
		if n := len(f.reminders(wa)); n != 0 {
			t.Fatalf("a WhatsApp customer was reminded after five minutes (%d)", n)
		}
		f.at(il(2026, 11, 22, 10, 11))
		f.at(il(2026, 11, 22, 10, 20))
		if n := len(f.reminders(chat)); n != 2 {
			t.Errorf("%d chat reminders after twenty minutes, want the policy's 2", n)
		}
		f.at(il(2026, 11, 22, 10, 31))
		if c := f.conversation(chat); c.Status != conversation.Resolved {
			t.Errorf("chat after 30 silent minutes: %s, want resolved", c.Status)
		}
		if got := f.sla(chat); !has(got, "sla.auto-closed awaiting-customer") || !has(got, "sla.met resolution") {
			t.Errorf("chat events %v, want the auto-close and the resolution met", got)
		}
		if n := len(f.reminders(wa)); n != 0 {
			t.Fatalf("WhatsApp reminded within four hours (%d)", n)
		}
		f.at(il(2026, 11, 22, 14, 1))
		if n := len(f.reminders(wa)); n != 1 {
			t.Errorf("%d WhatsApp reminders after four hours, want 1", n)
		}
		if n := len(f.reminders(chat)); n != 2 {
			t.Errorf("the closed chat got more reminders: %d", n)
		}
		// Reminders are the system's: they do not answer for the agent.
		if c := f.clock(wa, policy.FirstResponse); c.Outcome != "met" {
			t.Errorf("WhatsApp first response %+v, want met by the agent's reply", c)
		}
	})
}

// A reminder follows the channel's fit rules like any reply: past WhatsApp's 24-hour window
// it is not sent, and the log says why.
func TestReminderOutsideTheWhatsAppWindowIsSkipped(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 22, 10, 0))
		always := alwaysOpen(t)
		if _, err := f.a.Policy.SetCalendar(f.ctx, "always", *always); err != nil {
			t.Fatal(err)
		}
		f.setPolicy("whatsapp", func(p *policy.Policy) {
			p.CalendarID, p.CustomerReminderMinutes, p.AutoCloseMinutes = "always", 25*60, 0
		})
		conv := f.write("whatsapp", "+972501110004", "hello")
		f.reply(conv, "Hello! How can we help?")
		f.at(il(2026, 11, 23, 11, 0))
		if n := len(f.reminders(conv)); n != 0 {
			t.Fatalf("%d reminders sent outside the window", n)
		}
		evs, _ := f.a.Events.List(f.ctx, event.Filter{ConversationID: conv, Kinds: []event.Kind{policy.SLAReminderSkipped}})
		if len(evs) != 1 || !strings.Contains(string(evs[0].Data), "24 hours") {
			t.Errorf("skipped reminders %v, want one naming the window", evs)
		}
	})
}

// The owner is nudged while the customer waits for them, and not once they answered.
func TestOwnerIsNudgedWhileTheCustomerWaits(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 22, 10, 0))
		conv := f.write("webchat", "visitor-2", "hello?")
		f.at(il(2026, 11, 22, 10, 1))
		evs, _ := f.a.Events.List(f.ctx, event.Filter{ConversationID: conv, Kinds: []event.Kind{policy.SLANudged}})
		if len(evs) != 1 || !strings.Contains(string(evs[0].Data), f.agent.ID) {
			t.Fatalf("nudges after a minute: %v, want one for the owner", evs)
		}
		f.reply(conv, "Hi!")
		f.at(il(2026, 11, 22, 10, 3))
		if n, _ := f.a.Events.Count(f.ctx, policy.SLANudged); n != 1 {
			t.Errorf("%d nudges after the answer, want still 1", n)
		}
	})
}

// The clocks run through the durable job queue: a change enqueues the scan for its moment, and
// the job queue's ordinary run records the breach.
func TestClocksRunAsScanJobs(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 22, 10, 0))
		conv := f.write("api", "+972501110005", "hi")
		var ready int
		if err := f.a.DB.QueryRow(f.ctx, `SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'ready'`, policy.ScanJob).Scan(&ready); err != nil || ready == 0 {
			t.Fatalf("%d scan jobs ready (%v), want the first clock's", ready, err)
		}
		f.clk.Set(il(2026, 11, 22, 11, 0))
		if _, err := f.a.Jobs.Work(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.sla(conv); !has(got, "sla.breached first-response") {
			t.Errorf("after the jobs ran at the deadline: %v, want the breach", got)
		}
		// The next scan waits for the next moment; none is due now.
		if n, err := f.a.Jobs.Work(f.ctx); err != nil || n != 0 {
			t.Errorf("a second Work ran %d jobs (%v), want none", n, err)
		}
	})
}

// Defaults fit each channel kind, a stored policy replaces them, and routing weighs
// conversations by the policy.
func TestPoliciesDefaultByKindAndWeighRouting(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 22, 10, 0))
		for kind, want := range map[string][2]float64{"webchat": {5, 1}, "whatsapp": {240, 0.34}, "sms": {240, 0.34}, "email": {540, 0.2}, "voice": {30, 1}} {
			p := policy.Defaults(kind)
			if float64(p.CustomerReminderMinutes) != want[0] || p.Weight != want[1] || !p.Default {
				t.Errorf("%s defaults: reminder %d min, weight %v; want %v", kind, p.CustomerReminderMinutes, p.Weight, want)
			}
		}
		p, err := f.a.Policy.Policy(f.ctx, f.ch["webchat"].ID)
		if err != nil || !p.Default || p.CustomerReminderMinutes != 5 {
			t.Fatalf("the chat channel's policy %+v (%v), want the web chat defaults", p, err)
		}
		f.setPolicy("webchat", func(p *policy.Policy) { p.Weight, p.Topics = 0.5, []string{" Claims ", "claims", "travel"} })
		p, _ = f.a.Policy.Policy(f.ctx, f.ch["webchat"].ID)
		if p.Default || p.Weight != 0.5 || strings.Join(p.Topics, ",") != "claims,travel" || p.UpdatedBy != f.agent.ID {
			t.Errorf("stored policy %+v", p)
		}
		conv := f.write("webchat", "visitor-3", "hi")
		var weight float64
		if err := f.a.DB.QueryRow(f.ctx, `SELECT weight FROM conversations WHERE id = ?`, conv).Scan(&weight); err != nil || weight != 0.5 {
			t.Errorf("conversation weight %v (%v), want the policy's 0.5", weight, err)
		}
		for _, tc := range []struct {
			edit  func(p *policy.Policy)
			field string
		}{
			{func(p *policy.Policy) { p.FirstResponseMinutes = 0 }, "first_response_minutes"},
			{func(p *policy.Policy) { p.CustomerReminderMinutes = -1 }, "customer_reminder_minutes"},
			{func(p *policy.Policy) { p.Weight = 0 }, "weight"},
			{func(p *policy.Policy) { p.CalendarID = "mars" }, "calendar_id"},
			{func(p *policy.Policy) { p.Escalation.MoveToQueue = "no-such-queue" }, "escalation.move_to_queue"},
			{func(p *policy.Policy) { p.MaxReminders = 11 }, "max_reminders"},
		} {
			p, _ := f.a.Policy.Policy(f.ctx, f.ch["webchat"].ID)
			tc.edit(&p)
			_, err := f.a.Policy.SetPolicy(f.ctx, f.ch["webchat"].ID, p, "")
			var ve *policy.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("SetPolicy = %v, want a validation error on %s", err, tc.field)
			}
		}
		if _, err := f.a.Policy.SetPolicy(f.ctx, "no-such-channel", p, ""); !errors.Is(err, policy.ErrNotFound) {
			t.Errorf("SetPolicy on an unknown channel = %v, want ErrNotFound", err)
		}
	})
}

// A merge folds a conversation without a status change; its clocks stop when they next come
// due instead of breaching.
func TestClocksOfAFoldedConversationStop(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFx(t, dsn, il(2026, 11, 22, 10, 0))
		a := f.write("api", "+972501110006", "from my phone")
		b := f.write("webchat", "visitor-4", "from the site")
		ca, cb := f.conversation(a), f.conversation(b)
		if err := f.a.Customers.Merge(f.ctx, cb.CustomerID, ca.CustomerID, event.System); err != nil {
			t.Fatal(err)
		}
		f.at(il(2026, 11, 22, 16, 0))
		if got := f.sla(b); has(got, "sla.breached first-response") {
			t.Errorf("the folded conversation breached: %v", got)
		}
		for _, ck := range []string{policy.FirstResponse, policy.Resolution} {
			if c := f.clock(b, ck); c.State != "done" || c.Outcome != "stopped" {
				t.Errorf("folded conversation's %s clock %+v, want stopped", ck, c)
			}
		}
		if got := f.sla(a); !has(got, "sla.breached first-response") {
			t.Errorf("the surviving conversation: %v, want its breach", got)
		}
	})
}
