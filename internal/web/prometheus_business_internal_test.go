package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/metrics"
)

// PromText and PromSeries are for the HTTP-level tests in package web_test.
var PromText, PromSeries = promText, promSeries

// promText parses Prometheus' text exposition into the value of each series, keyed as
// promSeries writes it.
func promText(body string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, labels := line, "", []string(nil)
		if i := strings.IndexByte(line, '{'); i >= 0 {
			name, rest = line[:i], line[i+1:]
			for !strings.HasPrefix(rest, "}") {
				eq := strings.Index(rest, `="`)
				if eq < 0 {
					return nil, fmt.Errorf("bad labels: %s", line)
				}
				key, val := rest[:eq], ""
				rest = rest[eq+2:]
				for len(rest) > 0 && rest[0] != '"' {
					if rest[0] == '\\' && len(rest) > 1 {
						rest = rest[1:]
					}
					val += rest[:1]
					rest = rest[1:]
				}
				if rest == "" {
					return nil, fmt.Errorf("unterminated label value: %s", line)
				}
				rest = strings.TrimPrefix(rest[1:], ",")
				labels = append(labels, key, val)
			}
			rest = rest[1:]
		} else if i := strings.IndexByte(line, ' '); i >= 0 {
			name, rest = line[:i], line[i:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("no value: %s", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", line, err)
		}
		out[promSeries(name, labels...)] = v
	}
	return out, nil
}

// promSeries names one series: name{label="value",…} with the labels in name order, from
// name and then label, value pairs.
func promSeries(name string, labels ...string) string {
	if len(labels) == 0 {
		return name
	}
	var pairs []string
	for i := 0; i+1 < len(labels); i += 2 {
		pairs = append(pairs, labels[i]+"="+strconv.Quote(labels[i+1]))
	}
	sort.Strings(pairs)
	return name + "{" + strings.Join(pairs, ",") + "}"
}

// fakeFigures answers Compute with rows the test sets, counting calls and, when gate is set,
// holding every call until it is closed.
type fakeFigures struct {
	mu       sync.Mutex
	results  map[string]metrics.Result
	fail     map[string]error
	calls    map[string]int
	inFlight int
	most     int // the most calls in flight at once
	gate     chan struct{}
	entered  chan struct{} // receives once per call, when gate is set
}

func (f *fakeFigures) Compute(ctx context.Context, name string, q metrics.Query) (metrics.Result, error) {
	f.mu.Lock()
	f.calls[name]++
	f.inFlight++
	f.most = max(f.most, f.inFlight)
	gate, entered := f.gate, f.entered
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[name]; err != nil {
		return metrics.Result{}, err
	}
	return f.results[name], nil
}

func (f *fakeFigures) set(name string, r metrics.Result) {
	f.mu.Lock()
	f.results[name] = r
	f.mu.Unlock()
}

func newFake() *fakeFigures {
	return &fakeFigures{results: map[string]metrics.Result{}, fail: map[string]error{}, calls: map[string]int{}}
}

func slaRows(met, breached int) metrics.Result {
	return metrics.Result{Rows: []metrics.Row{{"channel": "all", "queue": "", "clock": "first-response", "met": met, "breached": breached}}}
}

func csatRows(responses int, csat float64) metrics.Result {
	return metrics.Result{Rows: []metrics.Row{{"by": "all", "key": "", "responses": responses, "csat": csat},
		{"by": "agent", "key": "agent-7", "responses": responses, "csat": csat}}}
}

func (f *fakeFigures) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

// scrape serves g as /metrics does and parses the answer.
func scrape(g *businessGauges) (map[string]float64, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(g); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		return nil, fmt.Errorf("scrape: %d %s", rec.Code, rec.Body)
	}
	return promText(rec.Body.String())
}

