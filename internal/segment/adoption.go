package segment

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
)

// The phases of a segment with an adoption target (SPEC C13).
const (
	// Hybrid: the segment's digital share is below its target. Traditional channels stay
	// staffed, and deflection may offer a digital channel but never moves anyone onto one.
	Hybrid = "hybrid"
	// Digital: the target is reached; the ordinary rules apply.
	Digital = "digital"
)

// AdoptionWindow is how far back the current digital share looks.
const AdoptionWindow = 90 * 24 * time.Hour

// Adoption is a segment's digital share against its target.
type Adoption struct {
	SegmentID   string    `json:"segment_id"`
	Target      float64   `json:"target"`
	Share       float64   `json:"share"` // digital / (digital + traditional); 0 with no interactions
	Digital     int       `json:"digital"`
	Traditional int       `json:"traditional"`
	Phase       string    `json:"phase"`
	Since       time.Time `json:"since"`
	Until       time.Time `json:"until"`
}

// interactionKinds are the events that count as one interaction each: a message the customer
// sent (a call on a voice channel is traditional, any other channel digital), a self-service
// request (by the way it was made: the web, WhatsApp, chat and email are digital, the phone and
// the branch traditional),
// and a branch visit (a queue ticket checked in: traditional).
var interactionKinds = []event.Kind{event.MessageReceived, "case.opened", "ticket.checked-in"}

// classify says whether an event is a digital interaction, a traditional one, or neither.
func classify(e event.Event, channelKinds map[string]string) (digital, traditional bool) {
	switch e.Kind {
	case event.MessageReceived:
		if channelKinds[e.ChannelID] == "voice" {
			return false, true
		}
		return true, false
	case "case.opened":
		var d struct {
			Via string `json:"via"`
		}
		_ = json.Unmarshal(e.Data, &d)
		switch d.Via {
		case "web", "whatsapp", "chat", "email":
			return true, false
		case "phone", "branch":
			return false, true
		}
	case "ticket.checked-in":
		return false, true
	}
	return false, false
}

// Adoption computes a segment's current digital share, over its current members' interactions
// in the last AdoptionWindow, and its phase. A segment without a target has no phase.
func (s *Service) Adoption(ctx context.Context, segmentID string) (Adoption, error) {
	sg, err := s.Get(ctx, segmentID)
	if err != nil {
		return Adoption{}, err
	}
	target := 0.0
	if sg.TargetShare != nil {
		target = *sg.TargetShare
	}
	a, err := s.adoption(ctx, segmentID, target)
	if sg.TargetShare == nil {
		a.Phase = ""
	}
	return a, err
}

func (s *Service) adoption(ctx context.Context, segmentID string, target float64) (Adoption, error) {
	now := s.clock.Now()
	a := Adoption{SegmentID: segmentID, Target: target, Since: now.Add(-AdoptionWindow), Until: now}
	ids, err := s.MemberIDs(ctx, segmentID)
	if err != nil {
		return a, err
	}
	kinds, err := s.channelKinds(ctx)
	if err != nil {
		return a, err
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 200)]
		ids = ids[len(batch):]
		var after int64
		for {
			// Until is exclusive; what happened this very millisecond counts.
			evs, err := s.events.List(ctx, event.Filter{CustomerIDs: batch, Kinds: interactionKinds, Since: a.Since, Until: now.Add(time.Millisecond), AfterSeq: after, Limit: 1000})
			if err != nil {
				return a, err
			}
			for _, e := range evs {
				d, t := classify(e, kinds)
				if d {
					a.Digital++
				}
				if t {
					a.Traditional++
				}
			}
			if len(evs) < 1000 {
				break
			}
			after = evs[len(evs)-1].Seq
		}
	}
	if total := a.Digital + a.Traditional; total > 0 {
		a.Share = float64(a.Digital) / float64(total)
	}
	a.Phase = Digital
	if a.Share < target {
		a.Phase = Hybrid
	}
	return a, nil
}

// HybridUsingTraditional returns the names of the segments in the hybrid phase now whose
// members still reach the contact centre on traditional channels (a call, a request by phone
// or at the branch, a branch visit in the adoption window): routing keeps those channels
// staffed for them. The figures are each node's cached ones (adoptionTTL), as for the phase
// on a customer's segments.
func (s *Service) HybridUsingTraditional(ctx context.Context) ([]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectSegments)
	if err != nil {
		return nil, fmt.Errorf("segment: hybrid: %w", err)
	}
	var targeted []Segment
	for rows.Next() {
		sg, err := scanSegment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if sg.TargetShare != nil {
			targeted = append(targeted, sg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, sg := range targeted {
		now := s.clock.Now()
		a, ok := s.cache.get(sg.ID, *sg.TargetShare, now)
		if !ok {
			if a, err = s.adoption(ctx, sg.ID, *sg.TargetShare); err != nil {
				return nil, err
			}
			s.cache.put(sg.ID, a, now)
		}
		if a.Phase == Hybrid && a.Traditional > 0 {
			out = append(out, sg.Name)
		}
	}
	return out, nil
}

func (s *Service) channelKinds(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlChannelKinds)
	if err != nil {
		return nil, fmt.Errorf("segment: channel kinds: %w", err)
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
