package metrics

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/store"
)

// Query selects what a metric covers. Empty filters do not filter.
type Query struct {
	From, To    time.Time // [From, To)
	ChannelKind string    // only conversations or messages on channels of this kind
	AgentID     string    // only work done by this agent
	SegmentID   string    // only customers who are members of this segment now
	QueueID     string    // only conversations in this queue now
	BranchID    string    // only this branch's tickets and appointments
	Bucket      string    // day (default), week or month, for time series
	Location    *time.Location
	// HourCost is the cost of an agent hour, for the channel portfolio's cost per contact;
	// zero takes the service's configured cost.
	HourCost float64
	// Fresh computes without the cache and keeps nothing in it: a rolling window (the
	// Prometheus gauges') never asks the same range twice, and its entries would push the
	// dashboards' out.
	Fresh bool
}

// Point is one value of a series.
type Point struct {
	T time.Time `json:"t"`
	V float64   `json:"v"`
}

// Series is one line of a chart.
type Series struct {
	Label  string  `json:"label"`
	Points []Point `json:"points"`
}

// Distribution summarises durations: percentiles, not only averages. The main figures are
// business time, counted in the calendar of the channel the conversation opened on, as the SLA
// clocks count it; the wall-clock median and 90th percentile stand beside them.
type Distribution struct {
	Count      int     `json:"count"`
	Unanswered int     `json:"unanswered,omitempty"` // started in range, not finished yet
	MeanSec    float64 `json:"mean_sec"`
	P50Sec     float64 `json:"p50_sec"`
	P90Sec     float64 `json:"p90_sec"`
	P99Sec     float64 `json:"p99_sec"`
	WallP50Sec float64 `json:"wall_p50_sec"`
	WallP90Sec float64 `json:"wall_p90_sec"`
}

// Row is one row of a table result (flows between channels, per-channel figures).
type Row map[string]any

// Result is a computed metric.
type Result struct {
	Name         string                  `json:"name"`
	From         time.Time               `json:"from"`
	To           time.Time               `json:"to"`
	Series       []Series                `json:"series,omitempty"`
	Distribution map[string]Distribution `json:"distribution,omitempty"` // by channel kind, plus "all"
	Rows         []Row                   `json:"rows,omitempty"`
}

// Definition is one metric.
type Definition struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Unit        string `json:"unit"`
	compute     func(ctx context.Context, s *Service, q Query) (Result, error)
}

// ErrUnknown is returned for a metric name that is not defined.
var ErrUnknown = errors.New("no such metric")

// Calendars gives the business calendar a channel's service levels count in; the policy
// package's service is one. Without it, durations are wall-clock time.
type Calendars interface {
	CalendarFor(ctx context.Context, channelID string) (*policy.Calendar, error)
}

// Service computes metrics.
type Service struct {
	db        *store.DB
	events    *event.Log
	defs      []Definition
	calendars Calendars
	cost      Costs

	mu    sync.Mutex
	cache map[string]cached // results by query, valid while the log has not grown
}

// cached is a computed result and the log it was computed over: the newest event's seq. The
// log is append-only, so while its newest seq is the same the result equals a recomputation;
// a minute's age bound covers what is read beside the log (channels, segments, queues).
type cached struct {
	seq int64
	at  time.Time
	r   Result
}

// cacheSize bounds the cache; when full it starts again empty.
const cacheSize = 256

// Costs price agent work for the channel portfolio.
type Costs struct {
	HourCost float64 // the cost of an agent hour (default 100, in whatever currency the reader thinks in)
	// ReplyMinutes is the agent time one reply takes, per channel kind; kinds not listed take
	// ReplyMinutes[""] (default 3). The defaults: voice 6, email 5, the chats 2.
	ReplyMinutes map[string]float64
}

// DefaultCosts are the costs a service starts with.
func DefaultCosts() Costs {
	return Costs{HourCost: 100, ReplyMinutes: map[string]float64{"": 3, "voice": 6, "email": 5, "whatsapp": 2, "sms": 2, "webchat": 2, "telegram": 2}}
}

