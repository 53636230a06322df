package helpcenter

import (
	"math"
	"slices"
	"time"
)

// Judged is an evaluation query: its text and the IDs of the articles that answer it.
type Judged struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Relevant []string `json:"relevant"`
}

// Metrics are the relevance and speed figures of a run over judged queries.
type Metrics struct {
	Queries int     `json:"queries"`
	MRR10   float64 `json:"mrr10"`
	Recall1 float64 `json:"recall1"`
	Recall5 float64 `json:"recall5"`
	NDCG10  float64 `json:"ndcg10"`
	P50ms   float64 `json:"p50_ms"`
	P99ms   float64 `json:"p99_ms"`
}

// Evaluate runs every query through search and scores the top ten against the judgements.
// Recall@k is the share of a query's relevant articles found in its top k, averaged.
func Evaluate(qs []Judged, search func(text string) []string) Metrics {
	var m Metrics
	lat := make([]float64, 0, len(qs))
	for _, q := range qs {
		if len(q.Relevant) == 0 {
			continue
		}
		start := time.Now()
		ids := search(q.Text)
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		m.Queries++
		rel := map[string]bool{}
		for _, r := range q.Relevant {
			rel[r] = true
		}
		var dcg float64
		found1, found5, first := 0, 0, true
		for i, id := range ids[:min(len(ids), 10)] {
			if !rel[id] {
				continue
			}
			if first {
				m.MRR10 += 1 / float64(i+1)
				first = false
			}
			if i < 1 {
				found1++
			}
			if i < 5 {
				found5++
			}
			dcg += 1 / math.Log2(float64(i+2))
		}
		var idcg float64
		for i := range min(len(rel), 10) {
			idcg += 1 / math.Log2(float64(i+2))
		}
		m.NDCG10 += dcg / idcg
		m.Recall1 += float64(found1) / float64(len(rel))
		m.Recall5 += float64(found5) / float64(len(rel))
	}
	if m.Queries > 0 {
		n := float64(m.Queries)
		m.MRR10 /= n
		m.Recall1 /= n
		m.Recall5 /= n
		m.NDCG10 /= n
		slices.Sort(lat)
		m.P50ms = percentile(lat, 0.50)
		m.P99ms = percentile(lat, 0.99)
	}
	return m
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
