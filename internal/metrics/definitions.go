package metrics

import (
	"context"
	"sort"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
)

// traditional channels are the ones a shift to digital moves customers away from.
var traditional = map[string]bool{"voice": true, "branch": true}

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
			Description: "For conversations opened in the range: wall-clock time from conversation.opened to the first agent message (message.queued by a user). Percentiles by the channel the conversation opened on; unanswered counts those with no reply yet.",
			compute:     firstResponse},
		{Name: "resolution_time", Title: "Resolution time", Unit: "seconds",
			Description: "For conversations opened in the range: time from conversation.opened to the first change to resolved. Percentiles by opening channel; unanswered counts those not resolved yet.",
			compute:     resolution},
		{Name: "deflection_flows", Title: "Moves between channels", Unit: "moves",
			Description: "Accepted moves (conversation.moved) in the range, from channel kind to channel kind, by action.",
			compute:     flows},
		{Name: "agent_activity", Title: "Agent activity", Unit: "count",
			Description: "Per agent in the range: replies sent, conversations resolved, notes written, and accepted moves to other channels (their credit).",
			compute:     agentActivity},
	}
}

func countByKind(ctx context.Context, s *Service, q Query, kind event.Kind) (Result, error) {
	kinds, err := s.channelKinds(ctx)
	if err != nil {
		return Result{}, fmtErr(string(kind), err)
	}
	counts := map[string]map[time.Time]float64{}
	err = s.scan(ctx, q.From, []event.Kind{kind}, func(e event.Event) error {
		if !inRange(e.At, q) {
			return nil
		}
		ck := kinds[e.ChannelID]
		if ck == "" {
			ck = "unknown"
		}
		if q.ChannelKind != "" && ck != q.ChannelKind {
			return nil
		}
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
	vol, err := volume(ctx, s, Query{From: q.From, To: q.To, Bucket: q.Bucket, Location: q.Location})
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
			if !traditional[sr.Label] {
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
	kinds, err := s.channelKinds(ctx)
	if err != nil {
		return Result{}, err
	}
	type open struct {
		at   time.Time
		kind string
	}
	started := map[string]open{}
	byKind := map[string][]time.Duration{}
	done := map[string]bool{}
	err = s.scan(ctx, q.From, append([]event.Kind{event.ConversationOpened}, endKinds...), func(e event.Event) error {
		if e.Kind == event.ConversationOpened {
			if inRange(e.At, q) {
				ck := kinds[e.ChannelID]
				if q.ChannelKind == "" || ck == q.ChannelKind {
					started[e.ConversationID] = open{at: e.At, kind: ck}
				}
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
		d := e.At.Sub(st.at)
		byKind[st.kind] = append(byKind[st.kind], d)
		byKind["all"] = append(byKind["all"], d)
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
		out.Distribution[k] = distribution(d, unanswered[k])
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
