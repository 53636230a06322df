package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// search measures the help centre's search over 100,000 generated articles, on one core. It
// runs the package's own Go benchmark (BenchmarkSearch: the same index, analysis and ranking
// the server uses, without HTTP in front) with GOMAXPROCS=1 and reads the p99 it reports, so
// the figure here and the one `go test -bench` prints come from one piece of code.
func (b *bench) search(ctx context.Context) {
	n := "300x"
	if b.p.Mode == "full" {
		n = "3000x"
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkSearch$", "-benchtime", n, "-cpu", "1", "./internal/helpcenter")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.fail("search", fmt.Errorf("%v: %s", err, lastLines(out.String(), 5)))
		return
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "BenchmarkSearch") {
			continue
		}
		for i := 1; i < len(f); i++ {
			if f[i] == "p99_ms" {
				if v, err := strconv.ParseFloat(f[i-1], 64); err == nil {
					b.rep.Search.P99MS = ptr(round(v, 3))
				}
			}
			if f[i] == "p50_ms" {
				if v, err := strconv.ParseFloat(f[i-1], 64); err == nil {
					b.rep.Search.P50MS = ptr(round(v, 3))
				}
			}
		}
	}
	if b.rep.Search.P99MS == nil {
		b.fail("search", fmt.Errorf("no p99_ms in the benchmark's output: %s", lastLines(out.String(), 5)))
		return
	}
	b.rep.Search.Articles = 100_000
	b.rep.Search.Note = fmt.Sprintf("BenchmarkSearch, %s searches on one core (GOMAXPROCS=1), in process", strings.TrimSuffix(n, "x"))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
