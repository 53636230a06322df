// Package routing decides who owns a conversation when it opens, and keeps one owner per
// customer: the customer's previous agent when they are available and have room (one owner
// across channels and visits), otherwise an agent of the best-matching queue — by language,
// channel, topic and segment — who has capacity for the conversation's weight, chosen
// least-loaded or round-robin as the queue says, preferring one who speaks the customer's
// language.
//
// Capacity is counted in weight: a chat holds a whole slot of an agent's attention, an email
// a fifth of one. A conversation that finds nobody with room waits unassigned in its queue.
//
// While a segment is in the hybrid phase (below its adoption target, its members still
// calling and writing on traditional channels), digital work never takes the last available
// agents of a traditional channel's queue: each such queue keeps a reserve (1 by default) of
// agents with room for its own channels (docs/segments.md).
package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/store"
)

// DefaultWeights is how much of an agent's capacity one conversation takes, by the kind of
// channel it arrived on. Synchronous channels take a whole slot; asynchronous ones a fraction.
var DefaultWeights = map[string]float64{
	"webchat": 1.0, "voice": 1.0, "whatsapp": 0.34, "sms": 0.34, "telegram": 0.34, "api": 0.34, "email": 0.2,
}

// Weigher returns the weight of a conversation on a channel. The per-channel policy is one;
// DefaultWeights by channel kind is the fallback.
type Weigher func(ctx context.Context, channelID string) (float64, error)

// Router picks owners.
type Router struct {
	db    *store.DB
	clock clock.Clock
	// StickyWithin is how far back a previous owner counts.
	StickyWithin time.Duration
	weigh        Weigher
	segmentsOf   SegmentSource
	hybrid       HybridSource
	// DefaultReserve is how many available agents each traditional queue keeps from digital
	// work while a segment is hybrid; ReserveByQueue overrides it by queue name (0: none).
	DefaultReserve int
	ReserveByQueue map[string]int
}

// Traditional says whether a channel kind is a traditional one, a kind that a shift to digital
// moves customers away from: the phone and the branch. A queue that takes one is a traditional
// queue. It is the one definition: channel.Traditional, which the segments' adoption share and
// the dashboards use, answers with it, because this package cannot import channel (channel
// imports it through conversation).
func Traditional(kind string) bool { return kind == "voice" || kind == "branch" }

// HybridSource returns the segments in the hybrid phase now whose members still use the
// traditional channels.
type HybridSource func(ctx context.Context) ([]string, error)

// SetHybrid makes routing keep traditional queues staffed while segments are hybrid. Call it
// while wiring.
func (r *Router) SetHybrid(f HybridSource) { r.hybrid = f }

// SegmentSource returns the names of the segments a customer is in now (segment_members),
// which queues match on beside the profile's own segment tags.
type SegmentSource func(ctx context.Context, customerID string) ([]string, error)

// SetSegments makes queues match the customer's evaluated segments. Call it while wiring.
func (r *Router) SetSegments(f SegmentSource) { r.segmentsOf = f }

// New returns a router that weighs conversations by DefaultWeights.
func New(db *store.DB, clk clock.Clock) *Router {
	r := &Router{db: db, clock: clk, StickyWithin: 90 * 24 * time.Hour, DefaultReserve: 1}
	r.weigh = r.defaultWeight
	return r
}

// SetWeigher replaces how conversations are weighed (the channel policy's weights).
func (r *Router) SetWeigher(w Weigher) { r.weigh = w }

