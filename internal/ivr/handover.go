package ivr

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
)

// Handover is what the agent who takes a call reads before answering: who is calling, why,
// the way they came through the menu, what they tried on the visual menu, and their open
// conversation.
type Handover struct {
	Call     Call   `json:"call"`
	Position int    `json:"position,omitempty"` // place in line while waiting
	Caller   Caller `json:"caller"`
	// Reason is the caller's last menu choice, in their language.
	Reason string `json:"reason"`
	// Path is the phone menu, step by step; Visual is what they did on the visual menu.
	Path         []PathStep                 `json:"path"`
	Visual       []PathStep                 `json:"visual"`
	Conversation *conversation.Conversation `json:"conversation,omitempty"`
}

// Caller is who is calling.
type Caller struct {
	CustomerID string   `json:"customer_id"`
	Name       string   `json:"name"`
	Phone      string   `json:"phone,omitempty"`
	Languages  []string `json:"languages"`
	Device     string   `json:"device,omitempty"`
}

// PathStep is one event of the call's menu path.
type PathStep struct {
	At   time.Time       `json:"at"`
	Kind event.Kind      `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// visualKinds are the events of the visual menu; the rest of a call's are its phone path.
var visualKinds = map[event.Kind]bool{VisualOpened: true, VisualStep: true, CallContained: true}

// Handover returns the hand-over context of a call, by its id or the provider's call id.
func (s *Service) Handover(ctx context.Context, id string) (Handover, error) {
	c, err := s.Call(ctx, id)
	if err != nil {
		return Handover{}, err
	}
	return s.handover(ctx, c)
}

// ConversationHandover is the hand-over context of the latest call that joined a
// conversation, for the console's conversation view; ErrNotFound when no call did.
func (s *Service) ConversationHandover(ctx context.Context, conversationID string) (Handover, error) {
	c, err := scanCall(s.db.Q(ctx).QueryRow(ctx, sqlLatestCallOf, conversationID))
	if err != nil {
		return Handover{}, err
	}
	return s.handover(ctx, c)
}

func (s *Service) handover(ctx context.Context, c Call) (Handover, error) {
	var err error
	h := Handover{Call: c, Reason: c.Reason, Path: []PathStep{}, Visual: []PathStep{}}
	if h.Position, err = s.Position(ctx, c); err != nil {
		return h, err
	}
	cust, err := s.customers.Get(ctx, c.CustomerID)
	if err != nil {
		return h, err
	}
	h.Caller = Caller{CustomerID: cust.ID, Name: cust.Name, Phone: c.Caller, Languages: cust.Languages, Device: cust.Profile.Device}
	if h.Caller.Languages == nil {
		h.Caller.Languages = []string{}
	}
	evs, err := s.events.List(ctx, event.Filter{CustomerIDs: []string{c.CustomerID}, Since: c.CreatedAt, Limit: 1000,
		Kinds: []event.Kind{CallStarted, LanguageChosen, OptionChosen, InputMissed, ActionDone, CallQueued, CallbackBooked, VisualOpened, VisualStep, CallContained, CallHandedOver, CallEnded}})
	if err != nil {
		return h, err
	}
	for _, e := range evs {
		var d struct {
			CallID string `json:"call_id"`
		}
		if json.Unmarshal(e.Data, &d) != nil || d.CallID != c.ID {
			continue
		}
		st := PathStep{At: e.At, Kind: e.Kind, Data: e.Data}
		if visualKinds[e.Kind] {
			h.Visual = append(h.Visual, st)
		} else {
			h.Path = append(h.Path, st)
		}
	}
	if c.ConversationID != "" {
		conv, err := s.convs.Get(ctx, c.ConversationID)
		if err != nil && !errors.Is(err, conversation.ErrNotFound) {
			return h, err
		}
		if err == nil {
			h.Conversation = &conv
		}
	}
	return h, nil
}
