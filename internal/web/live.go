package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// liveFrame is one WebSocket message to the console.
type liveFrame struct {
	// Type is "hello" first, then "event" for each event, or "resync" when events may have
	// been missed (the connection fell behind, or a node lost its database listener) and the
	// console should reload what it shows.
	Type  string       `json:"type"`
	Event *event.Event `json:"event,omitempty"`
}

// liveKinds are the event families the console shows live.
var liveKinds = []string{"message.", "conversation.", "note.", "customer.", "sla.", "presence.", "label."}

// liveCaseKinds are the case events the console shows live: a case opened (by a colleague, the
// API, or the customer finishing a flow) and a case moved to another stage. Each names only the
// customer, the case, its service and stage, what GET /api/v1/cases shows to anyone who may
// read customers; the case's answers never ride on the socket. The tracker's and the
// notification's bookkeeping events change nothing the panel shows and stay off it.
var liveCaseKinds = []event.Kind{selfservice.CaseOpened, selfservice.CaseStageChanged}

func isLive(e event.Event) bool {
	for _, p := range liveKinds {
		if strings.HasPrefix(string(e.Kind), p) {
			return true
		}
	}
	return false
}

// liveFor is what the socket of a user with role r streams: the live families, and the case
// events when r may read customers (the permission the case routes ask).
func liveFor(r auth.Role) func(event.Event) bool {
	cases := r.Can(auth.CustomersRead)
	return func(e event.Event) bool {
		return isLive(e) || (cases && slices.Contains(liveCaseKinds, e.Kind))
	}
}

// live upgrades to a WebSocket and streams the events of every conversation as they commit,
// on this node or, with PostgreSQL, on any node.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	// Accept checks that the Origin matches the Host, so another site cannot open a socket
	// with an agent's cookie.
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	p, _ := principalFrom(r.Context())
	sub := s.d.Bus.Subscribe(liveFor(p.user.Role), 256)
	defer sub.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	pr := &presenceReader{s: s, user: p.user.ID, name: p.user.Name}
	defer pr.leave()
	go pr.read(ctx, cancel, c)
	if err := s.writeFrame(ctx, c, liveFrame{Type: "hello"}); err != nil {
		return
	}
	pump(ctx, c, sub, func(d bus.Delivery, ok bool) bool {
		if !ok {
			// The bus closed the subscription because we fell behind.
			_ = s.writeFrame(ctx, c, liveFrame{Type: "resync"})
			c.Close(websocket.StatusTryAgainLater, "fell behind; reconnect and reload")
			return false
		}
		if d.Resync {
			return s.writeFrame(ctx, c, liveFrame{Type: "resync"}) == nil
		}
		ev := d.Event
		return s.writeFrame(ctx, c, liveFrame{Type: "event", Event: &ev}) == nil
	})
}

// pump runs a live socket, the agents' and the widget's alike: a ping every 25 seconds (so
// proxies keep the connection and a vanished peer is noticed), and each delivery of sub to
// handle, until ctx ends, a ping fails or handle returns false. ok is false once the bus has
// closed the subscription (the socket fell behind); handle must then end the socket.
func pump(ctx context.Context, c *websocket.Conn, sub *bus.Subscription, handle func(d bus.Delivery, ok bool) bool) {
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case d, ok := <-sub.C():
			if !handle(d, ok) || !ok {
				return
			}
		}
	}
}

func (s *Server) writeFrame(ctx context.Context, c *websocket.Conn, f liveFrame) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return wsjson.Write(wctx, c, f)
}
