package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// farSide is the integrator behind the demo API channel's outbound URL. While holding, it
// keeps every callback waiting, so the node that sent it holds the job; once released it
// accepts each idempotency key once and counts every raw attempt.
type farSide struct {
	mu        sync.Mutex
	holding   bool
	release   chan struct{}
	attempts  map[string]int // raw requests per Idempotency-Key
	delivered map[string]int // accepted per key: must end at exactly 1
	held      int            // requests waiting now
}

func newFarSide() *farSide {
	return &farSide{holding: true, release: make(chan struct{}), attempts: map[string]int{}, delivered: map[string]int{}}
}

func (f *farSide) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	if r.Header.Get(api.SignatureHeader) != api.Sign(demo.APISecret, body) || key == "" {
		http.Error(w, "bad signature or no key", http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	f.attempts[key]++
	holding := f.holding
	if holding {
		f.held++
	}
	f.mu.Unlock()
	if holding {
		select {
		case <-f.release:
		case <-r.Context().Done(): // the sender died: nothing was delivered
			f.mu.Lock()
			f.held--
			f.mu.Unlock()
			return
		}
		f.mu.Lock()
		f.held--
		f.mu.Unlock()
	}
	f.mu.Lock()
	// A repeat of a key is acknowledged but not delivered again, as providers with idempotency
	// keys do: a sender killed after the far side accepted (but before it heard the answer)
	// retries, and the key is what makes that once.
	if f.delivered[key] == 0 {
		f.delivered[key] = 1
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"far-%s"}`, key)
}

func (f *farSide) stopHolding() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.holding {
		f.holding = false
		close(f.release)
	}
}

func (f *farSide) waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held
}

// liveSocket is an agent's console connected to one node, noting every message text it shows.
type liveSocket struct {
	mu    sync.Mutex
	texts map[string]bool
}

func openLive(t *testing.T, ctx context.Context, url string) *liveSocket {
	t.Helper()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/api/v1/live", &websocket.DialOptions{HTTPClient: agentSession(t, url)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.Read(ctx); err != nil { // hello: subscribed
		t.Fatal(err)
	}
	s := &liveSocket{texts: map[string]bool{}}
	go func() {
		defer ws.CloseNow()
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				return
			}
			var f struct {
				Event struct {
					Kind string         `json:"kind"`
					Data map[string]any `json:"data"`
				} `json:"event"`
			}
			if json.Unmarshal(data, &f) == nil && f.Event.Kind == "message.received" {
				if text, ok := f.Event.Data["text"].(string); ok {
					s.mu.Lock()
					s.texts[text] = true
					s.mu.Unlock()
				}
			}
		}
	}()
	return s
}

func (s *liveSocket) saw(text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.texts[text]
}

// Three nodes on one PostgreSQL database, load sent to all three, and one node killed with
// SIGKILL in the middle while it holds reply jobs: nothing acknowledged is lost, agents on the
// surviving nodes keep receiving live updates, and the dead node's jobs are taken over and
// delivered once each.
func TestScaleOutSurvivesALostNode(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	far := newFarSide()
	farSrv := httptest.NewServer(far)
	defer farSrv.Close()
	defer far.stopHolding() // lets the server close even if the test fails early

	// A short job lease, so that the dead node's jobs come free in seconds, not minutes.
	t.Setenv("GESHER_JOB_LEASE", "3s")
	names := []string{"node-a", "node-b", "node-c"}
	nodes := map[string]*node{}
	t.Setenv("GESHER_NODE_ID", names[0])
	nodes[names[0]] = start(t, "demo", dsn, dataDir(t))
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := channel.NewChannels(db, clock.System{}).Ensure(ctx, channel.Channel{Name: demo.APIChannel, Kind: api.Kind, Secret: demo.APISecret, Enabled: true,
		Settings: map[string]string{api.OutboundURLSetting: farSrv.URL}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range names[1:] {
		t.Setenv("GESHER_NODE_ID", name)
		nodes[name] = start(t, "serve", dsn, dataDir(t))
	}
	token := strings.TrimSpace(gesher(t, "token", "create", "--user", demo.AgentEmail, "--db", dsn, "--data", dataDir(t)))
	sockets := map[string]*liveSocket{}
	for _, name := range names {
		sockets[name] = openLive(t, ctx, nodes[name].url)
	}

	// Load on all three nodes. A sender whose node does not answer retries the message on the
	// next node, as a provider retries a webhook that got no 2xx.
	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		dead  atomic.Value // name of the killed node
		halt  = make(chan struct{})
		load  sync.WaitGroup
	)
	dead.Store("")
	for w := range 6 {
		load.Go(func() {
			for i := 0; i < 3000; i++ {
				select {
				case <-halt:
					return
				default:
				}
				id := fmt.Sprintf("scale-%d-%d", w, i)
				phone := fmt.Sprintf("+9725099%05d", rand.IntN(500))
				for try := range 6 { // bounded: two rounds of the three nodes
					name := names[(w+i+try)%len(names)]
					if name == dead.Load() {
						continue
					}
					if nodes[name].post(id, phone, "scale "+id) == http.StatusOK {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
						break
					}
				}
			}
		})
	}
	eventually(t, 30*time.Second, "traffic on all nodes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 150
	})

	// Replies through node C's API: each becomes a job, claimed by a node and held by the far
	// side, so that the node holds the job when it dies.
	rows, err := db.Query(ctx, `SELECT c.id FROM conversations c JOIN identities i ON i.customer_id = c.customer_id
		WHERE i.value LIKE '+9725099%' AND c.status IN ('open', 'pending') ORDER BY c.id LIMIT 4`)
	if err != nil {
		t.Fatal(err)
	}
	var convs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		convs = append(convs, id)
	}
	rows.Close()
	if len(convs) < 4 {
		t.Fatalf("found %d open conversations from the load, want 4", len(convs))
	}
	var replies []string
	for _, conv := range convs {
		req, _ := http.NewRequest("POST", nodes["node-c"].url+"/api/v1/conversations/"+conv+"/messages", strings.NewReader(`{"text":"we are on it"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ ID string }
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted || json.Unmarshal(b, &m) != nil || m.ID == "" {
			t.Fatalf("reply to %s: %d %s", conv, resp.StatusCode, b)
		}
		replies = append(replies, m.ID)
	}
	eventually(t, 30*time.Second, "every reply held at the far side", func() bool { return far.waiting() >= len(replies) })

	// Kill the node holding the most reply jobs (node C, which queued them, as a rule).
	holders := map[string]int{}
	rows, err = db.Query(ctx, `SELECT locked_by FROM jobs WHERE kind = ? AND state = 'running'`, channel.SendJob)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var by string
		if err := rows.Scan(&by); err != nil {
			t.Fatal(err)
		}
		holders[by]++
	}
	rows.Close()
	victim := ""
	for _, name := range names {
		if victim == "" || holders[name] > holders[victim] {
			victim = name
		}
	}
	if holders[victim] == 0 {
		t.Fatalf("no node holds a reply job: %v", holders)
	}
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	dead.Store(victim)
	nodes[victim].kill()
	far.stopHolding()
	t.Logf("killed %s holding %d of %d reply jobs, after %d acknowledged messages", victim, holders[victim], len(replies), before)

	// The load goes on against the survivors for a while.
	eventually(t, 30*time.Second, "traffic after the kill", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= before+150
	})
	close(halt)
	load.Wait()
	var survivors []string
	for _, name := range names {
		if name != victim {
			survivors = append(survivors, name)
		}
	}

	// Live updates keep flowing: a message written to one survivor reaches the agent
	// connected to the other.
	from, to := survivors[0], survivors[1]
	if status := nodes[from].post("scale-after-kill", "+972509900001", "written after the kill"); status != http.StatusOK {
		t.Fatalf("post to %s after the kill: %d", from, status)
	}
	eventually(t, 45*time.Second, "the survivor's agent to see the new message", func() bool { return sockets[to].saw("written after the kill") })

	// The dead node's jobs come free when their lease ends; a survivor sends them, once each.
	eventually(t, 30*time.Second, "every reply sent", func() bool {
		var sent int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE status = 'sent' AND id IN (?, ?, ?, ?)`, replies[0], replies[1], replies[2], replies[3]).Scan(&sent); err != nil {
			t.Fatal(err)
		}
		return sent == len(replies)
	})
	far.mu.Lock()
	for _, id := range replies {
		if far.delivered[id] != 1 {
			t.Errorf("reply %s delivered %d times, want 1 (raw attempts %d)", id, far.delivered[id], far.attempts[id])
		}
	}
	far.mu.Unlock()
	rows, err = db.Query(ctx, `SELECT locked_by, attempt, state FROM jobs WHERE kind = ?`, channel.SendJob)
	if err != nil {
		t.Fatal(err)
	}
	takenOver := 0
	for rows.Next() {
		var by, state string
		var attempt int
		if err := rows.Scan(&by, &attempt, &state); err != nil {
			t.Fatal(err)
		}
		if state != "done" {
			t.Errorf("reply job in state %s after the take-over, want done", state)
		}
		if by == victim {
			t.Errorf("a reply job is still recorded as %s's, the dead node", victim)
		}
		if attempt >= 2 {
			takenOver++
		}
	}
	rows.Close()
	if takenOver < holders[victim] {
		t.Errorf("%d reply jobs ran again after the kill, want at least the %d the dead node held", takenOver, holders[victim])
	}

	// Nothing acknowledged is lost, nothing is stored twice, one conversation per customer.
	stored := storedTimes(t, db, "scale-")
	for id := range acked {
		if stored[id] != 1 {
			t.Errorf("acknowledged message %s stored %d times, want 1", id, stored[id])
		}
	}
	for id, c := range stored {
		if c != 1 {
			t.Errorf("message %s stored %d times", id, c)
		}
	}
	var dup int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT customer_id FROM conversations WHERE status IN ('open', 'pending') GROUP BY customer_id HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Errorf("%d customers have more than one open conversation", dup)
	}
	t.Logf("%d messages acknowledged across three nodes, one killed; %d reply jobs taken over", len(acked), takenOver)
}

// eventually polls cond every 20 ms until it holds, failing the test after d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
	}
}
