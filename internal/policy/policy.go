package policy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/i18n"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/routing"
	"github.com/gesher-cs/gesher/internal/store"
)

// Errors.
var (
	ErrNotFound = errors.New("policy: no such channel or calendar")
)

// ValidationError names a field of a policy or a calendar that is wrong.
type ValidationError struct{ Field, Reason string }

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Escalation is what happens when a target is breached.
type Escalation struct {
	// NotifySupervisor writes an sla.escalated event that supervisors' consoles show.
	NotifySupervisor bool `json:"notify_supervisor"`
	// RaisePriority raises the conversation's priority to at least this (0 leaves it).
	RaisePriority int `json:"raise_priority"`
	// MoveToQueue moves the conversation to this routing queue (an id; a name is accepted on
	// the way in), handing it to a member of the queue with room if its owner is not one.
	MoveToQueue string `json:"move_to_queue"`
}

// Policy is a channel's service level. Targets, reminders, nudges and the auto-close count in
// business time of the calendar named by CalendarID, in whole minutes.
type Policy struct {
	ChannelID   string `json:"channel_id"`
	ChannelKind string `json:"channel_kind"`
	// Default says nothing is stored for the channel: these are the defaults of its kind.
	Default    bool   `json:"default"`
	CalendarID string `json:"calendar_id"`
	// FirstResponseMinutes is the time to the first answer of a new conversation;
	// NextResponseMinutes the time to answer each later customer message;
	// ResolutionMinutes the time from opening to resolution (pending time does not count).
	FirstResponseMinutes int `json:"first_response_minutes"`
	NextResponseMinutes  int `json:"next_response_minutes"`
	ResolutionMinutes    int `json:"resolution_minutes"`
	// CustomerReminderMinutes is how long the customer may stay silent, while they owe an
	// answer, before the channel reminds them (0: never); MaxReminders caps the reminders of
	// one conversation.
	CustomerReminderMinutes int `json:"customer_reminder_minutes"`
	MaxReminders            int `json:"max_reminders"`
	// AgentNudgeMinutes is how often the owner is nudged while they owe an answer (0: never).
	AgentNudgeMinutes int `json:"agent_nudge_minutes"`
	// AutoCloseMinutes resolves a conversation after the customer stayed silent this long
	// when it was their turn (0: never).
	AutoCloseMinutes int `json:"auto_close_minutes"`
	// Weight is how much of an agent's capacity one conversation on the channel takes.
	Weight float64 `json:"weight"`
	// Topics are the topics the channel serves.
	Topics     []string   `json:"topics"`
	Escalation Escalation `json:"escalation"`
	UpdatedBy  string     `json:"updated_by,omitempty"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
}

// BusinessDay is how much business time "one business day" is in the defaults: a whole
// Sunday-to-Thursday day of the Israeli week.
const BusinessDay = 9 * 60

// Defaults returns the policy of a channel kind that has no policy of its own. The reminder
// intervals fit the channel: a web chat visitor who went quiet five minutes ago is probably
// still at the page; a WhatsApp or SMS customer answers within hours; email within a day.
func Defaults(kind string) Policy {
	p := Policy{
		ChannelKind: kind, Default: true, CalendarID: DefaultCalendarID,
		FirstResponseMinutes: 60, NextResponseMinutes: 60, ResolutionMinutes: BusinessDay,
		CustomerReminderMinutes: 4 * 60, MaxReminders: 2, AgentNudgeMinutes: 15, AutoCloseMinutes: 3 * BusinessDay,
		Topics: []string{}, Escalation: Escalation{NotifySupervisor: true},
	}
	switch kind {
	case "webchat":
		p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = 2, 2, 60
		p.CustomerReminderMinutes, p.AgentNudgeMinutes, p.AutoCloseMinutes = 5, 1, 30
	case "voice":
		// A callback: the customer asked to be called back within half an hour.
		p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = 30, 30, 4*60
		p.CustomerReminderMinutes, p.AgentNudgeMinutes, p.AutoCloseMinutes = 30, 10, BusinessDay
	case "email":
		p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = 4*60, BusinessDay, 3*BusinessDay
		p.CustomerReminderMinutes, p.AgentNudgeMinutes, p.AutoCloseMinutes = BusinessDay, 60, 5*BusinessDay
	}
	p.Weight = 1
	if w, ok := routing.DefaultWeights[kind]; ok {
		p.Weight = w
	}
	return p
}

// Options tune the service.
type Options struct {
	Log *slog.Logger
	// Catalogs hold the reminder's text in every language (nil loads the embedded ones).
	Catalogs *i18n.Bundle
	// DefaultLanguage is the reminder's language for a customer with none the catalogs have.
	DefaultLanguage string
	// Batch is how many due clocks one claim takes (default 200).
	Batch int
	// Lease is how long a claimed clock belongs to the node processing it (default 1 minute);
	// a node that dies mid-way leaves it to be claimed again after it.
	Lease time.Duration
}

// Service keeps policies, calendars and clocks.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	events   *event.Log
	jobs     *jobs.Queue
	convs    *conversation.Service
	log      *slog.Logger
	catalogs *i18n.Bundle
	lang     string
	batch    int
	lease    time.Duration

	mu   sync.Mutex
	cals map[string]cachedCalendar // compiled calendars by id, valid while updated_at matches
}

type cachedCalendar struct {
	updated int64
	cal     *Calendar
}

var _ conversation.Clocks = (*Service)(nil)

// NewService returns the policy service and registers its scan job with q. convs is the
// conversation service reminders, auto-closes and escalations act through.
func NewService(db *store.DB, clk clock.Clock, events *event.Log, q *jobs.Queue, convs *conversation.Service, opt Options) (*Service, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Catalogs == nil {
		b, err := i18n.Load()
		if err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		opt.Catalogs = b
	}
	if opt.DefaultLanguage == "" {
		opt.DefaultLanguage = "he"
	}
	if opt.Batch <= 0 {
		opt.Batch = 200
	}
	if opt.Lease <= 0 {
		opt.Lease = time.Minute
	}
	s := &Service{
		db: db, clock: clk, events: events, jobs: q, convs: convs, log: opt.Log.With("component", "sla"),
		catalogs: opt.Catalogs, lang: opt.DefaultLanguage, batch: opt.Batch, lease: opt.Lease,
		cals: map[string]cachedCalendar{},
	}
	q.Register(ScanJob, s.scanJob)
	return s, nil
}

// Policy returns the policy of a channel: the stored one, or the defaults of its kind.
func (s *Service) Policy(ctx context.Context, channelID string) (Policy, error) {
	var kind string
	err := s.db.Q(ctx).QueryRow(ctx, sqlChannelKind, channelID).Scan(&kind)
	if store.IsNoRows(err) {
		return Policy{}, ErrNotFound
	}
	if err != nil {
		return Policy{}, fmt.Errorf("policy: channel %s: %w", channelID, err)
	}
	return s.policyOf(ctx, channelID, kind)
}

// policyOf is the policy of a channel whose kind the caller knows: the defaults apply while
// nothing is stored, and are never written, so a later change of defaults reaches every
// channel nobody configured.
func (s *Service) policyOf(ctx context.Context, channelID, kind string) (Policy, error) {
	p, err := scanPolicy(s.db.Q(ctx).QueryRow(ctx, sqlSelectPolicy+` WHERE channel_id = ?`, channelID))
	if errors.Is(err, ErrNotFound) {
		p = Defaults(kind)
	} else if err != nil {
		return Policy{}, err
	}
	p.ChannelID, p.ChannelKind = channelID, kind
	return p, nil
}

// Policies returns the policy of every channel, by channel id. Two queries, not one per
// channel: the channel list shows every policy at once.
func (s *Service) Policies(ctx context.Context) (map[string]Policy, error) {
	q := s.db.Q(ctx)
	rows, err := q.Query(ctx, `SELECT id, kind FROM channels`)
	if err != nil {
		return nil, fmt.Errorf("policy: channels: %w", err)
	}
	out := map[string]Policy{}
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		p := Defaults(kind)
		p.ChannelID = id
		out[id] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	prow, err := q.Query(ctx, sqlSelectPolicy)
	if err != nil {
		return nil, fmt.Errorf("policy: policies: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		p, err := scanPolicy(prow)
		if err != nil {
			return nil, err
		}
		if def, ok := out[p.ChannelID]; ok {
			p.ChannelKind = def.ChannelKind
			out[p.ChannelID] = p
		}
	}
	return out, prow.Err()
}

// Weight is the capacity weight of a conversation on the channel: routing's Weigher.
func (s *Service) Weight(ctx context.Context, channelID string) (float64, error) {
	if channelID == "" {
		return 1, nil
	}
	p, err := s.Policy(ctx, channelID)
	if errors.Is(err, ErrNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	return p.Weight, nil
}

// SetPolicy stores a channel's policy, after checking it, and returns it as stored. by names
// the user who changed it.
func (s *Service) SetPolicy(ctx context.Context, channelID string, p Policy, by string) (Policy, error) {
	var out Policy
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var kind string
		err := tx.QueryRow(ctx, sqlChannelKind, channelID).Scan(&kind)
		if store.IsNoRows(err) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.validate(ctx, &p); err != nil {
			return err
		}
		now := s.clock.Now()
		var queue any
		if p.Escalation.MoveToQueue != "" {
			queue = p.Escalation.MoveToQueue
		}
		if _, err := tx.Exec(ctx, sqlUpsertPolicy, channelID, p.CalendarID,
			minutesMS(p.FirstResponseMinutes), minutesMS(p.NextResponseMinutes), minutesMS(p.ResolutionMinutes),
			minutesMS(p.CustomerReminderMinutes), p.MaxReminders, minutesMS(p.AgentNudgeMinutes), minutesMS(p.AutoCloseMinutes),
			p.Weight, strings.Join(p.Topics, ","), boolInt(p.Escalation.NotifySupervisor), p.Escalation.RaisePriority, queue,
			by, now.UnixMilli()); err != nil {
			return fmt.Errorf("policy: store %s: %w", channelID, err)
		}
		out, err = s.policyOf(ctx, channelID, kind)
		return err
	})
	return out, err
}

// validate checks p and normalises it (topics trimmed, a queue name turned into its id).
func (s *Service) validate(ctx context.Context, p *Policy) error {
	const maxTarget = 90 * 24 * 60
	bad := func(field, reason string) error { return &ValidationError{Field: field, Reason: reason} }
	if p.CalendarID == "" {
		p.CalendarID = DefaultCalendarID
	}
	if _, err := s.Calendar(ctx, p.CalendarID); errors.Is(err, ErrNotFound) {
		return bad("calendar_id", "no calendar "+p.CalendarID+"; create it first (PUT /api/v1/calendars/"+p.CalendarID+")")
	} else if err != nil {
		return err
	}
	for _, t := range []struct {
		field string
		v     int
	}{{"first_response_minutes", p.FirstResponseMinutes}, {"next_response_minutes", p.NextResponseMinutes}, {"resolution_minutes", p.ResolutionMinutes}} {
		if t.v < 1 || t.v > maxTarget {
			return bad(t.field, "a target is 1 minute to 90 days of business time")
		}
	}
	for _, t := range []struct {
		field string
		v     int
	}{{"customer_reminder_minutes", p.CustomerReminderMinutes}, {"agent_nudge_minutes", p.AgentNudgeMinutes}, {"auto_close_minutes", p.AutoCloseMinutes}} {
		if t.v < 0 || t.v > maxTarget {
			return bad(t.field, "0 (never) or up to 90 days of business time")
		}
	}
	if p.MaxReminders < 0 || p.MaxReminders > 10 {
		return bad("max_reminders", "0 to 10 reminders a conversation")
	}
	// An interval with no reminders allowed would arm a clock that never fires; say so rather
	// than store a policy that looks like it reminds.
	if p.CustomerReminderMinutes > 0 && p.MaxReminders == 0 {
		return bad("max_reminders", "a reminder interval needs at least one reminder; set customer_reminder_minutes to 0 for none")
	}
	if !(p.Weight > 0 && p.Weight <= 10) {
		return bad("weight", "a weight is more than 0 and at most 10 (a chat is 1)")
	}
	topics := []string{}
	for _, t := range p.Topics {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		if len(t) > 60 || strings.Contains(t, ",") {
			return bad("topics", "a topic is at most 60 characters, without commas")
		}
		if !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	if len(topics) > 50 {
		return bad("topics", "at most 50 topics")
	}
	p.Topics = topics
	if p.Escalation.RaisePriority < 0 || p.Escalation.RaisePriority > 10 {
		return bad("escalation.raise_priority", "0 (leave it) to 10")
	}
	// Queues are routing's; a breach must not find out that the queue it should move to is
	// gone, so the name is checked, and resolved to its id, now. (A queue deleted later sets
	// the column to NULL.)
	if q := strings.TrimSpace(p.Escalation.MoveToQueue); q != "" {
		var id string
		err := s.db.Q(ctx).QueryRow(ctx, `SELECT id FROM queues WHERE id = ? OR name = ? ORDER BY id LIMIT 1`, q, q).Scan(&id)
		if store.IsNoRows(err) {
			return bad("escalation.move_to_queue", "no routing queue "+q)
		}
		if err != nil {
			return err
		}
		p.Escalation.MoveToQueue = id
	} else {
		p.Escalation.MoveToQueue = ""
	}
	return nil
}

// Calendar returns a calendar by id: the stored one, or, for DefaultCalendarID with nothing
// stored, the built-in Israeli calendar.
func (s *Service) Calendar(ctx context.Context, id string) (Calendar, error) {
	c, err := s.calendar(ctx, id)
	if err != nil {
		return Calendar{}, err
	}
	return *c, nil
}

// calendar returns the compiled calendar, from the cache while its row has not changed. The
// row is read every time, so an edit on another node applies here at once.
func (s *Service) calendar(ctx context.Context, id string) (*Calendar, error) {
	var data string
	var updated int64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT data, updated_at FROM calendars WHERE id = ?`, id).Scan(&data, &updated)
	if store.IsNoRows(err) {
		if id == DefaultCalendarID {
			return builtIn, nil
		}
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("policy: calendar %s: %w", id, err)
	}
	s.mu.Lock()
	hit, ok := s.cals[id]
	s.mu.Unlock()
	if ok && hit.updated == updated {
		return hit.cal, nil
	}
	c, err := ParseCalendar([]byte(data))
	if err != nil {
		return nil, fmt.Errorf("policy: stored calendar %s: %w", id, err)
	}
	c.ID = id
	at := time.UnixMilli(updated).UTC()
	c.UpdatedAt = &at
	s.mu.Lock()
	s.cals[id] = cachedCalendar{updated: updated, cal: &c}
	s.mu.Unlock()
	return &c, nil
}

