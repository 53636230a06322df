package metrics

import (
	"context"
	"sort"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/event"
)

// Digital says whether a channel kind counts as digital in digital_share (everything but voice
// and branch, channel.Traditional), so a figure built from volume elsewhere (the Prometheus
// gauge) draws the line where the dashboards do.
func Digital(kind string) bool { return !channel.Traditional(channel.Kind(kind)) }

func definitions() []Definition {
	return []Definition{
		{Name: "volume", Title: "Volume per channel", Unit: "messages",
			Description: "Inbound customer messages per channel kind per bucket (message.received). Did opening a channel grow the pie, or move it?",
			compute:     volume},
		{Name: "conversations_opened", Title: "Conversations opened", Unit: "conversations",
			Description: "New conversations per channel kind they opened on, per bucket (conversation.opened).",
			compute:     opened},
		{Name: "digital_share", Title: "Digital share", Unit: "percent",
			Description: "Share of inbound messages on digital channels (everything but voice and branch) per bucket.",
			compute:     digitalShare},
		{Name: "first_response_time", Title: "First response time", Unit: "seconds",
			Description: "For conversations opened in the range: business time (the opening channel's SLA calendar) from conversation.opened to the first agent message (message.queued by a user); wall_* are the same spans in wall-clock time. Percentiles by the channel the conversation opened on; unanswered counts those with no reply yet.",
			compute:     firstResponse},
		{Name: "resolution_time", Title: "Resolution time", Unit: "seconds",
			Description: "For conversations opened in the range: business time from conversation.opened to the first change to resolved (wall_*: wall-clock). Percentiles by opening channel; unanswered counts those not resolved yet.",
			compute:     resolution},
		{Name: "deflection_flows", Title: "Moves between channels", Unit: "moves",
			Description: "Accepted moves (conversation.moved) in the range, from channel kind to channel kind, by action.",
			compute:     flows},
		{Name: "agent_activity", Title: "Agent activity", Unit: "count",
			Description: "Per agent in the range: replies sent, conversations resolved, notes written, and accepted moves to other channels (their credit).",
			compute:     agentActivity},
		{Name: "sla_compliance", Title: "SLA compliance", Unit: "percent",
			Description: "Per channel kind, queue and clock: SLA targets met (sla.met) and breached (sla.breached) in the range; compliance = met / (met + breached). A row with channel all sums every channel per clock.",
			compute:     slaCompliance},
		{Name: "csat", Title: "Customer satisfaction (CSAT)", Unit: "percent",
			Description: "CSAT answers (survey.answered, 1 to 5) in the range, for all and per channel asked on, agent of the conversation and segment: responses, mean, and CSAT = the share of 4s and 5s; sent counts the surveys sent (survey.sent).",
			compute:     csat},
		{Name: "nps", Title: "Net promoter score (NPS)", Unit: "score",
			Description: "NPS answers (0 to 10) in the range, for all and per channel, agent and segment: promoters (9-10), passives (7-8), detractors (0-6); NPS = % promoters - % detractors.",
			compute:     nps},
		{Name: "survey_comments", Title: "Survey comments", Unit: "comments",
			Description: "The verbatim comments customers wrote with their CSAT or NPS answer in the range, newest first.",
			compute:     surveyComments},
		{Name: "containment", Title: "Self-service containment", Unit: "percent",
			Description: "Cases customers opened themselves (case.opened not by an agent) in the range, per service and way; contained = no limit sent them to another way and no agent contact (their message or an agent's) within 7 days of opening.",
			compute:     containment},
		{Name: "search_success", Title: "Search success", Unit: "percent",
			Description: "Help-centre searches (search.performed) in the range per language; successful = a result was opened (search.clicked) and the searcher wrote to no agent within 24 hours.",
			compute:     searchSuccess},
		{Name: "top_failed_searches", Title: "Top failed searches", Unit: "searches",
			Description: "The 20 queries (lower-cased) that failed most in the range: no result opened, or a contact within 24 hours; no_results counts those that found nothing.",
			compute:     topFailedSearches},
		{Name: "channel_portfolio", Title: "Channel portfolio", Unit: "mixed",
			Description: "Per channel kind: inbound volume, conversations, agent replies and hours (replies x minutes per reply), cost per contact (hours x the agent hour's cost / conversations), SLA compliance, CSAT, and the share of its customers who wrote on another channel within 48 hours.",
			compute:     portfolio},
		{Name: "channel_launch", Title: "Volume around a channel launch", Unit: "messages",
			Description: "For each channel created in the range: inbound messages on all channels in the 28 days before and after its launch (cut at the range's end), those on the new channel, and the growth of the total. Did the pie grow?",
			compute:     channelLaunch},
		{Name: "digital_share_segments", Title: "Digital share per segment", Unit: "percent",
			Description: "Per segment (its members now): the share of their inbound messages in the range on digital channels, beside the segment's adoption target.",
			compute:     digitalShareSegments},
		{Name: "proactive_offers", Title: "Proactive offers", Unit: "offers",
			Description: "Per offer kind: offers shown (assist.offer-made) in the range, accepted, dismissed and completed (their outcome recorded).",
			compute:     proactiveOffers},
		{Name: "bot_containment", Title: "Bot containment", Unit: "percent",
			Description: "Per channel kind: conversations the bot answered or ran a flow in, during the range; handed over (bot.handed-over) and contained (not handed over, no agent reply).",
			compute:     botContainment},
		{Name: "coaching_stages", Title: "Customers per digital stage", Unit: "customers",
			Description: "Customers whose digital stage moved on (coaching.stage-advanced), per stage reached, per bucket.",
			compute:     coachingStages},
		{Name: "agent_credits", Title: "Agent credits", Unit: "customers",
			Description: "Per agent: customers whose digital stage moved on in the range with the agent credited.",
			compute:     agentCredits},
		{Name: "branch_service", Title: "Branch service", Unit: "mixed",
			Description: "Per branch (branch_id and branch_name): queue tickets taken in the range, done, no-shows, left; waiting (taken to called) and service times, median and 90th percentile; appointments booked and cancelled.",
			compute:     branchService},
	}
}

