package segment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

var supervisor = event.Actor{Kind: event.ByUser, ID: "supervisor-1"}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clock *clock.Manual
	voice channel.Channel
	sms   channel.Channel
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
	for _, c := range []struct {
		ch   *channel.Channel
		kind channel.Kind
	}{{&f.voice, "voice"}, {&f.sms, "sms"}} {
		if *c.ch, err = a.Channels.Ensure(f.ctx, channel.Channel{Name: string(c.kind), Kind: c.kind, Secret: "s", Enabled: true, Settings: map[string]string{"api_base": "http://127.0.0.1:9"}}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// write has the customer with phone send a message on ch, and returns their id.
func (f *fixture) write(ch channel.Channel, phone string) string {
	f.t.Helper()
	f.seq++
	res, err := f.a.Ingester.Ingest(f.ctx, ch, []channel.Inbound{{ExternalID: fmt.Sprintf("in-%d", f.seq), Text: "hello",
		From: channel.Contact{Identities: []channel.Identity{{Kind: customer.Phone, Value: phone}}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return res[0].CustomerID
}

func (f *fixture) create(name, rule string, matrix segment.Matrix) segment.Segment {
	f.t.Helper()
	sg, err := f.a.Segments.Create(f.ctx, segment.Input{Name: name, Rule: json.RawMessage(rule), Matrix: matrix}, supervisor)
	if err != nil {
		f.t.Fatal(err)
	}
	return sg
}

func (f *fixture) names(customerID string) []string {
	f.t.Helper()
	n, err := f.a.Segments.Names(f.ctx, customerID)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) membershipEvents(customerID string) []string {
	f.t.Helper()
	evs, err := f.a.Events.List(f.ctx, event.Filter{CustomerIDs: []string{customerID}, Kinds: []event.Kind{segment.Joined, segment.Left}})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		var d map[string]string
		_ = json.Unmarshal(e.Data, &d)
		out = append(out, string(e.Kind)+" "+d["segment"])
	}
	return out
}

const calledThrice = `{"events": {"kinds": ["message.received"], "channel_kinds": ["voice"], "within_days": 30, "min": 3}}`

// A customer who calls three times within 30 days enters the segment on the third call and
// leaves it when the window slides past the first; each move is one event, and refreshing
// again changes nothing.
func TestBehaviourMembershipFollowsEventsAndTime(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		f.create("frequent-callers", calledThrice, nil)
		id := f.write(f.voice, "+972501234567")
		f.clock.Advance(24 * time.Hour)
		f.write(f.voice, "+972501234567")
		f.write(f.sms, "+972501234567") // an SMS is not a call
		if _, err := f.a.Segments.Refresh(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if got := f.names(id); slices.Contains(got, "frequent-callers") {
			t.Fatalf("after two calls: segments %v", got)
		}
		f.clock.Advance(24 * time.Hour)
		f.write(f.voice, "+972501234567")
		// The bus may have refreshed the customer already; either way they are in now, and
		// refreshing again changes nothing.
		if _, err := f.a.Segments.Refresh(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if got := f.names(id); !slices.Contains(got, "frequent-callers") {
			t.Fatalf("after the third call: segments %v", got)
		}
		if ch, _ := f.a.Segments.Refresh(f.ctx, id); len(ch) != 0 {
			t.Errorf("a second refresh changed %v", ch)
		}
		// 29 days after the first call all three are in the window; 31 days after, one fell out.
		f.clock.Advance(27 * 24 * time.Hour)
		if n, err := f.a.Segments.Sweep(f.ctx); err != nil || n != 1 {
			t.Fatalf("sweep looked at %d, %v", n, err)
		}
		if got := f.names(id); !slices.Contains(got, "frequent-callers") {
			t.Errorf("day 29: segments %v", got)
		}
		f.clock.Advance(3 * 24 * time.Hour)
		if _, err := f.a.Segments.Sweep(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.names(id); slices.Contains(got, "frequent-callers") {
			t.Errorf("day 31: still in %v", got)
		}
		if got, want := f.membershipEvents(id), []string{"segment.joined frequent-callers", "segment.left frequent-callers"}; !slices.Equal(got, want) {
			t.Errorf("membership events %v, want %v", got, want)
		}
	})
}

// Profile rules: the built-in kosher-phone segment, age bands and languages, re-evaluated
// when an agent edits the profile, through the bus, without anyone calling Refresh.
func TestProfileMembershipFollowsTheBus(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ru := f.create("russian-75-plus", `{"all": [{"field": "age", "op": "gte", "number": 75}, {"field": "language", "op": "in", "values": ["ru"]}]}`, nil)
		id := f.write(f.sms, "+972502223334")
		langs := []string{"ru", "he"}
		prof := customer.Profile{Device: customer.Kosher, BirthYear: 1948}
		if _, err := f.a.Customers.Update(f.ctx, id, customer.Patch{Profile: &prof, Languages: &langs}, supervisor); err != nil {
			t.Fatal(err)
		}
		want := []string{segment.KosherPhone, "russian-75-plus"}
		// The bus delivers after the commit, on another goroutine: wait for the change to
		// land rather than for a length of time.
		deadline := time.Now().Add(20 * time.Second)
		for got := f.names(id); !slices.Equal(got, want); got = f.names(id) {
			if time.Now().After(deadline) {
				t.Fatalf("segments %v, want %v", got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// The list and the segment itself count the member, as the console shows them.
		all, err := f.a.Segments.List(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sg := range all {
			if sg.ID == ru.ID && sg.Members != 1 {
				t.Errorf("List: %s has %d members, want 1", sg.Name, sg.Members)
			}
		}
		prof.BirthYear = 1960
		if _, err := f.a.Customers.Update(f.ctx, id, customer.Patch{Profile: &prof}, supervisor); err != nil {
			t.Fatal(err)
		}
		want = []string{segment.KosherPhone}
		for got := f.names(id); !slices.Equal(got, want); got = f.names(id) {
			if time.Now().After(deadline) {
				t.Fatalf("after the birth year changed: segments %v, want %v", got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if sg, err := f.a.Segments.Get(f.ctx, ru.ID); err != nil || sg.Members != 0 {
			t.Errorf("Get after leaving: %d members (%v), want 0", sg.Members, err)
		}
	})
}

// Two refreshes of one customer at once (two nodes following the same event) record the join
// once.
func TestConcurrentRefreshesRecordOneChange(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		id := f.write(f.sms, "+972503334445")
		// The segment is written straight into the table, so that no sweep or bus delivery
		// races the refreshes below.
		f.create("everyone-tagged", `{"field": "tag", "op": "has", "values": ["vip"]}`, nil)
		prof := customer.Profile{Segments: []string{"vip"}}
		if _, err := f.a.Customers.Update(f.ctx, id, customer.Patch{Profile: &prof}, supervisor); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.a.Segments.Refresh(f.ctx, id)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			// The bus may still be delivering the profile change: whatever it does, the
			// join is recorded once.
			if got := f.membershipEvents(id); slices.Equal(got, []string{"segment.joined everyone-tagged"}) {
				break
			} else if time.Now().After(deadline) || len(got) > 1 {
				t.Fatalf("membership events %v, want one join", got)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// The matrices of a customer's segments combine: never wins, offer-first orders; the kosher
// segment reports the kosher-phone reason.
func TestChannelRulesCombineMatrices(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		f.create("bnei-brak", `{"field": "city", "op": "in", "values": ["Bnei Brak"]}`, segment.Matrix{"email": segment.Never, "voice": segment.OfferFirst, "sms": segment.Never})
		id := f.write(f.sms, "+972504445556")
		prof := customer.Profile{Device: customer.Kosher, City: "bnei brak"}
		if _, err := f.a.Customers.Update(f.ctx, id, customer.Patch{Profile: &prof}, supervisor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Segments.Refresh(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		r, err := f.a.Segments.ChannelRules(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if v := r.Never["whatsapp"]; v.Segment != segment.KosherPhone || v.Reason != channel.UnfitKosherPhone {
			t.Errorf("whatsapp: %+v", v)
		}
		if v := r.Never["email"]; v.Segment != "bnei-brak" || v.Reason != channel.UnfitSegment {
			t.Errorf("email: %+v", v)
		}
		// One segment offers SMS first, another says never: never wins.
		if _, ok := r.Never["sms"]; !ok || r.OfferFirst["sms"] || !r.OfferFirst["voice"] {
			t.Errorf("rules %+v", r)
		}
		if _, ok := r.Never[channel.WebLinkKind]; !ok {
			t.Errorf("web links not never: %+v", r)
		}
	})
}

// Adoption: the share of members' interactions on digital channels against the target, and
// the hybrid phase while below it.
func TestAdoptionShareAndPhase(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		target := 0.5
		sg, err := f.a.Segments.Create(f.ctx, segment.Input{Name: "callers", Rule: json.RawMessage(`{"field": "tag", "op": "has", "values": ["pilot"]}`), TargetShare: &target}, supervisor)
		if err != nil {
			t.Fatal(err)
		}
		id := f.write(f.voice, "+972505556667")
		f.write(f.voice, "+972505556667")
		f.write(f.sms, "+972505556667")
		prof := customer.Profile{Segments: []string{"pilot"}}
		if _, err := f.a.Customers.Update(f.ctx, id, customer.Patch{Profile: &prof}, supervisor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Segments.Refresh(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		a, err := f.a.Segments.Adoption(f.ctx, sg.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Two calls, one SMS: a third digital, below the half aimed for.
		if a.Digital != 1 || a.Traditional != 2 || a.Phase != segment.Hybrid {
			t.Fatalf("adoption %+v; want 1 digital, 2 traditional, hybrid", a)
		}
		f.write(f.sms, "+972505556667")
		f.write(f.sms, "+972505556667")
		if a, _ = f.a.Segments.Adoption(f.ctx, sg.ID); a.Share != 0.6 || a.Phase != segment.Digital {
			t.Errorf("after two more SMS: %+v; want share 0.6, digital", a)
		}
	})
}

func TestBuiltinsCannotBeDeletedOrRenamed(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		k, err := f.a.Segments.GetByName(f.ctx, segment.KosherPhone)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.a.Segments.Delete(f.ctx, k.ID, supervisor); !errors.Is(err, segment.ErrBuiltin) {
			t.Errorf("delete: %v", err)
		}
		rule, _ := json.Marshal(k.Rule)
		if _, err := f.a.Segments.Update(f.ctx, k.ID, segment.Input{Name: "renamed", Rule: rule, Matrix: k.Matrix}, supervisor); !errors.Is(err, segment.ErrBuiltin) {
			t.Errorf("rename: %v", err)
		}
		// A second start (another node) adds no second copy.
		if err := f.a.Segments.Start(f.ctx); err != nil {
			t.Fatal(err)
		}
		all, _ := f.a.Segments.List(f.ctx)
		if len(all) != 1 {
			t.Errorf("segments after two starts: %d", len(all))
		}
	})
}

// A change the bus never delivered — committed by a node that died before following it — is
// picked up by the sweep job: membership converges without the event being seen live.
func TestSweepJobCatchesWhatTheBusMissed(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		// The "other node": its own services over the same database, publishing to nobody,
		// so this node's bus hears of neither the customer nor the change.
		quiet := customer.NewService(f.a.DB, f.clock, event.NewLog(f.a.DB, f.clock, nil))
		c, _, err := quiet.Resolve(f.ctx, customer.Phone, "+972506667778", "Yehuda", event.System)
		if err != nil {
			t.Fatal(err)
		}
		id := c.ID
		prof := customer.Profile{Device: customer.Kosher}
		if _, err := quiet.Update(f.ctx, id, customer.Patch{Profile: &prof}, event.System); err != nil {
			t.Fatal(err)
		}
		if got := f.names(id); len(got) != 0 {
			t.Fatalf("segments before any sweep: %v", got)
		}
		// The periodic sweep is a durable job due at the next hour; run it as a worker would.
		if _, err := f.a.Jobs.Enqueue(f.ctx, segment.SweepJob, nil); err != nil {
			t.Fatal(err)
		}
		f.a.Jobs.Start(f.ctx)
		deadline := time.Now().Add(30 * time.Second)
		for got := f.names(id); !slices.Equal(got, []string{segment.KosherPhone}); got = f.names(id) {
			if time.Now().After(deadline) {
				t.Fatalf("after the sweep job: segments %v", got)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// The hybrid segments routing keeps traditional queues staffed for are computed off the
// caller's transaction (routing asks inside the ingest transaction; on SQLite that holds the
// single writer): a target set in a transaction not yet committed is not seen from inside it.
// Once it commits, this node drops its cached answer and the segment counts at once.
func TestHybridSegmentsAreReadOffTheTransaction(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		rule := json.RawMessage(`{"field": "tag", "op": "has", "values": ["pilot"]}`)
		sg, err := f.a.Segments.Create(f.ctx, segment.Input{Name: "callers", Rule: rule}, supervisor)
		if err != nil {
			t.Fatal(err)
		}
		id := f.write(f.voice, "+972505556667")
		prof := customer.Profile{Segments: []string{"pilot"}}
		if _, err := f.a.Customers.Update(f.ctx, id, customer.Patch{Profile: &prof}, supervisor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Segments.Refresh(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		if names, err := f.a.Segments.HybridUsingTraditional(f.ctx); err != nil || len(names) != 0 {
			t.Fatalf("without a target: %v (%v), want none", names, err)
		}
		f.clock.Advance(time.Minute) // past the cached answer: the next one is computed
		target := 0.9
		err = f.a.DB.InTx(f.ctx, func(ctx context.Context, _ *store.Tx) error {
			if _, err := f.a.Segments.Update(ctx, sg.ID, segment.Input{Name: "callers", Rule: rule, TargetShare: &target}, supervisor); err != nil {
				return err
			}
			names, err := f.a.Segments.HybridUsingTraditional(ctx)
			if err != nil {
				return err
			}
			if len(names) != 0 {
				t.Errorf("inside the transaction that set the target: %v, want none (read off the transaction)", names)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if names, err := f.a.Segments.HybridUsingTraditional(f.ctx); err != nil || !slices.Equal(names, []string{"callers"}) {
			t.Errorf("after the commit: %v (%v), want [callers]", names, err)
		}
	})
}

// The share draws the line where routing and the dashboards do (channel.Traditional): a
// message at the branch counts as traditional like a call, an SMS as digital.
func TestAdoptionCountsThePhoneAndTheBranchAsTraditional(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		branch, err := f.a.Channels.Ensure(f.ctx, channel.Channel{Name: "branch", Kind: "branch", Secret: "s", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		target := 0.5
		sg, err := f.a.Segments.Create(f.ctx, segment.Input{Name: "visitors", Rule: json.RawMessage(`{"field": "tag", "op": "has", "values": ["pilot"]}`), TargetShare: &target}, supervisor)
		if err != nil {
			t.Fatal(err)
		}
		id := f.write(f.voice, "+972505556668")
		f.write(branch, "+972505556668")
		f.write(f.sms, "+972505556668")
		prof := customer.Profile{Segments: []string{"pilot"}}
		if _, err := f.a.Customers.Update(f.ctx, id, customer.Patch{Profile: &prof}, supervisor); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Segments.Refresh(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		a, err := f.a.Segments.Adoption(f.ctx, sg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Traditional != 2 || a.Digital != 1 {
			t.Errorf("adoption %+v; want 2 traditional (the call, the branch), 1 digital (the SMS)", a)
		}
	})
}
