package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/gesher-cs/gesher/internal/metrics"
)

func (s *Server) listMetrics(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, listOf[metrics.Definition]{Items: s.d.Metrics.List()})
}

// getMetric computes one metric: ?from=&to= (RFC 3339 or YYYY-MM-DD), channel (a channel kind),
// agent, bucket (day, week, month), tz (an IANA zone for day boundaries), format=csv.
func (s *Server) getMetric(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	loc := time.UTC
	if tz := q.Get("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			s.fail(w, r, &badRequest{field: "tz", msg: "tz must be an IANA time zone such as Asia/Jerusalem"})
			return
		}
		loc = l
	}
	parse := func(name string, def time.Time) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
			return t, nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return t, &badRequest{field: name, msg: name + " must be a date (2026-11-01) or an RFC 3339 time"}
		}
		return t, nil
	}
	now := s.d.Clock.Now()
	to, err := parse("to", now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, err := parse("from", to.AddDate(0, 0, -30))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var hourCost float64
	if v := q.Get("hour_cost"); v != "" {
		if hourCost, err = strconv.ParseFloat(v, 64); err != nil || hourCost <= 0 || hourCost > 1e6 {
			s.fail(w, r, &badRequest{field: "hour_cost", msg: "hour_cost must be a positive number"})
			return
		}
	}
	res, err := s.d.Metrics.Compute(r.Context(), r.PathValue("name"), metrics.Query{
		From: from, To: to, ChannelKind: q.Get("channel"), AgentID: q.Get("agent"), SegmentID: q.Get("segment"), QueueID: q.Get("queue"),
		BranchID: q.Get("branch"), Bucket: q.Get("bucket"), Location: loc, HourCost: hourCost,
	})
	var qe *metrics.QueryError
	switch {
	case errors.Is(err, metrics.ErrUnknown):
		writeJSONError(w, http.StatusNotFound, "not_found", "no such metric; GET /api/v1/metrics lists them")
		return
	case errors.As(err, &qe):
		s.fail(w, r, &badRequest{msg: qe.Reason})
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if q.Get("format") == "csv" {
		writeMetricCSV(w, res)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// writeMetricCSV exports a result as one table, whatever its shape.
func writeMetricCSV(w http.ResponseWriter, res metrics.Result) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s_%s_%s.csv"`, res.Name, res.From.Format("2006-01-02"), res.To.Format("2006-01-02")))
	cw := csv.NewWriter(w)
	defer cw.Flush()
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch {
	case len(res.Series) > 0:
		_ = cw.Write([]string{"bucket", "series", "value"})
		for _, sr := range res.Series {
			for _, p := range sr.Points {
				_ = cw.Write([]string{p.T.Format(time.RFC3339), sr.Label, f(p.V)})
			}
		}
	case res.Distribution != nil:
		_ = cw.Write([]string{"channel", "count", "unanswered", "mean_sec", "p50_sec", "p90_sec", "p99_sec"})
		keys := make([]string, 0, len(res.Distribution))
		for k := range res.Distribution {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d := res.Distribution[k]
			_ = cw.Write([]string{k, strconv.Itoa(d.Count), strconv.Itoa(d.Unanswered), f(d.MeanSec), f(d.P50Sec), f(d.P90Sec), f(d.P99Sec)})
		}
	default:
		// Every row of a metric has the same keys: the first names the columns.
		var cols []string
		if len(res.Rows) > 0 {
			for k := range res.Rows[0] {
				cols = append(cols, k)
			}
		}
		sort.Strings(cols)
		_ = cw.Write(cols)
		for _, row := range res.Rows {
			rec := make([]string, len(cols))
			for i, c := range cols {
				rec[i] = fmt.Sprint(row[c])
			}
			_ = cw.Write(rec)
		}
	}
}
