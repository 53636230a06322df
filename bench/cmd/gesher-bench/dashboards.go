package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// dashboardNames are the console's dashboards, as BenchmarkDashboards names their figures.
var dashboardNames = []string{"volume", "service", "satisfaction", "self_service", "portfolio", "adoption"}

// dashboards measures how long each console dashboard takes to compute — every metric it
// shows, over its default 30 days — on SQLite over generated history (bench/history): a year
// of about a million events in the full run, 90 days in the quick one. Like search, it runs the
// package's Go benchmark, so this figure and `go test -bench` come from one piece of code.
// Recorded, not asserted (issue 10's goal is under 1 s each).
func (b *bench) dashboards(ctx context.Context) {
	days, perDay := "90", "40"
	if b.p.Mode == "full" {
		days, perDay = "365", "400"
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkDashboards$", "-benchtime", "1x", "-timeout", "20m", "./bench/history")
	cmd.Env = append(os.Environ(), "GESHER_BENCH_DAYS="+days, "GESHER_BENCH_PER_DAY="+perDay)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.fail("dashboards", fmt.Errorf("%v: %s", err, lastLines(out.String(), 5)))
		return
	}
	b.rep.Dashboards.LoadMS = map[string]float64{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "BenchmarkDashboards") {
			continue
		}
		for i := 1; i < len(f); i++ {
			v, err := strconv.ParseFloat(f[i-1], 64)
			if err != nil {
				continue
			}
			if name, ok := strings.CutSuffix(f[i], "_ms"); ok {
				b.rep.Dashboards.LoadMS[name] = round(v, 1)
			}
			if f[i] == "events" {
				b.rep.Dashboards.Events = int(v)
			}
		}
	}
	if len(b.rep.Dashboards.LoadMS) == 0 {
		b.fail("dashboards", fmt.Errorf("no figures in the benchmark's output: %s", lastLines(out.String(), 5)))
		return
	}
	b.rep.Dashboards.Days, _ = strconv.Atoi(days)
	b.rep.Dashboards.Note = fmt.Sprintf("BenchmarkDashboards on SQLite: %s days of generated history, %s conversations a day; each dashboard's metrics over its default 30 days", days, perDay)
}
