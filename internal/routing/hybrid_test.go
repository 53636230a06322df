package routing_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/segment"
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
