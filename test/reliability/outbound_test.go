package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/jobs"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// What the fake provider does with one request.
const (
	answerOK       = "ok"       // accept (once per key) and say so
	answer503      = "503"      // Service Unavailable
	answer429      = "429"      // Too Many Requests, Retry-After: 120
	answerHang     = "hang"     // say nothing until the client gives up
	answerReset    = "reset"    // drop the connection with a TCP reset, before any answer
	answerLostAck  = "lost-ack" // accept the message, then reset: the sender never hears
	answerDown     = "down"     // 503 for ever
	retryAfterSecs = 120
)

// provider is the far side of the API channel, misbehaving to a script per message: answers
// are taken in order by Idempotency-Key, and "ok" once the script runs out. It accepts each
// key once however often it is sent, and counts every raw attempt.
type provider struct {
	mu        sync.Mutex
	script    map[string][]string // by message text, set before the message exists
	byKey     map[string][]string // by idempotency key, bound at the first request
	attempts  map[string]int
	delivered map[string]int // accepted deliveries per key: the promise is exactly 1
	repeats   map[string]int // deliveries of an already accepted key, dropped thanks to it
	hung      chan struct{}  // closed when the test ends, so no handler outlives it
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get(api.SignatureHeader) != api.Sign(secret, body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var cb api.Callback
	_ = json.Unmarshal(body, &cb)
	key := r.Header.Get("Idempotency-Key")
	p.mu.Lock()
	if _, bound := p.byKey[key]; !bound {
		p.byKey[key] = p.script[cb.Text]
	}
	p.attempts[key]++
	step := answerOK
	if s := p.byKey[key]; len(s) > 0 {
		step = s[0]
		if step != answerDown {
			p.byKey[key] = s[1:]
		}
	}
	accept := func() {
		if p.delivered[key] > 0 {
			p.repeats[key]++
		} else {
			p.delivered[key]++
		}
	}
	if step == answerOK || step == answerLostAck {
		accept()
	}
	p.mu.Unlock()

	switch step {
	case answerOK:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"p-%s"}`, key)
	case answer503, answerDown:
		http.Error(w, "provider busy", http.StatusServiceUnavailable)
	case answer429:
		w.Header().Set("Retry-After", fmt.Sprint(retryAfterSecs))
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case answerHang:
		select {
		case <-r.Context().Done():
		case <-p.hung:
		}
	case answerReset, answerLostAck:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST, not FIN: "connection reset by peer"
		}
		conn.Close()
	}
}

// Replies to a provider that fails in every way a provider fails: each is delivered exactly
// once per idempotency key, the back-off it asked for is respected to the millisecond on the
// injected clock, nothing is lost, and the one that never gets through is marked failed with
// the reason, for an agent to see.
func TestOutboundFaultsDeliverOnceOrFailVisibly(t *testing.T) {
	storetest.EachURL(t, func(t *testing.T, dsn string) {
		far := &provider{
			script: map[string][]string{
				"five hundreds":  {answer503, answer503},
				"rate limited":   {answer429},
				"timeout":        {answerHang},
				"reset":          {answerReset},
				"lost ack":       {answerLostAck},
				"provider down":  {answerDown},
				"everything bad": {answer503, answer429, answerHang, answerReset, answerLostAck},
			},
			byKey: map[string][]string{}, attempts: map[string]int{}, delivered: map[string]int{}, repeats: map[string]int{},
			hung: make(chan struct{}),
		}
		srv := httptest.NewServer(far)
		defer srv.Close()
		defer close(far.hung)
		// A short client timeout turns "hang" into a timeout quickly; no keep-alive, so Go's
		// transport never retries a request on its own behind the job's back.
		client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
		w := newWorld(t, dsn, client)
		ctx := context.Background()
		w.ch.Settings = map[string]string{api.OutboundURLSetting: srv.URL}
		if _, err := w.app.Channels.Ensure(ctx, w.ch); err != nil {
			t.Fatal(err)
		}

		// One customer and conversation per scenario, each answered by an agent.
		replies := map[string]conversation.Message{} // by scenario
		i := 0
		for text := range far.script {
			i++
			res, err := w.app.Ingester.Ingest(ctx, w.ch, []channel.Inbound{{
				ExternalID: fmt.Sprintf("in-%d", i), Text: "hello",
				From: channel.Contact{Identities: []channel.Identity{{Kind: "phone", Value: fmt.Sprintf("+97250%07d", 5000+i)}}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := w.app.Conversations.Reply(ctx, conversation.ReplyInput{ConversationID: res[0].ConversationID, AuthorID: w.agent.ID, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			replies[text] = m
		}
		job := func(m conversation.Message) jobs.Job {
			t.Helper()
			list, err := w.app.Jobs.List(ctx, "", 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range list {
				if j.Kind == channel.SendJob && strings.Contains(string(j.Payload), m.ID) {
					return j
				}
			}
			t.Fatalf("no send job for %s", m.ID)
			return jobs.Job{}
		}

		// The first attempt of every reply.
		if _, err := w.app.Jobs.Work(ctx); err != nil {
			t.Fatal(err)
		}
		now := w.clock.Now()
		if j := job(replies["rate limited"]); j.State != jobs.StateReady || !j.RunAt.Equal(now.Add(retryAfterSecs*time.Second)) {
			t.Errorf("after a 429 with Retry-After: %d the job is %s, due %s; want ready, due at exactly %s",
				retryAfterSecs, j.State, j.RunAt, now.Add(retryAfterSecs*time.Second))
		}
		// Without Retry-After, the queue's back-off: 2 s less up to a quarter, for the first.
		for _, text := range []string{"five hundreds", "timeout", "reset", "lost ack"} {
			j := job(replies[text])
			wait := j.RunAt.Sub(now)
			if j.State != jobs.StateReady || wait < 1500*time.Millisecond || wait > 2*time.Second || j.LastError == "" {
				t.Errorf("%s: after the first failure the job is %s, due in %s, last error %q; want ready in 1.5–2 s with the error",
					text, j.State, wait, j.LastError)
			}
		}

		// The rate-limited reply is not tried a millisecond before the provider allowed.
		w.clock.Advance(retryAfterSecs*time.Second - time.Millisecond)
		if _, err := w.app.Jobs.Work(ctx); err != nil {
			t.Fatal(err)
		}
		far.mu.Lock()
		early := far.attempts[replies["rate limited"].ID]
		far.mu.Unlock()
		if early != 1 {
			t.Errorf("the rate-limited reply was tried %d times before its Retry-After passed, want 1", early)
		}

		// Then time passes, ten minutes a step (past any back-off), until nothing is left to do.
		for step := 0; step < 20; step++ {
			w.clock.Advance(10*time.Minute + time.Second)
			if _, err := w.app.Jobs.Work(ctx); err != nil {
				t.Fatal(err)
			}
		}

		far.mu.Lock()
		defer far.mu.Unlock()
		for text, m := range replies {
			got, err := w.app.Conversations.Message(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			j := job(m)
			if text == "provider down" {
				// Visible: failed, with the provider's reason, after every attempt it had.
				if got.Status != conversation.StatusFailed || !strings.Contains(got.StatusReason, "gave up after") || !strings.Contains(got.StatusReason, "provider busy") {
					t.Errorf("%s: message %s, reason %q; want failed, saying it gave up and what the provider said", text, got.Status, got.StatusReason)
				}
				if j.State != jobs.StateFailed || j.Attempt != jobs.DefaultMaxAttempts || far.attempts[m.ID] != jobs.DefaultMaxAttempts {
					t.Errorf("%s: job %s after %d attempts (provider saw %d); want failed after %d", text, j.State, j.Attempt, far.attempts[m.ID], jobs.DefaultMaxAttempts)
				}
				if far.delivered[m.ID] != 0 {
					t.Errorf("%s: delivered %d times, want 0", text, far.delivered[m.ID])
				}
				continue
			}
			if got.Status != conversation.StatusSent || got.ExternalID != "p-"+m.ID {
				t.Errorf("%s: message %s with provider id %q; want sent, p-%s", text, got.Status, got.ExternalID, m.ID)
			}
			if far.delivered[m.ID] != 1 {
				t.Errorf("%s: delivered %d times, want exactly 1", text, far.delivered[m.ID])
			}
			if want := len(far.script[text]) + 1; far.attempts[m.ID] != want || j.Attempt != want || j.State != jobs.StateDone {
				t.Errorf("%s: %d raw attempts, job %s at attempt %d; want %d attempts, done", text, far.attempts[m.ID], j.State, j.Attempt, want)
			}
		}
		// The lost acknowledgement was sent again, and the provider dropped the repeat because
		// of its key: that is the whole point of the key.
		for _, text := range []string{"lost ack", "everything bad"} {
			if far.repeats[replies[text].ID] != 1 {
				t.Errorf("%s: the provider dropped %d repeats, want 1", text, far.repeats[replies[text].ID])
			}
		}
	})
}
