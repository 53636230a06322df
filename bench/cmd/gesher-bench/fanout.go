package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/demo"
)

// fanoutResult is the time from posting an inbound webhook to its arrival on every agent
// socket.
type fanoutResult struct {
	Sockets   int
	Messages  int
	Expected  int // sockets × messages
	Delivered int
	lat       []time.Duration
}

// login signs in as the demo agent and returns the session cookie, to be reused by every
// socket: one sign-in, not a thousand.
func login(ctx context.Context, base string) (string, error) {
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, demo.AgentEmail, demo.Password)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/auth/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sign in as %s: HTTP %d", demo.AgentEmail, resp.StatusCode)
	}
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("sign in as %s: no cookie", demo.AgentEmail)
	}
	return strings.Join(parts, "; "), nil
}

// fanout connects sockets agent WebSockets to /api/v1/live, then posts messages webhooks, gap
// apart, and times each one's arrival on each socket.
func fanout(ctx context.Context, base string, sockets, messages int, gap time.Duration) (fanoutResult, error) {
	res := fanoutResult{Sockets: sockets, Messages: messages, Expected: sockets * messages}
	cookie, err := login(ctx, base)
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Connect, 32 at a time.
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/live"
	conns := make([]*websocket.Conn, sockets)
	var dialErr atomic.Value
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range conns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
			defer dcancel()
			c, _, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookie}}})
			if err != nil {
				dialErr.Store(err)
				return
			}
			// The first frame is the server's hello: the subscription is in place.
			if _, _, err := c.Read(dctx); err != nil {
				dialErr.Store(err)
				c.CloseNow()
				return
			}
			conns[i] = c
		})
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.CloseNow()
			}
		}
	}()
	if err, _ := dialErr.Load().(error); err != nil {
		return res, fmt.Errorf("connecting %d sockets: %w", sockets, err)
	}

	// Each socket notes when each marked message arrived; latencies are computed at the end,
	// so the readers share nothing with the sender while it runs.
	marker := []byte("fanout-probe-")
	arrivals := make([][]time.Time, sockets)
	var got atomic.Int64
	var readers sync.WaitGroup
	for i, c := range conns {
		arrivals[i] = make([]time.Time, messages)
		readers.Go(func() {
			for {
				_, data, err := c.Read(ctx)
				if err != nil {
					return
				}
				at := time.Now()
				j := bytes.Index(data, marker)
				if j < 0 {
					continue
				}
				digits := data[j+len(marker):]
				k := 0
				for k < len(digits) && digits[k] >= '0' && digits[k] <= '9' {
					k++
				}
				n, err := strconv.Atoi(string(digits[:k]))
				if err != nil || n < 0 || n >= messages || !arrivals[i][n].IsZero() {
					continue
				}
				arrivals[i][n] = at
				got.Add(1)
			}
		})
	}

	sent := make([]time.Time, messages)
	client := &http.Client{Timeout: 10 * time.Second}
	for n := range messages {
		body := fmt.Sprintf(`{"id":"fanout-%d-%d","from":{"phone":"+97250%07d"},"text":"fanout-probe-%d"}`, time.Now().UnixNano(), n, 9000000+n, n)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/hooks/api/"+demo.APIChannel, strings.NewReader(body))
		req.Header.Set(api.SignatureHeader, api.Sign(demo.APISecret, []byte(body)))
		sent[n] = time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return res, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return res, fmt.Errorf("fan-out probe %d: HTTP %d", n, resp.StatusCode)
		}
		time.Sleep(gap)
	}
	// Wait for the stragglers, at most ten seconds.
	for deadline := time.Now().Add(10 * time.Second); got.Load() < int64(res.Expected) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	readers.Wait()
	for i := range arrivals {
		for n, at := range arrivals[i] {
			if !at.IsZero() {
				res.lat = append(res.lat, at.Sub(sent[n]))
			}
		}
	}
	res.Delivered = len(res.lat)
	return res, nil
}