func (r *Router) defaultWeight(ctx context.Context, channelID string) (float64, error) {
	if channelID == "" {
		return 1, nil
	}
	var kind string
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT kind FROM channels WHERE id = ?`, channelID).Scan(&kind)
	if store.IsNoRows(err) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	if w, ok := DefaultWeights[kind]; ok {
		return w, nil
	}
	return 1, nil
}

// Request describes the conversation to place.
type Request struct {
	CustomerID string
	ChannelID  string
	Topic      string
	// QueueID sends the conversation to this queue's members instead of the queue its rules
	// match (an agent transferred it there). The previous owner does not count then: the
	// transfer moved the conversation away from them on purpose.
	QueueID string
	// Exclude is an agent not to choose: the one who transferred the conversation away.
	Exclude string
}

// Decision is where a conversation goes.
type Decision struct {
	UserID  string  // "" when nobody has room: it waits in its queue
	QueueID string  // "" when no queue matched
	Weight  float64 // what it takes of its owner's capacity
	Reason  string  // sticky, least-loaded, round-robin, no-capacity, no-agents, hybrid-reserve
	// Hybrid names the segments in the hybrid phase, and Reserved the traditional queues whose
	// last available agents this digital conversation was kept from; both empty when the
	// reserve held nobody back.
	Hybrid   []string
	Reserved []string
}

// ReasonHybridReserve is why a digital conversation waits when the only agents with room are
// the last ones a traditional queue keeps while a segment is hybrid.
const ReasonHybridReserve = "hybrid-reserve"

type agent struct {
	id        string
	languages []string
	capacity  float64
	load      float64
	count     int
}

type queue struct {
	id, strategy, cursor               string
	languages, kinds, topics, segments []string
	priority                           int
}

// Route decides the owner of a new conversation. It runs in the transaction carried by ctx.
func (r *Router) Route(ctx context.Context, req Request) (Decision, error) {
	q := r.db.Q(ctx)
	d := Decision{}
	var err error
	if d.Weight, err = r.weigh(ctx, req.ChannelID); err != nil {
		return d, fmt.Errorf("routing: weight: %w", err)
	}
	var langList, profile, kind string
	if err := q.QueryRow(ctx, `SELECT languages, profile FROM customers WHERE id = ?`, req.CustomerID).Scan(&langList, &profile); err != nil && !store.IsNoRows(err) {
		return d, err
	}
	if req.ChannelID != "" {
		if err := q.QueryRow(ctx, `SELECT kind FROM channels WHERE id = ?`, req.ChannelID).Scan(&kind); err != nil && !store.IsNoRows(err) {
			return d, err
		}
	}
	langs := split(langList)
	segments := profileSegments(profile)
	if r.segmentsOf != nil && req.CustomerID != "" {
		names, err := r.segmentsOf(ctx, req.CustomerID)
		if err != nil {
			return d, fmt.Errorf("routing: segments: %w", err)
		}
		for _, n := range names {
			if !slices.Contains(segments, n) {
				segments = append(segments, n)
			}
		}
	}

	var best *queue
	if req.QueueID != "" {
		best, err = r.queueByID(ctx, req.QueueID)
	} else {
		best, err = r.matchQueue(ctx, langs, kind, req.Topic, segments)
	}
	if err != nil {
		return d, err
	}
	agents, err := r.candidates(ctx, best)
	if err != nil {
		return d, err
	}
	if req.Exclude != "" {
		agents = slices.DeleteFunc(agents, func(a agent) bool { return a.id == req.Exclude })
	}
	if best != nil {
		d.QueueID = best.id
	}
	if kind != "" && !Traditional(kind) {
		held, err := r.reserve(ctx, agents, &d)
		if err != nil {
			return d, err
		}
		agents = slices.DeleteFunc(agents, func(a agent) bool { return held[a.id] })
	}
	room := func(a agent) bool { return a.load+d.Weight <= a.capacity+1e-9 }

	// The customer's previous owner, if still here with room: one owner across visits.
	since := r.clock.Now().Add(-r.StickyWithin).UnixMilli()
	var prev sql.NullString
	if err := q.QueryRow(ctx, sqlPreviousOwner, req.CustomerID, since).Scan(&prev); err != nil && !store.IsNoRows(err) {
		return d, fmt.Errorf("routing: previous owner: %w", err)
	}
	if prev.Valid && req.QueueID == "" {
		for _, a := range agents {
			if a.id != prev.String || !room(a) {
				continue
			}
			held, err := r.claim(ctx, a.id)
			if err != nil {
				return d, err
			}
			if held+d.Weight <= a.capacity+1e-9 {
				d.UserID, d.Reason = a.id, "sticky"
				return d, nil
			}
		}
	}
	for {
		a, reason, ok := r.choose(agents, langs, best, d.Weight)
		if !ok {
			d.Reason = reason
			if len(d.Reserved) > 0 {
				d.Reason = ReasonHybridReserve
			}
			return d, nil
		}
		// Concurrent conversations may have picked the same agent from the same snapshot of
		// loads. Take the agent's row lock and count again: whoever waits sees the other's
		// conversation and looks elsewhere if it no longer fits.
		held, err := r.claim(ctx, a.id)
		if err != nil {
			return d, err
		}
		if held+d.Weight > a.capacity+1e-9 {
			agents = slices.DeleteFunc(agents, func(x agent) bool { return x.id == a.id })
			continue
		}
		if reason == "round-robin" {
			if _, err := r.tx(ctx).Exec(ctx, `UPDATE queues SET rr_cursor = ? WHERE id = ?`, a.id, best.id); err != nil {
				return d, err
			}
		}
		d.UserID, d.Reason = a.id, reason
		return d, nil
	}
}

// reserve returns the agents a digital conversation of weight d.Weight may not take while a
// segment is hybrid: in each traditional queue with no more available agents than its reserve
// (an agent is available with room for one more conversation on the queue's heaviest
// traditional channel), those who have room for this conversation but would be left without
// that room by it. An agent with no room for it is not held back: they could not take it
// anyway, and the conversation waits for no-capacity, not for the reserve. It names the hybrid
// segments and the queues in d.
//
// It runs in the ingest transaction, so the cheap question comes first: while no traditional
// queue keeps a reserve, the hybrid segments are not asked for at all.
func (r *Router) reserve(ctx context.Context, agents []agent, d *Decision) (map[string]bool, error) {
	if r.hybrid == nil || len(agents) == 0 {
		return nil, nil
	}
	queues, err := r.traditionalQueues(ctx)
	if err != nil || len(queues) == 0 {
		return nil, err
	}
	hybrid, err := r.hybrid(ctx)
	if err != nil {
		return nil, fmt.Errorf("routing: hybrid segments: %w", err)
	}
	if len(hybrid) == 0 {
		return nil, nil
	}
	needs, whole, err := r.traditionalNeeds(ctx)
	if err != nil {
		return nil, err
	}
	asked := map[string]bool{}
	for _, a := range agents {
		asked[a.id] = true
	}
	held := map[string]bool{}
	for _, q := range queues {
		need := 0.0
		for _, k := range q.kinds {
			if w, ok := needs[k]; ok {
				need = max(need, w)
			} else {
				need = max(need, whole)
			}
		}
		members, err := r.candidates(ctx, &queue{id: q.id})
		if err != nil {
			return nil, err
		}
		var available []agent
		for _, m := range members {
			if m.load+need <= m.capacity+1e-9 {
				available = append(available, m)
			}
		}
		if len(available) > q.keep {
			continue // one taken leaves the reserve whole
		}
		reserved := false
		for _, m := range available {
			fits := m.load+d.Weight <= m.capacity+1e-9
			if asked[m.id] && fits && m.load+d.Weight+need > m.capacity+1e-9 {
				held[m.id], reserved = true, true
			}
		}
		if reserved {
			d.Reserved = append(d.Reserved, q.id)
		}
	}
	if len(held) > 0 {
		d.Hybrid = hybrid
	}
	return held, nil
}

// ParseReserve reads the hybrid reserve setting: a number of agents for every traditional
// queue, then queue=number overrides by queue name, comma-separated ("1,phones=2,desk=0").
// Empty is the default, 1.
func ParseReserve(s string) (def int, byQueue map[string]int, err error) {
	def, byQueue = 1, map[string]int{}
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, num, named := strings.Cut(part, "=")
		if !named {
			num = name
		}
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil || n < 0 || n > 1000 {
			return 0, nil, fmt.Errorf("%q: want a number of agents from 0 to 1000", part)
		}
		switch {
		case named && strings.TrimSpace(name) != "":
			byQueue[strings.TrimSpace(name)] = n
		case !named && i == 0:
			def = n
		default:
			return 0, nil, fmt.Errorf("%q: only the first item may stand alone; the others are queue=number", part)
		}
	}
	return def, byQueue, nil
}

// traditionalQueue is a queue that takes a traditional channel kind and keeps a reserve of
// keep agents for it.
type traditionalQueue struct {
	id    string
	kinds []string // its traditional kinds
	keep  int
}

// traditionalQueues are the queues that take a traditional kind and keep a reserve (above 0).
func (r *Router) traditionalQueues(ctx context.Context) ([]traditionalQueue, error) {
	rows, err := r.db.Q(ctx).Query(ctx, sqlQueueKinds)
	if err != nil {
		return nil, fmt.Errorf("routing: queues: %w", err)
	}
	defer rows.Close()
	var out []traditionalQueue
	for rows.Next() {
		var q traditionalQueue
		var name, kinds string
		if err := rows.Scan(&q.id, &name, &kinds); err != nil {
			return nil, err
		}
		q.keep = r.DefaultReserve
		if n, ok := r.ReserveByQueue[name]; ok {
			q.keep = n
		}
		q.kinds = slices.DeleteFunc(split(kinds), func(k string) bool { return !Traditional(k) })
		if len(q.kinds) > 0 && q.keep > 0 {
			out = append(out, q)
		}
	}
	return out, rows.Err()
}

// traditionalNeeds is the room one more conversation takes on each traditional kind that has
// an enabled channel: the heaviest of those channels, weighed as Route weighs conversations
// (the channel policy's weight). whole is the weight of a conversation on no channel, what a
// kind without one takes (a branch visit: a whole slot).
func (r *Router) traditionalNeeds(ctx context.Context) (needs map[string]float64, whole float64, err error) {
	rows, err := r.db.Q(ctx).Query(ctx, sqlEnabledChannels)
	if err != nil {
		return nil, 0, fmt.Errorf("routing: channels: %w", err)
	}
	type ch struct{ id, kind string }
	var chans []ch
	for rows.Next() {
		var c ch
		if err := rows.Scan(&c.id, &c.kind); err != nil {
			rows.Close()
			return nil, 0, err
		}
		if Traditional(c.kind) {
			chans = append(chans, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if whole, err = r.weigh(ctx, ""); err != nil {
		return nil, 0, fmt.Errorf("routing: weight: %w", err)
	}
	needs = map[string]float64{}
	for _, c := range chans {
		w, err := r.weigh(ctx, c.id)
		if err != nil {
			return nil, 0, fmt.Errorf("routing: weight of channel %s: %w", c.id, err)
		}
		if prev, ok := needs[c.kind]; !ok || w > prev {
			needs[c.kind] = w
		}
	}
	return needs, whole, nil
}

// choose picks among agents with room for weight: the best speaker of the customer's first
// language, then the queue's strategy.
func (r *Router) choose(agents []agent, langs []string, qu *queue, weight float64) (agent, string, bool) {
	var open []agent
	for _, a := range agents {
		if a.load+weight <= a.capacity+1e-9 {
			open = append(open, a)
		}
	}
	if len(open) == 0 {
		if len(agents) == 0 {
			return agent{}, "no-agents", false
		}
		return agent{}, "no-capacity", false
	}
	if len(langs) > 0 {
		var speakers []agent
		for _, a := range open {
			if slices.Contains(a.languages, langs[0]) {
				speakers = append(speakers, a)
			}
		}
		if len(speakers) > 0 {
			open = speakers
		}
	}
	if qu != nil && qu.strategy == "round-robin" {
		for _, a := range open {
			if a.id > qu.cursor {
				return a, "round-robin", true
			}
		}
		return open[0], "round-robin", true
	}
	pick := open[0]
	for _, a := range open[1:] {
		// Lowest share of capacity in use, then fewest conversations; ties keep id order.
		pa, aa := pick.load/pick.capacity, a.load/a.capacity
		if aa < pa-1e-9 || (aa <= pa+1e-9 && a.count < pick.count) {
			pick = a
		}
	}
	return pick, "least-loaded", true
}

// claim locks the agent's row for the rest of the transaction (PostgreSQL; SQLite has one
// writer already) and returns the weight the agent holds now.
func (r *Router) claim(ctx context.Context, userID string) (float64, error) {
	tx := r.tx(ctx)
	if tx == nil {
		return 0, fmt.Errorf("routing: Route must run in a transaction")
	}
	if tx.Dialect() == store.Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, userID); err != nil {
			return 0, fmt.Errorf("routing: lock agent: %w", err)
		}
	}
	var held float64
	err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(weight), 0) FROM conversations WHERE assignee_id = ? AND status IN ('open', 'pending')`, userID).Scan(&held)
	return held, err
}

