package conversation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
)

// ConversationTransferred records a conversation sent to a queue: it leaves its agent and is
// offered to the queue's members.
const ConversationTransferred event.Kind = "conversation.transferred"

// ErrNoQueue is returned for a transfer to a queue that does not exist.
var ErrNoQueue = errors.New("no such queue")

// TransferToQueue moves a conversation to a queue: it loses its agent, and routing offers it
// to the queue's members (never back to the agent who sent it away). When nobody in the queue
// has room it waits there unassigned, in the queue members' "my queues" view.
func (s *Service) TransferToQueue(ctx context.Context, id, queueID string, actor event.Actor) (Conversation, error) {
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != Open && c.Status != Pending {
			return &ValidationError{Field: "status", Reason: "only an open or pending conversation moves to a queue"}
		}
		var name string
		if err := tx.QueryRow(ctx, `SELECT name FROM queues WHERE id = ?`, queueID).Scan(&name); store.IsNoRows(err) {
			return ErrNoQueue
		} else if err != nil {
			return fmt.Errorf("conversation: transfer: %w", err)
		}
		var from sql.NullString
		if err := tx.QueryRow(ctx, `SELECT queue_id FROM conversations WHERE id = ?`, c.ID).Scan(&from); err != nil {
			return fmt.Errorf("conversation: transfer: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET queue_id = ?, updated_at = ? WHERE id = ?`, queueID, s.clock.Now().UnixMilli(), c.ID); err != nil {
			return fmt.Errorf("conversation: transfer: %w", err)
		}
		fromUser := c.AssigneeID
		if _, err := s.events.Append(ctx, event.Event{Kind: ConversationTransferred, CustomerID: c.CustomerID, ConversationID: c.ID, Actor: actor},
			map[string]string{"from_queue": from.String, "to_queue": queueID, "queue": name, "from_user": fromUser}); err != nil {
			return err
		}
		if fromUser != "" {
			if err := s.assign(ctx, tx, &c, "", actor, "transferred to queue"); err != nil {
				return err
			}
		}
		// Routing answers with the queue it was given, so the queue recorded stays queueID.
		return s.route(ctx, tx, &c, routing.Request{CustomerID: c.CustomerID, ChannelID: c.ChannelID, QueueID: queueID, Exclude: fromUser}, "queue ")
	})
	if err != nil {
		return Conversation{}, err
	}
	return s.Get(ctx, id)
}

// fillConsole adds what the console's header shows beside the conversation: its queue, its
// snooze and its labels.
func (s *Service) fillConsole(ctx context.Context, c *Conversation) error {
	var queue sql.NullString
	var snoozed sql.NullInt64
	if err := s.db.Q(ctx).QueryRow(ctx, `SELECT queue_id, snoozed_until FROM conversations WHERE id = ?`, c.ID).Scan(&queue, &snoozed); err != nil {
		return fmt.Errorf("conversation: queue and snooze: %w", err)
	}
	c.QueueID = queue.String
	c.SnoozedUntil = nil
	if snoozed.Valid {
		t := time.UnixMilli(snoozed.Int64).UTC()
		c.SnoozedUntil = &t
	}
	labels, err := s.LabelsOf(ctx, []string{c.ID})
	if err != nil {
		return err
	}
	c.Labels = labels[c.ID]
	if c.Labels == nil {
		c.Labels = []Label{}
	}
	return nil
}
