package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

// liveAs opens the console's live socket with a token and reads its hello.
func (e *env) liveAs(ctx context.Context, token string) *websocket.Conn {
	e.t.Helper()
	return e.liveAt(ctx, e.http.URL, token)
}

// liveAt opens the live socket of the server at base.
func (e *env) liveAt(ctx context.Context, base, token string) *websocket.Conn {
	e.t.Helper()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/api/v1/live",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		e.t.Fatal(err)
	}
	var hello map[string]any
	if err := wsjson.Read(ctx, c, &hello); err != nil || hello["type"] != "hello" {
		e.t.Fatalf("first frame %v, %v; want hello", hello, err)
	}
	return c
}

// nextPresence reads frames until a presence event and returns its actor, state and name.
func nextPresence(t *testing.T, ctx context.Context, c *websocket.Conn) (actor, conv, state, name string) {
	t.Helper()
	for {
		var f struct {
			Type  string `json:"type"`
			Event struct {
				Kind           string `json:"kind"`
				ConversationID string `json:"conversation_id"`
				Actor          struct {
					ID string `json:"id"`
				} `json:"actor"`
				Data struct {
					State string `json:"state"`
					Name  string `json:"name"`
				} `json:"data"`
			} `json:"event"`
		}
		if err := wsjson.Read(ctx, c, &f); err != nil {
			t.Fatalf("waiting for presence: %v", err)
		}
		if f.Type == "event" && f.Event.Kind == "presence.changed" {
			return f.Event.Actor.ID, f.Event.ConversationID, f.Event.Data.State, f.Event.Data.Name
		}
	}
}

// Two agents in one conversation see each other: one opens it, then types; the other's
// console hears "viewing", then "typing", then "left" when the first closes the tab. Presence
// goes over the bus (NOTIFY on PostgreSQL) and writes nothing to the database.
func TestPresenceReachesColleaguesAndEndsWithTheSocket(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conv := e.open("p-1", "+972501111111", "hello?")
		omar, omarToken := e.agent("omar@test.example", "Omar Haddad")
		eventsBefore := e.count(`SELECT COUNT(*) FROM events`)

		dana := e.liveAs(ctx, e.tokens[auth.RoleAgent])
		defer dana.CloseNow()
		o := e.liveAs(ctx, omarToken)

		for _, state := range []string{"viewing", "typing"} {
			if err := wsjson.Write(ctx, o, map[string]string{"type": "presence", "conversation_id": conv, "state": state}); err != nil {
				t.Fatal(err)
			}
			actor, c, got, name := nextPresence(t, ctx, dana)
			if actor != omar.ID || c != conv || got != state || name != "Omar Haddad" {
				t.Errorf("presence %s/%s/%s/%s, want Omar %s in %s", actor, c, got, name, state, conv)
			}
		}
		// A frame about nothing that looks like a conversation is dropped, not passed on.
		_ = wsjson.Write(ctx, o, map[string]string{"type": "presence", "conversation_id": "../../etc", "state": "viewing"})
		o.Close(websocket.StatusNormalClosure, "tab closed")
		actor, c, got, _ := nextPresence(t, ctx, dana)
		if actor != omar.ID || c != conv || got != "left" {
			t.Errorf("after Omar's tab closed: %s %s %s, want Omar left %s", actor, c, got, conv)
		}
		if n := e.count(`SELECT COUNT(*) FROM events`); n != eventsBefore {
			t.Errorf("presence wrote %d events to the log, want none", n-eventsBefore)
		}
	})
}

// With PostgreSQL, presence crosses nodes: Omar on one node, Dana on another, and each hears
// the other through NOTIFY.
func TestPresenceCrossesNodes(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	e := newEnv(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conv := e.open("p-2", "+972501111112", "anyone?")
	omar, omarToken := e.agent("omar@test.example", "Omar Haddad")
	other, err := app.Open(ctx, app.Options{DSN: dsn, Clock: e.clock, Argon: auth.CheapArgon(), NodeID: "other", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	srv := httptest.NewServer(other.Web("", web.DefaultLimits()))
	t.Cleanup(srv.Close)

	dana := e.liveAs(ctx, e.tokens[auth.RoleAgent])
	defer dana.CloseNow()
	o := e.liveAt(ctx, srv.URL, omarToken)
	defer o.CloseNow()
	if err := wsjson.Write(ctx, o, map[string]string{"type": "presence", "conversation_id": conv, "state": "typing"}); err != nil {
		t.Fatal(err)
	}
	if actor, c, state, _ := nextPresence(t, ctx, dana); actor != omar.ID || c != conv || state != "typing" {
		t.Errorf("Dana's node heard %s %s %s, want Omar typing in %s", actor, c, state, conv)
	}
	if err := wsjson.Write(ctx, dana, map[string]string{"type": "presence", "conversation_id": conv, "state": "viewing"}); err != nil {
		t.Fatal(err)
	}
	// Omar's own socket hears his own frame too (the console leaves it out): skip it.
	actor, _, state, _ := nextPresence(t, ctx, o)
	if actor == omar.ID {
		actor, _, state, _ = nextPresence(t, ctx, o)
	}
	if actor != e.users[auth.RoleAgent].ID || state != "viewing" {
		t.Errorf("Omar's node heard %s %s, want Dana viewing", actor, state)
	}
}