func (r *Router) tx(ctx context.Context) *store.Tx {
	tx, _ := r.db.TxFrom(ctx)
	return tx
}

// matchQueue returns the queue whose rules fit best: every non-empty rule list must contain the
// conversation's value; among those, the most specific (most rules set), then the highest
// priority, wins.
func (r *Router) matchQueue(ctx context.Context, langs []string, kind, topic string, segments []string) (*queue, error) {
	rows, err := r.db.Q(ctx).Query(ctx, `SELECT id, languages, channel_kinds, topics, segments, strategy, priority, rr_cursor FROM queues ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("routing: queues: %w", err)
	}
	defer rows.Close()
	var best *queue
	bestScore := -1
	for rows.Next() {
		var qu queue
		var l, k, t, s string
		if err := rows.Scan(&qu.id, &l, &k, &t, &s, &qu.strategy, &qu.priority, &qu.cursor); err != nil {
			return nil, err
		}
		qu.languages, qu.kinds, qu.topics, qu.segments = split(l), split(k), split(t), split(s)
		score, ok := 0, true
		check := func(rule []string, match func(string) bool) {
			if len(rule) == 0 {
				return
			}
			if slices.ContainsFunc(rule, match) {
				score++
			} else {
				ok = false
			}
		}
		check(qu.languages, func(v string) bool { return len(langs) > 0 && v == langs[0] })
		check(qu.kinds, func(v string) bool { return v == kind })
		check(qu.topics, func(v string) bool { return v == topic })
		check(qu.segments, func(v string) bool { return slices.Contains(segments, v) })
		if !ok {
			continue
		}
		score = score*1000 + qu.priority
		if score > bestScore {
			cp := qu
			best, bestScore = &cp, score
		}
	}
	return best, rows.Err()
}

// candidates are the online, enabled agents — of the queue, when one matched — with their load.
func (r *Router) candidates(ctx context.Context, qu *queue) ([]agent, error) {
	query, args := sqlCandidates, []any{}
	if qu != nil {
		query += ` AND u.id IN (SELECT user_id FROM queue_members WHERE queue_id = ?)`
		args = append(args, qu.id)
	}
	rows, err := r.db.Q(ctx).Query(ctx, query+` ORDER BY u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("routing: candidates: %w", err)
	}
	defer rows.Close()
	var out []agent
	for rows.Next() {
		var a agent
		var langs string
		if err := rows.Scan(&a.id, &langs, &a.capacity, &a.load, &a.count); err != nil {
			return nil, err
		}
		if a.capacity <= 0 {
			continue
		}
		a.languages = split(langs)
		out = append(out, a)
	}
	return out, rows.Err()
}

