package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gesher-cs/gesher/internal/event"
)

// Loader reads a committed event back from the log by id. The bus calls it when an event was
// too large to travel in a NOTIFY payload.
type Loader func(ctx context.Context, id string) (event.Event, error)

// Tuning of the PostgreSQL transport. These are operational limits, not product settings.
const (
	// maxPayload is the largest NOTIFY payload PostgreSQL accepts: it must be shorter than
	// 8000 bytes in the server encoding.
	maxPayload = 7999
	// queueSize bounds the events waiting for NOTIFY, so a stalled database costs memory
	// in proportion to this, not to the write rate.
	queueSize = 4096
	// maxBatch events are sent in one round trip (one implicit transaction), which keeps
	// bursts cheap and their order intact.
	maxBatch = 64
	// idleCheck is how long the listener waits in silence before pinging its connection: a
	// half-open TCP connection otherwise waits for a notification that never comes.
	idleCheck = 30 * time.Second
	// opTimeout bounds each connect, LISTEN, NOTIFY, ping and load.
	opTimeout = 10 * time.Second
	// closeFlush bounds how long Close spends sending what is still queued.
	closeFlush = 2 * time.Second
	// resyncRetry is how often the sender retries a resync it owes when no event comes.
	resyncRetry = 5 * time.Second
	// dropLogEvery rate-limits the warning about dropped events.
	dropLogEvery = 10 * time.Second
	// backoffMin and backoffMax bound the wait between reconnection attempts.
	backoffMin = 100 * time.Millisecond
	backoffMax = 10 * time.Second
)

// payload is what travels in a NOTIFY: an event, an event without its Data (Truncated, to be
// reloaded by id), or a bare resync signal.
type payload struct {
	event.Event
	Truncated bool `json:"truncated,omitempty"`
	Resync    bool `json:"resync,omitempty"`
}

// resyncPayload tells every node that events may have been lost on the way.
const resyncPayload = `{"resync":true}`

// encodePayload returns the NOTIFY payload for e, without its Data when the whole would not fit.
func encodePayload(e event.Event) (string, error) {
	b, err := json.Marshal(payload{Event: e})
	if err != nil {
		return "", fmt.Errorf("bus: encode event %s: %w", e.ID, err)
	}
	if len(b) <= maxPayload {
		return string(b), nil
	}
	e.Data = nil
	if b, err = json.Marshal(payload{Event: e, Truncated: true}); err != nil {
		return "", fmt.Errorf("bus: encode event %s: %w", e.ID, err)
	}
	if len(b) > maxPayload {
		// Only absurdly long ids or references get here; the id alone is enough to reload.
		b, err = json.Marshal(payload{Event: event.Event{ID: e.ID, Seq: e.Seq, Kind: e.Kind}, Truncated: true})
		if err != nil || len(b) > maxPayload {
			return "", fmt.Errorf("bus: event %s does not fit a notification", e.ID)
		}
	}
	return string(b), nil
}

// errBadPayload is returned for a notification on our channel that Gesher did not send.
var errBadPayload = errors.New("bus: malformed notification payload")

// decodePayload parses a NOTIFY payload. Anyone with access to the database can NOTIFY the
// channel, so the payload is checked rather than trusted.
func decodePayload(s string) (payload, error) {
	var p payload
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return payload{}, fmt.Errorf("%w: %v", errBadPayload, err)
	}
	if p.Resync {
		return payload{Resync: true}, nil
	}
	if p.ID == "" || p.Kind == "" {
		return payload{}, fmt.Errorf("%w: no id or kind", errBadPayload)
	}
	return p, nil
}

// pgTransport carries events between nodes through PostgreSQL LISTEN/NOTIFY.
type pgTransport struct {
	bus       *Bus
	log       *slog.Logger
	listenCfg *pgx.ConnConfig
	pool      *pgxpool.Pool // sends NOTIFY; separate from the listening connection
	load      Loader

	queue chan event.Event
	done  chan struct{} // closed by close; Publish stops queueing
	stop  context.CancelFunc
	wg    sync.WaitGroup

	// owesResync is set when an event could not be carried: the next send tells every node.
	owesResync  atomic.Bool
	lastDropLog atomic.Int64 // unix nanoseconds of the last drop warning
	closeOnce   sync.Once
}

