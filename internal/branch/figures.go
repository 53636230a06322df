package branch

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Figure is the waiting and service times of one service at a branch over a period, for the
// dashboards and the metrics package.
type Figure struct {
	ServiceID string `json:"service_id"`
	Tickets   int    `json:"tickets"`  // taken in the period
	Served    int    `json:"served"`   // done
	NoShows   int    `json:"no_shows"` // called and never came
	Left      int    `json:"left"`     // gave up their place
	Waiting   int    `json:"waiting"`  // still waiting or at a desk
	// Waits are from taking the ticket to being called; service times from being served (or
	// called, when the clerk did not mark it) to done. Medians and 90th percentiles, in seconds.
	WaitMedianSeconds    int `json:"wait_median_seconds"`
	WaitP90Seconds       int `json:"wait_p90_seconds"`
	ServiceMedianSeconds int `json:"service_median_seconds"`
	ServiceP90Seconds    int `json:"service_p90_seconds"`
	Appointments         int `json:"appointments"` // starting in the period, not cancelled
	Cancelled            int `json:"cancelled"`
}

// Figures returns the figures of each service of the branch with tickets or appointments in
// [from, to), by service id.
func (s *Service) Figures(ctx context.Context, branchID string, from, to time.Time) ([]Figure, error) {
	by := map[string]*Figure{}
	get := func(id string) *Figure {
		if by[id] == nil {
			by[id] = &Figure{ServiceID: id}
		}
		return by[id]
	}
	// Percentiles need every value, so the period's rows are read and counted here rather
	// than aggregated in SQL: PERCENTILE_CONT exists on PostgreSQL only.
	waits, services := map[string][]time.Duration{}, map[string][]time.Duration{}
	rows, err := s.db.Q(ctx).Query(ctx, sqlFigureTickets, branchID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("branch: figures: %w", err)
	}
	for rows.Next() {
		var svc, status string
		var created int64
		var called, served, done sql.NullInt64
		if err := rows.Scan(&svc, &status, &created, &called, &served, &done); err != nil {
			rows.Close()
			return nil, err
		}
		f := get(svc)
		f.Tickets++
		switch status {
		case Done:
			f.Served++
		case NoShow:
			f.NoShows++
		case Cancelled:
			f.Left++
		default:
			f.Waiting++
		}
		if called.Valid {
			waits[svc] = append(waits[svc], time.Duration(called.Int64-created)*time.Millisecond)
		}
		if status == Done && done.Valid && called.Valid {
			start := called.Int64
			if served.Valid {
				start = served.Int64
			}
			services[svc] = append(services[svc], time.Duration(done.Int64-start)*time.Millisecond)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.Q(ctx).Query(ctx, sqlFigureAppts, branchID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("branch: figures: %w", err)
	}
	for rows.Next() {
		var svc string
		var cancelled sql.NullInt64
		if err := rows.Scan(&svc, &cancelled); err != nil {
			rows.Close()
			return nil, err
		}
		if cancelled.Valid {
			get(svc).Cancelled++
		} else {
			get(svc).Appointments++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Figure, 0, len(by))
	for id, f := range by {
		f.WaitMedianSeconds, f.WaitP90Seconds = quantile(waits[id], 0.5), quantile(waits[id], 0.9)
		f.ServiceMedianSeconds, f.ServiceP90Seconds = quantile(services[id], 0.5), quantile(services[id], 0.9)
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b Figure) int {
		if a.ServiceID < b.ServiceID {
			return -1
		}
		if a.ServiceID > b.ServiceID {
			return 1
		}
		return 0
	})
	return out, nil
}

// quantile is the nearest-rank q-quantile of ds in whole seconds; 0 for none.
func quantile(ds []time.Duration, q float64) int {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	i = min(max(i, 0), len(s)-1)
	return int(s[i].Round(time.Second) / time.Second)
}