// NewService returns the metrics over the event log.
func NewService(db *store.DB, events *event.Log) *Service {
	s := &Service{db: db, events: events, cost: DefaultCosts()}
	s.defs = definitions()
	return s
}

// SetCalendars sets where business calendars come from; wired once at start-up.
func (s *Service) SetCalendars(c Calendars) { s.calendars = c }

// SetCosts sets the prices of agent work.
func (s *Service) SetCosts(c Costs) { s.cost = c }

// List returns every definition.
func (s *Service) List() []Definition { return slices.Clone(s.defs) }

// Compute computes the named metric.
func (s *Service) Compute(ctx context.Context, name string, q Query) (Result, error) {
	if q.To.IsZero() || q.From.IsZero() || !q.From.Before(q.To) {
		return Result{}, &QueryError{"from and to are required, from before to"}
	}
	if q.To.Sub(q.From) > 400*24*time.Hour {
		return Result{}, &QueryError{"a range is at most 400 days"}
	}
	if q.Location == nil {
		q.Location = time.UTC
	}
	switch q.Bucket {
	case "":
		q.Bucket = "day"
	case "day", "week", "month":
	default:
		return Result{}, &QueryError{"bucket must be day, week or month"}
	}
	for _, d := range s.defs {
		if d.Name != name {
			continue
		}
		// A dashboard asks for the same figure more than once (CSAT by channel, by agent, by
		// segment): the second is served from the first while the log has not grown.
		var seq int64
		if err := s.db.QueryRow(ctx, sqlNewestSeq).Scan(&seq); err != nil {
			return Result{}, fmtErr(name, err)
		}
		key := fmt.Sprintf("%s|%d|%d|%s|%s|%s|%s|%s|%s|%s|%g", name, q.From.UnixMilli(), q.To.UnixMilli(), q.ChannelKind, q.AgentID, q.SegmentID, q.QueueID, q.BranchID, q.Bucket, q.Location, q.HourCost)
		s.mu.Lock()
		c, ok := s.cache[key]
		s.mu.Unlock()
		if ok && !q.Fresh && c.seq == seq && time.Since(c.at) < time.Minute {
			return c.r, nil
		}
		r, err := d.compute(ctx, s, q)
		r.Name, r.From, r.To = name, q.From, q.To
		if err == nil && !q.Fresh {
			s.mu.Lock()
			if s.cache == nil || len(s.cache) >= cacheSize {
				s.cache = map[string]cached{}
			}
			s.cache[key] = cached{seq: seq, at: time.Now(), r: r}
			s.mu.Unlock()
		}
		return r, err
	}
	return Result{}, ErrUnknown
}

const sqlNewestSeq = `SELECT COALESCE(MAX(seq), 0) FROM events`

// QueryError says what is wrong with a query.
type QueryError struct{ Reason string }

func (e *QueryError) Error() string { return e.Reason }

// scan reads every event of kinds from since on, in order, page by page.
func (s *Service) scan(ctx context.Context, since time.Time, kinds []event.Kind, fn func(e event.Event) error) error {
	return s.scanUntil(ctx, since, time.Time{}, kinds, fn)
}

