package channel

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Deflection actions: moving a conversation to another channel on purpose (SPEC C6).
const (
	MoveContinue   = "continue"    // carry on on another channel (an email thread on WhatsApp)
	MoveOffer      = "offer"       // offer a waiting caller to continue by WhatsApp or SMS
	MoveCallback   = "callback"    // turn a chat into a phone callback
	MoveVisualMenu = "visual-menu" // send the visual menu link by SMS
)

// MoveRequest asks to move a conversation.
type MoveRequest struct {
	ConversationID string
	ToChannelID    string
	Action         string
	// Text is the message sent on the new channel (the invitation, the link); a callback sends
	// nothing.
	Text string
	// Template says Text is an approved template (WhatsApp outside its window).
	Template bool
}

// Moved is what a move did.
type Moved struct {
	ConversationID string                `json:"conversation_id"`
	FromChannelID  string                `json:"from_channel_id"`
	ToChannelID    string                `json:"to_channel_id"`
	Action         string                `json:"action"`
	Event          event.Event           `json:"event"`
	Message        *conversation.Message `json:"message,omitempty"`
}

// Mover moves conversations between channels, keeping them one conversation.
type Mover struct {
	db            *store.DB
	fit           *Fitter
	channels      *Channels
	customers     *customer.Service
	conversations *conversation.Service
	events        *event.Log
}

// NewMover returns the deflection service.
func NewMover(db *store.DB, fit *Fitter, channels *Channels, customers *customer.Service, conversations *conversation.Service, events *event.Log) *Mover {
	return &Mover{db: db, fit: fit, channels: channels, customers: customers, conversations: conversations, events: events}
}

// Move checks that the target channel fits the customer for the action, records the move as
// an event credited to the agent, makes the target the conversation's channel, and sends the
// text there — all in one transaction. A channel that does not fit is refused with a
// *NotFitError naming the reason.
func (m *Mover) Move(ctx context.Context, req MoveRequest, actor event.Actor) (Moved, error) {
	var out Moved
	purpose := Purpose{Template: req.Template}
	switch req.Action {
	case MoveContinue, MoveOffer, MoveCallback:
	case MoveVisualMenu:
		purpose.WebLink, purpose.PictureMenu = true, true
	default:
		return out, &conversation.ValidationError{Field: "action", Reason: "must be continue, offer, callback or visual-menu"}
	}
	err := m.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		conv, err := m.conversations.Get(ctx, req.ConversationID)
		if err != nil {
			return err
		}
		if conv.Status != conversation.Open && conv.Status != conversation.Pending {
			return &conversation.ValidationError{Field: "conversation", Reason: "only an open conversation can move"}
		}
		to, err := m.channels.Get(ctx, req.ToChannelID)
		if err != nil {
			return &conversation.ValidationError{Field: "channel_id", Reason: "no such channel"}
		}
		if req.Action == MoveCallback && to.Kind != "voice" {
			return &conversation.ValidationError{Field: "channel_id", Reason: "a callback goes to a voice channel"}
		}
		cust, err := m.customers.Get(ctx, conv.CustomerID)
		if err != nil {
			return err
		}
		if err := m.fit.Check(ctx, cust, to, purpose); err != nil {
			return err
		}
		if err := m.hybridAllows(ctx, cust.ID, conv.ChannelID, to, req.Action); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET channel_id = ? WHERE id = ?`, to.ID, conv.ID); err != nil {
			return fmt.Errorf("channel: move: %w", err)
		}
		out = Moved{ConversationID: conv.ID, FromChannelID: conv.ChannelID, ToChannelID: to.ID, Action: req.Action}
		out.Event, err = m.events.Append(ctx, event.Event{
			Kind: event.ConversationMoved, CustomerID: conv.CustomerID, ConversationID: conv.ID, ChannelID: to.ID, Actor: actor,
		}, map[string]string{"from_channel": conv.ChannelID, "to_channel": to.ID, "to_kind": string(to.Kind), "action": req.Action})
		if err != nil {
			return err
		}
		if req.Text != "" && req.Action != MoveCallback {
			msg, err := m.conversations.Reply(ctx, conversation.ReplyInput{
				ConversationID: conv.ID, AuthorID: actor.ID, Text: req.Text, ChannelID: to.ID, Template: req.Template,
			})
			if err != nil {
				return err
			}
			out.Message = &msg
		}
		return nil
	})
	return out, err
}

// Credits counts an agent's accepted moves by action: SPEC C13's "no agent loses by sending a
// customer to the app". Computed from the event log, so it agrees with every other figure.
func (m *Mover) Credits(ctx context.Context, userID string) (map[string]int, error) {
	out := map[string]int{}
	var after int64
	for {
		evs, err := m.events.List(ctx, event.Filter{Kinds: []event.Kind{event.ConversationMoved}, ActorID: userID, AfterSeq: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			var d struct {
				Action string `json:"action"`
			}
			_ = json.Unmarshal(e.Data, &d)
			out[d.Action]++
			after = e.Seq
		}
		if len(evs) < 1000 {
			return out, nil
		}
	}
}

// hybridAllows keeps the hybrid phase (SPEC C13): while a segment the customer is in is below
// its digital-adoption target, a customer on a traditional channel may be offered a digital one
// (offer, visual-menu) but not moved onto it (continue). Moves between digital channels, and
// back to the phone, are not affected.
func (m *Mover) hybridAllows(ctx context.Context, customerID, fromID string, to Channel, action string) error {
	if action != MoveContinue || to.Kind == "voice" || fromID == "" {
		return nil
	}
	from, err := m.channels.Get(ctx, fromID)
	if err != nil {
		return err
	}
	if from.Kind != "voice" {
		return nil
	}
	rules, err := m.fit.Rules(ctx, customerID)
	if err != nil {
		return err
	}
	if len(rules.Hybrid) > 0 {
		return &conversation.ValidationError{Field: "action", Reason: "the customer's segment " + rules.Hybrid[0] +
			" is in the hybrid phase: offer the digital channel (action offer) rather than moving the conversation onto it"}
	}
	return nil
}
