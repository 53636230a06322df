package customer

import (
	"context"
	"fmt"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// mergeData is the body of customer.merged and customer.unmerged events.
type mergeData struct {
	Source     string          `json:"source"`
	Target     string          `json:"target"`
	Identities []identityBrief `json:"identities"` // moved to the target, or given back to the source
}

type identityBrief struct {
	Kind  IdentityKind `json:"kind"`
	Value string       `json:"value"`
}

func briefs(ids []Identity) []identityBrief {
	out := make([]identityBrief, 0, len(ids))
	for _, id := range ids {
		out = append(out, identityBrief{id.Kind, id.Value})
	}
	return out
}

// Merge folds source into target: source's identities move to target, source points to it,
// and the MergeHook moves what other packages keep. It runs in ctx's transaction, if any. Both
// customers' timelines record the merge; the events of each stay as they were written.
func (s *Service) Merge(ctx context.Context, sourceID, targetID string, actor event.Actor) error {
	if sourceID == targetID {
		return ErrMergeSelf
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		src, err := s.load(ctx, sourceID)
		if err != nil {
			return err
		}
		dst, err := s.load(ctx, targetID)
		if err != nil {
			return err
		}
		if src.MergedInto != "" {
			return fmt.Errorf("customer: merge %s into %s: %s is merged into %s: %w", sourceID, targetID, sourceID, src.MergedInto, ErrAlreadyMerged)
		}
		if dst.MergedInto != "" {
			return fmt.Errorf("customer: merge %s into %s: %s is merged into %s; merge into that one: %w", sourceID, targetID, targetID, dst.MergedInto, ErrAlreadyMerged)
		}
		// Claim both rows in id order, so that two merges over the same pair wait for each
		// other on PostgreSQL instead of deadlocking, and the second finds the first's result.
		now := s.clock.Now().UnixMilli()
		first, second := sourceID, targetID
		if second < first {
			first, second = second, first
		}
		for _, id := range []string{first, second} {
			var err error
			if id == sourceID {
				err = s.claim(ctx, tx, sqlSetMergedInto, targetID, now, id)
			} else {
				err = s.claim(ctx, tx, sqlLockCanonical, now, id)
			}
			if err != nil {
				return fmt.Errorf("customer: merge %s into %s: %w", sourceID, targetID, err)
			}
		}
		moved, err := s.identitiesOf(ctx, sourceID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlMoveIdentities, targetID, sourceID); err != nil {
			return fmt.Errorf("customer: merge %s into %s: move identities: %w", sourceID, targetID, err)
		}
		// The event goes on both timelines: the target's shows who joined it, and the
		// source's, read on its own after an un-merge, still shows where it went.
		data := mergeData{Source: sourceID, Target: targetID, Identities: briefs(moved)}
		for _, id := range []string{sourceID, targetID} {
			if _, err := s.events.Append(ctx, event.Event{Kind: event.CustomerMerged, CustomerID: id, Actor: actor}, data); err != nil {
				return err
			}
		}
		if s.hook != nil {
			if err := s.hook.CustomerMerged(ctx, sourceID, targetID); err != nil {
				return fmt.Errorf("customer: merge %s into %s: %w", sourceID, targetID, err)
			}
		}
		return nil
	})
}

// claim runs one of the conditional updates on a customer row and reports ErrAlreadyMerged when
// it touched nothing: another merge got there first.
func (s *Service) claim(ctx context.Context, tx *store.Tx, q string, args ...any) error {
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrAlreadyMerged
	}
	return nil
}

// Unmerge undoes the merge of source: it is canonical again and gets back the identities it
// brought (an identity added to the target since stays with the target), and the MergeHook
// gives back what other packages keep. Customers merged into source before stay merged into it.
func (s *Service) Unmerge(ctx context.Context, sourceID string, actor event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		src, err := s.load(ctx, sourceID)
		if err != nil {
			return err
		}
		if src.MergedInto == "" {
			return fmt.Errorf("customer: unmerge %s: %w", sourceID, ErrNotMerged)
		}
		// The customer it was merged into directly, even if that one has since been merged
		// further: the hook and the events name the merge being undone.
		targetID := src.MergedInto
		now := s.clock.Now().UnixMilli()
		res, err := tx.Exec(ctx, sqlClearMergedInto, now, sourceID, targetID)
		if err != nil {
			return fmt.Errorf("customer: unmerge %s: %w", sourceID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			// Another un-merge won the race.
			return fmt.Errorf("customer: unmerge %s: %w", sourceID, ErrNotMerged)
		}
		// Read before the update, so that the event lists exactly what moved back.
		back, err := s.queryIdentities(ctx, sqlReturnedIdentities, sourceID, sourceID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlReturnIdentities, sourceID, sourceID, sourceID); err != nil {
			return fmt.Errorf("customer: unmerge %s: give back identities: %w", sourceID, err)
		}
		if s.hook != nil {
			if err := s.hook.CustomerUnmerged(ctx, sourceID, targetID); err != nil {
				return fmt.Errorf("customer: unmerge %s from %s: %w", sourceID, targetID, err)
			}
		}
		data := mergeData{Source: sourceID, Target: targetID, Identities: briefs(back)}
		for _, id := range []string{sourceID, targetID} {
			if _, err := s.events.Append(ctx, event.Event{Kind: event.CustomerUnmerged, CustomerID: id, Actor: actor}, data); err != nil {
				return err
			}
		}
		return nil
	})
}

// Family returns id and every customer merged into it, however indirectly: a customer's
// timeline is the events of all of them, since the log is never rewritten on merge.
func (s *Service) Family(ctx context.Context, id string) ([]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlFamily, id)
	if err != nil {
		return nil, fmt.Errorf("customer: family of %s: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("customer: family of %s: %w", id, err)
		}
		if m == id {
			out = append([]string{m}, out...)
		} else {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("customer: family of %s: %w", id, err)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// Timeline returns the events of a customer and of everyone merged into it, newest first.
// beforeSeq pages back (0 starts at the newest); limit defaults to 100 and is at most 1000.
func (s *Service) Timeline(ctx context.Context, id string, beforeSeq int64, limit int) ([]event.Event, error) {
	fam, err := s.Family(ctx, id)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	return s.events.List(ctx, event.Filter{CustomerIDs: fam, BeforeSeq: beforeSeq, Newest: true, Limit: min(limit, 1000)})
}
