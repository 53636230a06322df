package routing_test

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
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

type fixture struct {
	t     *testing.T
	a     *app.App
	clock *clock.Manual
	ch    channel.Channel
	n     int
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	f := &fixture{t: t, clock: clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))}
	a, err := app.Open(context.Background(), app.Options{DSN: dsn, Clock: f.clock, Argon: auth.CheapArgon()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	f.a = a
	if f.ch, err = a.Channels.Ensure(context.Background(), channel.Channel{Name: "c", Kind: "api", Secret: "s", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) agent(email, availability string, langs ...string) auth.User {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Role: auth.RoleAgent, Password: "correct horse battery", Languages: langs})
	if err != nil {
		f.t.Fatal(err)
	}
	if u, err = f.a.Auth.UpdateUser(ctx, u.ID, auth.UserPatch{Availability: &availability}, event.System); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// arrive is a message from phone; it returns the conversation it landed in.
func (f *fixture) arrive(phone string, langs ...string) conversation.Conversation {
	f.t.Helper()
	return f.arriveOn(f.ch, phone, langs...)
}

func (f *fixture) arriveOn(ch channel.Channel, phone string, langs ...string) conversation.Conversation {
	f.t.Helper()
	ctx := context.Background()
	f.n++
	f.clock.Advance(time.Minute)
	if len(langs) > 0 {
		c, _, err := f.a.Customers.Resolve(ctx, customer.Phone, phone, "", event.System)
		if err != nil {
			f.t.Fatal(err)
		}
		if _, err := f.a.Customers.Update(ctx, c.ID, customer.Patch{Languages: &langs}, event.System); err != nil {
			f.t.Fatal(err)
		}
	}
	res, err := f.a.Ingester.Ingest(ctx, ch, []channel.Inbound{{ExternalID: fmt.Sprint("m", f.n), Text: "hi",
		From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: phone}}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.a.Conversations.Get(ctx, res[0].ConversationID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func TestLanguageSkillIsRespected(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		f.agent("hebrew@x.example", "online", "he")
		olga := f.agent("olga@x.example", "online", "ru", "he")
		omar := f.agent("omar@x.example", "online", "ar")
		for i := range 5 {
			if c := f.arrive(fmt.Sprintf("+97250100000%d", i), "ru"); c.AssigneeID != olga.ID {
				t.Errorf("Russian reader %d went to %s, want Olga", i, c.AssigneeID)
			}
		}
		if c := f.arrive("+972501000009", "ar"); c.AssigneeID != omar.ID {
			t.Errorf("Arabic reader went to %s, want Omar", c.AssigneeID)
		}
	})
}

func TestStickyOwnerAndAvailability(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		a := f.agent("a@x.example", "online")
		b := f.agent("b@x.example", "online")
		first := f.arrive("+972501234567")
		owner := first.AssigneeID
		if owner != a.ID && owner != b.ID {
			t.Fatalf("first conversation owned by %q", owner)
		}
		// Resolved long enough ago that a new message opens a new conversation: the same owner
		// takes it, though the other agent has less work.
		if _, err := f.a.Conversations.SetStatus(ctx, first.ID, conversation.Resolved, event.System); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(10 * 24 * time.Hour)
		second := f.arrive("+972501234567")
		if second.ID == first.ID || second.AssigneeID != owner {
			t.Errorf("returning customer: conversation %s owned by %s; want a new conversation owned by %s", second.ID, second.AssigneeID, owner)
		}
		// When the previous owner is away, the customer goes to someone available.
		if _, err := f.a.Conversations.SetStatus(ctx, second.ID, conversation.Resolved, event.System); err != nil {
			t.Fatal(err)
		}
		away := "away"
		if _, err := f.a.Auth.UpdateUser(ctx, owner, auth.UserPatch{Availability: &away}, event.System); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(10 * 24 * time.Hour)
		third := f.arrive("+972501234567")
		if third.AssigneeID == owner || third.AssigneeID == "" {
			t.Errorf("with the previous owner away, owner = %q", third.AssigneeID)
		}
	})
}

// Least-loaded spreads evenly: over 100 new customers, no agent has more than one
// conversation more than another.
func TestLeastLoadedSpreadsEvenly(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		var ids []string
		for i := range 7 {
			id := f.agent(fmt.Sprintf("a%d@x.example", i), "online").ID
			if err := f.a.Router.SetCapacity(context.Background(), id, 100); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		f.agent("offline@x.example", "offline")
		load := map[string]int{}
		for i := range 100 {
			c := f.arrive(fmt.Sprintf("+9725020%05d", i))
			load[c.AssigneeID]++
		}
		lo, hi := 1000, 0
		for _, id := range ids {
			lo, hi = min(lo, load[id]), max(hi, load[id])
		}
		if hi-lo > 1 || len(load) != len(ids) {
			t.Errorf("loads %v: spread %d, want ≤ 1 and only online agents", load, hi-lo)
		}
	})
}

