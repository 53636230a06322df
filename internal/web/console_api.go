package web

import (
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/policy"
)

// The console's read model: what the inbox shows in one round trip. The generic
// /api/v1/conversations list answers "which conversations"; the inbox also needs who the
// customer is, what they last said and how many conversations each view holds, and fetching
// those per row would cost the console fifty requests on every live update.
//
// The queries are read-only and written once for both databases, as everywhere; they belong
// here until a domain package grows an inbox of its own.
const (
	sqlInbox = `SELECT c.id, c.customer_id, COALESCE(cu.name, ''), COALESCE(cu.languages, ''), c.status, c.assignee_id, c.channel_id, c.subject, c.priority,
	c.updated_at, c.last_message_at, m.direction, CASE WHEN m.secret = 1 THEN '' ELSE SUBSTR(m.text, 1, 240) END, m.status, m.channel_id, m.created_at, c.queue_id, c.snoozed_until
FROM conversations c
LEFT JOIN customers cu ON cu.id = c.customer_id
LEFT JOIN messages m ON m.id = (SELECT m2.id FROM messages m2 WHERE m2.conversation_id = c.id ORDER BY m2.created_at DESC, m2.id DESC LIMIT 1)`

	// The counts take the user's id twice (mine, my queues) and the filters' arguments.
	sqlInboxCounts = `SELECT
	COALESCE(SUM(CASE WHEN c.assignee_id = ? AND c.status IN ('open', 'pending') AND c.snoozed_until IS NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN c.assignee_id IS NULL AND c.status IN ('open', 'pending') AND c.snoozed_until IS NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN c.status = 'open' AND c.snoozed_until IS NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN c.status = 'pending' AND c.snoozed_until IS NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN c.status = 'resolved' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN c.status IN ('open', 'pending') AND c.snoozed_until IS NOT NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN ` + sqlMyQueues + ` THEN 1 ELSE 0 END), 0)
FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id`

	// sqlMyQueues is the "my queues" view: open conversations, awake, in a queue the user
	// answers. It takes the user's id.
	sqlMyQueues = `c.status = 'open' AND c.snoozed_until IS NULL AND c.queue_id IN (SELECT qm.queue_id FROM queue_members qm WHERE qm.user_id = ?)`
)

// sqlBreaching is the "breaching soon" view: open conversations with a running target clock
// inside its warning window (80 % of its business time used) or past its deadline. It takes
// the current time; the order puts the soonest deadline, or the longest overdue, first.
const (
	sqlBreaching = `c.status = 'open' AND c.snoozed_until IS NULL AND EXISTS (SELECT 1 FROM sla_clocks sc WHERE sc.conversation_id = c.id AND sc.state = 'running'
  AND sc.slot <> 'customer' AND (sc.warned = 1 OR sc.breached = 1 OR sc.warn_at <= ?))`
	sqlBreachingOrder = `(SELECT MIN(sc.deadline_at) FROM sla_clocks sc WHERE sc.conversation_id = c.id AND sc.state = 'running' AND sc.slot <> 'customer'), c.id`
)

// inboxViews are the console's fixed views and the conditions that define them. Each
// condition takes the signed-in user's id as its only argument (me), the current time (now),
// or none; order replaces the most-recent-first order.
var inboxViews = map[string]struct {
	where string
	me    bool
	now   bool
	order string
}{
	"mine":       {where: "c.assignee_id = ? AND c.status IN ('open', 'pending') AND c.snoozed_until IS NULL", me: true},
	"unassigned": {where: "c.assignee_id IS NULL AND c.status IN ('open', 'pending') AND c.snoozed_until IS NULL"},
	"queues":     {where: sqlMyQueues, me: true},
	"open":       {where: "c.status = 'open' AND c.snoozed_until IS NULL"},
	"pending":    {where: "c.status = 'pending' AND c.snoozed_until IS NULL"},
	"snoozed":    {where: "c.status IN ('open', 'pending') AND c.snoozed_until IS NOT NULL", order: "c.snoozed_until, c.id"},
	"resolved":   {where: "c.status = 'resolved'"},
	"breaching":  {where: sqlBreaching, now: true, order: sqlBreachingOrder},
}

