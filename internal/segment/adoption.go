package segment

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
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
// sent, a self-service request, and a branch visit (a queue ticket checked in). Each is
// traditional or digital by its channel kind as channel.Traditional draws the line (the phone
// and the branch traditional, everything else digital): a message by its channel's kind, a
// request by the kind of the way it was made, a visit as the branch.
var interactionKinds = []event.Kind{event.MessageReceived, "case.opened", "ticket.checked-in"}

// wayKinds are the channel kinds of the self-service ways (selfservice.Way) a request is made
// by: the phone is an agent on a voice channel, chat is web chat, the web is a web page.
var wayKinds = map[string]channel.Kind{
	"web": channel.WebLinkKind, "whatsapp": "whatsapp", "chat": "webchat", "email": "email", "phone": "voice", "branch": "branch",
}

// classify says whether an event is a digital interaction, a traditional one, or neither.
func classify(e event.Event, channelKinds map[string]string) (digital, traditional bool) {
	var kind channel.Kind
	switch e.Kind {
	case event.MessageReceived:
		kind = channel.Kind(channelKinds[e.ChannelID])
	case "case.opened":
		var d struct {
			Via string `json:"via"`
		}
		_ = json.Unmarshal(e.Data, &d)
		k, ok := wayKinds[d.Via]
		if !ok {
			return false, false
		}
		kind = k
	case "ticket.checked-in":
		kind = "branch"
	default:
		return false, false
	}
	t := channel.Traditional(kind)
	return !t, t
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
// staffed for them.
//
// Routing asks inside the ingest transaction, so the answer comes from this node's cache and
// is computed off that transaction, on the reader pool: counting the share reads every
// targeted segment's members and scans their events, which through the transaction would hold
// SQLite's single writer (and every conversation queued behind it) for the length of the scan.
// One computation runs at a time. A cached answer younger than adoptionTTL is returned as it
// is (and recomputed in the background once past half of it); an older one makes its caller
// wait for a new one, unless another caller is already computing it, in which case the old
// one still serves. Saving or deleting a segment on this node drops the cache.
func (s *Service) HybridUsingTraditional(ctx context.Context) ([]string, error) {
	h := &s.hybrid
	now := s.clock.Now()
	h.mu.Lock()
	age := now.Sub(h.at)
	if h.ok && age >= 0 && age < adoptionTTL {
		names := slices.Clone(h.names)
		if age >= adoptionTTL/2 && h.running == nil {
			s.startHybrid(now)
		}
		h.mu.Unlock()
		return names, nil
	}
	if h.ok && h.running != nil {
		names := slices.Clone(h.names)
		h.mu.Unlock()
		return names, nil
	}
	run := h.running
	if run == nil {
		run = s.startHybrid(now)
	}
	h.mu.Unlock()
	select {
	case <-run.done:
		return slices.Clone(run.names), run.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hybridCache is this node's answer to HybridUsingTraditional.
type hybridCache struct {
	mu      sync.Mutex
	names   []string
	at      time.Time // when the computation of names began
	ok      bool
	gen     int        // bumped by drop: a computation begun before is not cached
	running *hybridRun // the computation in flight, if any
}

// hybridRun is one computation of the hybrid segments; done is closed when it ends.
type hybridRun struct {
	done  chan struct{}
	names []string
	err   error
}

// hybridTimeout bounds one computation, which runs detached from the callers waiting on it.
const hybridTimeout = 30 * time.Second

// startHybrid begins a computation of the hybrid segments in the background. The caller holds
// s.hybrid.mu. The computation's context is a new one, carrying no transaction, so every read
// goes to the reader pool; it does not end with the caller that started it, as other callers
// may be waiting on it.
func (s *Service) startHybrid(now time.Time) *hybridRun {
	h := &s.hybrid
	run := &hybridRun{done: make(chan struct{})}
	h.running = run
	gen := h.gen
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hybridTimeout)
		defer cancel()
		names, err := s.hybridNow(ctx, now)
		if err != nil {
			s.log.Error("segment: hybrid segments", "err", err)
		}
		h.mu.Lock()
		if err == nil && gen == h.gen {
			h.names, h.at, h.ok = names, now, true
		}
		run.names, run.err = names, err
		if h.running == run {
			h.running = nil
		}
		h.mu.Unlock()
		close(run.done)
	}()
	return run
}

// drop forgets the cached answer: a segment's target changed on this node. A computation in
// flight began before the change; the next caller starts another instead of waiting on it.
func (h *hybridCache) drop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ok, h.running = false, nil
	h.gen++
}

// dropHybridAfterCommit drops the cached hybrid segments once the transaction in ctx commits.
func (s *Service) dropHybridAfterCommit(ctx context.Context) {
	if tx, ok := s.db.TxFrom(ctx); ok {
		tx.AfterCommit(s.hybrid.drop)
	}
}

// hybridNow computes the hybrid segments whose members used a traditional channel, from the
// segments with a target, through the per-segment adoption cache.
func (s *Service) hybridNow(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlSelectTargeted)
	if err != nil {
		return nil, fmt.Errorf("segment: hybrid: %w", err)
	}
	type targeted struct {
		id, name string
		target   float64
	}
	var segs []targeted
	for rows.Next() {
		var t targeted
		if err := rows.Scan(&t.id, &t.name, &t.target); err != nil {
			rows.Close()
			return nil, err
		}
		segs = append(segs, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []string{}
	for _, sg := range segs {
		a, ok := s.cache.get(sg.id, sg.target, now)
		if !ok {
			if a, err = s.adoption(ctx, sg.id, sg.target); err != nil {
				return nil, err
			}
			s.cache.put(sg.id, a, now)
		}
		if a.Phase == Hybrid && a.Traditional > 0 {
			out = append(out, sg.name)
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
