package helpcenter

import (
	"math"
	"slices"
	"sync"
)

// Field is a part of an article that is indexed on its own, so a word in the title can count
// for more than the same word deep in the body.
type Field uint8

// The indexed fields.
const (
	FieldTitle Field = iota // the title
	FieldKeys               // category, tags and the article's own search phrases
	FieldLead               // the opening words of the body, where an answer says what it is about
	FieldBody               // the whole body
	numFields
)

// Doc is what the index needs of an article.
type Doc struct {
	ID       string
	Lang     string
	Group    string
	Title    string
	Body     string // plain text (the Markdown source is fine: its marks are not letters)
	Keys     string // category, tags and search phrases, space-separated
	Public   bool   // shown on the public help centre (internal articles are for agents)
	Category string
}

// posting is one term's occurrence counts in one document, by field (capped at 255: BM25
// saturates long before), and their BM25F combination — the field-weighted, length-normalised
// term frequency — computed when the document is indexed, so scoring a posting touches
// nothing else.
type posting struct {
	doc uint32
	tfn float32
	tf  [numFields]uint8
}

// docEntry is an indexed document.
type docEntry struct {
	id      string
	lang    string
	group   string
	cat     string
	public  bool
	deleted bool
	// norm is each field's BM25 length normalisation, 1 - b + b·len/avglen, kept as its
	// reciprocal so scoring multiplies; refreshed when the average moves (see reweigh).
	norm [numFields]float32
	lens [numFields]uint32
	// terms is the forward index: the document's main-form terms and their body counts, for
	// pseudo-relevance feedback and for what a click teaches.
	terms []termCount
	// length is the number of main-form words, the denominator of the forward counts.
	length uint32
	// all is every term the document has a posting for, to undo its counts on delete.
	all []uint32
}

type termCount struct {
	term uint32
	tf   uint16
}

// Index is an in-memory inverted index over documents, safe for concurrent use. Search holds a
// read lock; Put and Delete a write lock.
type Index struct {
	mu       sync.RWMutex
	params   Params
	termIDs  map[string]uint32
	termStr  []string
	postings [][]posting
	df       []uint32 // live documents containing the term
	docs     []docEntry
	byID     map[string]uint32
	live     int
	lenSum   [numFields]float64
	// avgAt is the average field lengths the docs' norms were computed with.
	avgAt [numFields]float64
	dead  int
	pool  sync.Pool // *scratch
}

// NewIndex returns an empty index ranking with p.
func NewIndex(p Params) *Index {
	ix := &Index{params: p.withDefaults(), termIDs: map[string]uint32{}, byID: map[string]uint32{}}
	ix.pool.New = func() any { return &scratch{} }
	return ix
}

// Len returns the number of documents indexed.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Has reports whether id is indexed.
func (ix *Index) Has(id string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.byID[id]
	return ok
}

// analysedDoc is a document's terms by field, computed outside the lock.
type analysedDoc struct {
	tf      map[string]*[numFields]uint8
	lens    [numFields]uint32
	forward map[string]uint16
	length  uint32
}

func analyseDoc(d Doc, p Params) analysedDoc {
	a := analysedDoc{tf: map[string]*[numFields]uint8{}, forward: map[string]uint16{}}
	count := func(f Field, term string) {
		c := a.tf[term]
		if c == nil {
			c = new([numFields]uint8)
			a.tf[term] = c
		}
		if c[f] < math.MaxUint8 {
			c[f]++
		}
	}
	addField := func(f Field, text string, forward bool) {
		words := Analyze(text)
		if f == FieldLead && len(words) > p.LeadWords {
			words = words[:p.LeadWords]
		}
		a.lens[f] = uint32(len(words))
		for i, w := range words {
			for _, form := range w.Forms {
				count(f, form)
			}
			if forward {
				a.forward[w.Forms[0]]++
				a.length++
			}
			if p.Bigrams {
				for j := max(0, i-p.Window); j < i; j++ {
					count(f, pairTerm(words[j].Forms[0], w.Forms[0], p.Window))
				}
			}
		}
	}
	addField(FieldTitle, d.Title, true)
	addField(FieldKeys, d.Keys, false)
	addField(FieldLead, d.Body, false)
	addField(FieldBody, d.Body, true)
	return a
}

// pairTerm is the index term of two words near each other. The separator cannot occur in a
// form. Within a window wider than one the order is not kept ("insurance for life" pairs
// like "life insurance").
func pairTerm(a, b string, window int) string {
	if window > 1 && b < a {
		a, b = b, a
	}
	return a + " " + b
}

