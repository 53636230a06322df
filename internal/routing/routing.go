// Package routing decides who owns a conversation when it opens: the customer's previous agent
// when they are available (one owner across channels and across visits), otherwise the
// least-loaded available agent, preferring one who speaks the customer's language.
//
// Queues, topics, capacity weights and round-robin come with the service-level work; this is
// the owner rule the spine needs.
package routing

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/store"
)

// Router picks owners.
type Router struct {
	db    *store.DB
	clock clock.Clock
	// StickyWithin is how far back a previous owner counts.
	StickyWithin time.Duration
}

// New returns a router.
func New(db *store.DB, clk clock.Clock) *Router {
	return &Router{db: db, clock: clk, StickyWithin: 90 * 24 * time.Hour}
}

// Pick returns the user to own a new conversation of customerID, or "" when no agent is
// available (the conversation then waits unassigned, visible to every agent).
func (r *Router) Pick(ctx context.Context, customerID string) (string, error) {
	q := r.db.Q(ctx)
	since := r.clock.Now().Add(-r.StickyWithin).UnixMilli()
	var prev sql.NullString
	err := q.QueryRow(ctx, sqlPreviousOwner, customerID, since).Scan(&prev)
	if err != nil && !store.IsNoRows(err) {
		return "", fmt.Errorf("routing: previous owner: %w", err)
	}
	if prev.Valid {
		return prev.String, nil
	}
	var langs string
	if err := q.QueryRow(ctx, `SELECT languages FROM customers WHERE id = ?`, customerID).Scan(&langs); err != nil && !store.IsNoRows(err) {
		return "", err
	}
	lang, _, _ := strings.Cut(langs, ",")
	rows, err := q.Query(ctx, sqlCandidates)
	if err != nil {
		return "", fmt.Errorf("routing: candidates: %w", err)
	}
	defer rows.Close()
	best, bestLoad, bestSpeaks := "", int64(-1), false
	for rows.Next() {
		var id, userLangs string
		var load int64
		if err := rows.Scan(&id, &userLangs, &load); err != nil {
			return "", err
		}
		speaks := lang != "" && contains(userLangs, lang)
		// Language first, then load; ties go to the earlier user id, so the choice is stable.
		if best == "" || (speaks && !bestSpeaks) || (speaks == bestSpeaks && load < bestLoad) {
			best, bestLoad, bestSpeaks = id, load, speaks
		}
	}
	return best, rows.Err()
}

func contains(list, item string) bool {
	for _, v := range strings.Split(list, ",") {
		if strings.TrimSpace(v) == item {
			return true
		}
	}
	return false
}

const (
	// The customer's most recent owner who is still an active, online agent.
	sqlPreviousOwner = `SELECT c.assignee_id FROM conversations c JOIN users u ON u.id = c.assignee_id
WHERE c.customer_id = ? AND c.last_message_at >= ? AND u.disabled = 0 AND u.availability = 'online'
ORDER BY c.last_message_at DESC LIMIT 1`

	sqlCandidates = `SELECT u.id, u.languages,
  (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending')) AS load
FROM users u WHERE u.role = 'agent' AND u.disabled = 0 AND u.availability = 'online' ORDER BY u.id`
)
