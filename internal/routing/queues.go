package routing

import (
	"context"
	"errors"
	"fmt"

	"github.com/gesher-cs/gesher/internal/store"
)

// ErrNoQueue is returned for an unknown queue.
var ErrNoQueue = errors.New("routing: no such queue")

const (
	sqlQueueByID = `SELECT id, languages, channel_kinds, topics, segments, strategy, priority, rr_cursor FROM queues WHERE id = ?`
	sqlQueues    = `SELECT id, name, languages, channel_kinds, topics, segments, strategy, priority FROM queues ORDER BY name, id`
	sqlMembers   = `SELECT queue_id, user_id FROM queue_members ORDER BY queue_id, user_id`
)

// queueByID reads one queue's routing rules, for a conversation sent to it by name rather
// than by its rules.
func (r *Router) queueByID(ctx context.Context, id string) (*queue, error) {
	var qu queue
	var l, k, t, s string
	err := r.db.Q(ctx).QueryRow(ctx, sqlQueueByID, id).Scan(&qu.id, &l, &k, &t, &s, &qu.strategy, &qu.priority, &qu.cursor)
	if store.IsNoRows(err) {
		return nil, ErrNoQueue
	}
	if err != nil {
		return nil, fmt.Errorf("routing: queue %s: %w", id, err)
	}
	qu.languages, qu.kinds, qu.topics, qu.segments = split(l), split(k), split(t), split(s)
	return &qu, nil
}

// Queues lists every queue with its members, by name.
func (r *Router) Queues(ctx context.Context) ([]Queue, error) {
	q := r.db.Q(ctx)
	rows, err := q.Query(ctx, sqlQueues)
	if err != nil {
		return nil, fmt.Errorf("routing: queues: %w", err)
	}
	defer rows.Close()
	out := []Queue{}
	at := map[string]int{}
	for rows.Next() {
		var qu Queue
		var l, k, t, s string
		if err := rows.Scan(&qu.ID, &qu.Name, &l, &k, &t, &s, &qu.Strategy, &qu.Priority); err != nil {
			return nil, err
		}
		qu.Languages, qu.ChannelKinds, qu.Topics, qu.Segments = nonNil(split(l)), nonNil(split(k)), nonNil(split(t)), nonNil(split(s))
		qu.Members = []string{}
		at[qu.ID] = len(out)
		out = append(out, qu)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mrows, err := q.Query(ctx, sqlMembers)
	if err != nil {
		return nil, fmt.Errorf("routing: queue members: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var qid, uid string
		if err := mrows.Scan(&qid, &uid); err != nil {
			return nil, err
		}
		if i, ok := at[qid]; ok {
			out[i].Members = append(out[i].Members, uid)
		}
	}
	return out, mrows.Err()
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
