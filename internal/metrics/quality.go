package metrics

import (
	"context"
	"encoding/json"
	"math"
	"sort"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/survey"
)

// round2 keeps two decimals: percentages and means read better so, and stay exact enough to
// compare with a hand computation.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

func pct(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return round2(float64(part) / float64(whole) * 100)
}

// slaCompliance counts, per channel kind, queue and clock, the SLA targets whose outcome fell in
// the range: met (sla.met) or breached (sla.breached). A clock that breached and was answered
// later counts once, as breached. Compliance is met / (met + breached).
func slaCompliance(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, true)
	if err != nil {
		return Result{}, err
	}
	type key struct{ channel, queue, clock string }
	type tally struct{ met, breached int }
	per := map[key]*tally{}
	err = s.scanUntil(ctx, q.From, q.To, []event.Kind{policy.SLAMet, policy.SLABreached}, func(e event.Event) error {
		if !v.keep(e) {
			return nil
		}
		k := key{v.kind(e.ChannelID), v.queues[e.ConversationID], dataField(e, "clock")}
		for _, kk := range []key{k, {channel: "all", queue: "", clock: k.clock}} {
			if per[kk] == nil {
				per[kk] = &tally{}
			}
			if e.Kind == policy.SLAMet {
				per[kk].met++
			} else {
				per[kk].breached++
			}
		}
		return nil
	})
	out := Result{Rows: []Row{}}
	for k, t := range per {
		out.Rows = append(out.Rows, Row{"channel": k.channel, "queue": k.queue, "clock": k.clock, "met": t.met, "breached": t.breached, "compliance": pct(t.met, t.met+t.breached)})
	}
	sortRows(out.Rows, "channel", "queue", "clock")
	return out, err
}

// answer is one survey answer as the log holds it.
type answer struct {
	at                        time.Time
	kind, agent, comment, via string
	channel, customer         string
	score                     int
}

// answers reads the survey answers of the range that pass the query's filters.
func (s *Service) answers(ctx context.Context, v *view, q Query, kind survey.Kind, segs map[string][]string) (sent map[string]map[string]int, out []answer, err error) {
	sent = map[string]map[string]int{"all": {}, "channel": {}, "agent": {}, "segment": {}}
	err = s.scanUntil(ctx, q.From, q.To, []event.Kind{survey.Sent, survey.Answered}, func(e event.Event) error {
		if !v.keep(e) {
			return nil
		}
		// One decoding per event: over a year of history this loop is the cost of the figure.
		var d struct {
			Survey  string `json:"survey"`
			AgentID string `json:"agent_id"`
			Score   int    `json:"score"`
			Comment string `json:"comment"`
			Via     string `json:"via"`
		}
		_ = json.Unmarshal(e.Data, &d)
		agent := d.AgentID
		if d.Survey != string(kind) || (q.AgentID != "" && agent != q.AgentID) {
			return nil
		}
		if e.Kind == survey.Sent {
			sent["all"][""]++
			sent["channel"][v.kind(e.ChannelID)]++
			sent["agent"][agent]++
			for _, sg := range segs[e.CustomerID] {
				sent["segment"][sg]++
			}
			return nil
		}
		out = append(out, answer{at: e.At, kind: string(kind), agent: agent, comment: d.Comment, via: d.Via, channel: v.kind(e.ChannelID), customer: e.CustomerID, score: d.Score})
		return nil
	})
	return sent, out, err
}

// scoreRows groups answers by all, channel, agent and (when segments exist) segment, with
// fig computing a group's figures.
func (s *Service) scoreRows(ctx context.Context, q Query, kind survey.Kind, fig func(as []answer) Row) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	segs, err := s.segmentsOf(ctx)
	if err != nil {
		return Result{}, err
	}
	sent, as, err := s.answers(ctx, v, q, kind, segs)
	if err != nil {
		return Result{}, err
	}
	groups := map[[2]string][]answer{{"all", ""}: nil}
	for _, a := range as {
		groups[[2]string{"all", ""}] = append(groups[[2]string{"all", ""}], a)
		groups[[2]string{"channel", a.channel}] = append(groups[[2]string{"channel", a.channel}], a)
		groups[[2]string{"agent", a.agent}] = append(groups[[2]string{"agent", a.agent}], a)
		for _, sg := range segs[a.customer] {
			groups[[2]string{"segment", sg}] = append(groups[[2]string{"segment", sg}], a)
		}
	}
	out := Result{Rows: []Row{}}
	for g, list := range groups {
		r := fig(list)
		r["by"], r["key"], r["sent"] = g[0], g[1], sent[g[0]][g[1]]
		out.Rows = append(out.Rows, r)
	}
	sortRows(out.Rows, "by", "key")
	return out, nil
}

// segmentsOf maps customers to the segments they are in now.
func (s *Service) segmentsOf(ctx context.Context) (map[string][]string, error) {
	rows, err := s.db.Query(ctx, `SELECT customer_id, segment_id FROM segment_members ORDER BY segment_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var c, sg string
		if err := rows.Scan(&c, &sg); err != nil {
			return nil, err
		}
		out[c] = append(out[c], sg)
	}
	return out, rows.Err()
}

// csat: per group, the answers (1–5), their mean, and CSAT — the share of 4s and 5s.
func csat(ctx context.Context, s *Service, q Query) (Result, error) {
	return s.scoreRows(ctx, q, survey.CSAT, func(as []answer) Row {
		sum, happy := 0, 0
		for _, a := range as {
			sum += a.score
			if a.score >= 4 {
				happy++
			}
		}
		mean := 0.0
		if len(as) > 0 {
			mean = round2(float64(sum) / float64(len(as)))
		}
		return Row{"responses": len(as), "mean": mean, "csat": pct(happy, len(as))}
	})
}

// nps: per group, promoters (9–10), passives (7–8), detractors (0–6) and NPS = % promoters −
// % detractors.
func nps(ctx context.Context, s *Service, q Query) (Result, error) {
	return s.scoreRows(ctx, q, survey.NPS, func(as []answer) Row {
		var pro, pas, det int
		for _, a := range as {
			switch {
			case a.score >= 9:
				pro++
			case a.score >= 7:
				pas++
			default:
				det++
			}
		}
		return Row{"responses": len(as), "promoters": pro, "passives": pas, "detractors": det, "nps": round2(pct(pro, len(as)) - pct(det, len(as)))}
	})
}

// surveyComments lists the verbatim comments of the range, newest first.
func surveyComments(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	out := Result{Rows: []Row{}}
	for _, k := range []survey.Kind{survey.CSAT, survey.NPS} {
		_, as, err := s.answers(ctx, v, q, k, nil)
		if err != nil {
			return Result{}, err
		}
		for _, a := range as {
			if a.comment != "" {
				out.Rows = append(out.Rows, Row{"at": a.at.UTC().Format(time.RFC3339), "survey": a.kind, "score": a.score, "channel": a.channel, "agent_id": a.agent, "comment": a.comment})
			}
		}
	}
	sort.SliceStable(out.Rows, func(i, j int) bool { return out.Rows[i]["at"].(string) > out.Rows[j]["at"].(string) })
	return out, nil
}

// sortRows orders rows by the string values of keys, in turn.
func sortRows(rows []Row, keys ...string) {
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			a, b := str(rows[i][k]), str(rows[j][k])
			if a != b {
				return a < b
			}
		}
		return false
	})
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
