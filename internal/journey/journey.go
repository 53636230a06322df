package journey

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/survey"
)

// SurveyAnswered is the event kind satisfaction is read from (the survey package's, so that
// both read one name): a customer's answer to a moment of truth's question. Its data carries
// "score" (a number; the journey reports the mean of what was answered, on whatever scale the
// survey asked), optionally "stage" (the stage id the question belongs to, when whoever asked
// knew it) and "segment_id" (when the survey knew which persona it asked for; an answer naming
// another segment is not counted).
//
// The survey package asks after a resolution and knows no journey, so its answers name no
// stage: a CSAT answer without one counts for the last moment of truth the customer had
// reached when they answered (the resolved conversation's last stage). An NPS answer without
// one counts nowhere: it is about the organisation, not a moment, and on another scale.
const SurveyAnswered = survey.Answered

// NoChannel is what a stage reached by an event without a channel (a web page, a branch
// visit) is counted under when its data says no "via" either.
const NoChannel = "none"

// Satisfaction is the answers at a moment of truth.
type Satisfaction struct {
	Answers int     `json:"answers"`
	Mean    float64 `json:"mean"`
}

// StageFigures are one stage's numbers.
type StageFigures struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	MomentOfTruth bool   `json:"moment_of_truth,omitempty"`
	Question      string `json:"question,omitempty"`
	// Reached is how many members reached the stage (in order: after the previous one).
	Reached int `json:"reached"`
	// DropOff is how many reached this stage but not the next; DropOffRate is its share of
	// Reached. Both are zero at the last stage.
	DropOff     int     `json:"drop_off"`
	DropOffRate float64 `json:"drop_off_rate"`
	// MedianToNext is the median time from this stage to the next among members who reached
	// both, in seconds; nil when none did (and at the last stage).
	MedianToNext *float64 `json:"median_seconds_to_next,omitempty"`
	// ByChannel counts Reached by the kind of channel of the event that marked the stage
	// (its "via" when it has no channel, else "none").
	ByChannel map[string]int `json:"by_channel"`
	// Satisfaction is the answers to the stage's question, in all and by the channel the
	// stage was reached on; nil when the stage is not a moment of truth.
	Satisfaction          *Satisfaction           `json:"satisfaction,omitempty"`
	SatisfactionByChannel map[string]Satisfaction `json:"satisfaction_by_channel,omitempty"`
}

// Report is a persona's journey over a period.
type Report struct {
	SegmentID string         `json:"segment_id"`
	Persona   string         `json:"persona"`
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Members   int            `json:"members"`
	Stages    []StageFigures `json:"stages"`
}

// ErrNoJourney says the segment is not a persona: it has no journey.
var ErrNoJourney = fmt.Errorf("journey: the segment has no journey")

// Service computes journeys.
type Service struct {
	db       *store.DB
	events   *event.Log
	segments *segment.Service
}

// NewService returns the journey service.
func NewService(db *store.DB, events *event.Log, segments *segment.Service) *Service {
	return &Service{db: db, events: events, segments: segments}
}

// Report computes the journey of the segment's persona over its current members' events in
// [from, to).
func (s *Service) Report(ctx context.Context, segmentID string, from, to time.Time) (Report, error) {
	sg, err := s.segments.Get(ctx, segmentID)
	if err != nil {
		return Report{}, err
	}
	if sg.Journey == nil {
		return Report{}, ErrNoJourney
	}
	members, err := s.segments.MemberIDs(ctx, segmentID)
	if err != nil {
		return Report{}, err
	}
	kinds, err := s.channelKinds(ctx)
	if err != nil {
		return Report{}, err
	}
	var want []event.Kind
	for _, st := range sg.Journey.Stages {
		for _, k := range st.Kinds {
			want = append(want, event.Kind(k))
		}
	}
	// Only the kinds the stages name, and the survey answers: a member's whole history is
	// mostly messages no stage cares about.
	want = append(want, SurveyAnswered)
	byCustomer := map[string][]event.Event{}
	for rest := members; len(rest) > 0; {
		batch := rest[:min(len(rest), 200)]
		rest = rest[len(batch):]
		f := event.Filter{CustomerIDs: batch, Kinds: want, Since: from, Until: to, Limit: 1000}
		for {
			evs, err := s.events.List(ctx, f)
			if err != nil {
				return Report{}, err
			}
			for _, e := range evs {
				byCustomer[e.CustomerID] = append(byCustomer[e.CustomerID], e)
			}
			if len(evs) < 1000 {
				break
			}
			f.AfterSeq = evs[len(evs)-1].Seq
		}
	}
	return Compute(sg, members, byCustomer, kinds, from, to), nil
}

