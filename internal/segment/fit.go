package segment

import (
	"context"
	"sync"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
)

var _ channel.SegmentRules = (*Service)(nil)

// ChannelRules combines the matrices of the customer's segments for channel.Fitter: never
// wins over everything, offer-first over fits. It also names the segments in the hybrid phase.
func (s *Service) ChannelRules(ctx context.Context, customerID string) (channel.ChannelRules, error) {
	out := channel.ChannelRules{Never: map[channel.Kind]channel.SegmentVerdict{}, OfferFirst: map[channel.Kind]bool{}}
	ms, err := s.Of(ctx, customerID)
	if err != nil {
		return out, err
	}
	for _, m := range ms {
		reason := channel.UnfitSegment
		if m.Name == KosherPhone {
			reason = channel.UnfitKosherPhone
		}
		for kind, fit := range m.Matrix {
			k := channel.Kind(kind)
			switch fit {
			case Never:
				if _, ok := out.Never[k]; !ok {
					out.Never[k] = channel.SegmentVerdict{Segment: m.Name, Reason: reason}
				}
			case OfferFirst:
				out.OfferFirst[k] = true
			}
		}
		if m.Phase == Hybrid {
			out.Hybrid = append(out.Hybrid, m.Name)
		}
	}
	for k := range out.Never {
		delete(out.OfferFirst, k)
	}
	return out, nil
}

// adoptionTTL is how long a node reuses a segment's computed share for the phase: the share
// moves slowly, and channel fit asks for it on every check.
const adoptionTTL = time.Minute

type cachedAdoption struct {
	a  Adoption
	at time.Time
}

type adoptionCache struct {
	mu sync.Mutex
	m  map[string]cachedAdoption
}

func (c *adoptionCache) get(id string, target float64, now time.Time) (Adoption, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || now.Sub(e.at) >= adoptionTTL || now.Before(e.at) || e.a.Target != target {
		return Adoption{}, false
	}
	return e.a, true
}

func (c *adoptionCache) put(id string, a Adoption, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedAdoption{}
	}
	c.m[id] = cachedAdoption{a: a, at: now}
}
