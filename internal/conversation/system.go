package conversation

import (
	"context"
	"errors"
	"fmt"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
)

// SystemMessage is a message Gesher sends a customer on its own, not an agent's reply: a
// case's stage change ("your claim is approved").
type SystemMessage struct {
	CustomerID string
	ChannelID  string
	Text       string
	// Secret says Text holds a secret (a one-time code): it is delivered, but the event that
	// records the message does not repeat it.
	Secret bool
	// Choices are the answers the message offers, already numbered in Text (a survey's
	// scores); adapters whose provider has buttons send them as buttons too.
	Choices []string
	// ChoiceKey names the question Choices answer; see ReplyInput.ChoiceKey.
	ChoiceKey string
}

// SendSystem stores a system-authored message to the customer and queues it for delivery, in
// the transaction carried by ctx, through the reply path (so the channel-fit guard and the
// outbox apply as to any reply). It goes on the customer's current conversation: the open
// one; else the most recent one, which it does not reopen (the customer's answer will); else
// a new one, opened pending, since the next move is the customer's.
func (s *Service) SendSystem(ctx context.Context, in SystemMessage) (Message, error) {
	var msg Message
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.openFor(ctx, tx, in.CustomerID)
		if errors.Is(err, ErrNotFound) {
			c, err = scanConversation(tx.QueryRow(ctx, sqlSelectConversation+` WHERE customer_id = ? AND status <> 'merged' ORDER BY last_message_at DESC, id DESC LIMIT 1`, in.CustomerID))
		}
		if errors.Is(err, ErrNotFound) {
			c, err = s.openPending(ctx, tx, in.CustomerID, in.ChannelID)
		}
		if err != nil {
			return err
		}
		msg, err = s.Reply(ctx, ReplyInput{ConversationID: c.ID, ChannelID: in.ChannelID, Text: in.Text, Secret: in.Secret, Choices: in.Choices, ChoiceKey: in.ChoiceKey})
		return err
	})
	return msg, err
}

// openPending opens a conversation for a message the system starts: pending, opened by the
// system, and given an owner as any new conversation is, so the customer's answer reaches one.
func (s *Service) openPending(ctx context.Context, tx *store.Tx, customerID, channelID string) (Conversation, error) {
	now := s.clock.Now()
	c := Conversation{ID: store.NewID(now), CustomerID: customerID, Status: Pending, ChannelID: channelID, CreatedAt: now, UpdatedAt: now, LastMessageAt: now}
	if _, err := tx.Exec(ctx, sqlInsertConversation, c.ID, customerID, customerID, string(Pending), null(channelID),
		now.UnixMilli(), now.UnixMilli(), now.UnixMilli()); err != nil {
		return c, fmt.Errorf("conversation: open for a system message: %w", err)
	}
	if _, err := s.events.Append(ctx, event.Event{
		Kind: event.ConversationOpened, CustomerID: customerID, ConversationID: c.ID, ChannelID: channelID, Actor: event.System,
	}, map[string]string{"status": string(Pending), "reason": "system message"}); err != nil {
		return c, err
	}
	return c, s.route(ctx, tx, &c, routing.Request{CustomerID: customerID, ChannelID: channelID}, "")
}
