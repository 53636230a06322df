package helpcenter

import (
	"sync/atomic"
	"time"
)

// Engine answers searches: it analyses the query, expands it with the lay map and what
// searches have taught it, ranks the index, and feeds back the top results' vocabulary.
type Engine struct {
	ix    *Index
	lay   atomic.Pointer[LayMap]
	learn *Learner
}

// NewEngine returns an engine over an empty index. learner may be nil (no learning).
func NewEngine(p Params, learner *Learner) *Engine {
	e := &Engine{ix: NewIndex(p), learn: learner}
	e.lay.Store(&LayMap{})
	return e
}

// Learner returns the engine's learner (nil when it does not learn).
func (e *Engine) Learner() *Learner { return e.learn }

// Index returns the engine's index.
func (e *Engine) Index() *Index { return e.ix }

// SetLayMap replaces the lay-to-professional map.
func (e *Engine) SetLayMap(m *LayMap) {
	if m == nil {
		m = &LayMap{}
	}
	e.lay.Store(m)
}

// LayMap returns the lay-to-professional map in use.
func (e *Engine) LayMap() *LayMap { return e.lay.Load() }

// Query is one search.
type Query struct {
	Text   string
	Filter Filter
	Limit  int       // results wanted; 10 when zero
	At     time.Time // when it is asked: learned associations fade with time
}

// Search returns the best documents for q, best first.
func (e *Engine) Search(q Query) []Scored {
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	words := Analyze(q.Text)
	if len(words) == 0 {
		return nil
	}
	ix := e.ix
	p := ix.params
	var (
		mult, boost map[string]float64
		learned     []weighted
	)
	if e.learn != nil {
		mult, learned, boost = e.learn.adjust(words, ix, q.At)
	}
	terms := p.queryTerms(words, mult)
	terms = append(terms, e.lay.Load().expand(words, q.Filter.Lang, p.LayWeight)...)
	terms = append(terms, learned...)
	terms = merge(terms)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if p.FeedbackDocs <= 0 {
		return ix.rank(terms, q.Filter, limit, boost)
	}
	first := ix.rank(terms, q.Filter, max(limit, p.FeedbackDocs), boost)
	skip := map[string]bool{}
	var total float64
	for _, t := range terms {
		skip[t.term] = true
		total += t.w
	}
	fb := ix.feedback(first[:min(len(first), p.FeedbackDocs)], p.FeedbackTerms, skip)
	if len(fb) == 0 {
		return first[:min(len(first), limit)]
	}
	// RM3's interpolation: the original query keeps 1-λ of the weight, the feedback terms λ.
	expanded := make([]weighted, 0, len(terms)+len(fb))
	for _, t := range terms {
		expanded = append(expanded, weighted{t.term, t.w * (1 - p.FeedbackWeight)})
	}
	for _, t := range fb {
		expanded = append(expanded, weighted{t.term, t.w * total * p.FeedbackWeight})
	}
	return ix.rank(expanded, q.Filter, limit, boost)
}
