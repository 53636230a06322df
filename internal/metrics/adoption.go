package metrics

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/selfservice"
	"github.com/gesher-cs/gesher/internal/survey"
)

// containWindow is how long after a self-service case opens an agent contact still counts
// against it: a customer who filed a claim online and phoned about it the next morning was not
// served by the flow alone.
const containWindow = 7 * 24 * time.Hour

// containment: per service and way, the cases customers opened themselves in the range (not an
// agent for them), and of those the contained ones — no limit sent the customer to another way
// (finish_on), the customer wrote to no agent and no agent wrote to them within seven days.
func containment(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	type opened struct {
		at             time.Time
		service, via   string
		customer       string
		limited, agent bool
	}
	var cases []*opened
	contacts := map[string][]time.Time{} // by customer; matched after the scan, whatever the order
	err = s.scanUntil(ctx, q.From, q.To.Add(containWindow), []event.Kind{selfservice.CaseOpened, event.MessageReceived, event.MessageQueued}, func(e event.Event) error {
		if e.Kind == selfservice.CaseOpened {
			if !inRange(e.At, q) || e.Actor.Kind == event.ByUser || (v.members != nil && !v.members[e.CustomerID]) {
				return nil
			}
			c := &opened{at: e.At, service: dataField(e, "service_id"), via: dataField(e, "via"), customer: e.CustomerID, limited: dataField(e, "finish_on") != ""}
			if c.via == "" {
				c.via = string(selfservice.Web)
			}
			if q.ChannelKind != "" && c.via != q.ChannelKind {
				return nil
			}
			cases = append(cases, c)
			return nil
		}
		if e.Kind == event.MessageQueued && e.Actor.Kind != event.ByUser {
			return nil // a system message (the case's own notification) is no agent contact
		}
		contacts[e.CustomerID] = append(contacts[e.CustomerID], e.At)
		return nil
	})
	for _, c := range cases {
		for _, at := range contacts[c.customer] {
			if at.After(c.at) && at.Sub(c.at) <= containWindow {
				c.agent = true
			}
		}
	}
	type key struct{ service, via string }
	type tally struct{ opened, contained int }
	per := map[key]*tally{}
	for _, c := range cases {
		for _, k := range []key{{c.service, c.via}, {"all", "all"}} {
			if per[k] == nil {
				per[k] = &tally{}
			}
			per[k].opened++
			if !c.limited && !c.agent {
				per[k].contained++
			}
		}
	}
	out := Result{Rows: []Row{}}
	for k, t := range per {
		out.Rows = append(out.Rows, Row{"service": k.service, "via": k.via, "opened": t.opened, "contained": t.contained, "containment": pct(t.contained, t.opened)})
	}
	sortRows(out.Rows, "service", "via")
	return out, err
}

// search is one recorded help-centre search.
type search struct {
	id, query, lang, customer string
	at                        time.Time
	results                   int
	clicked, contacted        bool
}

// searchWindow is how long after a search a contact with an agent means the search failed.
const searchWindow = 24 * time.Hour

// searches reads the searches of the range with their outcome: whether a result was opened
// from them, and whether the one who searched — the customer, or the widget visitor's
// customer — wrote to an agent within 24 hours.
func (s *Service) searches(ctx context.Context, q Query) ([]*search, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return nil, err
	}
	visitors := map[string]string{}
	rows, err := s.db.Query(ctx, sqlVisitorIdentities)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var val, c string
		if err := rows.Scan(&val, &c); err != nil {
			rows.Close()
			return nil, err
		}
		visitors[val] = c
	}
	rows.Close()
	var out []*search
	clicked := map[string]bool{}
	contacts := map[string][]time.Time{} // matched after the scan, whatever the order
	err = s.scanUntil(ctx, q.From, q.To.Add(searchWindow), []event.Kind{helpcenter.SearchPerformed, helpcenter.SearchClicked, event.MessageReceived}, func(e event.Event) error {
		switch e.Kind {
		case helpcenter.SearchPerformed:
			if !inRange(e.At, q) {
				return nil
			}
			var d struct {
				SearchID string `json:"search_id"`
				Query    string `json:"query"`
				Lang     string `json:"lang"`
				Results  int    `json:"results"`
				Visitor  string `json:"visitor"`
			}
			_ = json.Unmarshal(e.Data, &d)
			cust := e.CustomerID
			if cust == "" {
				cust = visitors[d.Visitor]
			}
			if v.members != nil && !v.members[cust] {
				return nil
			}
			out = append(out, &search{id: d.SearchID, query: strings.Join(strings.Fields(strings.ToLower(d.Query)), " "), lang: d.Lang, customer: cust, at: e.At, results: d.Results})
		case helpcenter.SearchClicked:
			clicked[dataField(e, "search_id")] = true
		case event.MessageReceived:
			contacts[e.CustomerID] = append(contacts[e.CustomerID], e.At)
		}
		return nil
	})
	for _, sr := range out {
		sr.clicked = clicked[sr.id]
		if sr.customer == "" {
			continue
		}
		for _, at := range contacts[sr.customer] {
			if at.After(sr.at) && at.Sub(sr.at) <= searchWindow {
				sr.contacted = true
			}
		}
	}
	return out, err
}