// inboxRow is one line of the inbox.
type inboxRow struct {
	ID                string        `json:"id"`
	CustomerID        string        `json:"customer_id"`
	CustomerName      string        `json:"customer_name"`
	CustomerLanguages []string      `json:"customer_languages"`
	Status            string        `json:"status"`
	AssigneeID        string        `json:"assignee_id,omitempty"`
	ChannelID         string        `json:"channel_id,omitempty"`
	Subject           string        `json:"subject,omitempty"`
	Priority          int           `json:"priority"`
	UpdatedAt         time.Time     `json:"updated_at"`
	LastMessageAt     time.Time     `json:"last_message_at"`
	LastMessage       *inboxMessage `json:"last_message,omitempty"`
	// SLA is the live service-level clock that falls due first, if any.
	SLA          *policy.Clock        `json:"sla,omitempty"`
	QueueID      string               `json:"queue_id,omitempty"`
	SnoozedUntil *time.Time           `json:"snoozed_until,omitempty"`
	Labels       []conversation.Label `json:"labels"`
}

// inboxMessage is the last message of a conversation, shortened for the list.
type inboxMessage struct {
	Direction string    `json:"direction"`
	Text      string    `json:"text"`
	Status    string    `json:"status"`
	ChannelID string    `json:"channel_id,omitempty"`
	At        time.Time `json:"at"`
}

// inboxCounts is how many conversations each view holds (under the same channel filter).
type inboxCounts struct {
	Mine       int `json:"mine"`
	Unassigned int `json:"unassigned"`
	Open       int `json:"open"`
	Pending    int `json:"pending"`
	Resolved   int `json:"resolved"`
	Breaching  int `json:"breaching"`
	Snoozed    int `json:"snoozed"`
	Queues     int `json:"queues"` // open conversations in the user's queues
}

// inboxView is the answer of GET /api/v1/inbox.
type inboxView struct {
	View   string      `json:"view"`
	Items  []inboxRow  `json:"items"`
	Counts inboxCounts `json:"counts"`
}

// channelBrief is a channel as any agent may see it: enough to name it and filter by it.
type channelBrief struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Kind    channel.Kind `json:"kind"`
	Enabled bool         `json:"enabled"`
}

