package helpcenter

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// syntheticIndex builds an index of n articles written by a word-pair (Markov) model of the
// fixture's articles: real insurance vocabulary with its real frequencies and word order, so
// posting lists are as long as a help centre of that size would make them. Deterministic.
func syntheticIndex(tb testing.TB, n int) (*Engine, []string) {
	tb.Helper()
	f, err := os.Open("testdata/articles.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	next := map[string][]string{}
	var starts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var a struct{ Body string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			tb.Fatal(err)
		}
		words := strings.Fields(a.Body)
		if len(words) == 0 {
			continue
		}
		starts = append(starts, words[0])
		for i := 1; i < len(words); i++ {
			next[words[i-1]] = append(next[words[i-1]], words[i])
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	e := NewEngine(DefaultParams(), NewLearner(DefaultLearnOptions()))
	var b strings.Builder
	for i := range n {
		b.Reset()
		w := starts[rng.IntN(len(starts))]
		length := 40 + rng.IntN(110)
		for j := 0; j < length; j++ {
			b.WriteString(w)
			b.WriteByte(' ')
			succ := next[w]
			if len(succ) == 0 {
				w = starts[rng.IntN(len(starts))]
				continue
			}
			w = succ[rng.IntN(len(succ))]
		}
		e.Index().Put(Doc{ID: fmt.Sprintf("syn-%06d", i), Lang: "en", Body: b.String(), Public: true})
	}
	e.Index().Reweigh()
	qf, err := os.Open("testdata/queries.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer qf.Close()
	qs, err := ReadJudged(qf)
	if err != nil {
		tb.Fatal(err)
	}
	texts := make([]string, len(qs))
	for i, q := range qs {
		texts[i] = q.Text
	}
	return e, texts
}

// BenchmarkSearch: one search over 100,000 articles, the queries of the fixture in turn.
// Besides ns/op it reports the 50th and 99th percentile of the searches it timed. Run it on
// one core: go test -run '^$' -bench BenchmarkSearch -cpu 1 ./internal/helpcenter
func BenchmarkSearch(b *testing.B) {
	e, qs := syntheticIndex(b, 100_000)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		e.Search(Query{Text: qs[i%len(qs)], Limit: 10, At: at})
		lat = append(lat, time.Since(start))
		i++
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}

// BenchmarkAnalyze: the analysis of a Hebrew article's paragraph.
func BenchmarkAnalyze(b *testing.B) {
	text := strings.Repeat("וכשהגעתי לסניף בתל אביב ביקשתי להגיש תביעת רכוש אחרי התאונה, והפקיד שלח אותי לאזור האישי. ", 10)
	for b.Loop() {
		Analyze(text)
	}
}