func countByKind(ctx context.Context, s *Service, q Query, kind event.Kind) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, fmtErr(string(kind), err)
	}
	counts := map[string]map[time.Time]float64{}
	err = s.scanUntil(ctx, q.From, q.To, []event.Kind{kind}, func(e event.Event) error {
		if !inRange(e.At, q) || !v.keep(e) {
			return nil
		}
		ck := v.kind(e.ChannelID)
		if counts[ck] == nil {
			counts[ck] = map[time.Time]float64{}
		}
		counts[ck][bucketStart(e.At, q.Bucket, q.Location)]++
		return nil
	})
	return Result{Series: seriesOf(q, counts)}, err
}

func volume(ctx context.Context, s *Service, q Query) (Result, error) {
	return countByKind(ctx, s, q, event.MessageReceived)
}

func opened(ctx context.Context, s *Service, q Query) (Result, error) {
	return countByKind(ctx, s, q, event.ConversationOpened)
}

func digitalShare(ctx context.Context, s *Service, q Query) (Result, error) {
	vol, err := volume(ctx, s, Query{From: q.From, To: q.To, Bucket: q.Bucket, Location: q.Location, SegmentID: q.SegmentID, QueueID: q.QueueID})
	if err != nil {
		return vol, err
	}
	share := Series{Label: "digital"}
	if len(vol.Series) == 0 {
		return Result{Series: []Series{}}, nil
	}
	for i := range vol.Series[0].Points {
		var all, digital float64
		for _, sr := range vol.Series {
			all += sr.Points[i].V
			if Digital(sr.Label) {
				digital += sr.Points[i].V
			}
		}
		v := 0.0
		if all > 0 {
			v = digital / all * 100
		}
		share.Points = append(share.Points, Point{T: vol.Series[0].Points[i].T, V: v})
	}
	return Result{Series: []Series{share}}, nil
}