// searchSuccess: per language and all, the searches of the range and the successful ones — a
// result was opened and no contact followed within 24 hours.
func searchSuccess(ctx context.Context, s *Service, q Query) (Result, error) {
	srs, err := s.searches(ctx, q)
	if err != nil {
		return Result{}, err
	}
	type tally struct{ searches, clicked, contacted, ok int }
	per := map[string]*tally{"all": {}}
	for _, sr := range srs {
		for _, l := range []string{"all", sr.lang} {
			if per[l] == nil {
				per[l] = &tally{}
			}
			t := per[l]
			t.searches++
			if sr.clicked {
				t.clicked++
			}
			if sr.contacted {
				t.contacted++
			}
			if sr.clicked && !sr.contacted {
				t.ok++
			}
		}
	}
	out := Result{Rows: []Row{}}
	for l, t := range per {
		out.Rows = append(out.Rows, Row{"lang": l, "searches": t.searches, "clicked": t.clicked, "contacted": t.contacted, "successful": t.ok, "success": pct(t.ok, t.searches)})
	}
	sortRows(out.Rows, "lang")
	return out, nil
}

// topFailedSearches: the queries (lower-cased, spaces folded) that failed most often in the
// range — no result opened, or a contact within 24 hours — with how many found nothing at all.
func topFailedSearches(ctx context.Context, s *Service, q Query) (Result, error) {
	srs, err := s.searches(ctx, q)
	if err != nil {
		return Result{}, err
	}
	type tally struct{ searches, failed, empty int }
	per := map[string]*tally{}
	for _, sr := range srs {
		if per[sr.query] == nil {
			per[sr.query] = &tally{}
		}
		t := per[sr.query]
		t.searches++
		if !sr.clicked || sr.contacted {
			t.failed++
		}
		if sr.results == 0 {
			t.empty++
		}
	}
	out := Result{Rows: []Row{}}
	for qs, t := range per {
		if t.failed > 0 {
			out.Rows = append(out.Rows, Row{"query": qs, "searches": t.searches, "failed": t.failed, "no_results": t.empty})
		}
	}
	sort.SliceStable(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a["failed"].(int) != b["failed"].(int) {
			return a["failed"].(int) > b["failed"].(int)
		}
		return a["query"].(string) < b["query"].(string)
	})
	if len(out.Rows) > 20 {
		out.Rows = out.Rows[:20]
	}
	return out, nil
}

// multiWindow is how close two contacts on different channels must be to count as the same
// matter raised twice.
const multiWindow = 48 * time.Hour

