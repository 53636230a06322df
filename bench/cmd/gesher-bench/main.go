// Command gesher-bench measures a Gesher binary on loopback: the ceiling of a bare HTTP handler,
// webhook ingest on SQLite and on PostgreSQL (peak, and latency at half the peak), live fan-out
// to 1,000 agent sockets, start-up time, idle memory and binary size. It prints a table and
// writes the same figures as JSON (bench/results/latest.json).
//
// Goals are reported beside each figure, never asserted: a slower machine is not a failure.
// Figures for features that do not exist yet are null with a note saying so.
//
//	go run ./bench/cmd/gesher-bench -quick            # under 90 seconds
//	go run ./bench/cmd/gesher-bench -bin bin/gesher   # about 5 minutes
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gesher-cs/gesher/internal/demo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gesher-bench:", err)
		os.Exit(1)
	}
}

// plan is how long and how hard each phase runs. Its exported fields are written to the JSON
// so a figure can be read with the load that produced it.
type plan struct {
	Mode         string  `json:"mode"`
	Conc         []int   `json:"concurrency"` // closed-loop levels tried; the best is the peak
	PeakSeconds  float64 `json:"peak_seconds"`
	HalfSeconds  float64 `json:"half_rate_seconds"`
	Sockets      int     `json:"sockets"`
	Probes       int     `json:"fanout_messages"`
	Starts       int     `json:"startups"`
	Customers    int     `json:"customer_pool"` // phone numbers drawn at random: most messages open a new customer
	HalfInFlight int     `json:"half_rate_max_in_flight"`

	peak, warm, half, fanoutGap, idleWait time.Duration
	maxRequests                           int // a bound on any one closed-loop run
}

func plans(quick bool) plan {
	if quick {
		return plan{Mode: "quick", Conc: []int{32}, PeakSeconds: 4, HalfSeconds: 4,
			Sockets: 1000, Probes: 15, Starts: 3, Customers: 200_000, HalfInFlight: 512,
			peak: 4 * time.Second, warm: time.Second, half: 4 * time.Second,
			fanoutGap: 100 * time.Millisecond, idleWait: time.Second, maxRequests: 2_000_000}
	}
	return plan{Mode: "full", Conc: []int{8, 32, 128}, PeakSeconds: 20, HalfSeconds: 30,
		Sockets: 1000, Probes: 100, Starts: 5, Customers: 500_000, HalfInFlight: 1024,
		peak: 20 * time.Second, warm: 3 * time.Second, half: 30 * time.Second,
		fanoutGap: 100 * time.Millisecond, idleWait: 5 * time.Second, maxRequests: 10_000_000}
}

// Report is the JSON written to bench/results/latest.json. Figures are pointers so that one
// not measured is null, never a made-up zero.
type Report struct {
	GeneratedAt string  `json:"generated_at"`
	Command     string  `json:"command"`
	Plan        plan    `json:"plan"`
	Machine     machine `json:"machine"`
	Ceiling     struct {
		ReqPerS     *float64 `json:"req_per_s"`
		Concurrency int      `json:"concurrency,omitempty"`
		Note        string   `json:"note,omitempty"`
	} `json:"ceiling"`
	Ingest   ingestFigures `json:"ingest"`
	IngestPG ingestFigures `json:"ingest_pg"`
	Fanout   struct {
		P50MS     *float64 `json:"p50_ms"`
		P99MS     *float64 `json:"p99_ms"`
		MaxMS     *float64 `json:"max_ms"`
		Sockets   int      `json:"sockets"`
		Messages  int      `json:"messages"`
		Delivered int      `json:"delivered"`
		Expected  int      `json:"expected"`
		Note      string   `json:"note,omitempty"`
	} `json:"fanout"`
	Search struct {
		P50MS    *float64 `json:"p50_ms"`
		P99MS    *float64 `json:"p99_ms"`
		Articles int      `json:"articles,omitempty"`
		Note     string   `json:"note"`
	} `json:"search"`
	Dashboards struct {
		LoadMS map[string]float64 `json:"load_ms"` // by dashboard; null when not measured
		Events int                `json:"events,omitempty"`
		Days   int                `json:"days,omitempty"`
		Note   string             `json:"note"`
	} `json:"dashboards"`
	SLA struct {
		Timers *int     `json:"timers"`
		RSSMB  *float64 `json:"rss_mb"`
		LagMS  *float64 `json:"lag_ms"`
		Note   string   `json:"note"`
	} `json:"sla"`
	StartupMS   *float64 `json:"startup_ms"`
	StartupNote string   `json:"startup_note,omitempty"`
	IdleRSSMB   *float64 `json:"idle_rss_mb"`
	BinaryMB    *float64 `json:"binary_mb"`
	Errors      []string `json:"errors,omitempty"`
}