// NewPostgres returns a bus shared by every node using the PostgreSQL database at dsn. It holds
// one dedicated connection that LISTENs, and a small pool that sends NOTIFY. Every node, this
// one included, receives events through LISTEN only, so each subscriber sees each event once
// and in the same order on every node.
//
// load reads back events too large for a notification; when it is nil or fails, subscribers
// get a resync instead of the event. The listening connection is open and listening when
// NewPostgres returns; if it later drops, the bus reconnects with back-off and then sends
// every subscriber a resync. log may be nil.
func NewPostgres(ctx context.Context, dsn string, load Loader, log *slog.Logger) (*Bus, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	listenCfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("bus: parse database url: %w", err)
	}
	nameConn(listenCfg, "gesher bus listen")
	poolCfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("bus: parse database url: %w", err)
	}
	nameConn(poolCfg.ConnConfig, "gesher bus notify")
	// One sender goroutine uses one connection at a time; the second lets the pool replace a
	// broken one without waiting.
	poolCfg.MaxConns = 2
	poolCfg.MinConns = 0

	b := NewLocal(log)
	p := &pgTransport{
		bus:       b,
		log:       log,
		listenCfg: listenCfg,
		load:      load,
		queue:     make(chan event.Event, queueSize),
		done:      make(chan struct{}),
	}
	conn, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	if p.pool, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("bus: open notify pool: %w", err)
	}
	b.pg = p
	// The goroutines outlive NewPostgres's ctx, which only bounds the first connection.
	runCtx, stop := context.WithCancel(context.Background())
	p.stop = stop
	p.wg.Add(2)
	go func() { defer p.wg.Done(); p.listen(runCtx, conn) }()
	go func() { defer p.wg.Done(); p.send(runCtx) }()
	return b, nil
}

// nameConn sets application_name, unless the URL chose one, so an operator can tell the bus's
// connections apart in pg_stat_activity.
func nameConn(cfg *pgx.ConnConfig, name string) {
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = name
	}
}

func (p *pgTransport) enqueue(e event.Event) {
	select {
	case <-p.done:
		p.bus.dropped.Add(1)
		return
	default:
	}
	select {
	case p.queue <- e:
		p.bus.published.Add(1)
	default:
		p.bus.published.Add(1)
		p.drop(1, errors.New("send queue full"))
	}
}

// drop counts n events that will never be delivered, arranges a resync for every node, and
// warns at most once per dropLogEvery so an outage does not flood the log.
func (p *pgTransport) drop(n int, cause error) {
	total := p.bus.dropped.Add(uint64(n))
	p.owesResync.Store(true)
	now := time.Now().UnixNano()
	last := p.lastDropLog.Load()
	if now-last >= int64(dropLogEvery) && p.lastDropLog.CompareAndSwap(last, now) {
		p.log.Warn("bus: dropping live updates", "err", cause, "dropped_total", total)
	}
}

func (p *pgTransport) close() {
	p.closeOnce.Do(func() {
		close(p.done)
		p.stop()
		p.wg.Wait()
		p.pool.Close()
	})
}

// connect opens the listening connection and LISTENs on it.
func (p *pgTransport) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, p.listenCfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("bus: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, sqlListen); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("bus: listen: %w", err)
	}
	return conn, nil
}

// listen delivers notifications until ctx ends, re-establishing the connection when it fails.
func (p *pgTransport) listen(ctx context.Context, conn *pgx.Conn) {
	for {
		err := p.receive(ctx, conn)
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(closeCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("bus: lost the listening connection; reconnecting", "err", err)
		if conn = p.reconnect(ctx); conn == nil {
			return
		}
		p.bus.reconnects.Add(1)
		p.log.Info("bus: listening again; asking subscribers to resync")
		// Whatever was notified while nobody listened is gone; subscribers must reload.
		p.bus.deliver(Delivery{Resync: true})
	}
}

// receive handles notifications on conn until it fails or ctx ends.
func (p *pgTransport) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		waitCtx, cancel := context.WithTimeout(ctx, idleCheck)
		n, err := conn.WaitForNotification(waitCtx)
		idle := waitCtx.Err() == context.DeadlineExceeded
		cancel()
		if err == nil {
			p.handle(ctx, n.Payload)
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !idle || conn.IsClosed() {
			return err
		}
		pingCtx, cancel := context.WithTimeout(ctx, opTimeout)
		err = conn.Ping(pingCtx)
		cancel()
		if err != nil {
			return fmt.Errorf("bus: ping listening connection: %w", err)
		}
	}
}