func (f *fixture) channel(name, kind string) channel.Channel {
	f.t.Helper()
	ch, err := f.a.Channels.Ensure(context.Background(), channel.Channel{Name: name, Kind: channel.Kind(kind), Secret: "s", Enabled: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return ch
}

// Capacity is counted in weight: an agent with room for one chat takes one chat, or five
// emails, and a conversation that fits nobody waits unassigned.
func TestCapacityByWeight(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		chat, email := f.channel("chat", "webchat"), f.channel("mail", "email")
		a := f.agent("a@x.example", "online")
		if err := f.a.Router.SetCapacity(ctx, a.ID, 1); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if c := f.arriveOn(email, fmt.Sprintf("+97250300000%d", i)); c.AssigneeID != a.ID {
				t.Fatalf("email %d (weight 0.2) of 5: owner %q, want the agent", i, c.AssigneeID)
			}
		}
		if c := f.arriveOn(email, "+972503000009"); c.AssigneeID != "" {
			t.Errorf("a sixth email exceeds capacity 1.0 but went to %q", c.AssigneeID)
		}
		b := f.agent("b@x.example", "online")
		if err := f.a.Router.SetCapacity(ctx, b.ID, 1); err != nil {
			t.Fatal(err)
		}
		if c := f.arriveOn(chat, "+972503000010"); c.AssigneeID != b.ID {
			t.Errorf("a chat (weight 1.0) went to %q; only b has a whole slot free", c.AssigneeID)
		}
		if c := f.arriveOn(chat, "+972503000011"); c.AssigneeID != "" {
			t.Errorf("a second chat fits nobody but went to %q", c.AssigneeID)
		}
		var w float64
		if err := f.a.DB.QueryRow(ctx, `SELECT weight FROM conversations WHERE assignee_id = ?`, b.ID).Scan(&w); err != nil || w != 1 {
			t.Errorf("the chat holds weight %v (%v), want 1", w, err)
		}
	})
}

// Queues take the conversations their rules match; round-robin takes turns.
func TestQueuesAndRoundRobin(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		var members []string
		for i := range 3 {
			members = append(members, f.agent(fmt.Sprintf("ru%d@x.example", i), "online", "he").ID)
		}
		other := f.agent("other@x.example", "online", "ru")
		for _, id := range append(members, other.ID) {
			if err := f.a.Router.SetCapacity(ctx, id, 100); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "russian", Languages: []string{"ru"}, Strategy: "round-robin", Members: members}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range 6 {
			c := f.arrive(fmt.Sprintf("+97250400000%d", i), "ru")
			got = append(got, c.AssigneeID)
		}
		want := append(append([]string{}, members...), members...)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("round-robin order %v, want %v (the queue's members in turn; not the non-member)", got, want)
		}
		// A customer who matches no queue goes to anyone available.
		if c := f.arrive("+972504000099", "en"); c.AssigneeID == "" {
			t.Error("a customer outside every queue was left unassigned")
		}
	})
}
