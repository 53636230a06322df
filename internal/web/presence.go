package web

import (
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"golang.org/x/time/rate"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Presence is who has a conversation open, and who is typing in its composer, so two agents
// do not answer one customer twice. It is not history: it travels over the bus as events that
// are never appended to the log (no database write per keystroke), across nodes with
// PostgreSQL's NOTIFY like any live event, and it expires by itself. The console repeats a
// "viewing" frame while a conversation stays open and a "typing" one while the agent types;
// a state not repeated within presenceTTL (typingTTL for typing) is gone, so a closed tab or
// a dead node leaves no ghost behind.
const (
	// PresenceChanged carries {"state": "viewing"|"typing"|"left", "name": …, "ttl_ms": …}
	// with the conversation and the agent as actor.
	PresenceChanged event.Kind = "presence.changed"

	presenceTTL = 45 * time.Second
	typingTTL   = 8 * time.Second
	// presenceEvery is the least time between two "typing" frames for the same conversation
	// that are passed on: a console that sends faster is throttled here.
	presenceEvery = 2 * time.Second
	// presenceReadLimit bounds a frame from the console: presence frames are tiny.
	presenceReadLimit = 1024
	// presenceRate and presenceBurst bound what one socket may publish, whatever ids it
	// sends: each frame passed on is a NOTIFY every node receives.
	presenceRate  = 2 // frames per second
	presenceBurst = 10
	// presenceKeys bounds the throttle's memory of one socket; older entries are dropped.
	presenceKeys = 64
)

// liveIn is a frame from the console on the live socket.
type liveIn struct {
	Type           string `json:"type"` // "presence"
	ConversationID string `json:"conversation_id"`
	State          string `json:"state"` // viewing, typing or left
}

// presenceData is what a presence event carries.
type presenceData struct {
	State string `json:"state"`
	Name  string `json:"name"`
	TTLms int64  `json:"ttl_ms"`
}

// conversationIDPattern is what a conversation id looks like (store.NewID: lower-case base 32).
var conversationIDPattern = regexp.MustCompile(`^[0-9a-z]{10,40}$`)

// presenceReader reads one console socket's presence frames and publishes them.
type presenceReader struct {
	s    *Server
	user string
	name string

	mu      sync.Mutex
	current string               // the conversation the agent last said they view
	last    map[string]time.Time // "conversation state" → when last passed on
	limit   *rate.Limiter
}

// read reads frames until the socket fails, then cancels ctx (ending the socket), as
// websocket's CloseRead would.
func (p *presenceReader) read(ctx context.Context, cancel context.CancelFunc, c *websocket.Conn) {
	defer cancel()
	c.SetReadLimit(presenceReadLimit)
	for {
		var in liveIn
		if err := wsjson.Read(ctx, c, &in); err != nil {
			return
		}
		if in.Type == "presence" {
			p.handle(in)
		}
	}
}

func (p *presenceReader) handle(in liveIn) {
	if !conversationIDPattern.MatchString(in.ConversationID) {
		return
	}
	switch in.State {
	case "viewing", "typing", "left":
	default:
		return
	}
	now := p.s.d.Clock.Now()
	p.mu.Lock()
	if p.last == nil {
		p.last = map[string]time.Time{}
		p.limit = rate.NewLimiter(presenceRate, presenceBurst)
	}
	key := in.ConversationID + " " + in.State
	// Typing is throttled per conversation; "viewing" is rare (a beat, or an answer to a
	// colleague who just arrived, which must not be swallowed) and only the limiter bounds it.
	if in.State == "typing" && now.Sub(p.last[key]) < presenceEvery && !p.last[key].IsZero() {
		p.mu.Unlock()
		return
	}
	// The limiter counts wall time: the injected clock may stand still in tests, and a flood
	// is a matter of real seconds.
	if !p.limit.Allow() {
		p.mu.Unlock()
		return
	}
	if len(p.last) >= presenceKeys {
		for k, at := range p.last {
			if now.Sub(at) >= presenceEvery {
				delete(p.last, k)
			}
		}
	}
	p.last[key] = now
	var left string
	switch {
	case in.State == "left":
		if p.current == in.ConversationID {
			p.current = ""
		}
		delete(p.last, in.ConversationID+" viewing")
		delete(p.last, in.ConversationID+" typing")
	case p.current != in.ConversationID:
		// Opening another conversation leaves the one before.
		left, p.current = p.current, in.ConversationID
	}
	p.mu.Unlock()
	if left != "" {
		p.publish(left, "left")
	}
	p.publish(in.ConversationID, in.State)
}

// leave tells the others the agent has gone when the socket ends.
func (p *presenceReader) leave() {
	p.mu.Lock()
	cur := p.current
	p.current = ""
	p.mu.Unlock()
	if cur != "" {
		p.publish(cur, "left")
	}
}

func (p *presenceReader) publish(conversationID, state string) {
	ttl := presenceTTL
	if state == "typing" {
		ttl = typingTTL
	}
	now := p.s.d.Clock.Now()
	data, _ := json.Marshal(presenceData{State: state, Name: p.name, TTLms: ttl.Milliseconds()})
	p.s.d.Bus.Publish(event.Event{
		ID: store.NewID(now), Kind: PresenceChanged, ConversationID: conversationID,
		Actor: event.Actor{Kind: event.ByUser, ID: p.user}, Data: data, At: now,
	})
}
