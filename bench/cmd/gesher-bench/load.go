package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gesher-cs/gesher/internal/channel/api"
)

// generator makes signed API-channel webhooks, each with a new provider message id and a
// phone number drawn from a large pool, so most messages come from a customer not seen before
// (a new customer, identity and conversation) and the rest from one who writes again.
type generator struct {
	url       string
	secret    string
	prefix    string // keeps message ids of separate runs apart
	customers int
	seq       atomic.Int64
	client    *http.Client
}

func newGenerator(url, secret, prefix string, customers, conns int) *generator {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
	}
	return &generator{
		url: url, secret: secret, prefix: prefix, customers: customers,
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}
}

func (g *generator) close() { g.client.CloseIdleConnections() }

// send posts one message and returns the status (0 when the request failed).
func (g *generator) send(ctx context.Context) int {
	n := g.seq.Add(1)
	phone := fmt.Sprintf("+97250%07d", rand.IntN(g.customers))
	body := fmt.Sprintf(`{"id":"%s-%d","from":{"phone":%q,"name":"Load %d"},"text":"load test message %d: my claim number is %d"}`,
		g.prefix, n, phone, n%1000, n, n*7919%100000)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, strings.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.SignatureHeader, api.Sign(g.secret, []byte(body)))
	resp, err := g.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// result is one load run.
type result struct {
	OK      int
	Failed  map[int]int // by status; 0 is a connection error
	Elapsed time.Duration
	lat     []time.Duration // of the successful requests
}

func (r result) rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// percentile returns the p-th percentile (0–100) of the latencies in milliseconds, by nearest
// rank, or -1 when there are none.
func (r result) percentile(p float64) float64 {
	return percentile(r.lat, p)
}

func percentile(lat []time.Duration, p float64) float64 {
	if len(lat) == 0 {
		return -1
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	rank = min(max(rank, 0), len(s)-1)
	return float64(s[rank].Microseconds()) / 1000
}

func (r result) failures() int {
	n := 0
	for _, c := range r.Failed {
		n += c
	}
	return n
}

// closedLoop runs conc workers, each sending as soon as its previous request was answered,
// for d or until max requests were sent: the peak the server sustains at that concurrency.
func closedLoop(ctx context.Context, g *generator, conc int, d time.Duration, max int) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu   sync.Mutex
		res  = result{Failed: map[int]int{}}
		sent atomic.Int64
		wg   sync.WaitGroup
	)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 4096)
			failed := map[int]int{}
			for ctx.Err() == nil && sent.Add(1) <= int64(max) {
				t := time.Now()
				status := g.send(ctx)
				if ctx.Err() != nil && status == 0 {
					break // cut off by the end of the run, not a failure of the server
				}
				if status == http.StatusOK {
					lat = append(lat, time.Since(t))
				} else {
					failed[status]++
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			for k, v := range failed {
				res.Failed[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.OK = len(res.lat)
	return res
}

// openLoop sends at a constant rate for d, whatever the answers, with at most maxInFlight
// requests outstanding. Latency is measured from when each request was due, not from when it
// left, so a server that stalls is charged for the requests queued behind the stall (no
// coordinated omission).
func openLoop(ctx context.Context, g *generator, rate float64, d time.Duration, maxInFlight int) result {
	total := int(rate * d.Seconds())
	if total < 1 || rate <= 0 {
		return result{Failed: map[int]int{}}
	}
	interval := time.Duration(float64(time.Second) / rate)
	lat := make([]time.Duration, total)
	status := make([]int, total)
	for i := range status {
		status[i] = -1 // not sent: the run was cut short
	}
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < total && ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			status[i] = g.send(ctx)
			lat[i] = time.Since(due)
		})
	}
	wg.Wait()
	res := result{Failed: map[int]int{}, Elapsed: time.Since(start)}
	for i := range total {
		switch {
		case status[i] == http.StatusOK:
			res.lat = append(res.lat, lat[i])
		case status[i] != -1:
			res.Failed[status[i]]++
		}
	}
	res.OK = len(res.lat)
	return res
}
