package conversation

import (
	"context"
	"errors"
	"fmt"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// CustomerMerged moves the source customer's conversations to the target. When both have an
// open conversation, the target's stays open and the source's is folded into it (status
// merged): its messages then show in the target's conversation, and the one-open-conversation
// rule holds for the merged customer. It runs in the merge's transaction.
func (s *Service) CustomerMerged(ctx context.Context, sourceID, targetID string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now().UnixMilli()
		srcOpen, srcErr := s.openFor(ctx, tx, sourceID)
		if srcErr != nil && !errors.Is(srcErr, ErrNotFound) {
			return srcErr
		}
		dstOpen, dstErr := s.openFor(ctx, tx, targetID)
		if dstErr != nil && !errors.Is(dstErr, ErrNotFound) {
			return dstErr
		}
		if srcErr == nil && dstErr == nil {
			if _, err := tx.Exec(ctx, `UPDATE conversations SET status = 'merged', merged_into = ?, updated_at = ? WHERE id = ?`, dstOpen.ID, now, srcOpen.ID); err != nil {
				return fmt.Errorf("conversation: fold %s into %s: %w", srcOpen.ID, dstOpen.ID, err)
			}
			if _, err := s.events.Append(ctx, event.Event{
				Kind: event.ConversationMerged, CustomerID: targetID, ConversationID: dstOpen.ID, Actor: event.System,
			}, map[string]string{"from_conversation": srcOpen.ID, "into_conversation": dstOpen.ID}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET customer_id = ?, updated_at = ? WHERE customer_id = ?`, targetID, now, sourceID); err != nil {
			return fmt.Errorf("conversation: move conversations: %w", err)
		}
		return nil
	})
}

// CustomerUnmerged gives back to the source customer the conversations it brought into the
// merge. A conversation that was folded into the target's open one is reopened for the source
// if the source has nothing open; messages that arrived on the target's conversation meanwhile
// stay there.
func (s *Service) CustomerUnmerged(ctx context.Context, sourceID, targetID string) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now().UnixMilli()
		if _, err := tx.Exec(ctx, `UPDATE conversations SET customer_id = ?, updated_at = ? WHERE original_customer_id = ? AND customer_id = ?`, sourceID, now, sourceID, targetID); err != nil {
			return fmt.Errorf("conversation: give back conversations: %w", err)
		}
		folded, err := scanConversation(tx.QueryRow(ctx, sqlSelectConversation+` WHERE customer_id = ? AND status = 'merged' ORDER BY updated_at DESC LIMIT 1`, sourceID))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := s.openFor(ctx, tx, sourceID); err == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET status = 'open', merged_into = NULL, updated_at = ? WHERE id = ?`, now, folded.ID); err != nil {
			return fmt.Errorf("conversation: unfold %s: %w", folded.ID, err)
		}
		_, err = s.events.Append(ctx, event.Event{
			Kind: event.ConversationStatus, CustomerID: sourceID, ConversationID: folded.ID, Actor: event.System,
		}, map[string]string{"from": string(Merged), "to": string(Open), "reason": "customers un-merged"})
		return err
	})
}