// scanUntil reads every event of kinds in [since, until) (until zero: to the end), oldest
// first (by time, then by seq), reading each kind in one query on a reader: not in pages,
// which over a year of history re-sort the range for every thousand rows.
func (s *Service) scanUntil(ctx context.Context, since, until time.Time, kinds []event.Kind, fn func(e event.Event) error) error {
	// One query per kind, then ordered in memory: with a single kind, both databases read
	// the (kind, created_at) index, where an IN list or an ORDER BY leads SQLite to walk the
	// time index through every kind of event in the range.
	q := sqlScan + ` AND created_at < ?`
	end := until.UnixMilli()
	if until.IsZero() {
		end = math.MaxInt64
	}
	var evs []event.Event
	for _, k := range kinds {
		if err := s.read(ctx, q, &evs, string(k), since.UnixMilli(), end); err != nil {
			return err
		}
	}
	slices.SortFunc(evs, func(a, b event.Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	for _, e := range evs {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// read appends the events q selects to evs.
func (s *Service) read(ctx context.Context, q string, evs *[]event.Event, args ...any) error {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("metrics: scan: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e event.Event
		var cust, conv, ch sql.NullString
		var data string
		var at int64
		if err := rows.Scan(&e.Seq, &e.Kind, &cust, &conv, &ch, &e.Actor.Kind, &e.Actor.ID, &data, &at); err != nil {
			return fmt.Errorf("metrics: scan: %w", err)
		}
		e.CustomerID, e.ConversationID, e.ChannelID = cust.String, conv.String, ch.String
		e.Data, e.At = json.RawMessage(data), time.UnixMilli(at).UTC()
		*evs = append(*evs, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics: scan: %w", err)
	}
	return nil
}

// sqlScan selects the events of one kind from a moment on.
const sqlScan = `SELECT seq, kind, customer_id, conversation_id, channel_id, actor_kind, actor_id, data, created_at FROM events WHERE kind = ? AND created_at >= ?`

// channelKinds maps channel ids to kinds.
func (s *Service) channelKinds(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id, kind FROM channels`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return nil, err
		}
		out[id] = kind
	}
	return out, rows.Err()
}

// bucketStart is the start of the bucket holding t.
func bucketStart(t time.Time, bucket string, loc *time.Location) time.Time {
	t = t.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	switch bucket {
	case "week": // weeks start on Sunday, as the Israeli week does
		return day.AddDate(0, 0, -int(day.Weekday()))
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	}
	return day
}

func nextBucket(t time.Time, bucket string) time.Time {
	switch bucket {
	case "week":
		return t.AddDate(0, 0, 7)
	case "month":
		return t.AddDate(0, 1, 0)
	}
	return t.AddDate(0, 0, 1)
}

// seriesOf turns counts per label per bucket into series with every bucket present (zeros
// included, so charts do not draw lines across gaps).
func seriesOf(q Query, counts map[string]map[time.Time]float64) []Series {
	var labels []string
	for l := range counts {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	out := []Series{}
	for _, l := range labels {
		s := Series{Label: l}
		for b := bucketStart(q.From, q.Bucket, q.Location); b.Before(q.To); b = nextBucket(b, q.Bucket) {
			s.Points = append(s.Points, Point{T: b, V: counts[l][b]})
		}
		out = append(out, s)
	}
	return out
}

// distribution summarises durations (business time, and the same spans in wall-clock time)
// with nearest-rank percentiles.
func distribution(d, wall []time.Duration, unanswered int) Distribution {
	out := Distribution{Count: len(d), Unanswered: unanswered}
	if len(d) == 0 {
		return out
	}
	slices.Sort(d)
	slices.Sort(wall)
	var sum float64
	for _, v := range d {
		sum += v.Seconds()
	}
	out.MeanSec = math.Round(sum/float64(len(d))*1000) / 1000
	out.P50Sec, out.P90Sec, out.P99Sec = rank(d, 0.50), rank(d, 0.90), rank(d, 0.99)
	out.WallP50Sec, out.WallP90Sec = rank(wall, 0.50), rank(wall, 0.90)
	return out
}

// rank is the nearest-rank percentile p of sorted durations, in seconds.
func rank(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(d)))) - 1
	return d[max(i, 0)].Seconds()
}

func dataField(e event.Event, key string) string {
	var m map[string]any
	_ = json.Unmarshal(e.Data, &m)
	v, _ := m[key].(string)
	return v
}

func inRange(t time.Time, q Query) bool { return !t.Before(q.From) && t.Before(q.To) }

func fmtErr(name string, err error) error { return fmt.Errorf("metrics: %s: %w", name, err) }