// previewRunes is how much of the last message the inbox shows.
const previewRunes = 160

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("view")
	if name == "" {
		name = "mine"
	}
	view, ok := inboxViews[name]
	if !ok {
		s.fail(w, r, &badRequest{field: "view", msg: "view must be mine, unassigned, queues, open, pending, snoozed, resolved or breaching"})
		return
	}
	limit, err := queryInt(r, "limit", 50, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if limit == 0 {
		limit = 50
	}
	p, _ := principalFrom(r.Context())
	where := []string{view.where}
	var args []any
	if view.me {
		args = append(args, p.user.ID)
	}
	now := s.d.Clock.Now()
	if view.now {
		args = append(args, now.UnixMilli())
	}
	filters, filterArgs, err := inboxFilters(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	where = append(where, filters...)
	args = append(args, filterArgs...)
	if b := q.Get("before"); b != "" {
		t, err := time.Parse(time.RFC3339Nano, b)
		if err != nil {
			s.fail(w, r, &badRequest{field: "before", msg: "before must be an RFC 3339 time"})
			return
		}
		where = append(where, "c.last_message_at < ?")
		args = append(args, t.UnixMilli())
	}
	ctx := r.Context()
	order := "c.last_message_at DESC, c.id DESC"
	if view.order != "" {
		order = view.order
	}
	rows, err := s.d.DB.Query(ctx, sqlInbox+" WHERE "+strings.Join(where, " AND ")+fmt.Sprintf(" ORDER BY %s LIMIT %d", order, limit), args...)
	if err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox: %w", err))
		return
	}
	defer rows.Close()
	out := inboxView{View: name, Items: []inboxRow{}}
	for rows.Next() {
		var (
			row                            inboxRow
			langs                          string
			assignee, chanCol, mDir, mText sql.NullString
			mStatus, mChan, queue          sql.NullString
			updated, last                  int64
			mAt, snoozed                   sql.NullInt64
		)
		if err := rows.Scan(&row.ID, &row.CustomerID, &row.CustomerName, &langs, &row.Status, &assignee, &chanCol, &row.Subject, &row.Priority,
			&updated, &last, &mDir, &mText, &mStatus, &mChan, &mAt, &queue, &snoozed); err != nil {
			s.fail(w, r, fmt.Errorf("web: inbox: scan: %w", err))
			return
		}
		row.AssigneeID, row.ChannelID, row.QueueID = assignee.String, chanCol.String, queue.String
		if snoozed.Valid {
			t := time.UnixMilli(snoozed.Int64).UTC()
			row.SnoozedUntil = &t
		}
		row.Labels = []conversation.Label{}
		row.CustomerLanguages = []string{}
		if langs != "" {
			row.CustomerLanguages = strings.Split(langs, ",")
		}
		row.UpdatedAt, row.LastMessageAt = time.UnixMilli(updated).UTC(), time.UnixMilli(last).UTC()
		if mDir.Valid {
			row.LastMessage = &inboxMessage{Direction: mDir.String, Text: shorten(mText.String, previewRunes), Status: mStatus.String,
				ChannelID: mChan.String, At: time.UnixMilli(mAt.Int64).UTC()}
		}
		out.Items = append(out.Items, row)
	}
	if err := rows.Err(); err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox: %w", err))
		return
	}
	// The counts are of the same filters, so a filtered inbox counts what it would show.
	countQ, countArgs := sqlInboxCounts, append([]any{p.user.ID, p.user.ID}, filterArgs...)
	breachQ, breachArgs := "SELECT COUNT(*) FROM conversations c LEFT JOIN customers cu ON cu.id = c.customer_id WHERE "+sqlBreaching, append([]any{now.UnixMilli()}, filterArgs...)
	if len(filters) > 0 {
		countQ += " WHERE " + strings.Join(filters, " AND ")
		breachQ += " AND " + strings.Join(filters, " AND ")
	}
	c := &out.Counts
	if err := s.d.DB.QueryRow(ctx, countQ, countArgs...).Scan(&c.Mine, &c.Unassigned, &c.Open, &c.Pending, &c.Resolved, &c.Snoozed, &c.Queues); err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox counts: %w", err))
		return
	}
	if err := s.d.DB.QueryRow(ctx, breachQ, breachArgs...).Scan(&c.Breaching); err != nil {
		s.fail(w, r, fmt.Errorf("web: inbox counts: %w", err))
		return
	}
	ids := make([]string, len(out.Items))
	for i, row := range out.Items {
		ids[i] = row.ID
	}
	clocks, err := s.d.Policy.Summaries(ctx, ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	labels, err := s.d.Conversations.LabelsOf(ctx, ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range out.Items {
		if ls, ok := labels[out.Items[i].ID]; ok {
			out.Items[i].Labels = ls
		}
	}
	for i := range out.Items {
		if ck, ok := clocks[out.Items[i].ID]; ok {
			out.Items[i].SLA = &ck
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// inboxChannels lists the channels for the inbox's filter and the messages' channel marks.
// Agents may not read channel configuration (channels:read is for supervisors), but they
// must know what "demo-api" is called.
func (s *Server) inboxChannels(w http.ResponseWriter, r *http.Request) {
	chs, err := s.d.Channels.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := listOf[channelBrief]{Items: []channelBrief{}}
	for _, ch := range chs {
		out.Items = append(out.Items, channelBrief{ID: ch.ID, Name: ch.Name, Kind: ch.Kind, Enabled: ch.Enabled})
	}
	writeJSON(w, http.StatusOK, out)
}

// shorten cuts s to at most n runes on a word boundary where one is near, with "…".
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n]
	cut := string(runes)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	return cut + "…"
}