// reconnect retries connect with growing, jittered waits until it succeeds or ctx ends.
func (p *pgTransport) reconnect(ctx context.Context) *pgx.Conn {
	wait := backoffMin
	for {
		conn, err := p.connect(ctx)
		if err == nil {
			return conn
		}
		if ctx.Err() != nil {
			return nil
		}
		// Jitter keeps a fleet of nodes from reconnecting in lockstep after a restart.
		d := wait/2 + rand.N(wait)
		p.log.Warn("bus: reconnect failed", "err", err, "retry_in", d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(wait*2, backoffMax)
	}
}

// handle turns one notification into a delivery.
func (p *pgTransport) handle(ctx context.Context, raw string) {
	pl, err := decodePayload(raw)
	if err != nil {
		p.log.Warn("bus: ignoring notification", "err", err)
		return
	}
	if pl.Resync {
		p.bus.deliver(Delivery{Resync: true})
		return
	}
	e := pl.Event
	if pl.Truncated {
		if p.load == nil {
			p.log.Warn("bus: event too large to notify and no loader; asking subscribers to resync", "id", e.ID)
			p.bus.deliver(Delivery{Resync: true})
			return
		}
		loadCtx, cancel := context.WithTimeout(ctx, opTimeout)
		full, err := p.load(loadCtx, e.ID)
		cancel()
		if err != nil {
			p.log.Warn("bus: reload large event; asking subscribers to resync", "id", e.ID, "err", err)
			p.bus.deliver(Delivery{Resync: true})
			return
		}
		e = full
	}
	p.bus.deliver(Delivery{Event: e})
}

// send NOTIFYs queued events in batches until ctx ends, then flushes what is left.
func (p *pgTransport) send(ctx context.Context) {
	tick := time.NewTicker(resyncRetry)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			p.flush()
			return
		case <-tick.C:
			if p.owesResync.Load() {
				p.notify(ctx, nil)
			}
		case e := <-p.queue:
			p.notify(ctx, p.batch(e))
		}
	}
}

// batch collects e and whatever else is already queued, up to maxBatch.
func (p *pgTransport) batch(e event.Event) []event.Event {
	events := []event.Event{e}
	for len(events) < maxBatch {
		select {
		case e := <-p.queue:
			events = append(events, e)
		default:
			return events
		}
	}
	return events
}

// flush sends what is still queued when the bus closes, for a bounded time, so the events of a
// node's last moments still reach the others.
func (p *pgTransport) flush() {
	ctx, cancel := context.WithTimeout(context.Background(), closeFlush)
	defer cancel()
	for {
		select {
		case e := <-p.queue:
			p.notify(ctx, p.batch(e))
		default:
			return
		}
	}
}

// notify sends events (and a resync, if one is owed) in one round trip. A failure that may
// have reached the server is not retried, so no event is delivered twice; the events are
// counted as dropped and a resync is owed instead.
func (p *pgTransport) notify(ctx context.Context, events []event.Event) {
	var batch pgx.Batch
	owed := p.owesResync.Swap(false)
	if owed {
		batch.Queue(sqlNotify, resyncPayload)
	}
	sent := 0
	for _, e := range events {
		s, err := encodePayload(e)
		if err != nil {
			p.drop(1, err)
			continue
		}
		batch.Queue(sqlNotify, s)
		sent++
	}
	if batch.Len() == 0 {
		return
	}
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(attempt) * 200 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		opCtx, cancel := context.WithTimeout(ctx, opTimeout)
		err = p.pool.SendBatch(opCtx, &batch).Close()
		cancel()
		if err == nil || !pgconn.SafeToRetry(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		if owed {
			p.owesResync.Store(true)
		}
		p.drop(sent, fmt.Errorf("bus: notify: %w", err))
	}
}