func split(list string) []string {
	var out []string
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// profileSegments reads the segments a customer's profile lists. Routing reads the stored
// JSON rather than importing the customer package, which would tie the two together.
func profileSegments(profile string) []string {
	var p struct {
		Segments []string `json:"segments"`
	}
	_ = json.Unmarshal([]byte(profile), &p)
	return p.Segments
}

const (
	// The customer's most recent owner who is still an active, online agent.
	sqlPreviousOwner = `SELECT c.assignee_id FROM conversations c JOIN users u ON u.id = c.assignee_id
WHERE c.customer_id = ? AND c.last_message_at >= ? AND u.disabled = 0 AND u.availability = 'online'
ORDER BY c.last_message_at DESC LIMIT 1`

	sqlCandidates = `SELECT u.id, u.languages, u.capacity,
  COALESCE((SELECT SUM(c.weight) FROM conversations c WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending')), 0),
  (SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = u.id AND c.status IN ('open', 'pending'))
FROM users u WHERE u.role = 'agent' AND u.disabled = 0 AND u.availability = 'online'`

	sqlQueueKinds      = `SELECT id, name, channel_kinds FROM queues ORDER BY id`
	sqlEnabledChannels = `SELECT id, kind FROM channels WHERE enabled = 1 ORDER BY id`
)

// SetCapacity sets how much conversation weight an agent holds at once (3 means three chats,
// or nine WhatsApp conversations, or fifteen emails). Zero takes the agent out of routing
// without taking them offline.
func (r *Router) SetCapacity(ctx context.Context, userID string, capacity float64) error {
	if capacity < 0 || capacity > 100 {
		return fmt.Errorf("routing: capacity %v out of range 0–100", capacity)
	}
	return r.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE users SET capacity = ? WHERE id = ?`, capacity, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoUser
		}
		return nil
	})
}

// ErrNoUser is returned for an unknown user.
var ErrNoUser = errors.New("routing: no such user")

// Queue is a routing queue: the conversations it takes (every non-empty rule must match) and
// the agents who answer them.
type Queue struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Languages    []string `json:"languages"`
	ChannelKinds []string `json:"channel_kinds"`
	Topics       []string `json:"topics"`
	Segments     []string `json:"segments"`
	Strategy     string   `json:"strategy"` // least-loaded or round-robin
	Priority     int      `json:"priority"`
	Members      []string `json:"members"` // user ids
}

// EnsureQueue creates the queue or updates the one with the same name, members included.
func (r *Router) EnsureQueue(ctx context.Context, qu Queue) (Queue, error) {
	if qu.Strategy == "" {
		qu.Strategy = "least-loaded"
	}
	if qu.Strategy != "least-loaded" && qu.Strategy != "round-robin" {
		return qu, fmt.Errorf("routing: strategy must be least-loaded or round-robin")
	}
	err := r.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := r.clock.Now().UnixMilli()
		err := tx.QueryRow(ctx, `SELECT id FROM queues WHERE name = ?`, qu.Name).Scan(&qu.ID)
		join := func(v []string) string { return strings.Join(v, ",") }
		switch {
		case store.IsNoRows(err):
			qu.ID = store.NewID(r.clock.Now())
			_, err = tx.Exec(ctx, `INSERT INTO queues (id, name, languages, channel_kinds, topics, segments, strategy, priority, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				qu.ID, qu.Name, join(qu.Languages), join(qu.ChannelKinds), join(qu.Topics), join(qu.Segments), qu.Strategy, qu.Priority, now, now)
		case err == nil:
			_, err = tx.Exec(ctx, `UPDATE queues SET languages = ?, channel_kinds = ?, topics = ?, segments = ?, strategy = ?, priority = ?, updated_at = ? WHERE id = ?`,
				join(qu.Languages), join(qu.ChannelKinds), join(qu.Topics), join(qu.Segments), qu.Strategy, qu.Priority, now, qu.ID)
		}
		if err != nil {
			return fmt.Errorf("routing: save queue %s: %w", qu.Name, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM queue_members WHERE queue_id = ?`, qu.ID); err != nil {
			return err
		}
		for _, m := range qu.Members {
			if _, err := tx.Exec(ctx, `INSERT INTO queue_members (queue_id, user_id) VALUES (?, ?)`, qu.ID, m); err != nil {
				return fmt.Errorf("routing: queue member %s: %w", m, err)
			}
		}
		return nil
	})
	return qu, err
}
