package helpcenter

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadJudged reads evaluation queries as JSON lines: {"id","text","relevant":[…]}.
func ReadJudged(r io.Reader) ([]Judged, error) {
	var out []Judged
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var j Judged
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			return nil, &LineError{Line: line, Err: err}
		}
		out = append(out, j)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("helpcenter: read queries: %w", err)
	}
	return out, nil
}

// Train feeds judged queries to the service as visitors would: each is a recorded search by a
// visitor of its own, followed by a click on each of its relevant articles. It returns how
// many signals were recorded.
func (s *Service) Train(ctx context.Context, qs []Judged) (int, error) {
	n := 0
	for _, q := range qs {
		visitor := "eval-" + q.ID
		res, err := s.Search(ctx, SearchRequest{Text: q.Text, Record: true, Visitor: visitor, Network: visitor})
		if err != nil {
			return n, err
		}
		if res.ID == "" {
			continue
		}
		for _, id := range q.Relevant {
			rank := 0
			for i, h := range res.Hits {
				if h.Article.ID == id {
					rank = i + 1
				}
			}
			err := s.Signal(ctx, SignalRequest{SearchID: res.ID, ArticleID: id, Kind: SignalClick, Rank: rank})
			if err != nil && !isNotFound(err) {
				return n, err
			}
			if err == nil {
				n++
			}
		}
	}
	return n, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Evaluation runs queries through Rank over all published articles (any language, internal
// included: the judgements name articles, not audiences) and scores the top ten.
func (s *Service) Evaluation(qs []Judged) Metrics {
	return Evaluate(qs, func(text string) []string {
		hits := s.Rank(text, Filter{}, 10)
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		return ids
	})
}