// Compute is the journey arithmetic over events already read, by customer: it is what
// Report runs, kept apart so the rules can be read (and tested) without a database.
//
// A customer reaches stage 0 at their first event marking it, and stage i at their first
// event marking it after the event that marked stage i−1; a customer who never
// reaches a stage reaches none after it. A survey answer counts for a moment of truth when
// its data names the stage (a CSAT answer naming none: the last moment of truth reached by
// then, see SurveyAnswered), the customer reached that stage at or before the answer, and it
// is their latest answer for that stage.
func Compute(sg segment.Segment, members []string, byCustomer map[string][]event.Event, channelKinds map[string]string, from, to time.Time) Report {
	stages := sg.Journey.Stages
	r := Report{SegmentID: sg.ID, Persona: sg.Journey.Persona, From: from, To: to, Members: len(members), Stages: make([]StageFigures, len(stages))}
	gaps := make([][]float64, len(stages))
	type sat struct {
		sum float64
		n   int
	}
	sats := make([]map[string]*sat, len(stages))
	for i, st := range stages {
		r.Stages[i] = StageFigures{ID: st.ID, Name: st.Name, MomentOfTruth: st.MomentOfTruth, Question: st.Question, ByChannel: map[string]int{}}
		sats[i] = map[string]*sat{}
	}
	for _, id := range members {
		evs := byCustomer[id]
		slices.SortStableFunc(evs, func(a, b event.Event) int {
			if c := a.At.Compare(b.At); c != 0 {
				return c
			}
			return int(a.Seq - b.Seq)
		})
		reached := make([]time.Time, 0, len(stages))
		via := make([]string, 0, len(stages))
		next := 0 // stage i is looked for after the event that marked stage i−1
		for _, st := range stages {
			j := slices.IndexFunc(evs[next:], func(e event.Event) bool {
				return slices.Contains(st.Kinds, string(e.Kind)) && dataMatches(e.Data, st.Data) &&
					(len(st.ChannelKinds) == 0 || slices.Contains(st.ChannelKinds, channelKinds[e.ChannelID]))
			})
			if j < 0 {
				break
			}
			e := evs[next+j]
			reached = append(reached, e.At)
			via = append(via, channelOf(e, channelKinds))
			next += j + 1
		}
		for i := range reached {
			f := &r.Stages[i]
			f.Reached++
			f.ByChannel[via[i]]++
			if i+1 < len(reached) {
				gaps[i] = append(gaps[i], reached[i+1].Sub(reached[i]).Seconds())
			}
			if !stages[i].MomentOfTruth {
				continue
			}
			// The customer's latest answer for this stage, given after they reached it.
			var score *float64
			for _, e := range evs {
				if e.Kind != SurveyAnswered || e.At.Before(reached[i]) {
					continue
				}
				var d struct {
					Stage     string   `json:"stage"`
					Score     *float64 `json:"score"`
					SegmentID string   `json:"segment_id"`
					Survey    string   `json:"survey"`
				}
				if json.Unmarshal(e.Data, &d) != nil {
					continue
				}
				if d.Stage == "" && d.Survey == string(survey.CSAT) {
					d.Stage = lastMomentOfTruth(stages, reached, e.At)
				}
				if d.Stage != stages[i].ID || d.Score == nil || math.IsNaN(*d.Score) || (d.SegmentID != "" && d.SegmentID != sg.ID) {
					continue
				}
				score = d.Score
			}
			if score == nil {
				continue
			}
			for _, key := range []string{"", via[i]} {
				if sats[i][key] == nil {
					sats[i][key] = &sat{}
				}
				sats[i][key].sum += *score
				sats[i][key].n++
			}
		}
	}
	for i := range r.Stages {
		f := &r.Stages[i]
		if i+1 < len(stages) {
			f.DropOff = f.Reached - r.Stages[i+1].Reached
			if f.Reached > 0 {
				f.DropOffRate = float64(f.DropOff) / float64(f.Reached)
			}
			if m, ok := median(gaps[i]); ok {
				f.MedianToNext = &m
			}
		}
		if !stages[i].MomentOfTruth {
			continue
		}
		f.Satisfaction = &Satisfaction{}
		f.SatisfactionByChannel = map[string]Satisfaction{}
		for key, v := range sats[i] {
			s := Satisfaction{Answers: v.n, Mean: v.sum / float64(v.n)}
			if key == "" {
				*f.Satisfaction = s
			} else {
				f.SatisfactionByChannel[key] = s
			}
		}
	}
	return r
}

// lastMomentOfTruth is the id of the latest moment of truth the customer had reached at at,
// or "" when they had reached none.
func lastMomentOfTruth(stages []segment.Stage, reached []time.Time, at time.Time) string {
	for i := len(reached) - 1; i >= 0; i-- {
		if stages[i].MomentOfTruth && !reached[i].After(at) {
			return stages[i].ID
		}
	}
	return ""
}

func median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

func channelOf(e event.Event, kinds map[string]string) string {
	if k := kinds[e.ChannelID]; k != "" {
		return k
	}
	var d struct {
		Via string `json:"via"`
	}
	if json.Unmarshal(e.Data, &d) == nil && d.Via != "" {
		return d.Via
	}
	return NoChannel
}

func dataMatches(raw json.RawMessage, want map[string]string) bool {
	if len(want) == 0 {
		return true
	}
	var d map[string]json.RawMessage
	if json.Unmarshal(raw, &d) != nil {
		return false
	}
	for k, v := range want {
		var s string
		got, ok := d[k]
		if !ok {
			return false
		}
		if json.Unmarshal(got, &s) != nil {
			s = string(got)
		}
		if s != v {
			return false
		}
	}
	return true
}

func (s *Service) channelKinds(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlChannelKinds)
	if err != nil {
		return nil, fmt.Errorf("journey: channel kinds: %w", err)
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
