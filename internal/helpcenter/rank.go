package helpcenter

import (
	"container/heap"
	"math"
	"slices"
	"strings"
)

// Params are the ranking's constants. The defaults were chosen on one half of the English
// development queries and checked on the other (docs/helpcenter.md has the figures); they are
// properties of help-centre text, not of any query.
type Params struct {
	// K1 is BM25's term-frequency saturation.
	K1 float64
	// B is each field's length normalisation (0 = none, 1 = full).
	B [numFields]float64
	// W is each field's weight in BM25F's combined term frequency.
	W [numFields]float64
	// AltWeight is the weight of a word's alternative forms (a Hebrew word without its
	// prefixes) relative to the word as written.
	AltWeight float64
	// Bigrams indexes adjacent word pairs, and BigramWeight is a matched pair's weight
	// relative to a single word: "whole life" is not "life" and "whole".
	Bigrams      bool
	BigramWeight float64
	// Window is how far apart two words may be to pair: 1 is adjacent only.
	Window int
	// LeadWords is how many opening words of the body form the lead field. An answer's first
	// sentence usually restates its question; an article without a title still has one.
	LeadWords int
	// FeedbackDocs, FeedbackTerms and FeedbackWeight are pseudo-relevance feedback (RM3): the
	// terms most typical of the top FeedbackDocs results are added to the query, together
	// carrying FeedbackWeight of it. FeedbackDocs 0 turns it off.
	FeedbackDocs   int
	FeedbackTerms  int
	FeedbackWeight float64
	// LayWeight is the weight of a professional term the lay map adds, relative to a word the
	// customer typed.
	LayWeight float64
}

// DefaultParams are the ranking constants Gesher ships with.
func DefaultParams() Params {
	return Params{
		K1:             0.9,
		B:              [numFields]float64{0.5, 0.5, 0.5, 0.75},
		W:              [numFields]float64{3, 2, 3, 1},
		AltWeight:      0.6,
		Bigrams:        true,
		BigramWeight:   0.2,
		Window:         1,
		LeadWords:      10,
		FeedbackDocs:   0,
		FeedbackTerms:  20,
		FeedbackWeight: 0.3,
		LayWeight:      0.1,
	}
}

func (p Params) withDefaults() Params {
	if p.K1 == 0 {
		return DefaultParams()
	}
	return p
}

// weighted is a query term and its weight.
type weighted struct {
	term string
	w    float64
}

// Filter restricts results.
type Filter struct {
	Lang       string // only this language; empty for any
	PublicOnly bool   // leave out internal articles
	Category   string // only this category; empty for any
}

func (f Filter) admits(e *docEntry) bool {
	return !e.deleted && (f.Lang == "" || e.lang == f.Lang) && (!f.PublicOnly || e.public) && (f.Category == "" || e.cat == f.Category)
}

// Scored is a document and its score.
type Scored struct {
	ID    string
	Score float64
}

// scratch is one search's working memory, pooled: a score per document and the documents
// touched, so clearing costs what the query touched, not the index size.
type scratch struct {
	acc     []float32
	touched []uint32
}

// queryTerms turns analysed words into weighted index terms: each word's forms (alternatives
// at AltWeight), and each adjacent pair as a bigram. mult, when not nil, scales a word (by its
// main form) and the pairs it is part of.
func (p Params) queryTerms(words []Word, mult map[string]float64) []weighted {
	m := func(t string) float64 {
		if v, ok := mult[t]; ok {
			return v
		}
		return 1
	}
	var out []weighted
	for i, w := range words {
		mw := m(w.Forms[0])
		out = append(out, weighted{w.Forms[0], mw})
		for _, f := range w.Forms[1:] {
			out = append(out, weighted{f, p.AltWeight * mw})
		}
		if p.Bigrams {
			for j := max(0, i-p.Window); j < i; j++ {
				pw := math.Sqrt(mw * m(words[j].Forms[0]))
				out = append(out, weighted{pairTerm(words[j].Forms[0], w.Forms[0], p.Window), p.BigramWeight * pw})
			}
		}
	}
	return out
}

// merge sums the weights of repeated terms, keeping first-seen order.
func merge(ts []weighted) []weighted {
	idx := map[string]int{}
	var out []weighted
	for _, t := range ts {
		if i, ok := idx[t.term]; ok {
			out[i].w += t.w
			continue
		}
		idx[t.term] = len(out)
		out = append(out, t)
	}
	return out
}

