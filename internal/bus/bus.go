package bus

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/gesher-cs/gesher/internal/event"
)

var _ event.Publisher = (*Bus)(nil)

// DefaultBuffer is the buffer a subscription gets when Subscribe is given none.
const DefaultBuffer = 64

// Delivery is one thing a subscriber receives: an event, or a resync signal.
type Delivery struct {
	// Event is the committed event; zero when Resync is set.
	Event event.Event
	// Resync says events may have been missed (the bus lost its connection to PostgreSQL, or
	// could not carry an event): the subscriber should reload what it shows from the log.
	// Resync deliveries ignore the subscription's filter.
	Resync bool
}

// Stats counts what the bus has done since it was made, for /metrics.
type Stats struct {
	Published  uint64 // events accepted by Publish
	Delivered  uint64 // deliveries handed to subscriptions (one event to three subscribers is three)
	Dropped    uint64 // events accepted but never carried (send queue full, NOTIFY failed, bus closed)
	Overflowed uint64 // subscriptions closed because their buffer was full
	Reconnects uint64 // times the listening connection was re-established
}

// Bus delivers committed events to subscribers. It is safe for concurrent use.
type Bus struct {
	log *slog.Logger

	mu     sync.Mutex // orders deliveries, so every subscriber sees the same sequence
	subs   map[*Subscription]struct{}
	closed bool

	published, delivered, dropped, overflowed, reconnects atomic.Uint64

	pg *pgTransport // nil for an in-process bus
}

// NewLocal returns an in-process bus, for a single node (SQLite mode): Publish delivers
// directly to this node's subscribers. log may be nil.
func NewLocal(log *slog.Logger) *Bus {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Bus{log: log, subs: make(map[*Subscription]struct{})}
}

// Publish hands e to the bus. It never blocks on subscribers or on the database: a local bus
// delivers at once, a PostgreSQL bus queues e for NOTIFY and counts a drop when the queue is
// full. The event log calls it after the transaction that appended e has committed.
func (b *Bus) Publish(e event.Event) {
	if b.pg != nil {
		b.pg.enqueue(e)
		return
	}
	if !b.deliver(Delivery{Event: e}) {
		b.dropped.Add(1)
		return
	}
	b.published.Add(1)
}

// Subscribe returns a subscription receiving the events for which filter returns true (all
// events when filter is nil), in the order the bus delivers them, plus every resync signal.
// buffer is how many deliveries may wait unread (DefaultBuffer when buffer <= 0).
//
// A subscriber that lets its buffer fill is not waited for: its subscription is closed and
// Overflowed reports true, so its WebSocket can tell the client to reload. filter runs while
// the bus delivers, so it must be quick and must not call the bus.
func (b *Bus) Subscribe(filter func(event.Event) bool, buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	s := &Subscription{bus: b, filter: filter, c: make(chan Delivery, buffer)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.closed = true
		close(s.c)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// deliver hands d to every matching subscription without waiting for any of them. It reports
// false when the bus is closed.
func (b *Bus) deliver(d Delivery) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	for s := range b.subs {
		if !d.Resync && s.filter != nil && !s.filter(d.Event) {
			continue
		}
		select {
		case s.c <- d:
			b.delivered.Add(1)
		default:
			// Waiting would let one stalled browser tab hold up every other agent, and
			// skipping would leave a silent gap: close it, so the client knows to reload.
			s.overflowed.Store(true)
			b.overflowed.Add(1)
			b.unsubscribeLocked(s)
			b.log.Warn("bus: subscriber overflowed; closed it", "buffer", cap(s.c))
		}
	}
	return true
}

func (b *Bus) unsubscribeLocked(s *Subscription) {
	if s.closed {
		return
	}
	s.closed = true
	delete(b.subs, s)
	close(s.c)
}

// Close stops the bus's goroutines, closes its connections and closes every subscription.
// Events published afterwards are counted as dropped.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	if b.pg != nil {
		b.pg.close()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		b.unsubscribeLocked(s)
	}
	return nil
}

// Stats returns the bus's counters. It waits for a delivery in progress, so a subscriber that
// has read an event finds it counted.
func (b *Bus) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return Stats{
		Published:  b.published.Load(),
		Delivered:  b.delivered.Load(),
		Dropped:    b.dropped.Load(),
		Overflowed: b.overflowed.Load(),
		Reconnects: b.reconnects.Load(),
	}
}

// Subscription is one subscriber's feed from the bus.
type Subscription struct {
	bus        *Bus
	filter     func(event.Event) bool
	c          chan Delivery
	closed     bool // guarded by bus.mu
	overflowed atomic.Bool
}

// C returns the channel of deliveries. It is closed when the subscription is closed: by
// Close, by the bus's Close, or because the subscriber fell behind (see Overflowed).
// Deliveries already buffered can still be read after it is closed.
func (s *Subscription) C() <-chan Delivery { return s.c }

// Overflowed reports whether the bus closed the subscription because its buffer was full.
// The subscriber has then missed events and should reload.
func (s *Subscription) Overflowed() bool { return s.overflowed.Load() }

// Close ends the subscription and closes C. It is safe to call more than once.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	s.bus.unsubscribeLocked(s)
}