// portfolio: per channel kind and all, what the channel carries and costs — inbound messages,
// conversations opened, agent replies, agent hours (replies × the kind's minutes per reply),
// cost per contact (agent hours × the hour's cost ÷ conversations), SLA compliance (all
// clocks), CSAT (share of 4s and 5s of the answers given on the channel), and the share of the
// channel's customers who also wrote on another channel within 48 hours of writing on it.
func portfolio(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	hourCost := q.HourCost
	if hourCost <= 0 {
		hourCost = s.cost.HourCost
	}
	type tally struct {
		volume, convs, replies, met, breached, answers, happy int
		customers, multi                                      map[string]bool
	}
	per := map[string]*tally{}
	get := func(k string) *tally {
		if per[k] == nil {
			per[k] = &tally{customers: map[string]bool{}, multi: map[string]bool{}}
		}
		return per[k]
	}
	get("all")
	type contact struct {
		at   time.Time
		kind string
	}
	contacts := map[string][]contact{}
	kinds := []event.Kind{event.MessageReceived, event.ConversationOpened, event.MessageQueued, policy.SLAMet, policy.SLABreached, survey.Answered}
	err = s.scanUntil(ctx, q.From.Add(-multiWindow), q.To.Add(multiWindow), kinds, func(e event.Event) error {
		if !v.keep(e) {
			return nil
		}
		k := v.kind(e.ChannelID)
		if e.Kind == event.MessageReceived {
			contacts[e.CustomerID] = append(contacts[e.CustomerID], contact{e.At, k})
		}
		if !inRange(e.At, q) {
			return nil
		}
		for _, t := range []*tally{get(k), get("all")} {
			switch e.Kind {
			case event.MessageReceived:
				t.volume++
				t.customers[e.CustomerID] = true
			case event.ConversationOpened:
				t.convs++
			case event.MessageQueued:
				if e.Actor.Kind == event.ByUser && (q.AgentID == "" || e.Actor.ID == q.AgentID) {
					t.replies++
				}
			case policy.SLAMet:
				t.met++
			case policy.SLABreached:
				t.breached++
			case survey.Answered:
				if dataField(e, "survey") == string(survey.CSAT) {
					t.answers++
					var d struct {
						Score int `json:"score"`
					}
					_ = json.Unmarshal(e.Data, &d)
					if d.Score >= 4 {
						t.happy++
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	// The same matter on several channels: a message in range on one kind, and one on another
	// kind within 48 hours either side.
	for cust, cs := range contacts {
		for _, a := range cs {
			if !inRange(a.at, q) {
				continue
			}
			for _, b := range cs {
				d := a.at.Sub(b.at)
				if b.kind != a.kind && d <= multiWindow && d >= -multiWindow {
					get(a.kind).multi[cust] = true
					get("all").multi[cust] = true
					break
				}
			}
		}
	}
	out := Result{Rows: []Row{}}
	var allHours float64
	for k, t := range per {
		if k == "all" {
			continue
		}
		hours := float64(t.replies) * s.replyMinutes(k) / 60
		allHours += hours
		if k == "unknown" {
			continue // events of no channel (a channel since deleted): counted in all only
		}
		out.Rows = append(out.Rows, s.portfolioRow(k, t.volume, t.convs, t.replies, hours, hourCost, t.met, t.breached, t.answers, t.happy, len(t.multi), len(t.customers)))
	}
	t := per["all"]
	out.Rows = append(out.Rows, s.portfolioRow("all", t.volume, t.convs, t.replies, allHours, hourCost, t.met, t.breached, t.answers, t.happy, len(t.multi), len(t.customers)))
	sort.SliceStable(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i]["channel"].(string), out.Rows[j]["channel"].(string)
		if (a == "all") != (b == "all") {
			return b == "all"
		}
		return a < b
	})
	return out, nil
}

func (s *Service) replyMinutes(kind string) float64 {
	if m, ok := s.cost.ReplyMinutes[kind]; ok {
		return m
	}
	if m, ok := s.cost.ReplyMinutes[""]; ok {
		return m
	}
	return 3
}

func (s *Service) portfolioRow(kind string, volume, convs, replies int, hours, hourCost float64, met, breached, answers, happy, multi, customers int) Row {
	cpc := 0.0
	if convs > 0 {
		cpc = round2(hours * hourCost / float64(convs))
	}
	return Row{"channel": kind, "volume": volume, "conversations": convs, "agent_replies": replies, "agent_hours": round2(hours),
		"cost_per_contact": cpc, "sla_compliance": pct(met, met+breached), "csat": pct(happy, answers), "csat_responses": answers,
		"customers": customers, "multi_channel": pct(multi, customers)}
}

// launchWindow is how long before and after a channel's launch its effect is measured.
const launchWindow = 28 * 24 * time.Hour

// channelLaunch: for every channel created in the range (its launch), inbound messages on all
// channels in the 28 days before and the 28 days after (cut at the end of the range), and how
// many of those after came on the new channel. Growth is the change of the total: did the pie
// grow, or did volume only move to the new channel?
func channelLaunch(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	type launch struct {
		id, kind      string
		at            time.Time
		window        time.Duration
		before, after int
		onChannel     int
	}
	var ls []*launch
	rows, err := s.db.Query(ctx, sqlChannelsCreated)
	if err != nil {
		return Result{}, err
	}
	for rows.Next() {
		var id, kind string
		var at int64
		if err := rows.Scan(&id, &kind, &at); err != nil {
			rows.Close()
			return Result{}, err
		}
		t := time.UnixMilli(at).UTC()
		if inRange(t, q) && (q.ChannelKind == "" || kind == q.ChannelKind) {
			w := min(launchWindow, q.To.Sub(t))
			ls = append(ls, &launch{id: id, kind: kind, at: t, window: w})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	out := Result{Rows: []Row{}}
	if len(ls) == 0 {
		return out, nil
	}
	first, last := ls[0].at, ls[0].at
	for _, l := range ls {
		if l.at.Before(first) {
			first = l.at
		}
		if l.at.After(last) {
			last = l.at
		}
	}
	err = s.scanUntil(ctx, first.Add(-launchWindow), last.Add(launchWindow), []event.Kind{event.MessageReceived}, func(e event.Event) error {
		if v.members != nil && !v.members[e.CustomerID] {
			return nil
		}
		for _, l := range ls {
			switch {
			case !e.At.Before(l.at.Add(-l.window)) && e.At.Before(l.at):
				l.before++
			case !e.At.Before(l.at) && e.At.Before(l.at.Add(l.window)):
				l.after++
				if e.ChannelID == l.id {
					l.onChannel++
				}
			}
		}
		return nil
	})
	for _, l := range ls {
		out.Rows = append(out.Rows, Row{"channel_id": l.id, "kind": l.kind, "launched_at": l.at.Format(time.RFC3339), "window_days": round2(l.window.Hours() / 24),
			"before": l.before, "after": l.after, "after_on_channel": l.onChannel, "growth": pct(l.after-l.before, l.before)})
	}
	sortRows(out.Rows, "launched_at", "channel_id")
	return out, err
}

// digitalShareSegments: per segment, its members' inbound messages in the range, the share on
// digital channels, and the segment's adoption target (percent; empty when it has none).
func digitalShareSegments(ctx context.Context, s *Service, q Query) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	type seg struct {
		id, name     string
		target       *float64
		all, digital int
	}
	rows, err := s.db.Query(ctx, `SELECT id, name, target_share FROM segments ORDER BY name, id`)
	if err != nil {
		return Result{}, err
	}
	var segs []*seg
	byID := map[string]*seg{}
	for rows.Next() {
		sg := &seg{}
		if err := rows.Scan(&sg.id, &sg.name, &sg.target); err != nil {
			rows.Close()
			return Result{}, err
		}
		if q.SegmentID == "" || sg.id == q.SegmentID {
			segs = append(segs, sg)
			byID[sg.id] = sg
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	of, err := s.segmentsOf(ctx)
	if err != nil {
		return Result{}, err
	}
	err = s.scanUntil(ctx, q.From, q.To, []event.Kind{event.MessageReceived}, func(e event.Event) error {
		k := v.kind(e.ChannelID)
		for _, id := range of[e.CustomerID] {
			if sg := byID[id]; sg != nil {
				sg.all++
				if Digital(k) {
					sg.digital++
				}
			}
		}
		return nil
	})
	out := Result{Rows: []Row{}}
	for _, sg := range segs {
		target := ""
		if sg.target != nil {
			target = strconv.FormatFloat(round2(*sg.target*100), 'f', -1, 64)
		}
		out.Rows = append(out.Rows, Row{"segment_id": sg.id, "segment": sg.name, "messages": sg.all, "digital": sg.digital, "digital_share": pct(sg.digital, sg.all), "target": target})
	}
	return out, err
}