// spans measures, for conversations opened in range, the time to the first event that ends
// the span (ends reports whether e does, and who did it).
func spans(ctx context.Context, s *Service, q Query, endKinds []event.Kind, ends func(e event.Event) (bool, string)) (Result, error) {
	v, err := s.view(ctx, q, false)
	if err != nil {
		return Result{}, err
	}
	type open struct {
		at            time.Time
		kind, channel string
	}
	started := map[string]open{}
	byKind := map[string][]time.Duration{}
	wall := map[string][]time.Duration{}
	done := map[string]bool{}
	err = s.scan(ctx, q.From, append([]event.Kind{event.ConversationOpened}, endKinds...), func(e event.Event) error {
		if e.Kind == event.ConversationOpened {
			if inRange(e.At, q) && v.keep(e) {
				started[e.ConversationID] = open{at: e.At, kind: v.kind(e.ChannelID), channel: e.ChannelID}
			}
			return nil
		}
		st, ok := started[e.ConversationID]
		if !ok || done[e.ConversationID] {
			return nil
		}
		end, by := ends(e)
		if !end {
			return nil
		}
		done[e.ConversationID] = true
		if q.AgentID != "" && by != q.AgentID {
			return nil
		}
		d, err := v.business(ctx, st.channel, st.at, e.At)
		if err != nil {
			return err
		}
		byKind[st.kind] = append(byKind[st.kind], d)
		byKind["all"] = append(byKind["all"], d)
		wall[st.kind] = append(wall[st.kind], e.At.Sub(st.at))
		wall["all"] = append(wall["all"], e.At.Sub(st.at))
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	unanswered := map[string]int{}
	for id, st := range started {
		if !done[id] {
			unanswered[st.kind]++
			unanswered["all"]++
		}
	}
	out := Result{Distribution: map[string]Distribution{}}
	for k, d := range byKind {
		out.Distribution[k] = distribution(d, wall[k], unanswered[k])
	}
	for k, n := range unanswered {
		if _, ok := out.Distribution[k]; !ok {
			out.Distribution[k] = Distribution{Unanswered: n}
		}
	}
	if _, ok := out.Distribution["all"]; !ok {
		out.Distribution["all"] = Distribution{}
	}
	return out, nil
}

func firstResponse(ctx context.Context, s *Service, q Query) (Result, error) {
	return spans(ctx, s, q, []event.Kind{event.MessageQueued}, func(e event.Event) (bool, string) {
		return e.Actor.Kind == event.ByUser, e.Actor.ID
	})
}

func resolution(ctx context.Context, s *Service, q Query) (Result, error) {
	return spans(ctx, s, q, []event.Kind{event.ConversationStatus}, func(e event.Event) (bool, string) {
		return dataField(e, "to") == "resolved", e.Actor.ID
	})
}

func flows(ctx context.Context, s *Service, q Query) (Result, error) {
	kinds, err := s.channelKinds(ctx)
	if err != nil {
		return Result{}, err
	}
	type key struct{ from, to, action string }
	counts := map[key]int{}
	err = s.scan(ctx, q.From, []event.Kind{event.ConversationMoved}, func(e event.Event) error {
		if !inRange(e.At, q) || (q.AgentID != "" && e.Actor.ID != q.AgentID) {
			return nil
		}
		k := key{kinds[dataField(e, "from_channel")], kinds[dataField(e, "to_channel")], dataField(e, "action")}
		if q.ChannelKind != "" && k.from != q.ChannelKind && k.to != q.ChannelKind {
			return nil
		}
		counts[k]++
		return nil
	})
	out := Result{Rows: []Row{}}
	for k, n := range counts {
		out.Rows = append(out.Rows, Row{"from": k.from, "to": k.to, "action": k.action, "count": n})
	}
	sort.Slice(out.Rows, func(i, j int) bool { return out.Rows[i]["count"].(int) > out.Rows[j]["count"].(int) })
	return out, err
}

func agentActivity(ctx context.Context, s *Service, q Query) (Result, error) {
	type tally struct{ replies, resolved, notes, moves int }
	per := map[string]*tally{}
	get := func(id string) *tally {
		if per[id] == nil {
			per[id] = &tally{}
		}
		return per[id]
	}
	kinds := []event.Kind{event.MessageQueued, event.ConversationStatus, event.NoteAdded, event.ConversationMoved}
	err := s.scan(ctx, q.From, kinds, func(e event.Event) error {
		if !inRange(e.At, q) || e.Actor.Kind != event.ByUser || (q.AgentID != "" && e.Actor.ID != q.AgentID) {
			return nil
		}
		t := get(e.Actor.ID)
		switch e.Kind {
		case event.MessageQueued:
			t.replies++
		case event.ConversationStatus:
			if dataField(e, "to") == "resolved" {
				t.resolved++
			}
		case event.NoteAdded:
			t.notes++
		case event.ConversationMoved:
			t.moves++
		}
		return nil
	})
	out := Result{Rows: []Row{}}
	for id, t := range per {
		out.Rows = append(out.Rows, Row{"agent_id": id, "replies": t.replies, "resolved": t.resolved, "notes": t.notes, "moves": t.moves})
	}
	sort.Slice(out.Rows, func(i, j int) bool { return out.Rows[i]["agent_id"].(string) < out.Rows[j]["agent_id"].(string) })
	return out, err
}