// builtIn is the default calendar while none is stored under its id.
var builtIn = func() *Calendar {
	c := IsraeliCalendar(DefaultCalendarID, "Israel: Sunday to Thursday 08:00–17:00, Friday 08:00–13:00, holidays of 2026–2027")
	c.BuiltIn = true
	return &c
}()

// Calendars returns every stored calendar and, unless one is stored under its id, the default.
func (s *Service) Calendars(ctx context.Context) ([]Calendar, error) {
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT id FROM calendars ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("policy: calendars: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !slices.Contains(ids, DefaultCalendarID) {
		ids = append([]string{DefaultCalendarID}, ids...)
	}
	out := make([]Calendar, 0, len(ids))
	for _, id := range ids {
		c, err := s.Calendar(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// SetCalendar stores a calendar under id, after checking it. Clocks already running keep the
// deadline they were given; clocks started, resumed or re-armed from now on count in the new
// hours.
func (s *Service) SetCalendar(ctx context.Context, id string, c Calendar) (Calendar, error) {
	c.ID, c.BuiltIn, c.UpdatedAt = id, false, nil
	if err := c.compile(); err != nil {
		return Calendar{}, err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return Calendar{}, fmt.Errorf("policy: encode calendar: %w", err)
	}
	now := s.clock.Now().UnixMilli()
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, sqlUpsertCalendar, id, c.Name, string(data), now, now)
		return err
	})
	if err != nil {
		return Calendar{}, fmt.Errorf("policy: store calendar %s: %w", id, err)
	}
	return s.Calendar(ctx, id)
}

