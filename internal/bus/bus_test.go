package bus_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// wait bounds how long a test waits for a delivery that should come. It is a deadline against
// hanging, not a speed requirement.
const wait = 30 * time.Second

func ev(seq int64, conv string) event.Event {
	return event.Event{
		Seq:            seq,
		ID:             fmt.Sprintf("ev%04d", seq),
		Kind:           event.MessageReceived,
		ConversationID: conv,
		Actor:          event.System,
	}
}

// next returns the next delivery on s, failing the test if none comes or s is closed.
func next(t *testing.T, s *bus.Subscription) bus.Delivery {
	t.Helper()
	select {
	case d, ok := <-s.C():
		if !ok {
			t.Fatalf("subscription closed (overflowed %v), want a delivery", s.Overflowed())
		}
		return d
	case <-time.After(wait):
		t.Fatalf("no delivery within %s", wait)
		return bus.Delivery{}
	}
}

// drain reads everything buffered on a closed subscription.
func drain(t *testing.T, s *bus.Subscription) []bus.Delivery {
	t.Helper()
	var out []bus.Delivery
	for {
		select {
		case d, ok := <-s.C():
			if !ok {
				return out
			}
			out = append(out, d)
		case <-time.After(wait):
			t.Fatalf("subscription not closed within %s", wait)
		}
	}
}

func seqs(ds []bus.Delivery) []int64 {
	var out []int64
	for _, d := range ds {
		out = append(out, d.Event.Seq)
	}
	return out
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLocalDeliversMatchingEventsInOrder(t *testing.T) {
	b := bus.NewLocal(nil)
	defer b.Close()
	onA := b.Subscribe(func(e event.Event) bool { return e.ConversationID == "A" }, 100)
	all := b.Subscribe(nil, 100)

	var wantA, wantAll []int64
	for i := int64(1); i <= 60; i++ {
		conv := "B"
		if i%3 == 0 {
			conv = "A"
			wantA = append(wantA, i)
		}
		wantAll = append(wantAll, i)
		b.Publish(ev(i, conv))
	}
	b.Close()

	if got := seqs(drain(t, onA)); !equal(got, wantA) {
		t.Errorf("conversation A subscriber got %v, want %v", got, wantA)
	}
	if got := seqs(drain(t, all)); !equal(got, wantAll) {
		t.Errorf("unfiltered subscriber got %v, want %v", got, wantAll)
	}
	st := b.Stats()
	if st.Published != 60 || st.Delivered != uint64(len(wantA)+len(wantAll)) || st.Dropped != 0 {
		t.Errorf("stats %+v, want published 60, delivered %d, dropped 0", st, len(wantA)+len(wantAll))
	}
}

func TestLocalDeliversToManySubscribers(t *testing.T) {
	b := bus.NewLocal(nil)
	subs := make([]*bus.Subscription, 50)
	for i := range subs {
		subs[i] = b.Subscribe(nil, 0) // default buffer
	}
	var want []int64
	for i := int64(1); i <= 20; i++ {
		want = append(want, i)
		b.Publish(ev(i, "A"))
	}
	b.Close()
	for i, s := range subs {
		if got := seqs(drain(t, s)); !equal(got, want) {
			t.Fatalf("subscriber %d got %v, want %v", i, got, want)
		}
		if s.Overflowed() {
			t.Errorf("subscriber %d overflowed, want closed normally", i)
		}
	}
}

func TestSlowSubscriberIsOverflowedAndDoesNotBlockOthers(t *testing.T) {
	b := bus.NewLocal(nil)
	defer b.Close()
	slow := b.Subscribe(nil, 2) // never read while publishing
	fast := b.Subscribe(nil, 1)

	const n = 50
	var got []int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for len(got) < n {
			d, ok := <-fast.C()
			if !ok {
				return
			}
			got = append(got, d.Event.Seq)
		}
	}()
	var want []int64
	for i := int64(1); i <= n; i++ {
		want = append(want, i)
		b.Publish(ev(i, "A"))
		// A buffer of one only holds if the reader keeps up; wait until it has read this one,
		// so the fast subscriber is never the one that overflows.
		for len(fast.C()) > 0 {
			time.Sleep(time.Millisecond)
		}
	}
	wg.Wait()
	if !equal(got, want) {
		t.Errorf("fast subscriber got %v, want %v", got, want)
	}
	if fast.Overflowed() {
		t.Errorf("fast subscriber overflowed")
	}
	if !slow.Overflowed() {
		t.Fatalf("slow subscriber not overflowed")
	}
	if got := seqs(drain(t, slow)); !equal(got, []int64{1, 2}) {
		t.Errorf("slow subscriber kept %v, want the first two events then a closed channel", got)
	}
	if st := b.Stats(); st.Overflowed != 1 {
		t.Errorf("stats overflowed %d, want 1", st.Overflowed)
	}
}

func TestCloseEndsSubscriptionsAndDropsLaterEvents(t *testing.T) {
	b := bus.NewLocal(nil)
	s := b.Subscribe(nil, 4)
	left := b.Subscribe(nil, 4)
	left.Close()
	left.Close() // twice is harmless
	b.Publish(ev(1, "A"))
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	b.Publish(ev(2, "A")) // must not panic or deliver

	if got := seqs(drain(t, s)); !equal(got, []int64{1}) {
		t.Errorf("subscriber got %v, want [1]", got)
	}
	if s.Overflowed() {
		t.Errorf("closed subscription reports overflow")
	}
	if got := drain(t, left); len(got) != 0 {
		t.Errorf("subscription closed before publishing got %v, want nothing", seqs(got))
	}
	late := b.Subscribe(nil, 4)
	if got := drain(t, late); len(got) != 0 {
		t.Errorf("subscription made after close got %v, want a closed channel", seqs(got))
	}
	late.Close()
	if st := b.Stats(); st.Published != 1 || st.Dropped != 1 || st.Delivered != 1 {
		t.Errorf("stats %+v, want published 1, dropped 1, delivered 1", st)
	}
}

// newBus returns the bus a node would use with db: in-process on SQLite, LISTEN/NOTIFY on
// PostgreSQL.
func newBus(t *testing.T, db *store.DB, load bus.Loader) *bus.Bus {
	t.Helper()
	if db.Dialect() != store.Postgres {
		b := bus.NewLocal(nil)
		t.Cleanup(func() { b.Close() })
		return b
	}
	b, err := bus.NewPostgres(context.Background(), db.URL(), load, nil)
	if err != nil {
		t.Fatalf("new postgres bus: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestEventLogPublishesOnlyCommittedEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := newBus(t, db, nil)
		sub := b.Subscribe(nil, 16)
		log := event.NewLog(db, clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), b)

		rollback := errors.New("rolled back")
		err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := log.Append(ctx, event.Event{Kind: event.NoteAdded, Actor: event.System}, map[string]string{"text": "never"}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx: got %v, want the rollback error", err)
		}
		kept, err := log.Append(ctx, event.Event{Kind: event.NoteAdded, Actor: event.System}, map[string]string{"text": "kept"})
		if err != nil {
			t.Fatalf("append: %v", err)
		}
		d := next(t, sub)
		if d.Resync || d.Event.ID != kept.ID || string(d.Event.Data) != `{"text":"kept"}` {
			t.Errorf("first delivery %+v, want the committed event %s with its data", d, kept.ID)
		}
	})
}
