package history_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/bench/history"
	"github.com/gesher-cs/gesher/internal/app"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/metrics"
	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// dashboards are the metrics each console dashboard loads (web/console/src/lib/dashboards.ts),
// by dashboard.
var dashboards = []struct {
	name    string
	metrics []string
}{
	{"volume", []string{"volume", "digital_share", "channel_launch", "digital_share_segments", "deflection_flows"}},
	{"service", []string{"sla_compliance", "first_response_time", "resolution_time"}},
	{"satisfaction", []string{"csat", "csat", "csat", "nps", "nps", "survey_comments"}},
	{"self_service", []string{"containment", "search_success", "top_failed_searches", "bot_containment", "proactive_offers"}},
	{"portfolio", []string{"channel_portfolio", "channel_portfolio"}},
	{"adoption", []string{"coaching_stages", "agent_credits", "branch_service"}},
}

// TestGenerateWritesAHistoryTheMetricsRead: a small history is what the dashboards read.
func TestGenerateWritesAHistoryTheMetricsRead(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Options{DSN: storetest.SQLitePath(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	st, err := history.Generate(ctx, a.DB, a.Channels, history.Options{Days: 10, PerDay: 20, End: end, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st.Events < st.Conversations*4 {
		t.Fatalf("%d events for %d conversations; want several each", st.Events, st.Conversations)
	}
	r, err := a.Metrics.Compute(ctx, "conversations_opened", metrics.Query{From: end.AddDate(0, 0, -10), To: end})
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, s := range r.Series {
		for _, p := range s.Points {
			total += p.V
		}
	}
	if int(total) != st.Conversations {
		t.Errorf("conversations_opened = %v; the generator opened %d", total, st.Conversations)
	}
}

// BenchmarkDashboards measures each dashboard's load — every metric it shows, over the default
// 30 days — on SQLite over a generated history. GESHER_BENCH_DAYS and GESHER_BENCH_PER_DAY size
// it (default 30 days of 200 conversations, so `make bench-go` stays short; the load benchmark
// runs it over a year). Each dashboard's milliseconds are reported as <name>_ms.
func BenchmarkDashboards(b *testing.B) {
	days, perDay := envInt("GESHER_BENCH_DAYS", 30), envInt("GESHER_BENCH_PER_DAY", 200)
	ctx := context.Background()
	a, err := app.Open(ctx, app.Options{DSN: storetest.SQLitePath(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	end := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	st, err := history.Generate(ctx, a.DB, a.Channels, history.Options{Days: days, PerDay: perDay, End: end, Seed: 42})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("history: %d days, %d conversations, %d events, written in %s", days, st.Conversations, st.Events, st.Took.Round(time.Millisecond))
	q := metrics.Query{From: end.AddDate(0, 0, -31), To: end}
	took := map[string]time.Duration{}
	b.ResetTimer()
	for b.Loop() {
		// The log grows between loads, as it does on a live installation, so no load is
		// served from the metrics' cache of the one before (within a load, a figure asked
		// twice still is, as the console's panels ask).
		if _, err := a.Events.Append(ctx, event.Event{Kind: "bench.tick", Actor: event.System}, nil); err != nil {
			b.Fatal(err)
		}
		for _, d := range dashboards {
			t0 := time.Now()
			for _, m := range d.metrics {
				if _, err := a.Metrics.Compute(ctx, m, q); err != nil {
					b.Fatalf("%s: %v", m, err)
				}
			}
			took[d.name] += time.Since(t0)
		}
	}
	for _, d := range dashboards {
		b.ReportMetric(float64(took[d.name].Microseconds())/1000/float64(b.N), d.name+"_ms")
	}
	b.ReportMetric(float64(st.Events), "events")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
