package routing_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// While a segment is hybrid (its members call, and its digital share is below target), digital
// work never takes the phone queue's last available agent: it goes to another agent, or waits
// with a conversation.held event naming the queue kept staffed. A call still takes that agent.
// With the reserve turned off for the queue, or no segment hybrid, the agent takes digital work
// again.
func TestHybridSegmentKeepsThePhoneQueuesLastAgent(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		voice, err := f.a.Channels.Ensure(ctx, channel.Channel{Name: "phone", Kind: "voice", Secret: "s", Enabled: true, Settings: map[string]string{"api_base": "http://127.0.0.1:9"}})
		if err != nil {
			t.Fatal(err)
		}
		avi := f.agent("avi@x.example", "online")
		bea := f.agent("bea@x.example", "online")
		for _, u := range []string{avi.ID, bea.ID} {
			if err := f.a.Router.SetCapacity(ctx, u, 1); err != nil {
				t.Fatal(err)
			}
		}
		phones, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "phones", ChannelKinds: []string{"voice"}, Members: []string{avi.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "digital", ChannelKinds: []string{"api"}, Members: []string{avi.ID, bea.ID}}); err != nil {
			t.Fatal(err)
		}
		target := 0.9
		callers := segment.Input{Name: "callers", Rule: json.RawMessage(`{"field": "tag", "op": "has", "values": ["caller"]}`), TargetShare: &target}
		sg, err := f.a.Segments.Create(ctx, callers, event.System)
		if err != nil {
			t.Fatal(err)
		}
		// A member of the segment calls; Avi answers and hangs up.
		c, _, err := f.a.Customers.Resolve(ctx, customer.Phone, "+972501110001", "", event.System)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Customers.Update(ctx, c.ID, customer.Patch{Profile: &customer.Profile{Segments: []string{"caller"}}}, event.System); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Segments.Refresh(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		call := f.arriveOn(voice, "+972501110001")
		if call.AssigneeID != avi.ID {
			t.Fatalf("the call went to %q, want Avi", call.AssigneeID)
		}
		if _, err := f.a.Conversations.SetStatus(ctx, call.ID, conversation.Resolved, event.System); err != nil {
			t.Fatal(err)
		}
		if a, err := f.a.Segments.Adoption(ctx, sg.ID); err != nil || a.Phase != segment.Hybrid || a.Traditional == 0 {
			t.Fatalf("adoption %+v (%v), want hybrid with a traditional interaction", a, err)
		}

		// Avi is the phone queue's only available agent: digital work goes to Bea (Avi, the
		// first by id with the same load, would get it if the rule were ignored), until she is
		// full; then it waits and says why.
		for i, phone := range []string{"+972502220001", "+972502220002"} {
			if d := f.arrive(phone); d.AssigneeID != bea.ID {
				t.Fatalf("digital conversation %d went to %q, want Bea (Avi is kept for the phone)", i+1, d.AssigneeID)
			}
		}
		waiting := f.arrive("+972502220003")
		if waiting.AssigneeID != "" {
			t.Fatalf("with Bea full, the digital conversation went to %q, want it waiting", waiting.AssigneeID)
		}
		evs, err := f.a.Events.List(ctx, event.Filter{ConversationID: waiting.ID, Kinds: []event.Kind{conversation.ConversationHeld}})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 {
			t.Fatalf("%d conversation.held events, want 1", len(evs))
		}
		var held struct {
			Reason   string   `json:"reason"`
			Queues   []string `json:"reserved_queues"`
			Segments []string `json:"hybrid_segments"`
		}
		if err := json.Unmarshal(evs[0].Data, &held); err != nil {
			t.Fatal(err)
		}
		if held.Reason != routing.ReasonHybridReserve || !slices.Equal(held.Queues, []string{phones.ID}) || !slices.Equal(held.Segments, []string{"callers"}) {
			t.Errorf("held: %+v, want the phone queue kept for the callers segment", held)
		}

		// A call still reaches Avi.
		call2 := f.arriveOn(voice, "+972501110002")
		if call2.AssigneeID != avi.ID {
			t.Fatalf("the second call went to %q, want Avi", call2.AssigneeID)
		}
		if _, err := f.a.Conversations.SetStatus(ctx, call2.ID, conversation.Resolved, event.System); err != nil {
			t.Fatal(err)
		}

		// No reserve for the phone queue: Avi takes digital work.
		f.a.Router.ReserveByQueue = map[string]int{"phones": 0}
		if d := f.arrive("+972502220004"); d.AssigneeID != avi.ID {
			t.Errorf("with no reserve, the digital conversation went to %q, want Avi", d.AssigneeID)
		}
	})
}

