package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// Query selects what a metric covers. Empty filters do not filter.
type Query struct {
	From, To    time.Time // [From, To)
	ChannelKind string    // only conversations or messages on channels of this kind
	AgentID     string    // only work done by this agent
	Bucket      string    // day (default), week or month, for time series
	Location    *time.Location
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

// Distribution summarises durations: percentiles, not only averages.
type Distribution struct {
	Count      int     `json:"count"`
	Unanswered int     `json:"unanswered,omitempty"` // started in range, not finished yet
	MeanSec    float64 `json:"mean_sec"`
	P50Sec     float64 `json:"p50_sec"`
	P90Sec     float64 `json:"p90_sec"`
	P99Sec     float64 `json:"p99_sec"`
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

// Service computes metrics.
type Service struct {
	db     *store.DB
	events *event.Log
	defs   []Definition
}

// NewService returns the metrics over the event log.
func NewService(db *store.DB, events *event.Log) *Service {
	s := &Service{db: db, events: events}
	s.defs = definitions()
	return s
}

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
		if d.Name == name {
			r, err := d.compute(ctx, s, q)
			r.Name, r.From, r.To = name, q.From, q.To
			return r, err
		}
	}
	return Result{}, ErrUnknown
}

// QueryError says what is wrong with a query.
type QueryError struct{ Reason string }

func (e *QueryError) Error() string { return e.Reason }

// scan reads every event of kinds from since on, in order, page by page.
func (s *Service) scan(ctx context.Context, since time.Time, kinds []event.Kind, fn func(e event.Event) error) error {
	var after int64
	for {
		evs, err := s.events.List(ctx, event.Filter{Kinds: kinds, Since: since, AfterSeq: after, Limit: 1000})
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := fn(e); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(evs) < 1000 {
			return nil
		}
	}
}

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

// distribution summarises durations with nearest-rank percentiles.
func distribution(d []time.Duration, unanswered int) Distribution {
	out := Distribution{Count: len(d), Unanswered: unanswered}
	if len(d) == 0 {
		return out
	}
	slices.Sort(d)
	var sum float64
	for _, v := range d {
		sum += v.Seconds()
	}
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(d)))) - 1
		return d[max(i, 0)].Seconds()
	}
	out.MeanSec = math.Round(sum/float64(len(d))*1000) / 1000
	out.P50Sec, out.P90Sec, out.P99Sec = rank(0.50), rank(0.90), rank(0.99)
	return out
}

func dataField(e event.Event, key string) string {
	var m map[string]any
	_ = json.Unmarshal(e.Data, &m)
	v, _ := m[key].(string)
	return v
}

func inRange(t time.Time, q Query) bool { return !t.Before(q.From) && t.Before(q.To) }

func fmtErr(name string, err error) error { return fmt.Errorf("metrics: %s: %w", name, err) }