// rank scores documents for terms and returns the best k that pass f, best first, ties broken
// by ID, so a node that has seen edits ranks like one that has just loaded. boost adds to documents' scores
// (learned associations), as shares of the best BM25 score.
func (ix *Index) rank(terms []weighted, f Filter, k int, boost map[string]float64) []Scored {
	s := ix.pool.Get().(*scratch)
	defer ix.pool.Put(s)
	if cap(s.acc) < len(ix.docs) {
		s.acc = make([]float32, len(ix.docs))
	}
	s.acc = s.acc[:len(ix.docs)]
	p := &ix.params
	k1 := float32(p.K1)
	acc := s.acc
	for _, t := range terms {
		id, ok := ix.termIDs[t.term]
		if !ok || ix.df[id] == 0 || t.w <= 0 {
			continue
		}
		qw := float32(t.w * ix.idf(ix.df[id]) * (p.K1 + 1))
		for _, ps := range ix.postings[id] {
			if acc[ps.doc] == 0 {
				s.touched = append(s.touched, ps.doc)
			}
			acc[ps.doc] += qw * ps.tfn / (ps.tfn + k1)
		}
	}
	if len(boost) > 0 {
		// Learned boosts are shares of the best score the words alone reach, so that an
		// article enough visitors chose can rise to the top, and no higher, whatever the
		// query's length; with no match at all, of half a perfect match.
		var best float32
		for _, n := range s.touched {
			if s.acc[n] > best && f.admits(&ix.docs[n]) {
				best = s.acc[n]
			}
		}
		if best == 0 {
			best = float32(ix.fullScore(terms) / 2)
		}
		for id, b := range boost {
			n, ok := ix.byID[id]
			if !ok || b == 0 {
				continue
			}
			if s.acc[n] == 0 {
				s.touched = append(s.touched, n)
			}
			s.acc[n] += float32(b) * best
		}
	}
	h := make(topK, 0, k+1)
	for _, n := range s.touched {
		sc := s.acc[n]
		s.acc[n] = 0
		if sc <= 0 || !f.admits(&ix.docs[n]) {
			continue
		}
		c := cand{n, sc, ix.docs[n].id}
		if len(h) < k {
			heap.Push(&h, c)
		} else if better(c, h[0]) {
			h[0] = c
			heap.Fix(&h, 0)
		}
	}
	s.touched = s.touched[:0]
	out := make([]Scored, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		c := heap.Pop(&h).(cand)
		out[i] = Scored{ID: ix.docs[c.doc].id, Score: float64(c.score)}
	}
	return out
}

type cand struct {
	doc   uint32
	score float32
	id    string
}

// better orders candidates: higher score, then smaller ID.
func better(a, b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.id < b.id
}

// topK is a min-heap of the best candidates so far (the worst on top).
type topK []cand

func (h topK) Len() int           { return len(h) }
func (h topK) Less(i, j int) bool { return better(h[j], h[i]) }
func (h topK) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(x any)        { *h = append(*h, x.(cand)) }
func (h *topK) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// feedback is RM3's expansion: the terms most typical of the top documents, weighted by how
// much of each document they make up and by the document's share of the top scores, without
// the query's own terms. It returns at most n terms whose weights sum to 1.
func (ix *Index) feedback(top []Scored, n int, skip map[string]bool) []weighted {
	if len(top) == 0 || n <= 0 {
		return nil
	}
	// Scores become weights that sum to 1, sharpened by exp so the first result counts more.
	best := top[0].Score
	ws := make([]float64, len(top))
	var sum float64
	for i, t := range top {
		ws[i] = math.Exp(t.Score - best)
		sum += ws[i]
	}
	acc := map[uint32]float64{}
	for i, t := range top {
		di, ok := ix.byID[t.ID]
		if !ok {
			continue
		}
		d := &ix.docs[di]
		if d.length == 0 {
			continue
		}
		for _, tc := range d.terms {
			acc[tc.term] += ws[i] / sum * float64(tc.tf) / float64(d.length)
		}
	}
	type tw struct {
		term uint32
		w    float64
	}
	var cands []tw
	for t, w := range acc {
		if skip[ix.termStr[t]] {
			continue
		}
		// A term in most documents tells the documents apart no better than "insurance";
		// weigh by how rare it is, as relevance models with idf do.
		cands = append(cands, tw{t, w * ix.idf(ix.df[t])})
	}
	slices.SortFunc(cands, func(a, b tw) int {
		if a.w != b.w {
			if a.w > b.w {
				return -1
			}
			return 1
		}
		return strings.Compare(ix.termStr[a.term], ix.termStr[b.term])
	})
	if len(cands) > n {
		cands = cands[:n]
	}
	var total float64
	for _, c := range cands {
		total += c.w
	}
	out := make([]weighted, 0, len(cands))
	for _, c := range cands {
		out = append(out, weighted{ix.termStr[c.term], c.w / total})
	}
	return out
}

// fullScore is the score of a document that matched every term at saturation: the scale of
// the query's scores.
func (ix *Index) fullScore(terms []weighted) float64 {
	var s float64
	for _, t := range terms {
		if id, ok := ix.termIDs[t.term]; ok && ix.df[id] > 0 && t.w > 0 {
			s += t.w * ix.idf(ix.df[id]) * (ix.params.K1 + 1)
		}
	}
	return s
}