// ingestFigures are one database's ingest figures: the peak (closed loop) and the latency at
// half of it (open loop at a constant rate).
type ingestFigures struct {
	MsgsPerS    *float64 `json:"msgs_per_s"`
	P50MS       *float64 `json:"p50_ms"`
	P99MS       *float64 `json:"p99_ms"`
	Concurrency int      `json:"concurrency,omitempty"`
	Failed      int      `json:"failed"`
	OfCeiling   *float64 `json:"of_ceiling,omitempty"`
	HalfRate    halfRate `json:"half_rate"`
	Database    string   `json:"database,omitempty"`
	Note        string   `json:"note,omitempty"`
}

type halfRate struct {
	ReqPerS *float64 `json:"req_per_s"`
	Sent    int      `json:"sent"`
	Failed  int      `json:"failed"`
	P50MS   *float64 `json:"p50_ms"`
	P99MS   *float64 `json:"p99_ms"`
	MaxMS   *float64 `json:"max_ms"`
}

func ptr[T any](v T) *T { return &v }

func round(v float64, places int) float64 {
	s := fmt.Sprintf("%.*f", places, v)
	var out float64
	fmt.Sscan(s, &out)
	return out
}

// bench is one run of the harness.
type bench struct {
	p      plan
	bin    string // the gesher binary measured
	self   string // this program, re-run as the ceiling server
	work   string // a temporary folder for data
	pgURL  string
	rep    *Report
	stderr io.Writer
}

func (b *bench) logf(format string, a ...any) { fmt.Fprintf(b.stderr, "· "+format+"\n", a...) }

