package metrics

import (
	"context"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/policy"
)

// view is what a computation knows besides the events: the kind of every channel, and — when a
// query or a figure needs them — the members of a segment and the queue of every conversation.
// Segments and queues are read as they are now: a customer counts for the segment they are in
// today, and a conversation for the queue it sits in today.
type view struct {
	kinds     map[string]string // channel id → kind
	members   map[string]bool   // nil: every customer
	queues    map[string]string // conversation id → queue id; nil unless loaded
	calendars map[string]*policy.Calendar
	s         *Service
	q         Query
}

func (s *Service) view(ctx context.Context, q Query, withQueues bool) (*view, error) {
	kinds, err := s.channelKinds(ctx)
	if err != nil {
		return nil, err
	}
	v := &view{kinds: kinds, calendars: map[string]*policy.Calendar{}, s: s, q: q}
	if q.SegmentID != "" {
		v.members = map[string]bool{}
		rows, err := s.db.Query(ctx, sqlSegmentMembers, q.SegmentID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			v.members[id] = true
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if withQueues || q.QueueID != "" {
		v.queues = map[string]string{}
		rows, err := s.db.Query(ctx, sqlConversationQueues)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var id, queue string
			if err := rows.Scan(&id, &queue); err != nil {
				return nil, err
			}
			v.queues[id] = queue
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// kind is the kind of a channel id ("unknown" for none).
func (v *view) kind(channelID string) string {
	if k := v.kinds[channelID]; k != "" {
		return k
	}
	return "unknown"
}

// keep says whether an event passes the query's customer, queue and channel filters (the agent
// filter depends on the figure, so each applies it).
func (v *view) keep(e event.Event) bool {
	if v.members != nil && !v.members[e.CustomerID] {
		return false
	}
	if v.q.QueueID != "" && v.queues[e.ConversationID] != v.q.QueueID {
		return false
	}
	return v.q.ChannelKind == "" || v.kind(e.ChannelID) == v.q.ChannelKind
}

// business is the business time between a and b in the calendar of channelID's service
// levels; wall-clock time when no calendars are wired.
func (v *view) business(ctx context.Context, channelID string, a, b time.Time) (time.Duration, error) {
	if v.s.calendars == nil {
		return b.Sub(a), nil
	}
	cal, ok := v.calendars[channelID]
	if !ok {
		var err error
		if cal, err = v.s.calendars.CalendarFor(ctx, channelID); err != nil {
			return 0, err
		}
		v.calendars[channelID] = cal
	}
	return cal.Between(a, b), nil
}

const (
	sqlSegmentMembers     = `SELECT customer_id FROM segment_members WHERE segment_id = ?`
	sqlConversationQueues = `SELECT id, COALESCE(queue_id, '') FROM conversations`
	sqlChannelsCreated    = `SELECT id, kind, created_at FROM channels`
	sqlVisitorIdentities  = `SELECT value, customer_id FROM identities WHERE kind = 'visitor'`
	sqlBranchNames        = `SELECT id, name FROM branches`
)
