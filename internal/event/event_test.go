package event_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

type recorder struct {
	mu  sync.Mutex
	got []event.Event
}

func (r *recorder) Publish(e event.Event) {
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
}

func TestAppendIsTransactionalAndPublishedAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
		pub := &recorder{}
		log := event.NewLog(db, clk, pub)
		err := db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if _, err := log.Append(ctx, event.Event{Kind: "test.rolled-back", Actor: event.System}, nil); err != nil {
				return err
			}
			return errors.New("abort")
		})
		if err == nil {
			t.Fatal("expected the abort")
		}
		e1, err := log.Append(ctx, event.Event{Kind: "test.one", CustomerID: "c1", Actor: event.Actor{Kind: event.ByUser, ID: "u1"}}, map[string]int{"n": 1})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		e2, err := log.Append(ctx, event.Event{Kind: "test.two", CustomerID: "c2", Actor: event.System}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if e2.Seq <= e1.Seq {
			t.Errorf("seq %d after %d", e2.Seq, e1.Seq)
		}
		if len(pub.got) != 2 || pub.got[0].Kind != "test.one" {
			t.Errorf("published %v; want only the two committed events", pub.got)
		}
		all, _ := log.List(ctx, event.Filter{})
		if len(all) != 2 {
			t.Fatalf("%d events stored, want 2 (the rolled-back one is gone)", len(all))
		}
		byCustomer, _ := log.List(ctx, event.Filter{CustomerIDs: []string{"c2"}})
		byKind, _ := log.List(ctx, event.Filter{Kinds: []event.Kind{"test.one"}})
		byActor, _ := log.List(ctx, event.Filter{ActorID: "u1"})
		since, _ := log.List(ctx, event.Filter{Since: clk.Now()})
		newest, _ := log.List(ctx, event.Filter{Newest: true, Limit: 1})
		for name, c := range map[string]struct {
			got  []event.Event
			want string
		}{"customer": {byCustomer, "test.two"}, "kind": {byKind, "test.one"}, "actor": {byActor, "test.one"}, "since": {since, "test.two"}, "newest": {newest, "test.two"}} {
			if len(c.got) != 1 || string(c.got[0].Kind) != c.want {
				t.Errorf("filter by %s: %v, want just %s", name, c.got, c.want)
			}
		}
		got, err := log.Get(ctx, e1.ID)
		if err != nil || string(got.Data) != `{"n":1}` || !got.At.Equal(e1.At) {
			t.Errorf("Get = %+v, %v", got, err)
		}
		if _, err := log.Get(ctx, "nope"); !errors.Is(err, event.ErrNotFound) {
			t.Errorf("Get of an unknown id: %v", err)
		}
	})
}
