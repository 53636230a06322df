package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gesher-cs/gesher/internal/clock"
	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/helpcenter"
	"github.com/gesher-cs/gesher/internal/store"
)

// evalReport is what `gesher eval search` prints.
type evalReport struct {
	DB       string `json:"db"`
	Articles int    `json:"articles"`
	Trained  int    `json:"trained_clicks"`
	helpcenter.Metrics
}

// cmdEval runs an evaluation. The only one so far is "search": relevance and speed of the
// help centre's search on a set of judged queries.
func cmdEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const use = "usage: gesher eval search --articles A.jsonl --queries Q.jsonl [--train T.jsonl] [--db DSN]"
	if len(args) == 0 || args[0] != "search" {
		return errors.New(use)
	}
	var articles, queries, train, dsn string
	fs := flag.NewFlagSet("gesher eval search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&articles, "articles", "", "articles as JSON lines: {\"id\",\"lang\",\"title\",\"body\"} (imported, published)")
	fs.StringVar(&queries, "queries", "", "judged queries as JSON lines: {\"id\",\"text\",\"relevant\":[article ids]}")
	fs.StringVar(&train, "train", "", "judged queries fed first as visitors' searches with clicks on their relevant articles")
	fs.StringVar(&dsn, "db", "", "database to load them into: an SQLite path or a postgres:// URL (default: a temporary SQLite file); use an empty one")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if articles == "" || queries == "" || fs.NArg() > 0 {
		return errors.New(use)
	}
	if dsn == "" {
		dir, err := os.MkdirTemp("", "gesher-eval-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "eval.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	// A fixed clock: the learned weights fade with time, and two runs (on SQLite and on
	// PostgreSQL) must compute the same ones.
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	log := event.NewLog(db, clk, nil)
	svc := helpcenter.NewService(db, clk, log, helpcenter.Options{})
	system := event.Actor{Kind: event.BySystem, ID: "eval"}

	f, err := os.Open(articles)
	if err != nil {
		return err
	}
	res, err := svc.Import(ctx, system, f)
	f.Close()
	if err != nil {
		return fmt.Errorf("import %s: %w", articles, err)
	}
	fmt.Fprintf(stderr, "articles: %d created, %d updated, %d unchanged\n", res.Created, res.Updated, res.Unchanged)
	// Everything that follows reads the index as a restarted node would: from the database.
	if err := svc.Load(ctx); err != nil {
		return err
	}
	report := evalReport{DB: string(db.Dialect()), Articles: svc.Engine().Index().Len()}
	if train != "" {
		ts, err := readJudged(train)
		if err != nil {
			return err
		}
		var n int
		for _, q := range ts {
			clk.Advance(time.Second)
			k, err := svc.Train(ctx, []helpcenter.Judged{q})
			if err != nil {
				return fmt.Errorf("train: %w", err)
			}
			n += k
		}
		report.Trained = n
		if err := svc.Load(ctx); err != nil {
			return err
		}
	}
	qs, err := readJudged(queries)
	if err != nil {
		return err
	}
	report.Metrics = svc.Evaluation(qs)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}

func readJudged(path string) ([]helpcenter.Judged, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qs, err := helpcenter.ReadJudged(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return qs, nil
}
