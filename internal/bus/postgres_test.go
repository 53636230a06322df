package bus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// node starts a PostgreSQL bus on url, as one Gesher node would, closed when the test ends.
func node(t *testing.T, url string, load bus.Loader) *bus.Bus {
	t.Helper()
	b, err := bus.NewPostgres(context.Background(), url, load, nil)
	if err != nil {
		t.Fatalf("new postgres bus: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// nextEvent returns the next delivery that is an event, skipping nothing: a resync here is an
// error, because nothing was lost.
func nextEvent(t *testing.T, s *bus.Subscription) event.Event {
	t.Helper()
	d := next(t, s)
	if d.Resync {
		t.Fatalf("got a resync, want an event")
	}
	return d.Event
}

func TestPostgresNodesEachReceiveEveryEventOnce(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := node(t, url, nil), node(t, url, nil)
	onA, onB := a.Subscribe(nil, 16), b.Subscribe(nil, 16)

	sent := []event.Event{ev(1, "A"), ev(2, "B"), ev(3, "A")}
	sent[1].Data = json.RawMessage(`{"text":"שלום"}`)
	last := ev(4, "end")
	for _, e := range append(sent, last) {
		a.Publish(e)
	}
	// A second delivery of any event would arrive before the last one, which A sent after
	// them all: reading up to it sees every duplicate.
	for name, s := range map[string]*bus.Subscription{"publishing node": onA, "other node": onB} {
		for i, want := range append(sent, last) {
			got := nextEvent(t, s)
			if got.ID != want.ID || got.Seq != want.Seq || got.ConversationID != want.ConversationID || !bytes.Equal(got.Data, want.Data) {
				t.Errorf("%s: delivery %d is %+v, want %+v", name, i, got, want)
			}
		}
	}
	if st := a.Stats(); st.Published != 4 || st.Delivered != 4 || st.Dropped != 0 {
		t.Errorf("node A stats %+v, want published 4, delivered 4, dropped 0", st)
	}
	if st := b.Stats(); st.Published != 0 || st.Delivered != 4 {
		t.Errorf("node B stats %+v, want published 0, delivered 4", st)
	}
}

// logLoader reads events back through the event log, as the wiring in cmd/gesher would.
func logLoader(log *event.Log, calls *atomic.Int64) bus.Loader {
	return func(ctx context.Context, id string) (event.Event, error) {
		calls.Add(1)
		events, err := log.List(ctx, event.Filter{Limit: 1000})
		if err != nil {
			return event.Event{}, err
		}
		for _, e := range events {
			if e.ID == id {
				return e, nil
			}
		}
		return event.Event{}, errors.New("no such event")
	}
}

func TestPostgresOversizedEventArrivesWholeThroughTheLoader(t *testing.T) {
	url := storetest.PostgresURL(t)
	db, err := store.Open(context.Background(), url, store.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	clk := clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	var calls atomic.Int64
	reader := event.NewLog(db, clk, nil)
	a := node(t, url, logLoader(reader, &calls))
	b := node(t, url, logLoader(reader, &calls))
	onB := b.Subscribe(nil, 4)

	big := map[string]string{"text": strings.Repeat("ש", 10_000)} // 20 KB of UTF-8
	appended, err := event.NewLog(db, clk, a).Append(context.Background(),
		event.Event{Kind: event.MessageReceived, ConversationID: "c1", Actor: event.System}, big)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	got := nextEvent(t, onB)
	if got.ID != appended.ID || got.Seq != appended.Seq || got.ConversationID != "c1" {
		t.Errorf("node B got %s (seq %d, conversation %q), want %s (seq %d, conversation c1)",
			got.ID, got.Seq, got.ConversationID, appended.ID, appended.Seq)
	}
	if !bytes.Equal(got.Data, appended.Data) {
		t.Errorf("node B got %d bytes of data, want the %d appended", len(got.Data), len(appended.Data))
	}
	if calls.Load() == 0 {
		t.Errorf("loader never called: the event cannot have fitted a notification")
	}
}

func TestPostgresUnloadableEventBecomesResync(t *testing.T) {
	url := storetest.PostgresURL(t)
	a := node(t, url, func(context.Context, string) (event.Event, error) {
		return event.Event{}, errors.New("database unavailable")
	})
	sub := a.Subscribe(func(e event.Event) bool { return e.ConversationID == "elsewhere" }, 4)
	e := ev(1, "c1")
	e.Data = json.RawMessage(`{"text":"` + strings.Repeat("x", 20_000) + `"}`)
	a.Publish(e)
	if d := next(t, sub); !d.Resync {
		t.Errorf("got %+v, want a resync: the event was lost, whatever the filter", d)
	}
}

func TestPostgresIgnoresForeignNotifications(t *testing.T) {
	url := storetest.PostgresURL(t)
	a := node(t, url, nil)
	sub := a.Subscribe(nil, 4)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	for _, p := range []string{`not json`, `{"kind":"x"}`, `null`, `{"resync":true}`} {
		if _, err := conn.Exec(context.Background(), `SELECT pg_notify('gesher_events', $1)`, p); err != nil {
			t.Fatalf("notify %q: %v", p, err)
		}
	}
	a.Publish(ev(7, "A"))
	if d := next(t, sub); !d.Resync {
		t.Errorf("first delivery %+v, want the resync another node asked for", d)
	}
	if got := nextEvent(t, sub); got.Seq != 7 {
		t.Errorf("second delivery is seq %d, want 7: malformed payloads must be skipped", got.Seq)
	}
}

func TestPostgresReconnectsAndResyncsAfterLosingTheListener(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := node(t, url, nil), node(t, url, nil)
	onA, onB := a.Subscribe(nil, 16), b.Subscribe(nil, 16)

	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	var killed int
	err = conn.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'gesher bus listen'`).Scan(&killed)
	if err != nil {
		t.Fatalf("terminate listeners: %v", err)
	}
	if killed != 2 {
		t.Fatalf("terminated %d listening connections, want 2 (one per node)", killed)
	}
	// Each node tells its subscribers once it listens again; only then is a publish sure to be heard.
	for name, s := range map[string]*bus.Subscription{"A": onA, "B": onB} {
		if d := next(t, s); !d.Resync {
			t.Fatalf("node %s: first delivery after the listener died is %+v, want a resync", name, d)
		}
	}
	a.Publish(ev(9, "A"))
	for name, s := range map[string]*bus.Subscription{"A": onA, "B": onB} {
		if got := nextEvent(t, s); got.Seq != 9 {
			t.Errorf("node %s: got seq %d after reconnecting, want 9", name, got.Seq)
		}
	}
	if st := a.Stats(); st.Reconnects != 1 {
		t.Errorf("node A reconnects %d, want 1", st.Reconnects)
	}
}

func TestPostgresCloseEndsSubscriptions(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, err := bus.NewPostgres(context.Background(), url, nil, nil)
	if err != nil {
		t.Fatalf("new postgres bus: %v", err)
	}
	sub := a.Subscribe(nil, 4)
	if err := a.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if got := drain(t, sub); len(got) != 0 {
		t.Errorf("got %d deliveries after close, want a closed channel", len(got))
	}
	a.Publish(ev(1, "A"))
	if st := a.Stats(); st.Dropped != 1 {
		t.Errorf("dropped %d after publishing on a closed bus, want 1", st.Dropped)
	}
	// Nothing of the bus stays connected once it is closed.
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	// A backend leaves pg_stat_activity a moment after its client hangs up: poll.
	deadline := time.Now().Add(wait)
	for {
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name LIKE 'gesher bus%'`).Scan(&n); err != nil {
			t.Fatalf("count connections: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d bus connections left after Close, want 0", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestNewPostgresFailsWithoutADatabase(t *testing.T) {
	_, err := bus.NewPostgres(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5", nil, nil)
	if err == nil {
		t.Fatalf("NewPostgres with nothing listening: got nil error")
	}
}
