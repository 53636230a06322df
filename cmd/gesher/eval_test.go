package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gesher-cs/gesher/internal/store/storetest"
)

// `gesher eval search` on the help centre's fixture: the same figures from SQLite and from
// PostgreSQL, and training on the queries lifts the same queries asked again.
func TestEvalSearch(t *testing.T) {
	fixture := filepath.Join("..", "..", "internal", "helpcenter", "testdata")
	articles, queries := filepath.Join(fixture, "articles.jsonl"), filepath.Join(fixture, "queries.jsonl")
	eval := func(args ...string) evalReport {
		t.Helper()
		var out, errs bytes.Buffer
		if err := run(context.Background(), append([]string{"eval", "search", "--articles", articles, "--queries", queries}, args...), strings.NewReader(""), &out, &errs); err != nil {
			t.Fatalf("eval %v: %v\n%s", args, err, errs.String())
		}
		var r evalReport
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("eval printed %q: %v", out.String(), err)
		}
		return r
	}
	lite := eval()
	pg := eval("--db", storetest.PostgresURL(t))
	if lite.DB != "sqlite" || pg.DB != "postgres" || lite.Articles != 371 || lite.Queries != 60 {
		t.Fatalf("reports: %+v / %+v", lite, pg)
	}
	if lite.MRR10 != pg.MRR10 || lite.Recall1 != pg.Recall1 || lite.Recall5 != pg.Recall5 || lite.NDCG10 != pg.NDCG10 {
		t.Errorf("SQLite %+v\nPostgreSQL %+v\nthe figures differ", lite.Metrics, pg.Metrics)
	}
	if lite.MRR10 < 0.4 || lite.P99ms <= 0 {
		t.Errorf("fixture figures %+v", lite.Metrics)
	}
	trained := eval("--train", queries)
	if trained.Trained == 0 || trained.MRR10 <= lite.MRR10 {
		t.Errorf("after training on the queries themselves: %+v, before %+v", trained, lite)
	}
	var errs bytes.Buffer
	if err := run(context.Background(), []string{"eval", "search", "--queries", queries}, strings.NewReader(""), &bytes.Buffer{}, &errs); err == nil {
		t.Error("eval without --articles ran")
	}
}