// Without a segment in the hybrid phase (the target dropped), the last phone agent takes
// digital work like anyone else.
func TestNoHybridSegmentNoReserve(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		avi := f.agent("avi@x.example", "online")
		if err := f.a.Router.SetCapacity(ctx, avi.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "phones", ChannelKinds: []string{"voice"}, Members: []string{avi.ID}}); err != nil {
			t.Fatal(err)
		}
		// A segment with no target has no phase.
		if _, err := f.a.Segments.Create(ctx, segment.Input{Name: "everyone", Rule: json.RawMessage(`{"field": "tag", "op": "has", "values": ["x"]}`)}, event.System); err != nil {
			t.Fatal(err)
		}
		if d := f.arrive("+972502220009"); d.AssigneeID != avi.ID {
			t.Errorf("no segment is hybrid, yet the digital conversation went to %q, not Avi", d.AssigneeID)
		}
	})
}

func TestParseReserve(t *testing.T) {
	def, by, err := routing.ParseReserve("2, phones=3,desk=0")
	if err != nil || def != 2 || by["phones"] != 3 || by["desk"] != 0 || len(by) != 2 {
		t.Errorf("ParseReserve: %d %v %v", def, by, err)
	}
	if def, by, err := routing.ParseReserve(""); err != nil || def != 1 || len(by) != 0 {
		t.Errorf("empty: %d %v %v, want the default 1", def, by, err)
	}
	for _, bad := range []string{"-1", "phones=x", "phones=2,3", "many"} {
		if _, _, err := routing.ParseReserve(bad); err == nil {
			t.Errorf("ParseReserve(%q) accepted", bad)
		}
	}
}

// phonesAndDigital makes a phone queue and a digital (API) queue with the same members, the
// shape every hybrid-reserve test starts from, and returns the phone queue.
func (f *fixture) phonesAndDigital(members ...string) routing.Queue {
	f.t.Helper()
	ctx := context.Background()
	phones, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "phones", ChannelKinds: []string{"voice"}, Members: members})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "digital", ChannelKinds: []string{"api"}, Members: members}); err != nil {
		f.t.Fatal(err)
	}
	return phones
}

// hybridCallers puts the segment "callers" in the hybrid phase with one member who called on
// voice: the call is routed and resolved. The clock then moves past the figures' cache, so the
// next digital conversation sees the call.
func (f *fixture) hybridCallers(voice channel.Channel) {
	f.t.Helper()
	ctx := context.Background()
	target := 0.9
	callers := segment.Input{Name: "callers", Rule: json.RawMessage(`{"field": "tag", "op": "has", "values": ["caller"]}`), TargetShare: &target}
	if _, err := f.a.Segments.Create(ctx, callers, event.System); err != nil {
		f.t.Fatal(err)
	}
	c, _, err := f.a.Customers.Resolve(ctx, customer.Phone, "+972501110001", "", event.System)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.a.Customers.Update(ctx, c.ID, customer.Patch{Profile: &customer.Profile{Segments: []string{"caller"}}}, event.System); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.a.Segments.Refresh(ctx, c.ID); err != nil {
		f.t.Fatal(err)
	}
	call := f.arriveOn(voice, "+972501110001")
	if _, err := f.a.Conversations.SetStatus(ctx, call.ID, conversation.Resolved, event.System); err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
}

