package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// crashCycles is how many times the crash test kills the server on each database: a few in
// `make test`, GESHER_CRASH_CYCLES of them in `make crash`.
func crashCycles(t *testing.T) int {
	n := 3
	if v := os.Getenv("GESHER_CRASH_CYCLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("GESHER_CRASH_CYCLES=%q: want a positive whole number", v)
		}
	}
	return n
}

// provider plays a messaging provider: it posts each message until it is acknowledged with a
// 2xx, retrying the unacknowledged ones first, as real providers do.
type provider struct {
	mu      sync.Mutex
	posted  map[string]string // id → phone, every message ever sent at least once
	acked   map[string]int    // id → how many times it was acknowledged
	pending []string          // ids sent but not acknowledged: to retry
	next    int
}

func newProvider() *provider {
	return &provider{posted: map[string]string{}, acked: map[string]int{}}
}

// take returns a message to send: a retry if there is one, else a new message.
func (p *provider) take(prefix string, customers int) (id, phone string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) > 0 {
		id = p.pending[0]
		p.pending = p.pending[1:]
		return id, p.posted[id]
	}
	p.next++
	id = fmt.Sprintf("%s-%d", prefix, p.next)
	// A small pool of customers, so most messages join a conversation that already exists and
	// the one-owner rule is exercised across the crashes.
	phone = fmt.Sprintf("+97250%07d", 1000+rand.IntN(customers))
	p.posted[id] = phone
	return id, phone
}

func (p *provider) result(id string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if status >= 200 && status < 300 {
		p.acked[id]++
		return
	}
	p.pending = append(p.pending, id)
}

func (p *provider) counts() (posted, acked, pending int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posted), len(p.acked), len(p.pending)
}

// Thousands of webhooks while the server is killed with SIGKILL at random moments, restarted,
// and killed again: at the end every acknowledged message is stored exactly once, so is every
// message the provider retried after a kill, and no customer has two open conversations.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	cycles := crashCycles(t)
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		data := dataDir(t)
		prov := newProvider()
		const workers, customers = 8, 400
		for cycle := range cycles {
			verb := "serve"
			if cycle == 0 {
				verb = "demo" // seeds the API channel once; later starts only serve
			}
			n := start(t, verb, dsn, data)
			var stop sync.WaitGroup
			halt := make(chan struct{})
			for range workers {
				stop.Go(func() {
					for i := 0; i < 5000; i++ { // bounded; the kill ends it long before
						select {
						case <-halt:
							return
						default:
						}
						id, phone := prov.take("crash", customers)
						prov.result(id, n.post(id, phone, "crash test "+id))
					}
				})
			}
			// Kill at a random moment once traffic is flowing — after at least 100 more
			// acknowledgements, however slow the machine, then 150 ms to 1.2 s in — so that even
			// the short run of make test puts hundreds of messages at stake.
			_, before, _ := prov.counts()
			for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if _, acked, _ := prov.counts(); acked >= before+100 {
					break
				}
			}
			time.Sleep(time.Duration(150+rand.IntN(1050)) * time.Millisecond)
			n.kill()
			close(halt)
			stop.Wait()
			posted, acked, pending := prov.counts()
			t.Logf("cycle %d: SIGKILL; %d messages sent, %d acknowledged, %d to retry", cycle+1, posted, acked, pending)
		}

		// The last restart: the provider retries until everything is acknowledged.
		n := start(t, "serve", dsn, data)
		for range 100 {
			if _, _, pending := prov.counts(); pending == 0 {
				break
			}
			id, phone := prov.take("crash", customers)
			prov.result(id, n.post(id, phone, "crash test "+id))
		}
		posted, acked, pending := prov.counts()
		if pending != 0 {
			t.Fatalf("%d messages still refused by the restarted server", pending)
		}
		if posted < 300 {
			t.Errorf("only %d messages were sent over %d kills: the test proved little", posted, cycles)
		}

		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		stored := storedTimes(t, db, "crash-")
		lost, doubled := 0, 0
		for id := range prov.posted {
			switch c := stored[id]; {
			case c == 0:
				lost++
				if lost <= 5 {
					t.Errorf("message %s was acknowledged but is not stored", id)
				}
			case c > 1:
				doubled++
				if doubled <= 5 {
					t.Errorf("message %s is stored %d times", id, c)
				}
			}
		}
		for id := range stored {
			if _, ok := prov.posted[id]; !ok {
				t.Errorf("message %s is stored but was never sent", id)
			}
		}
		if lost+doubled > 0 {
			t.Errorf("%d acknowledged messages lost, %d stored twice, of %d", lost, doubled, acked)
		}

		// One owner per customer: never two open conversations, whatever moment the kill hit.
		var dup int
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM (SELECT customer_id FROM conversations WHERE status IN ('open', 'pending') GROUP BY customer_id HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil {
			t.Fatal(err)
		}
		if dup != 0 {
			t.Errorf("%d customers have more than one open conversation", dup)
		}
		// And the event log agrees with the messages: one message.received per stored message,
		// written in the same transaction or not at all.
		var events, msgs int
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM events WHERE kind = 'message.received' AND data LIKE '%crash-%'`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM messages WHERE external_id LIKE 'crash-%'`).Scan(&msgs); err != nil {
			t.Fatal(err)
		}
		if events != msgs {
			t.Errorf("%d message.received events for %d stored messages; want one each", events, msgs)
		}
		t.Logf("%d kills: %d messages acknowledged, each stored once; %d customers", cycles, acked, customers)
	})
}