func scrapeGauges(t *testing.T, g *businessGauges) map[string]float64 {
	t.Helper()
	got, err := scrape(g)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A family whose computation fails keeps its last good values and is logged; the others are
// computed again, and a family that never succeeded is simply absent.
func TestPrometheusBusinessGaugesKeepLastGoodValues(t *testing.T) {
	f := newFake()
	f.set("sla_compliance", slaRows(2, 1))
	f.set("csat", csatRows(2, 50))
	f.fail["nps"] = errors.New("nps: database on fire")
	clk := clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	var logged bytes.Buffer
	g := newBusinessGauges(f, clk, slog.New(slog.NewTextHandler(&logged, nil)))

	sla := promSeries("gesher_sla_compliance_ratio", "channel", "all", "clock", "first-response")
	csat := promSeries("gesher_csat_ratio", "channel", "all")
	got := scrapeGauges(t, g)
	if got[sla] != 2.0/3 || got[csat] != 0.5 {
		t.Fatalf("first scrape: sla %v, csat %v; want 2/3 and 0.5", got[sla], got[csat])
	}
	for s := range got {
		if strings.HasPrefix(s, "gesher_nps_") {
			t.Errorf("%s exported though nps never computed", s)
		}
		if strings.Contains(s, "agent") {
			t.Errorf("%s: a per-agent series on the public /metrics", s)
		}
	}
	if !strings.Contains(logged.String(), "metric=nps") || !strings.Contains(logged.String(), "database on fire") {
		t.Errorf("the failure is not logged: %q", logged.String())
	}

	f.mu.Lock()
	f.fail["sla_compliance"] = errors.New("sla: gone")
	f.mu.Unlock()
	f.set("csat", csatRows(3, 100))
	clk.Advance(businessEvery)
	got = scrapeGauges(t, g)
	if got[sla] != 2.0/3 {
		t.Errorf("sla after a failed computation: %v, want the last good 2/3", got[sla])
	}
	if got[csat] != 1 {
		t.Errorf("csat after the others were recomputed: %v, want 1", got[csat])
	}
	if !strings.Contains(logged.String(), "metric=sla_compliance") {
		t.Errorf("the sla failure is not logged: %q", logged.String())
	}
}

// Scrapes that arrive while a computation runs wait for it and take its values: one
// computation of each figure, never two at once.
func TestPrometheusBusinessGaugesShareOneComputation(t *testing.T) {
	f := newFake()
	f.set("sla_compliance", slaRows(1, 1))
	f.gate, f.entered = make(chan struct{}), make(chan struct{}, 100)
	clk := clock.NewManual(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	g := newBusinessGauges(f, clk, slog.New(slog.DiscardHandler))

	type answer struct {
		got map[string]float64
		err error
	}
	results := make(chan answer, 8)
	run := func() {
		got, err := scrape(g)
		results <- answer{got, err}
	}
	go run()
	<-f.entered // the first scrape is computing, holding the gauges' lock
	var started sync.WaitGroup
	for range 7 {
		started.Add(1)
		go func() {
			started.Done()
			run()
		}()
	}
	started.Wait()
	// Give the seven every chance to reach the lock before the computation ends; a collector
	// that computed outside the lock would now be computing seven times more.
	for range 1000 {
		runtime.Gosched()
	}
	close(f.gate)
	sla := promSeries("gesher_sla_compliance_ratio", "channel", "all", "clock", "first-response")
	for range 8 {
		if a := <-results; a.err != nil || a.got[sla] != 0.5 {
			t.Errorf("a scrape saw %v (%v), want 0.5", a.got[sla], a.err)
		}
	}
	for _, fam := range businessFamilies() {
		if n := f.count(fam.metric); n != 1 {
			t.Errorf("%s computed %d times for 8 scrapes at once, want 1", fam.metric, n)
		}
	}
	f.mu.Lock()
	most := f.most
	f.mu.Unlock()
	if most != 1 {
		t.Errorf("%d computations ran at once, want 1", most)
	}

	// Within 15 seconds of the clock, no computation; at 15, one more.
	clk.Advance(businessEvery - time.Millisecond)
	scrapeGauges(t, g)
	if n := f.count("sla_compliance"); n != 1 {
		t.Errorf("sla computed %d times after a scrape within 15 s, want 1", n)
	}
	clk.Advance(time.Millisecond) // the gate stays open: closed, it holds no call
	scrapeGauges(t, g)
	if n := f.count("sla_compliance"); n != 2 {
		t.Errorf("sla computed %d times after 15 s, want 2", n)
	}
}