// fail records a phase that could not be measured; its figures stay null.
func (b *bench) fail(what string, err error) {
	b.logf("%s: %v", what, err)
	b.rep.Errors = append(b.rep.Errors, what+": "+err.Error())
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gesher-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the short run (under 90 seconds)")
	bin := fs.String("bin", "", "the gesher binary to measure (default: build ./cmd/gesher into a temporary folder)")
	out := fs.String("out", "bench/results/latest.json", "where to write the JSON figures")
	pgURL := fs.String("pg", "", "an empty PostgreSQL database URL for ingest_pg (default: start a durable throwaway cluster)")
	only := fs.String("only", "", "run only these phases, comma-separated: ceiling, ingest, ingest_pg, fanout, search, dashboards, sla, startup")
	ceilingAddr := fs.String("serve-ceiling", "", "internal: serve the bare ceiling handler on this address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ceilingAddr != "" {
		return serveCeiling(*ceilingAddr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b := &bench{p: plans(*quick), bin: *bin, pgURL: *pgURL, stderr: stderr}
	b.rep = &Report{GeneratedAt: time.Now().UTC().Format(time.RFC3339), Plan: b.p, Machine: describeMachine()}
	b.rep.Command = strings.TrimSpace("go run ./bench/cmd/gesher-bench " + strings.Join(args, " "))
	b.rep.SLA.Note = "not measured in this run (the sla phase did not run)"
	b.rep.Dashboards.Note = "not measured in this run (the dashboards phase did not run)"
	started := time.Now()
	var err error
	if b.work, err = os.MkdirTemp("", "gesher-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.work)
	if b.self, err = os.Executable(); err != nil {
		return err
	}
	if err := b.binary(ctx); err != nil {
		return err
	}
	phases := []struct {
		name string
		run  func(context.Context)
	}{
		{"ceiling", b.ceiling},
		{"ingest", func(ctx context.Context) {
			b.rep.Ingest = b.ingest(ctx, filepath.Join(b.work, "sqlite", "gesher.db"), filepath.Join(b.work, "sqlite"), "sqlite")
		}},
		{"ingest_pg", b.ingestPG},
		{"fanout", b.fanout},
		{"search", b.search},
		{"dashboards", b.dashboards},
		{"sla", b.sla},
		{"startup", b.startup},
	}
	for _, ph := range phases {
		if ctx.Err() != nil {
			break
		}
		if *only != "" && !slices.Contains(strings.Split(*only, ","), ph.name) {
			continue
		}
		ph.run(ctx)
	}
	if c := b.rep.Ceiling.ReqPerS; c != nil && *c > 0 {
		for _, f := range []*ingestFigures{&b.rep.Ingest, &b.rep.IngestPG} {
			if f.MsgsPerS != nil {
				f.OfCeiling = ptr(round(*f.MsgsPerS / *c, 3))
			}
		}
	}
	b.logf("done in %s", time.Since(started).Round(time.Second))
	printTable(stdout, b.rep)
	if err := writeJSON(*out, b.rep); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwritten to %s\n", *out)
	if len(b.rep.Errors) > 0 {
		return errors.New(strings.Join(b.rep.Errors, "; "))
	}
	return ctx.Err()
}

// binary builds the gesher binary unless one was given, and measures its size.
func (b *bench) binary(ctx context.Context) error {
	if b.bin == "" {
		b.bin = filepath.Join(b.work, "gesher")
		b.logf("building ./cmd/gesher")
		build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", b.bin, "./cmd/gesher")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stdout, build.Stderr = b.stderr, b.stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	st, err := os.Stat(b.bin)
	if err != nil {
		return err
	}
	b.rep.BinaryMB = ptr(round(float64(st.Size())/(1<<20), 1))
	return nil
}

// ceiling drives the same generator against a handler that only reads the body, in a process
// of its own as the server is.
func (b *bench) ceiling(ctx context.Context) {
	b.logf("ceiling: bare net/http handler")
	args := func(addr string) []string { return []string{"-serve-ceiling", addr} }
	ceil, _, err := startProc(ctx, "ceiling", b.self, args, "/readyz")
	if err != nil {
		b.fail("ceiling", err)
		return
	}
	defer ceil.stop()
	peak, conc := b.peakOf(ctx, ceil.url+"/hooks/api/"+demo.APIChannel, "ceil")
	b.rep.Ceiling.ReqPerS, b.rep.Ceiling.Concurrency = ptr(round(peak.rate(), 0)), conc
}

// ingestPG measures ingest on PostgreSQL: the database given, or a durable throwaway cluster.
func (b *bench) ingestPG(ctx context.Context) {
	dsn := b.pgURL
	if dsn == "" {
		b.logf("starting a durable PostgreSQL cluster")
		cluster, err := startPG(ctx)
		if err != nil {
			b.fail("postgres", err)
			b.rep.IngestPG.Note = "not measured: no PostgreSQL"
			return
		}
		defer cluster.stop()
		if dsn, err = cluster.createDB(ctx, "gesher_bench"); err != nil {
			b.fail("postgres", err)
			return
		}
	}
	b.rep.IngestPG = b.ingest(ctx, dsn, filepath.Join(b.work, "pg"), "postgres")
}

// fanout connects 1,000 agent sockets to a fresh SQLite demo and times webhooks to them.
func (b *bench) fanout(ctx context.Context) {
	p, f := b.p, &b.rep.Fanout
	b.logf("fan-out: %d agent sockets, %d messages", p.Sockets, p.Probes)
	g, _, err := startGesher(ctx, b.bin, "demo", filepath.Join(b.work, "fanout", "gesher.db"), filepath.Join(b.work, "fanout"))
	if err != nil {
		b.fail("fanout", err)
		return
	}
	defer g.stop()
	fr, err := fanout(ctx, g.url, p.Sockets, p.Probes, p.fanoutGap)
	f.Sockets, f.Messages, f.Expected, f.Delivered = fr.Sockets, fr.Messages, fr.Expected, fr.Delivered
	if err != nil {
		b.fail("fanout", err)
		return
	}
	if fr.Delivered > 0 {
		f.P50MS, f.P99MS, f.MaxMS = ptr(percentile(fr.lat, 50)), ptr(percentile(fr.lat, 99)), ptr(percentile(fr.lat, 100))
	}
	if fr.Delivered < fr.Expected {
		f.Note = fmt.Sprintf("%d of %d arrivals missing after 10 s", fr.Expected-fr.Delivered, fr.Expected)
	}
	b.logf("  p50 %.1f ms, p99 %.1f ms, %d/%d arrivals", percentile(fr.lat, 50), percentile(fr.lat, 99), fr.Delivered, fr.Expected)
}

// startup starts gesher serve on fresh SQLite databases (migrations included) and reads the
// memory of the last one once it has idled.
func (b *bench) startup(ctx context.Context) {
	p := b.p
	b.logf("start-up: %d starts of gesher serve on a fresh SQLite database", p.Starts)
	var starts []time.Duration
	for i := range p.Starts {
		dir := filepath.Join(b.work, fmt.Sprintf("start-%d", i))
		g, took, err := startGesher(ctx, b.bin, "serve", filepath.Join(dir, "gesher.db"), dir)
		if err != nil {
			b.fail("startup", err)
			break
		}
		starts = append(starts, took)
		if i == p.Starts-1 {
			time.Sleep(p.idleWait)
			if rss, err := g.rssMB(); err != nil {
				b.fail("idle_rss", err)
			} else {
				b.rep.IdleRSSMB = ptr(round(rss, 1))
			}
		}
		g.stop()
	}
	if len(starts) > 0 {
		slices.Sort(starts)
		b.rep.StartupMS = ptr(round(float64(starts[len(starts)/2].Microseconds())/1000, 1))
		b.rep.StartupNote = fmt.Sprintf("median of %d: process start to the first /readyz 200, migrating an empty database", len(starts))
	}
}

// peakOf runs the closed loop at each concurrency of the plan and returns the best run.
func (b *bench) peakOf(ctx context.Context, url, prefix string) (result, int) {
	var best result
	bestConc := 0
	for _, conc := range b.p.Conc {
		g := newGenerator(url, demo.APISecret, fmt.Sprintf("%s-c%d-%d", prefix, conc, time.Now().UnixNano()), b.p.Customers, conc)
		_ = closedLoop(ctx, g, conc, b.p.warm, b.p.maxRequests) // open the connections, warm the caches
		r := closedLoop(ctx, g, conc, b.p.peak, b.p.maxRequests)
		g.close()
		b.logf("  concurrency %d: %.0f/s, p50 %.2f ms, p99 %.2f ms, %d failed", conc, r.rate(), r.percentile(50), r.percentile(99), r.failures())
		if r.rate() > best.rate() {
			best, bestConc = r, conc
		}
	}
	return best, bestConc
}

// ingest starts a demo server on dsn, finds its peak, then holds half of it at a constant rate.
func (b *bench) ingest(ctx context.Context, dsn, data, name string) ingestFigures {
	f := ingestFigures{Database: name}
	b.logf("ingest on %s", name)
	g, _, err := startGesher(ctx, b.bin, "demo", dsn, data)
	if err != nil {
		b.fail("ingest "+name, err)
		f.Note = "server did not start"
		return f
	}
	defer g.stop()
	url := g.url + "/hooks/api/" + demo.APIChannel
	peak, conc := b.peakOf(ctx, url, "ingest-"+name)
	if peak.OK == 0 {
		b.fail("ingest "+name, fmt.Errorf("no request succeeded: %v\n%s", peak.Failed, tail(g.logs.String())))
		return f
	}
	f.MsgsPerS = ptr(round(peak.rate(), 0))
	f.P50MS, f.P99MS = ptr(peak.percentile(50)), ptr(peak.percentile(99))
	f.Concurrency, f.Failed = conc, peak.failures()

	rate := peak.rate() / 2
	b.logf("  half of peak: %.0f/s for %s (open loop)", rate, b.p.half)
	gen := newGenerator(url, demo.APISecret, fmt.Sprintf("half-%s-%d", name, time.Now().UnixNano()), b.p.Customers, b.p.HalfInFlight)
	_ = openLoop(ctx, gen, rate, b.p.warm, b.p.HalfInFlight) // the same rate, unmeasured: connections open
	h := openLoop(ctx, gen, rate, b.p.half, b.p.HalfInFlight)
	gen.close()
	f.HalfRate = halfRate{ReqPerS: ptr(round(rate, 0)), Sent: h.OK + h.failures(), Failed: h.failures()}
	if h.OK > 0 {
		f.HalfRate.P50MS, f.HalfRate.P99MS, f.HalfRate.MaxMS = ptr(h.percentile(50)), ptr(h.percentile(99)), ptr(h.percentile(100))
	}
	b.logf("  half of peak: p50 %.2f ms, p99 %.2f ms, %d failed", h.percentile(50), h.percentile(99), h.failures())
	return f
}

func writeJSON(path string, rep *Report) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// machine says what the figures were taken on.
type machine struct {
	CPUs   int     `json:"nproc"`
	CPU    string  `json:"cpu"`
	RAMGB  float64 `json:"ram_gb"`
	Go     string  `json:"go"`
	OS     string  `json:"os"`
	Kernel string  `json:"kernel"`
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		for line := range strings.SplitSeq(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			}
		}
		m.RAMGB = round(kb/(1<<20), 1)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}
