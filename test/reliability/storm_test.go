package reliability

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/store/storetest"
	"github.com/gesher-cs/gesher/internal/web"
)

// A provider that delivers every message three times, out of order and concurrently, as
// providers do after a timeout or during an outage of their own: each message is stored once,
// every delivery is acknowledged with the same message, and each customer has one
// conversation.
func TestRetryStormStoresEachMessageOnce(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, nil)
		limits := web.DefaultLimits()
		limits.HookRatePerIP = 0 // the storm comes from one address; the limit is not under test
		srv := httptest.NewServer(w.app.Web("", limits))
		defer srv.Close()

		const messages, customers, copies = 240, 40, 3
		type delivery struct{ id, body string }
		var deliveries []delivery
		for i := range messages {
			id := fmt.Sprintf("storm-%d", i)
			body := fmt.Sprintf(`{"id":%q,"from":{"phone":"+97250%07d"},"text":"message %d"}`, id, 4000+i%customers, i)
			for range copies {
				deliveries = append(deliveries, delivery{id, body})
			}
		}
		rand.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })

		type answer struct {
			status    int
			messageID string
			duplicate bool
		}
		var (
			mu      sync.Mutex
			answers = map[string][]answer{}
			next    = make(chan delivery)
			wg      sync.WaitGroup
		)
		for range 16 {
			wg.Go(func() {
				for d := range next {
					req, _ := http.NewRequest("POST", srv.URL+"/hooks/api/"+w.ch.Name, strings.NewReader(d.body))
					req.Header.Set(api.SignatureHeader, api.Sign(secret, []byte(d.body)))
					a := answer{}
					resp, err := http.DefaultClient.Do(req)
					if err == nil {
						a.status = resp.StatusCode
						var r struct {
							Results []struct {
								MessageID string `json:"message_id"`
								Duplicate bool   `json:"duplicate"`
							} `json:"results"`
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if json.Unmarshal(b, &r) == nil && len(r.Results) == 1 {
							a.messageID, a.duplicate = r.Results[0].MessageID, r.Results[0].Duplicate
						}
					}
					mu.Lock()
					answers[d.id] = append(answers[d.id], a)
					mu.Unlock()
				}
			})
		}
		for _, d := range deliveries {
			next <- d
		}
		close(next)
		wg.Wait()

		for i := range messages {
			id := fmt.Sprintf("storm-%d", i)
			got := answers[id]
			firsts := 0
			for _, a := range got {
				if a.status != http.StatusOK {
					t.Errorf("%s: a delivery got %d, want 200 (a provider would retry again)", id, a.status)
				}
				if a.messageID != got[0].messageID || a.messageID == "" {
					t.Errorf("%s: deliveries answered with messages %q and %q, want one message", id, got[0].messageID, a.messageID)
				}
				if !a.duplicate {
					firsts++
				}
			}
			if firsts != 1 {
				t.Errorf("%s: %d deliveries were taken as new, want exactly 1 of %d", id, firsts, copies)
			}
		}
		if n := w.count(t, `SELECT COUNT(*) FROM messages WHERE external_id LIKE 'storm-%'`); n != messages {
			t.Errorf("%d messages stored, want %d", n, messages)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM (SELECT external_id FROM messages WHERE external_id LIKE 'storm-%' GROUP BY external_id HAVING COUNT(*) > 1) d`); n != 0 {
			t.Errorf("%d messages stored more than once", n)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM events WHERE kind = 'message.received' AND channel_id = ?`, w.ch.ID); n != messages {
			t.Errorf("%d message.received events, want %d: one per message", n, messages)
		}
		if n := w.count(t, `SELECT COUNT(DISTINCT customer_id) FROM messages WHERE external_id LIKE 'storm-%'`); n != customers {
			t.Errorf("messages from %d customers, want %d", n, customers)
		}
		if n := w.count(t, `SELECT COUNT(*) FROM conversations`); n != customers {
			t.Errorf("%d conversations for %d customers, want one each", n, customers)
		}
	})
}