func (f *fixture) voiceChannel() channel.Channel {
	f.t.Helper()
	voice, err := f.a.Channels.Ensure(context.Background(), channel.Channel{Name: "phone", Kind: "voice", Secret: "s", Enabled: true, Settings: map[string]string{"api_base": "http://127.0.0.1:9"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return voice
}

// setWeight gives conversations on ch the weight w in the channel's policy.
func (f *fixture) setWeight(ch channel.Channel, w float64) {
	f.t.Helper()
	ctx := context.Background()
	p, err := f.a.Policy.Policy(ctx, ch.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	p.Weight = w
	if _, err := f.a.Policy.SetPolicy(ctx, ch.ID, p, ""); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) held(conversationID string) []event.Event {
	f.t.Helper()
	evs, err := f.a.Events.List(context.Background(), event.Filter{ConversationID: conversationID, Kinds: []event.Kind{conversation.ConversationHeld}})
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

// An agent with no room for a digital conversation at all is not "kept for the phone": the
// conversation waits because nobody has room, and no conversation.held says otherwise.
func TestHybridReserveHoldsOnlyAgentsWhoCouldTakeIt(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		voice := f.voiceChannel()
		avi := f.agent("avi@x.example", "online")
		// Room for a call (1), none for a conversation on the API channel (1.6).
		if err := f.a.Router.SetCapacity(ctx, avi.ID, 1.5); err != nil {
			t.Fatal(err)
		}
		f.setWeight(f.ch, 1.6)
		f.phonesAndDigital(avi.ID)
		f.hybridCallers(voice)

		c := f.arrive("+972502220001")
		if c.AssigneeID != "" {
			t.Fatalf("a conversation heavier than Avi's capacity went to %q", c.AssigneeID)
		}
		if evs := f.held(c.ID); len(evs) != 0 {
			t.Errorf("%d conversation.held events for a conversation nobody had room for, want 0: %s", len(evs), evs[0].Data)
		}
		cust, _, err := f.a.Customers.Resolve(ctx, customer.Phone, "+972502220009", "", event.System)
		if err != nil {
			t.Fatal(err)
		}
		var d routing.Decision
		if err := f.a.DB.InTx(ctx, func(ctx context.Context, _ *store.Tx) error {
			d, err = f.a.Router.Route(ctx, routing.Request{CustomerID: cust.ID, ChannelID: f.ch.ID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if d.Reason != "no-capacity" || len(d.Reserved) != 0 || len(d.Hybrid) != 0 {
			t.Errorf("decision %+v, want no-capacity with nothing reserved", d)
		}
	})
}

// The room a phone queue keeps is measured with the weight routing gives a call: the voice
// channel's policy says 0.5, so an agent of capacity 1 takes one conversation of 0.34 and keeps
// room for a call; the second would leave less than 0.5 and waits.
func TestHybridReserveMeasuresRoomByPolicyWeight(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		voice := f.voiceChannel()
		f.setWeight(voice, 0.5)
		avi := f.agent("avi@x.example", "online")
		if err := f.a.Router.SetCapacity(ctx, avi.ID, 1); err != nil {
			t.Fatal(err)
		}
		phones := f.phonesAndDigital(avi.ID)
		f.hybridCallers(voice)

		if c := f.arrive("+972502220001"); c.AssigneeID != avi.ID {
			t.Fatalf("the first digital conversation went to %q, want Avi (0.34 + a call's 0.5 fit in 1)", c.AssigneeID)
		}
		c := f.arrive("+972502220002")
		if c.AssigneeID != "" {
			t.Fatalf("the second digital conversation went to %q, want it waiting (0.68 + 0.5 > 1)", c.AssigneeID)
		}
		evs := f.held(c.ID)
		if len(evs) != 1 {
			t.Fatalf("%d conversation.held events, want 1", len(evs))
		}
		var held struct {
			Queues []string `json:"reserved_queues"`
		}
		if err := json.Unmarshal(evs[0].Data, &held); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(held.Queues, []string{phones.ID}) {
			t.Errorf("reserved queues %v, want the phone queue", held.Queues)
		}
	})
}

// A conversation the system opens (a message Gesher sends first) is routed like any other:
// held back for the phone queue, it says so with conversation.held.
func TestSystemOpenedConversationHeldIsRecorded(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		voice := f.voiceChannel()
		avi := f.agent("avi@x.example", "online")
		if err := f.a.Router.SetCapacity(ctx, avi.ID, 1); err != nil {
			t.Fatal(err)
		}
		phones := f.phonesAndDigital(avi.ID)
		f.hybridCallers(voice)

		cust, _, err := f.a.Customers.Resolve(ctx, customer.Phone, "+972502220001", "", event.System)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := f.a.Conversations.SendSystem(ctx, conversation.SystemMessage{CustomerID: cust.ID, ChannelID: f.ch.ID, Text: "Your claim is approved"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.a.Conversations.Get(ctx, msg.ConversationID)
		if err != nil {
			t.Fatal(err)
		}
		if c.AssigneeID != "" {
			t.Fatalf("the system-opened conversation went to %q, want it waiting (Avi is kept for the phone)", c.AssigneeID)
		}
		evs := f.held(c.ID)
		if len(evs) != 1 {
			t.Fatalf("%d conversation.held events on the system-opened conversation, want 1", len(evs))
		}
		var held struct {
			Reason string   `json:"reason"`
			Queues []string `json:"reserved_queues"`
		}
		if err := json.Unmarshal(evs[0].Data, &held); err != nil {
			t.Fatal(err)
		}
		if held.Reason != routing.ReasonHybridReserve || !slices.Equal(held.Queues, []string{phones.ID}) {
			t.Errorf("held %+v, want the phone queue's reserve", held)
		}
	})
}

// Routing asks for the hybrid segments only when a traditional queue keeps a reserve: with
// none, or every reserve 0, a digital conversation reads nothing about segments.
func TestHybridSegmentsAskedOnlyForATraditionalReserve(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		avi := f.agent("avi@x.example", "online")
		asked := 0
		f.a.Router.SetHybrid(func(ctx context.Context) ([]string, error) {
			asked++
			return f.a.Segments.HybridUsingTraditional(ctx)
		})
		// An SMS queue is not a traditional one: only the phone and the branch are.
		if _, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "texts", ChannelKinds: []string{"sms"}, Members: []string{avi.ID}}); err != nil {
			t.Fatal(err)
		}
		f.arrive("+972502220001")
		if asked != 0 {
			t.Fatalf("with no traditional queue, the hybrid segments were asked for %d times", asked)
		}
		if _, err := f.a.Router.EnsureQueue(ctx, routing.Queue{Name: "phones", ChannelKinds: []string{"voice"}, Members: []string{avi.ID}}); err != nil {
			t.Fatal(err)
		}
		f.a.Router.ReserveByQueue = map[string]int{"phones": 0}
		f.arrive("+972502220002")
		if asked != 0 {
			t.Fatalf("with the phone queue's reserve 0, the hybrid segments were asked for %d times", asked)
		}
		f.a.Router.ReserveByQueue = nil
		f.arrive("+972502220003")
		if asked != 1 {
			t.Errorf("with the phone queue keeping 1, the hybrid segments were asked for %d times, want 1", asked)
		}
	})
}
