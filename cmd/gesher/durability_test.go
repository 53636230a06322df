package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/demo"
	"github.com/gesher-cs/gesher/internal/store"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// A message acknowledged with a 2xx survives kill -9 of the server right after the answer:
// commit, then acknowledge. Messages in flight when the server dies may be lost — their
// senders saw no 2xx and will retry — but none that was acknowledged, and none twice.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		data := dataDir(t)
		n := start(t, "demo", dsn, data)

		// One message, acknowledged, then SIGKILL at once.
		if status := n.post("k9-first", "+972501234567", "acknowledged then killed"); status != 200 {
			t.Fatalf("first message: %d\n%s", status, n.logs)
		}
		n.kill()

		// Then a burst, killed at a random moment while requests are in flight.
		n = start(t, "demo", dsn, data)
		var mu sync.Mutex
		acked := map[string]int{"k9-first": 1}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					id := fmt.Sprintf("k9-%d-%d", w, i)
					phone := fmt.Sprintf("+9725000%05d", rand.IntN(300))
					if n.post(id, phone, "burst "+id) == 200 {
						mu.Lock()
						acked[id]++
						mu.Unlock()
					}
				}
			}()
		}
		// Kill at a random moment once traffic is flowing.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			flowing := len(acked) >= 30
			mu.Unlock()
			if flowing {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(250)) * time.Millisecond)
		n.kill()
		wg.Wait()

		// The server comes back, and every acknowledged message is there exactly once.
		n = start(t, "serve", dsn, data)
		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		counts := storedTimes(t, db, "k9-")
		for id := range acked {
			if counts[id] != 1 {
				t.Errorf("acknowledged message %s stored %d times, want 1", id, counts[id])
			}
		}
		for id, c := range counts {
			if c != 1 {
				t.Errorf("message %s stored %d times", id, c)
			}
		}
		if len(acked) < 30 {
			t.Errorf("only %d messages were acknowledged before the kill; the test proved little", len(acked))
		}
		t.Logf("%d acknowledged before SIGKILL, %d stored, all acknowledged ones present once", len(acked), len(counts))

		// One owner per customer held too: no customer has two open conversations.
		var dup int
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM (SELECT customer_id FROM conversations WHERE status IN ('open','pending') GROUP BY customer_id HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil {
			t.Fatal(err)
		}
		if dup != 0 {
			t.Errorf("%d customers with more than one open conversation", dup)
		}

		// And the API of the restarted server shows the first message.
		token := strings.TrimSpace(gesher(t, "token", "create", "--user", demo.AdminEmail, "--db", dsn, "--data", data))
		status, body := n.api(token, "/api/v1/customers?identity=phone:%2B972501234567")
		if status != 200 || !strings.Contains(body, "+972501234567") {
			t.Errorf("customer after restart: %d %s", status, body)
		}
	})
}

// Two nodes on one PostgreSQL database: a message ingested on node A reaches an agent whose
// console is connected to node B.
func TestTwoNodesShareLiveUpdates(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	a := start(t, "demo", dsn, dataDir(t))
	b := start(t, "serve", dsn, dataDir(t))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := agentSession(t, b.url)
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(b.url, "http")+"/api/v1/live", &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	var hello map[string]any
	if err := wsjson.Read(ctx, ws, &hello); err != nil {
		t.Fatal(err)
	}
	if status := a.post("two-nodes-1", "+972509999999", "written to node A"); status != 200 {
		t.Fatalf("post to node A: %d", status)
	}
	for {
		var f struct {
			Type  string `json:"type"`
			Event struct {
				Kind string         `json:"kind"`
				Data map[string]any `json:"data"`
			} `json:"event"`
		}
		if err := wsjson.Read(ctx, ws, &f); err != nil {
			t.Fatalf("node B's socket never showed the message from node A: %v", err)
		}
		if f.Type == "event" && f.Event.Kind == "message.received" && f.Event.Data["text"] == "written to node A" {
			return
		}
	}
}
