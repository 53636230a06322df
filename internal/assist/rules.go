package assist

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Rule is one supervisor's rule: when the visit's facts meet the condition, offer this.
type Rule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	When      string    `json:"when"`
	Offer     OfferKind `json:"offer"`
	ArticleID string    `json:"article_id,omitempty"`
	// Priority orders the rules: the highest that holds makes the offer.
	Priority  int       `json:"priority"`
	Enabled   bool      `json:"enabled"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`

	cond Condition
}

// RuleInput is a rule as a supervisor writes it.
type RuleInput struct {
	Name      string    `json:"name"`
	When      string    `json:"when"`
	Offer     OfferKind `json:"offer"`
	ArticleID string    `json:"article_id,omitempty"`
	Priority  int       `json:"priority"`
	Enabled   *bool     `json:"enabled,omitempty"` // true when left out
}

// Validate checks a rule and returns its condition parsed.
func (in RuleInput) Validate(id string) (Condition, error) {
	if !isWord(id) || len(id) > 64 {
		return nil, &InputError{"id", "letters, digits, - and _, at most 64"}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 || n > 200 {
		return nil, &InputError{"name", "from 1 to 200 characters"}
	}
	c, err := ParseCondition(in.When)
	if err != nil {
		var ce *ConditionError
		if errors.As(err, &ce) {
			return nil, &InputError{"when", ce.Reason}
		}
		return nil, err
	}
	if !in.Offer.Valid() {
		return nil, &InputError{"offer", "chat, article or callback"}
	}
	if (in.Offer == OfferArticle) != (in.ArticleID != "") {
		return nil, &InputError{"article_id", "an article offer names its article, and only an article offer does"}
	}
	if in.Priority < -1000 || in.Priority > 1000 {
		return nil, &InputError{"priority", "from -1000 to 1000"}
	}
	return c, nil
}

// PutRule creates or replaces a rule.
func (s *Service) PutRule(ctx context.Context, id string, in RuleInput, by event.Actor) (Rule, error) {
	c, err := in.Validate(id)
	if err != nil {
		return Rule{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	flag := 0
	if enabled {
		flag = 1
	}
	r := Rule{ID: id, Name: strings.TrimSpace(in.Name), When: c.String(), Offer: in.Offer, ArticleID: in.ArticleID, Priority: in.Priority, Enabled: enabled, UpdatedBy: by.ID, cond: c}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.clock.Now()
		r.UpdatedAt = time.UnixMilli(now.UnixMilli()).UTC()
		if _, err := tx.Exec(ctx, sqlUpsertRule, r.ID, r.Name, r.When, string(r.Offer), r.ArticleID, r.Priority, flag, r.UpdatedBy, now.UnixMilli(), now.UnixMilli()); err != nil {
			return fmt.Errorf("assist: save rule: %w", err)
		}
		_, err := s.events.Append(ctx, event.Event{Kind: RuleSaved, Actor: by}, r)
		return err
	})
	return r, err
}

// DeleteRule removes a rule. Offers it made keep its id.
func (s *Service) DeleteRule(ctx context.Context, id string, by event.Actor) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlDeleteRule, id)
		if err != nil {
			return fmt.Errorf("assist: delete rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = s.events.Append(ctx, event.Event{Kind: RuleDeleted, Actor: by}, map[string]string{"id": id})
		return err
	})
}

// Rules lists every rule, highest priority first.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	return s.rules(ctx, s.db.Q(ctx), false)
}

// Rule returns one rule.
func (s *Service) Rule(ctx context.Context, id string) (Rule, error) {
	rs, err := s.rules(ctx, s.db.Q(ctx), false)
	if err != nil {
		return Rule{}, err
	}
	for _, r := range rs {
		if r.ID == id {
			return r, nil
		}
	}
	return Rule{}, ErrNotFound
}

func (s *Service) rules(ctx context.Context, q store.Querier, enabledOnly bool) ([]Rule, error) {
	rows, err := q.Query(ctx, sqlSelectRules)
	if err != nil {
		return nil, fmt.Errorf("assist: read rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var r Rule
		var enabled int
		var at int64
		var by sql.NullString
		if err := rows.Scan(&r.ID, &r.Name, &r.When, &r.Offer, &r.ArticleID, &r.Priority, &enabled, &by, &at); err != nil {
			return nil, fmt.Errorf("assist: scan rule: %w", err)
		}
		r.Enabled, r.UpdatedBy, r.UpdatedAt = enabled == 1, by.String, time.UnixMilli(at).UTC()
		if enabledOnly && !r.Enabled {
			continue
		}
		c, err := ParseCondition(r.When)
		if err != nil {
			// Stored rules were checked when saved; one that no longer parses (a fact since
			// removed) is skipped, not fatal to every visit.
			s.log.Warn("assist: stored rule does not parse", "rule", r.ID, "err", err)
			continue
		}
		r.cond = c
		out = append(out, r)
	}
	return out, rows.Err()
}