// scanPolicy reads a stored policy; durations are milliseconds in the database, like every
// other time, and whole minutes in the API.
func scanPolicy(r interface{ Scan(...any) error }) (Policy, error) {
	var p Policy
	var first, next, res, remind, nudge, closeAfter, updated int64
	var notify int
	var topics string
	var queue sql.NullString
	err := r.Scan(&p.ChannelID, &p.CalendarID, &first, &next, &res, &remind, &p.MaxReminders, &nudge, &closeAfter,
		&p.Weight, &topics, &notify, &p.Escalation.RaisePriority, &queue, &p.UpdatedBy, &updated)
	if store.IsNoRows(err) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("policy: scan: %w", err)
	}
	p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes = msMinutes(first), msMinutes(next), msMinutes(res)
	p.CustomerReminderMinutes, p.AgentNudgeMinutes, p.AutoCloseMinutes = msMinutes(remind), msMinutes(nudge), msMinutes(closeAfter)
	p.Topics = []string{}
	for _, t := range strings.Split(topics, ",") {
		if t != "" {
			p.Topics = append(p.Topics, t)
		}
	}
	p.Escalation.NotifySupervisor, p.Escalation.MoveToQueue = notify != 0, queue.String
	at := time.UnixMilli(updated).UTC()
	p.UpdatedAt = &at
	return p, nil
}

func minutesMS(m int) int64          { return int64(m) * 60_000 }
func msMinutes(ms int64) int         { return int(ms / 60_000) }
func minutesDur(m int) time.Duration { return time.Duration(m) * time.Minute }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