// Put adds d to the index, replacing the document with the same ID.
func (ix *Index) Put(d Doc) {
	a := analyseDoc(d, ix.params)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.deleteLocked(d.ID)
	n := uint32(len(ix.docs))
	e := docEntry{id: d.ID, lang: d.Lang, group: d.Group, cat: d.Category, public: d.Public, lens: a.lens, length: a.length}
	// Terms in a stable order, so two nodes that index the same articles assign the same term
	// numbers and break ties the same way.
	terms := make([]string, 0, len(a.tf))
	for t := range a.tf {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	ix.setNormLocked(&e)
	for _, t := range terms {
		id := ix.termLocked(t)
		p := posting{doc: n, tf: *a.tf[t]}
		p.tfn = ix.tfn(&e, p.tf)
		ix.postings[id] = append(ix.postings[id], p)
		ix.df[id]++
		e.all = append(e.all, id)
		if c, ok := a.forward[t]; ok {
			e.terms = append(e.terms, termCount{term: id, tf: c})
		}
	}
	for f := range numFields {
		ix.lenSum[f] += float64(a.lens[f])
	}
	ix.docs = append(ix.docs, e)
	ix.byID[d.ID] = n
	ix.live++
	ix.maybeReweighLocked()
}

func (ix *Index) termLocked(t string) uint32 {
	id, ok := ix.termIDs[t]
	if !ok {
		id = uint32(len(ix.termStr))
		ix.termIDs[t] = id
		ix.termStr = append(ix.termStr, t)
		ix.postings = append(ix.postings, nil)
		ix.df = append(ix.df, 0)
	}
	return id
}

// Delete removes a document; unknown IDs are ignored.
func (ix *Index) Delete(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.deleteLocked(id)
	ix.maybeReweighLocked()
}

func (ix *Index) deleteLocked(id string) {
	n, ok := ix.byID[id]
	if !ok {
		return
	}
	e := &ix.docs[n]
	e.deleted = true
	delete(ix.byID, id)
	ix.live--
	ix.dead++
	for f := range numFields {
		ix.lenSum[f] -= float64(e.lens[f])
	}
	// Its postings stay until the next compaction (scoring skips deleted documents); the
	// document frequencies count live documents only.
	for _, t := range e.all {
		ix.df[t]--
	}
	e.terms, e.all = nil, nil
}

// maybeReweighLocked recomputes every document's length normalisation when the average field
// lengths have drifted by more than 5% since the last time, and compacts the postings when a
// fifth of the documents are deleted. Doing it on every change would make loading N articles
// cost N², and small drifts change no ranking that matters.
func (ix *Index) maybeReweighLocked() {
	if ix.dead > 64 && ix.dead*5 > len(ix.docs) {
		ix.compactLocked()
	}
	drift := false
	for f := range numFields {
		avg := ix.avg(f)
		if math.Abs(avg-ix.avgAt[f]) > 0.05*max(ix.avgAt[f], 1) {
			drift = true
		}
	}
	if !drift {
		return
	}
	ix.reweighLocked()
}

// reweighLocked recomputes the documents' length normalisation for the current average field
// lengths, and every posting's combined term frequency with it.
func (ix *Index) reweighLocked() {
	for f := range numFields {
		ix.avgAt[f] = ix.avg(f)
	}
	for i := range ix.docs {
		ix.setNormLocked(&ix.docs[i])
	}
	for _, ps := range ix.postings {
		for i := range ps {
			ps[i].tfn = ix.tfn(&ix.docs[ps[i].doc], ps[i].tf)
		}
	}
}

// tfn is BM25F's combined term frequency of counts tf in document e.
func (ix *Index) tfn(e *docEntry, tf [numFields]uint8) float32 {
	var s float32
	for f := range numFields {
		if tf[f] != 0 {
			s += float32(ix.params.W[f]) * float32(tf[f]) * e.norm[f]
		}
	}
	return s
}

func (ix *Index) avg(f Field) float64 {
	if ix.live == 0 {
		return 0
	}
	return ix.lenSum[f] / float64(ix.live)
}

func (ix *Index) setNormLocked(e *docEntry) {
	for f := range numFields {
		avg := ix.avgAt[f]
		if avg <= 0 {
			avg = max(ix.avg(f), 1)
		}
		b := ix.params.B[f]
		e.norm[f] = float32(1 / (1 - b + b*float64(e.lens[f])/avg))
	}
}

// compactLocked drops deleted documents and renumbers the rest, keeping their order.
func (ix *Index) compactLocked() {
	remap := make([]uint32, len(ix.docs))
	var docs []docEntry
	for i, e := range ix.docs {
		if e.deleted {
			remap[i] = math.MaxUint32
			continue
		}
		remap[i] = uint32(len(docs))
		ix.byID[e.id] = uint32(len(docs))
		docs = append(docs, e)
	}
	for t, ps := range ix.postings {
		out := ps[:0]
		for _, p := range ps {
			if r := remap[p.doc]; r != math.MaxUint32 {
				p.doc = r
				out = append(out, p)
			}
		}
		ix.postings[t] = slices.Clip(out)
	}
	ix.docs = docs
	ix.dead = 0
}

// idf is BM25's inverse document frequency, never negative.
func (ix *Index) idf(df uint32) float64 {
	n := float64(ix.live)
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// articleTerms returns every term an article is indexed under, and its main-form words with
// the share of the article each makes up.
func (ix *Index) articleTerms(id string) (map[string]bool, map[string]float64, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n, ok := ix.byID[id]
	if !ok {
		return nil, nil, false
	}
	e := &ix.docs[n]
	all := make(map[string]bool, len(e.all))
	for _, t := range e.all {
		all[ix.termStr[t]] = true
	}
	fwd := make(map[string]float64, len(e.terms))
	for _, tc := range e.terms {
		if e.length > 0 {
			fwd[ix.termStr[tc.term]] = float64(tc.tf) / float64(e.length)
		}
	}
	return all, fwd, true
}

// termIDF returns a term's inverse document frequency, 0 for a term no document has.
func (ix *Index) termIDF(t string) float64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	id, ok := ix.termIDs[t]
	if !ok || ix.df[id] == 0 {
		return 0
	}
	return ix.idf(ix.df[id])
}

// Reweigh recomputes every document's length normalisation with the exact current averages.
// Load calls it once all articles are in, so a freshly loaded index does not depend on the
// order they arrived in.
func (ix *Index) Reweigh() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.reweighLocked()
}

// wordWeight is a query word's idf, and the idf of a word in no document (the highest) for
// one the index does not have.
func (ix *Index) wordWeight(t string) float64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if id, ok := ix.termIDs[t]; ok {
		return ix.idf(ix.df[id])
	}
	return ix.idf(0)
}
